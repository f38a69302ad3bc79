"""The talking-head serving signature.

  reenact   references uint8 [batch, K, H, W, C], reference_landmarks uint8
            [batch, K, H, W, P], target_landmarks uint8 [batch, H, W, P]
            -> images uint8 [batch, H, W, C]
Row b renders the identity of its K references in the pose of its target
landmark image. Shapes are checked inside the graph (a signature does not
enforce its declared shape), so a bad request fails with a message.
"""

import tensorflow as tf

from tfgan_zoo.data.pipeline import scale_images, unscale_images


def _checked(tensor, tail, name, shape):
    """`tensor` scaled to [-1, 1] after checking its trailing shape `tail`."""
    check = tf.debugging.assert_equal(
        tf.shape(tensor)[-len(tail) :],
        tf.constant(tail, tf.int32),
        message=f"{name} must have shape {shape} (uint8)",
    )
    with tf.control_dependencies([check]):
        return scale_images(tensor)


def reenact_function(model):
    """(reenact, specs) for a TalkingHeads model, in inference mode."""
    h, w, c = model.image_shape
    p = model.landmark_channels
    specs = [
        tf.TensorSpec([None, None, h, w, c], tf.uint8, name="references"),
        tf.TensorSpec([None, None, h, w, p], tf.uint8, name="reference_landmarks"),
        tf.TensorSpec([None, h, w, p], tf.uint8, name="target_landmarks"),
    ]

    def reenact(references, reference_landmarks, target_landmarks):
        frames = _checked(references, (h, w, c), "references", f"[batch, K, {h}, {w}, {c}]")
        marks = _checked(
            reference_landmarks, (h, w, p), "reference_landmarks", f"[batch, K, {h}, {w}, {p}]"
        )
        targets = _checked(
            target_landmarks, (h, w, p), "target_landmarks", f"[batch, {h}, {w}, {p}]"
        )
        same = [
            tf.debugging.assert_equal(
                tf.shape(references)[:2],
                tf.shape(reference_landmarks)[:2],
                message="references and reference_landmarks need the same batch and K",
            ),
            tf.debugging.assert_equal(
                tf.shape(references)[0],
                tf.shape(target_landmarks)[0],
                message="one target landmark image per row of references",
            ),
            tf.debugging.assert_positive(tf.shape(references)[1], message="K must be at least 1"),
        ]
        with tf.control_dependencies(same):
            psi = model.adain_parameters(model.embed(frames, marks))
            images = model.render(targets, psi)
        return {"images": unscale_images(images)}

    return reenact, specs
