"""Few-shot fine-tuning of a meta-learned talking-head model on one new identity
(Zakharov et al. 2019, section 3.3).

The copy G' has G's weights and its own AdaIN parameters psi', started at
P e_new (e_new the mean embedding of the K frames); the copy D' has V's weights,
b, and its own column w', started at w0 + e_new (the paper's W_i is replaced by
w' for an identity D never saw). Both then train on the K frames alone: G'
(its weights and psi') on the content, pixel, hinge and feature-matching terms
of the meta-learning stage, D' (V, w', b) on the hinge loss. The meta-learned
model is not changed.

Pose jitter (an addition to the paper, off by default): K frames show the
identity in K poses only, so G' can fit those and miss the rest. With
`pose_jitter` > 0 each step moves three quarters of the frames, drawn afresh,
by a random affine within that fraction of the data's pose ranges, and redraws
their landmark discs where the moved keypoints land (`jittered`).
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from tfgan_zoo.data import posed_items
from tfgan_zoo.engine.losses import hinge_discriminator_loss, wasserstein_generator_loss
from tfgan_zoo.families.talking_heads import losses as losses_lib
from tfgan_zoo.families.talking_heads.networks import score

KEPT_AS_GIVEN = 0.25  # share of the frames pose jitter leaves as they are


def jittered(frames, landmarks, poses):
    """Frames [N, H, W, C] and their landmark images [N, H, W, P] (both in
    [-1, 1]) moved by `poses` [N, 5] (`posed_items.pose_matrices`): the pixels
    by the affine (bilinear, background outside), the landmarks redrawn as
    discs at their moved keypoints."""
    side = int(frames.shape[1])
    a, t = posed_items.pose_matrices(poses, side)
    moved = posed_items.affine_images(frames + 1.0, a, t) - 1.0
    centre = (side - 1) / 2.0
    points = posed_items.landmark_points(landmarks)
    points = tf.einsum("nij,npj->npi", a, points - centre) + centre + t[:, None, :]
    return moved, posed_items.rasterise(points, side)


def _copy(network):
    clone = keras.models.clone_model(network)
    clone.set_weights(network.get_weights())
    return clone


class FineTuned:
    """A meta-learned `TalkingHeads` specialised to one identity.

    Args:
      model: the meta-learned model.
      frames, landmarks: the identity's K frames [K, H, W, C] and landmark
        images [K, H, W, P], in [-1, 1].
      g_learning_rate, d_learning_rate: Adam rates of G' (with psi') and D'.
      pose_jitter: fraction of the data's pose ranges (`posed_items.POSE_RANGES`)
        within which each step moves the frames (module docstring); 0: the
        frames as given, as in the paper.
      seed: seed of the jitter's draws.
    """

    def __init__(
        self,
        model,
        frames,
        landmarks,
        g_learning_rate=2e-4,
        d_learning_rate=2e-4,
        pose_jitter=0.0,
        seed=0,
    ):
        self.model = model
        self.pose_jitter = float(pose_jitter)
        self.seed = seed
        self.random = tf.random.Generator.from_seed(seed)
        self.generator = _copy(model.generator)
        self.body = _copy(model.discriminator_body)
        size = model.psi_projection.units
        self.psi = tf.Variable(tf.zeros([size]), name="psi")
        self.w = tf.Variable(tf.zeros([model.embedding_dim]), name="w")
        self.b = tf.Variable(0.0, name="b")
        self.g_optimizer = keras.optimizers.Adam(g_learning_rate, beta_1=0.5)
        self.d_optimizer = keras.optimizers.Adam(d_learning_rate, beta_1=0.5)
        self.g_variables = [*self.generator.trainable_variables, self.psi]
        self.d_variables = [*self.body.trainable_variables, self.w, self.b]
        self.g_optimizer.build(self.g_variables)
        self.d_optimizer.build(self.d_variables)
        self._step = tf.function(self.step)
        self.restart(frames, landmarks)

    def restart(self, frames, landmarks):
        """Starts again from the meta-learned model, for the identity of `frames`
        [K, H, W, C] and `landmarks` [K, H, W, P] in [-1, 1]. Reusing one
        FineTuned for many identities of one K traces its step once."""
        model = self.model
        self.frames = tf.constant(frames, tf.float32)
        self.landmarks = tf.constant(landmarks, tf.float32)
        self.embedding = model.embed(self.frames[None], self.landmarks[None])[0]
        self.generator.set_weights(model.generator.get_weights())
        self.body.set_weights(model.discriminator_body.get_weights())
        self.psi.assign(model.adain_parameters(self.embedding[None])[0])
        self.w.assign(model.head.w0 + self.embedding)
        self.b.assign(model.head.b)
        self.random.reset_from_seed(self.seed)  # each identity draws the same jitter
        for optimizer in (self.g_optimizer, self.d_optimizer):
            # Fresh moments and step count (the learning rate is a variable too).
            for variable in optimizer.variables:
                if variable is not optimizer._learning_rate:
                    variable.assign(tf.zeros_like(variable))
        return self

    def render(self, landmarks, training=False):
        psi = ops.repeat(self.psi[None], ops.shape(landmarks)[0], axis=0)
        return self.generator([landmarks, psi], training=training)

    def discriminate(self, frames, landmarks):
        *maps, v = self.body([frames, landmarks], training=True)
        return maps, score(v, self.w, self.b)

    def step(self, x, y):
        """One D' and one G' update on the K frames `x` with landmarks `y`
        (moved by pose jitter, if set); returns (d loss, g loss)."""
        m = self.model
        if self.pose_jitter:
            x, y = jittered(x, y, self.jitter_poses(ops.shape(x)[0]))
        fake = self.render(y, training=True)
        with tf.GradientTape() as tape:
            _, real_out = self.discriminate(x, y)
            _, fake_out = self.discriminate(fake, y)
            d_loss = hinge_discriminator_loss(real_out, fake_out)
        self.d_optimizer.apply(tape.gradient(d_loss, self.d_variables), self.d_variables)
        real_maps, _ = self.discriminate(x, y)
        real_content = m.content_features(x) if m.content_weight else []
        with tf.GradientTape() as tape:
            fake = self.render(y, training=True)
            fake_maps, fake_out = self.discriminate(fake, y)
            g_loss = (
                wasserstein_generator_loss(fake_out)
                + m.feature_matching_weight * losses_lib.feature_matching_loss(real_maps, fake_maps)
                + m.pixel_weight * ops.mean(ops.abs(fake - x))
            )
            if m.content_weight:
                g_loss += m.content_weight * losses_lib.content_loss(
                    real_content, m.content_features(fake)
                )
        self.g_optimizer.apply(tape.gradient(g_loss, self.g_variables), self.g_variables)
        return d_loss, g_loss

    def jitter_poses(self, n):
        """[n, 5] poses within `pose_jitter` of the data's ranges; a share
        KEPT_AS_GIVEN of the rows (on average) is the identity pose."""
        limits = posed_items.pose_limits() * self.pose_jitter
        poses = self.random.uniform([n, 5], -1.0, 1.0) * limits
        moved = self.random.uniform([n, 1]) >= KEPT_AS_GIVEN
        return tf.where(moved, poses, tf.zeros_like(poses))

    def fit(self, steps):
        """`steps` updates; returns self (the last losses are in `losses`)."""
        self.losses = (np.nan, np.nan)
        for _ in range(int(steps)):
            self.losses = tuple(float(v) for v in self._step(self.frames, self.landmarks))
        return self

    def reenact(self, target_landmarks, batch_size=256):
        """Images [T, H, W, C] in [-1, 1] of this identity in the target poses."""
        targets = self.model._floats(target_landmarks)
        return np.concatenate(
            [
                np.asarray(self.render(tf.constant(targets[i : i + batch_size])))
                for i in range(0, len(targets), batch_size)
            ]
        )
