"""Serving signatures of image-to-image translators.

  translate      uint8 images [batch, H, W, C] -> uint8 images (pix2pix; CycleGAN A -> B)
  translate_ba   CycleGAN's B -> A
BicycleGAN's `translate` also takes an int64 `seed` per image: its latent code
is drawn from that seed alone (the `sample` convention), so a request replays
exactly and several seeds give several outputs for one input. Outputs are made
in inference mode (pix2pix's dropout off), so a request is deterministic.
"""
import tensorflow as tf

from tfgan_zoo.data.pipeline import scale_images, unscale_images
from tfgan_zoo.serving.signatures import latents_for_seeds


def _checked_images(images, image_shape):
    # A signature does not enforce its declared shape: check it, with a message.
    checks = [tf.debugging.assert_equal(tf.shape(images)[1:], tf.constant(image_shape),
                                        message=f"images must have shape [batch, "
                                        f"{', '.join(map(str, image_shape))}] (uint8)")]
    with tf.control_dependencies(checks):
        return scale_images(images)


def translation_functions(model):
    """{name: (function, input specs)}; the first is the default signature."""
    shape = tuple(model.image_shape)
    image_spec = tf.TensorSpec([None, *shape], tf.uint8, name="images")
    seed_spec = tf.TensorSpec([None], tf.int64, name="seed")

    def run(network):
        def translate(images):
            return {"images": unscale_images(network(_checked_images(images, shape),
                                                     training=False))}
        return translate

    if hasattr(model, "g_ab"):  # CycleGAN
        return {"translate": (run(model.g_ab), [image_spec]),
                "translate_ba": (run(model.g_ba), [image_spec])}
    if model.latent_dim:  # BicycleGAN: one latent code per image, from its seed
        def translate_seeded(images, seed):
            sources = _checked_images(images, shape)
            with tf.control_dependencies([tf.debugging.assert_equal(
                    tf.shape(seed)[0], tf.shape(images)[0],
                    message="seed must have one entry per image")]):
                z = latents_for_seeds(seed, model.latent_dim)
            return {"images": unscale_images(model.generator([sources, z], training=False))}
        return {"translate": (translate_seeded, [image_spec, seed_spec])}
    return {"translate": (run(model.generator), [image_spec])}
