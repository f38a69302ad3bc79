"""Default widths of the fixed-depth conv nets, derived from the image size.

The widest layers of these nets (BEGAN's and the autoencoders' encoder/decoder,
which always down/upsample twice, BigGAN's, and the DCGAN-style nets' last stage)
hold about (H/2)·(W/2)·width values: a constant width makes them grow with the
image area. Up to 64×64 the width is
the model's own default (every shipped model and saved file is at most 32×32);
each doubling of the longer side beyond halves it, so 256×256 builds too.
"""

SIDE_AT_FULL_WIDTH = 64


def default_base_filters(image_shape, widest):
    """`base_filters` for images of `image_shape` ((H, W, C)), `widest` up to 64×64."""
    side, halvings = max(int(image_shape[0]), int(image_shape[1])), 0
    while side > SIDE_AT_FULL_WIDTH:
        side, halvings = side // 2, halvings + 1
    return max(1, int(widest) >> halvings)
