"""The serving contract of a generator, as plain TensorFlow functions.

Every signature takes and returns batched tensors (leading dimension None) in
dtypes TF Serving's REST API can carry (no float16/bfloat16):

  generate / serving_default  z float32 [None, latent_dim] (+ label int32 [None])
                              -> images uint8 [None, H, W, C]
  sample                      seed int64 [None] (+ label) -> images; one latent
                              per seed, a stateless function of it, so a request
                              replays exactly
  png                         z (+ label) -> images_bytes string [None] (PNG)

Inputs are checked inside the graph (finite z, labels in range), so a bad
request fails with a message naming the input rather than returning a wrong
image; TF Serving reports that message to the client.
"""

import tensorflow as tf

from tfgan_zoo.data.pipeline import scale_images, unscale_images
from tfgan_zoo.engine.noise import draw_seed


def latents_for_seeds(seeds, latent_dim):
    """One N(0, I) latent per int64 seed: row i depends on seeds[i] only. The
    draw is named "serving", so no request's latent shares a seed with a
    training or `sample` draw, whatever the request's seed."""
    seeds = tf.convert_to_tensor(seeds, tf.int64)

    def one(seed):
        return tf.random.stateless_normal([latent_dim], draw_seed(seed, "serving"))

    return tf.map_fn(one, seeds, fn_output_signature=tf.TensorSpec([latent_dim], tf.float32))


def checked_images(images, image_shape):
    """uint8 `images` scaled to [-1, 1], after checking their shape: a signature
    does not enforce its declared shape, so the check gives the message."""
    checks = [
        tf.debugging.assert_equal(
            tf.shape(images)[1:],
            tf.constant(image_shape),
            message=f"images must have shape [batch, {', '.join(map(str, image_shape))}] (uint8)",
        )
    ]
    with tf.control_dependencies(checks):
        return scale_images(images)


def image_spec(image_shape):
    return tf.TensorSpec([None, *image_shape], tf.uint8, name="images")


def translate_function(network, image_shape):
    """(translate, specs): uint8 images -> `network` in inference mode -> uint8
    images (translators; the autoencoder's reconstructions)."""

    def translate(images):
        return {
            "images": unscale_images(network(checked_images(images, image_shape), training=False))
        }

    return translate, [image_spec(image_shape)]


def generator_output(generator, z, labels=None):
    """The generator's [-1, 1] output in inference mode for `z` (and `labels`):
    what `generate_uint8` rounds, and the in-process reference the export is
    tested against."""
    z = tf.convert_to_tensor(z, tf.float32)
    inputs = z if labels is None else [z, tf.cast(labels, tf.int32)]
    return generator(inputs, training=False)


def generate_uint8(generator, z, labels=None):
    """Generator output as uint8 pixels: the function every signature ends in."""
    return unscale_images(generator_output(generator, z, labels))


def encoder_functions(model):
    """`encode` (uint8 images (+ label) -> posterior mean and log variance) for
    models with an encoder, such as the VAE."""
    image_spec = tf.TensorSpec([None, *model.data_shape], tf.uint8, name="images")
    label_spec = tf.TensorSpec([None], tf.int32, name="label")

    def encode(images, label=None):
        mean, log_var = model.encode(scale_images(images), label)
        return {"mean": mean, "log_variance": log_var}

    if model.num_classes is None:
        return {"encode": (lambda images: encode(images), [image_spec])}
    return {"encode": (encode, [image_spec, label_spec])}


def checked_latents(z, labels, num_classes, latent_dim):
    """(z, labels) that fail with a message naming the input unless z is finite
    [batch, latent_dim] and labels lie in [0, num_classes), one per row."""
    # The shape check is explicit because a SavedModel signature does not
    # enforce its declared shape: a wrong z would fail deep in a MatMul.
    checks = [
        tf.debugging.assert_equal(
            tf.shape(z)[1], latent_dim, message=f"z must have shape [batch, {latent_dim}]"
        ),
        tf.debugging.assert_all_finite(z, "z must be finite (no NaN or inf)"),
    ]
    if labels is not None:
        checks += [
            tf.debugging.assert_non_negative(
                labels, message=f"label must be in [0, {num_classes})"
            ),
            tf.debugging.assert_less(
                labels,
                tf.constant(num_classes, labels.dtype),
                message=f"label must be in [0, {num_classes})",
            ),
            tf.debugging.assert_equal(
                tf.shape(labels)[0],
                tf.shape(z)[0],
                message="label must have one entry per latent row",
            ),
        ]
    with tf.control_dependencies(checks):
        return tf.identity(z), None if labels is None else tf.identity(labels)


def _png_batch(images):
    return tf.map_fn(tf.io.encode_png, images, fn_output_signature=tf.TensorSpec([], tf.string))


def serving_functions(generate_fn, latent_dim, num_classes=None):
    """{name: (function, input specs)} for the latent-to-image signatures.

    `generate_fn(z, labels)` returns images in [-1, 1]: a GAN's or a VAE's
    `generate`, whose variables the export tracks.
    """
    z_spec = tf.TensorSpec([None, latent_dim], tf.float32, name="z")
    seed_spec = tf.TensorSpec([None], tf.int64, name="seed")
    label_spec = tf.TensorSpec([None], tf.int32, name="label")

    if num_classes is None:

        def generate(z):
            z, _ = checked_latents(z, None, None, latent_dim)
            return {"images": unscale_images(generate_fn(z, None))}

        def sample(seed):
            return generate(latents_for_seeds(seed, latent_dim))

        def png(z):
            return {"images_bytes": _png_batch(generate(z)["images"])}

        return {
            "generate": (generate, [z_spec]),
            "sample": (sample, [seed_spec]),
            "png": (png, [z_spec]),
        }

    def generate_c(z, label):
        z, label = checked_latents(z, label, num_classes, latent_dim)
        return {"images": unscale_images(generate_fn(z, label))}

    def sample_c(seed, label):
        return generate_c(latents_for_seeds(seed, latent_dim), label)

    def png_c(z, label):
        return {"images_bytes": _png_batch(generate_c(z, label)["images"])}

    return {
        "generate": (generate_c, [z_spec, label_spec]),
        "sample": (sample_c, [seed_spec, label_spec]),
        "png": (png_c, [z_spec, label_spec]),
    }


def image_generator_functions(generate_fn, data_shape, latent_dim, num_classes=None):
    """`serving_functions` for a generator of images; samples of another shape
    (2D points) have no image signatures."""
    if len(data_shape) != 3:
        raise ValueError(
            f"only image generators are exported for serving; this model makes "
            f"samples of shape {tuple(data_shape)}"
        )
    return serving_functions(generate_fn, latent_dim, num_classes)


def autoregressive_functions(model):
    """`sample` (int64 seed (+ label) -> uint8 images) and `png` (the same as PNG)
    for a PixelCNN: each image is drawn pixel by pixel inside the graph, from its
    own seed only (one while-loop per image), so a request replays exactly."""
    values = model.image_shape[0] * model.image_shape[1] * model.colours
    step = 256 // model.levels
    seed_spec = tf.TensorSpec([None], tf.int64, name="seed")
    label_spec = tf.TensorSpec([None], tf.int32, name="label")

    def one_image(seed, label):
        labels = None if label is None else label[None]

        canvas = tf.zeros((1,) + model.image_shape, tf.int32)
        _, canvas = tf.while_loop(
            lambda i, c: i < values,
            lambda i, c: (i + 1, model.draw_value(c, labels, i, seed)),
            [0, canvas],
        )
        return tf.cast(canvas[0] * step + step // 2, tf.uint8)

    # A graph even when called eagerly (as the in-process side of the export checks
    # does): eagerly, the while-loop would run each pixel's ops one by one.
    @tf.function(autograph=False, reduce_retracing=True)
    def sample(seed, label=None):
        if label is None:
            images = tf.map_fn(
                lambda s: one_image(s, None),
                seed,
                fn_output_signature=tf.TensorSpec(model.data_shape, tf.uint8),
            )
        else:
            _, label = checked_latents(
                tf.zeros([tf.shape(seed)[0], 1]), label, model.num_classes, 1
            )
            images = tf.map_fn(
                lambda a: one_image(a[0], a[1]),
                (seed, label),
                fn_output_signature=tf.TensorSpec(model.data_shape, tf.uint8),
            )
        return {"images": images}

    def png(seed, label=None):
        return {"images_bytes": _png_batch(sample(seed, label)["images"])}

    if model.num_classes is None:
        return {
            "sample": (lambda seed: sample(seed), [seed_spec]),
            "png": (lambda seed: png(seed), [seed_spec]),
        }
    return {"sample": (sample, [seed_spec, label_spec]), "png": (png, [seed_spec, label_spec])}
