"""Every GAN and translator builds its networks from the data's shape alone, at
any power-of-two side from 16 to 128, in colour: `for_data(shape)` with no width
arguments, and the generator makes images of exactly that shape. The baselines
that take colour images (the autoencoders) do the same from `image_shape`."""

import numpy as np
import pytest

from tfgan_zoo.families.progan.networks import default_filters as progan_filters
from tfgan_zoo.families.stylegan.networks import default_filters
from tfgan_zoo.networks.widths import default_base_filters
from tfgan_zoo.registry import registered

MODELS = {**registered("gan"), **registered("translator")}
# PixelCNN gives logits, not images; its width does not depend on the image's.
BASELINES = sorted(set(registered("baseline")) - {"pixelcnn"})


@pytest.mark.parametrize("side", [16, 64, 128])
@pytest.mark.parametrize("name", sorted(MODELS))
def test_builds_from_the_data_shape(name, side):
    entry = MODELS[name]
    num_classes = 10 if entry.kind == "gan" and entry.cls.conditional else None
    model = entry.cls.for_data((side, side, 3), num_classes)
    assert tuple(model.generator.output_shape[1:]) == (side, side, 3)
    if entry.kind == "gan":
        samples = model.sample(2, seed=0)
        assert samples.shape == (2, side, side, 3) and np.isfinite(samples).all()


def test_stylegan_widths_follow_the_side():
    assert default_filters((32, 32, 1)) == (64, 64, 32, 16)  # the 32×32 default of before
    assert default_filters((4, 4, 3)) == (64,)
    assert default_filters((256, 256, 3)) == (64, 64, 32, 16, 16, 16, 16)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(MODELS) + BASELINES)
def test_builds_at_256(name):
    """Build only: sampling BigGAN at 256×256 (attention over 128×128 positions)
    takes ~20 s and 5 GB on a CPU."""
    entry = MODELS.get(name) or registered("baseline")[name]
    if entry.kind == "baseline":
        model = entry.cls(image_shape=(256, 256, 3))
        network = model.decoder if hasattr(model, "decoder") else model.generator
    else:
        num_classes = 10 if entry.kind == "gan" and entry.cls.conditional else None
        network = entry.cls.for_data((256, 256, 3), num_classes).generator
    assert tuple(network.output_shape[1:]) == (256, 256, 3)


@pytest.mark.parametrize("side", [16, 64, 128])
@pytest.mark.parametrize("name", BASELINES)
def test_baselines_build_from_the_image_shape(name, side):
    model = registered("baseline")[name].cls(image_shape=(side, side, 3))
    images = np.zeros((2, side, side, 3), np.float32)
    assert model(images).shape == (2, side, side, 3)


@pytest.mark.parametrize("side", [16, 64, 128])
def test_pixelcnn_models_colour_images_of_any_side(side):
    model = registered("baseline")["pixelcnn"].cls.for_data(
        (side, side, 3), levels=4, base_filters=12, blocks=1
    )
    images = np.full((2, side, side, 3), 200, np.uint8)
    assert model(images).shape == (2, side, side, 3, 4)  # 4 levels' logits per colour
    assert 0 < model.nll_bits_per_dim(images) < 4


def test_progan_widths_follow_the_side():
    # The paper's 512, 512, 512, 512, 256, 128, 64 maps at an eighth of the width.
    assert progan_filters((32, 32, 1)) == (64, 64, 64, 64)
    assert progan_filters((256, 256, 3)) == (64, 64, 64, 64, 32, 16, 8)
    assert progan_filters((256, 256, 3), fmap_base=8192, fmap_max=512) == (
        512,
        512,
        512,
        512,
        256,
        128,
        64,
    )


def test_fixed_depth_widths_halve_beyond_64():
    assert [default_base_filters((s, s, 3), 64) for s in (16, 28, 64, 128, 256)] == [
        64,
        64,
        64,
        32,
        16,
    ]
    assert default_base_filters((32, 256, 1), 4) == 1


def test_the_dcgan_nets_deepen_with_the_image():
    """Stride-2 stages follow the side (the first map is 4×4 to 7×7 from 32×32 up), and at
    64×64 with base_filters 64 the networks are the widely used DCGAN's
    (4×4×512 → 64×64×3; PyTorch's reference: G 3,576,704 and D 2,765,568
    parameters). Ours differ by biases and by G's first batch norm, which spans
    the dense layer's 8,192 outputs rather than its 512 channels."""
    from tfgan_zoo.gans import DCGAN
    from tfgan_zoo.networks.conv import default_stages

    assert [default_stages((s, s, 1)) for s in (8, 16, 28, 32, 64, 128)] == [2, 2, 2, 3, 4, 5]
    assert default_stages((12, 20, 1)) == 2 and default_stages((10, 10, 1)) == 1
    model = DCGAN(image_shape=(64, 64, 3), base_filters=64)

    def trainable(net):
        return sum(int(np.prod(w.shape)) for w in net.trainable_weights)

    assert model.stages == 4 and model.generator.layers[4].output.shape[1:] == (4, 4, 512)
    assert trainable(model.generator) == 3_576_704 - 2 * 512 + 2 * 8192 + 3
    assert trainable(model.discriminator) == 2_765_568 + 64 + 1
    # A file written before `stages` existed had two stages at every size.
    config = {k: v for k, v in model.get_config().items() if k != "stages"}
    assert DCGAN.from_config(config).stages == 2
