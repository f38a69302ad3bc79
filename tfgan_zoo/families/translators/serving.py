"""Serving signatures of image-to-image translators.

  translate      uint8 images [batch, H, W, C] -> uint8 images (pix2pix; CycleGAN A -> B)
  translate_ba   CycleGAN's B -> A
BicycleGAN's `translate` also takes an int64 `seed` per image: its latent code
is drawn from that seed alone (the `sample` convention), so a request replays
exactly and several seeds give several outputs for one input. Outputs are made
in inference mode (pix2pix's dropout off), so a request is deterministic.
"""

import tensorflow as tf

from tfgan_zoo.data.pipeline import unscale_images
from tfgan_zoo.serving.signatures import (
    checked_images,
    image_spec,
    latents_for_seeds,
    translate_function,
)

__all__ = ["seeded_translate_function", "translate_function"]


def seeded_translate_function(generator, image_shape, latent_dim):
    """(translate, specs) for a generator of [images, z]: one latent code per image,
    drawn from its int64 seed alone (BicycleGAN)."""

    def translate(images, seed):
        sources = checked_images(images, image_shape)
        with tf.control_dependencies(
            [
                tf.debugging.assert_equal(
                    tf.shape(seed)[0],
                    tf.shape(images)[0],
                    message="seed must have one entry per image",
                )
            ]
        ):
            z = latents_for_seeds(seed, latent_dim)
        return {"images": unscale_images(generator([sources, z], training=False))}

    return translate, [image_spec(image_shape), tf.TensorSpec([None], tf.int64, name="seed")]
