"""Served uint8 pixels against the in-process float output they come from."""

import numpy as np

# A loaded SavedModel runs grappler-optimised graphs (fused conv + bias +
# activation), eager Keras does not: the two agree to float32 rounding, about
# 1e-6 of the [-1, 1] range. Where an output lies that close to a pixel
# boundary (an untrained network's outputs cluster at 0, which is the boundary
# between 127 and 128) either pixel is the correct rounding.
FLOAT_TOLERANCE = 1e-5


def assert_pixels_of(served, floats, tolerance=FLOAT_TOLERANCE):
    """Every served pixel is a rounding of the in-process output `floats` (in
    [-1, 1]) moved by at most `tolerance`: the exact pixel, or its neighbour
    where the output lies within `tolerance` of the boundary between them."""
    served = np.asarray(served)
    assert served.dtype == np.uint8 and served.shape == np.shape(floats)
    levels = np.clip((np.asarray(floats, np.float64) + 1.0) * 127.5, 0.0, 255.0)
    slack = tolerance * 127.5
    low = np.clip(np.floor(levels - slack + 0.5), 0, 255)
    high = np.clip(np.floor(levels + slack + 0.5), 0, 255)
    outside = (served < low) | (served > high)
    assert not outside.any(), (
        f"{outside.sum()} pixels are no rounding of the in-process output; first at "
        f"{np.argwhere(outside)[0]}: {served[outside][0]} for {levels[outside][0]:.6f}"
    )


def assert_same_pixels(actual, expected, what=""):
    """uint8 images from the same floats by two routes (eager and a loaded graph,
    or two CPUs whose kernels round differently): equal, but for pixels one level
    apart, which only a float at a rounding boundary gives, on at most 1 % of them."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, (what, actual.shape, expected.shape)
    difference = np.abs(actual.astype(np.int64) - expected.astype(np.int64))
    assert difference.max(initial=0) <= 1, (what, difference.max())
    assert np.mean(difference > 0) <= 0.01, (what, np.mean(difference > 0))
