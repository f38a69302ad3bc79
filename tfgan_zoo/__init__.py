"""tfgan_zoo: generative adversarial networks for TensorFlow/Keras 3, trained with `model.fit`."""
__version__ = "0.1.0"
