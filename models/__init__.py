"""The pretrained-model catalogue (installed as `tfgan_zoo.models`); see tfgan_zoo/zoo.py."""
