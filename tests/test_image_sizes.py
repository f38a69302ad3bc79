"""Every GAN and translator builds its networks from the data's shape alone, at
any power-of-two side from 16 to 128, in colour: `for_data(shape)` with no width
arguments, and the generator makes images of exactly that shape."""
import numpy as np
import pytest

from tfgan_zoo.registry import registered
from tfgan_zoo.families.stylegan.networks import default_filters

MODELS = {**registered("gan"), **registered("translator")}


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
