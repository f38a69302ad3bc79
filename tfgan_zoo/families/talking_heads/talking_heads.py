"""Few-shot re-posing: the talking-head model (Zakharov et al. 2019, "Few-Shot
Adversarial Learning of Realistic Neural Talking Head Models").

From K reference frames of an identity (each with its landmark image) and a
target landmark image, render that identity in the target pose:

  e_hat = mean_k E(x_k, y_k)            the identity's embedding
  x_hat = G(y_t, psi),  psi = P e_hat   AdaIN parameters from the embedding
  r     = V(x, y) . (W_i + w0) + b      projection discriminator, W_i per identity

Meta-learning (`fit`) trains on episodes (`tfgan_zoo.data.posed_items`): each
batch row is one identity's K references and one target frame. D minimises the
hinge loss plus 80 |W_i - e_hat_i|; E, P and G minimise the content loss, the
hinge generator loss, feature matching and 80 |W_i - e_hat_i|. Few-shot
fine-tuning (`fine_tune`) starts G's psi from P e_new and D's column from
w0 + e_new, then fits the new identity's K frames alone (`finetune.py`).

What differs from the engine: the step is the engine's D step and G step
written for episodes (the fakes are G(y_t, P e_hat), D sees the identity);
the engine's hinge loss, replica scaling and trackers are used unchanged.

Deliberate deviations from the paper:
- the content loss uses the project's Fashion-MNIST classifier's conv maps,
  not VGG19 and VGGFace; a pixel L1 term (`pixel_weight`) is added, because the
  classifier's pooled maps barely see a shift of a pixel or two at 28x28;
- L_MCH is a mean over entries (see `losses.py`). In the D step it updates W
  toward a fixed e_hat, in the G step e_hat toward a fixed W, so each
  optimiser takes the term for its own networks;
- AdaIN scales are 1 + gamma (see `networks.AdaptiveInstanceNorm`);
- no spectral normalisation and no self-attention; networks sized for 28x28.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from tfgan_zoo.data.pipeline import scale_images
from tfgan_zoo.engine import GAN
from tfgan_zoo.engine.replicas import replica_context, step_logs
from tfgan_zoo.engine.validation import DataValidationError
from tfgan_zoo.families.talking_heads import losses as losses_lib
from tfgan_zoo.families.talking_heads.networks import (
    adain_size,
    discriminator_network,
    embedder_network,
    generator_network,
)
from tfgan_zoo.families.talking_heads.serving import reenact_function
from tfgan_zoo.registry import register_model


@register_model("talking_heads", kind="reenactor")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class TalkingHeads(GAN):
    """Args:
    image_shape: shape of one frame (sides divisible by 4).
    landmark_channels: channels of a landmark image (one per keypoint).
    references: K, reference frames per training episode (the paper's 8).
    base_filters: width of all three networks.
    embedding_dim: N, size of e, v and W's columns.
    blocks: AdaIN residual blocks of G.
    num_identities: training identities (rows of D's table W).
    content_weight, pixel_weight, feature_matching_weight, match_weight: the
      weights of the content (perceptual), pixel L1, feature-matching and
      embedding-match (the paper's 80) terms.
    content_network: feature network of the content loss ("fashion_mnist"),
      or "none".
    seed: seed of the training noise (kept for the engine; episodes carry
      their own seeds).
    """

    description = "Few-shot re-posing from K references and a landmark image (Zakharov et al. 2019)"
    default_dataset = "fashion_mnist"  # each item is an identity, posed at random
    maps_inputs = True

    def __init__(
        self,
        image_shape=(28, 28, 1),
        landmark_channels=5,
        references=8,
        base_filters=32,
        embedding_dim=64,
        blocks=2,
        num_identities=1,
        content_weight=1.0,
        pixel_weight=10.0,
        feature_matching_weight=10.0,
        match_weight=80.0,
        content_network="fashion_mnist",
        seed=None,
        **kwargs,
    ):
        self.image_shape = tuple(int(s) for s in image_shape)
        if self.image_shape[0] % 4 or self.image_shape[1] % 4:
            raise ValueError(f"frame sides must divide by 4; found {self.image_shape}")
        self.landmark_channels, self.references = int(landmark_channels), int(references)
        self.base_filters, self.embedding_dim = int(base_filters), int(embedding_dim)
        self.blocks, self.num_identities = int(blocks), int(num_identities)
        self.content_weight, self.pixel_weight = float(content_weight), float(pixel_weight)
        self.feature_matching_weight = float(feature_matching_weight)
        self.match_weight, self.content_network = float(match_weight), str(content_network)
        args = (self.image_shape, self.landmark_channels, self.base_filters)
        generator = generator_network(*args, self.blocks)
        discriminator = discriminator_network(*args, self.embedding_dim, self.num_identities)
        super().__init__(generator, discriminator, latent_dim=0, seed=seed, **kwargs)
        self.embedder = embedder_network(*args, self.embedding_dim)
        # P: psi = P e, a linear map without bias (the paper's projection matrix).
        self.psi_projection = keras.layers.Dense(
            adain_size(self.base_filters, self.blocks),
            use_bias=False,
            name="P",
        )
        self.psi_projection.build((None, self.embedding_dim))
        self.trackers = {
            name: keras.metrics.Mean(name=name)
            for name in ("content", "pixel", "feature_matching", "match")
        }
        self._content_features = None  # built on first use; not part of the model

    @classmethod
    def default_compile_args(cls):
        # Hinge loss and Adam as in the paper; E and G at 2e-4, not its 5e-5 (the
        # `paper` recipe row), so that a few CPU minutes train them.
        return dict(
            super().default_compile_args(),
            g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.999),
            d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.999),
            loss="hinge",
        )

    @classmethod
    def for_data(cls, data_shape, num_classes=None, **kwargs):
        return cls(image_shape=data_shape, **kwargs)

    def constructor_config(self):
        names = (
            "image_shape landmark_channels references base_filters embedding_dim blocks "
            "num_identities content_weight pixel_weight feature_matching_weight "
            "match_weight content_network seed"
        ).split()
        return dict(name=self.name, **{n: getattr(self, n) for n in names})

    @property
    def head(self):
        """D's projection head: W (`table`), w0 and b."""
        return self.discriminator.get_layer("projection")

    @property
    def discriminator_body(self):
        return self.discriminator.get_layer("discriminator_body")

    @property
    def metrics(self):
        return super().metrics + list(self.trackers.values())

    def generator_variables(self):
        return (
            self.embedder.trainable_variables
            + self.psi_projection.trainable_variables
            + self.generator.trainable_variables
        )

    # ------------------------------------------------------------- the model
    def embed(self, frames, landmarks, training=False):
        """e_hat [B, N]: the mean of E over the K frames [B, K, H, W, C] of each row."""
        shape = ops.shape(frames)
        flat = ops.reshape(frames, (-1, *self.image_shape))
        marks = ops.reshape(landmarks, (-1, *self.image_shape[:2], self.landmark_channels))
        e = self.embedder([flat, marks], training=training)
        return ops.mean(ops.reshape(e, (shape[0], shape[1], self.embedding_dim)), axis=1)

    def adain_parameters(self, embeddings):
        """psi = P e for embeddings [B, N]."""
        return self.psi_projection(embeddings)

    def render(self, target_landmarks, psi, training=False):
        return self.generator([target_landmarks, psi], training=training)

    def content_features(self, images):
        if self._content_features is None:
            # First used inside the traced train step: load the classifier eagerly,
            # or its weights would be assignments inside that graph, not values.
            with tf.init_scope():
                self._content_features = losses_lib.classifier_feature_maps(self.content_network)
        return self._content_features(images)

    # ------------------------------------------------------------ train step
    @staticmethod
    def replica_scaled(optimizer, loss):
        """`loss` divided by the replica count (gradients are summed over
        replicas) and loss-scaled for float16, as the engine's steps do."""
        _, num_replicas = replica_context()
        return optimizer.scale_loss(loss / num_replicas)

    def _unpack(self, data):
        if not isinstance(data, (tuple, list)) or len(data) != 5:
            raise DataValidationError(
                "TalkingHeads trains on episodes (target, target_landmarks, references, "
                "reference_landmarks, identity): tfgan_zoo.data.posed_items"
            )
        return data

    def train_step(self, data):
        target, target_marks, frames, marks, identity = self._unpack(data)
        identity = ops.cast(identity, "int32")
        self.episode_discriminator_step(target, target_marks, frames, marks, identity)
        self.episode_generator_step(target, target_marks, frames, marks, identity)
        return step_logs(self.metrics)

    def episode_discriminator_step(self, target, target_marks, frames, marks, identity):
        """D, W, w0, b: hinge on (real target, rendered target), and W_i pulled to e_hat_i."""
        embeddings = self.embed(frames, marks, training=True)
        fake = self.render(target_marks, self.adain_parameters(embeddings), training=True)
        variables = self.discriminator_variables()
        with tf.GradientTape() as tape:
            real_out = self.discriminator([target, target_marks, identity], training=True)[-1]
            fake_out = self.discriminator([fake, target_marks, identity], training=True)[-1]
            loss = self.adversarial_loss.discriminator(real_out, fake_out)
            columns = ops.take(self.head.table, identity, axis=0)
            match = losses_lib.embedding_match_loss(columns, ops.stop_gradient(embeddings))
            total = loss + self.match_weight * match
            scaled = self.replica_scaled(self.d_optimizer, total)
        gradients = tape.gradient(scaled, variables)
        self.apply_discriminator_update(gradients, variables, loss, None, real_out, fake_out)

    def episode_generator_step(self, target, target_marks, frames, marks, identity):
        """E, P, G: content + pixel L1 + hinge generator loss + feature matching,
        and e_hat_i pulled to W_i."""
        *real_maps, _, _ = self.discriminator([target, target_marks, identity], training=True)
        columns = ops.stop_gradient(ops.take(self.head.table, identity, axis=0))
        real_content = self.content_features(target) if self.content_weight else []
        variables = self.generator_variables()
        with tf.GradientTape() as tape:
            embeddings = self.embed(frames, marks, training=True)
            fake = self.render(target_marks, self.adain_parameters(embeddings), training=True)
            *fake_maps, _, fake_out = self.discriminator(
                [fake, target_marks, identity], training=True
            )
            adversarial = self.adversarial_loss.generator(fake_out)
            matching = losses_lib.feature_matching_loss(real_maps, fake_maps)
            pixel = ops.mean(ops.abs(fake - target))
            match = losses_lib.embedding_match_loss(columns, embeddings)
            content = (
                losses_lib.content_loss(real_content, self.content_features(fake))
                if self.content_weight
                else 0.0
            )
            total = (
                adversarial
                + self.feature_matching_weight * matching
                + self.content_weight * content
                + self.pixel_weight * pixel
                + self.match_weight * match
            )
            scaled = self.replica_scaled(self.g_optimizer, total)
        self.g_optimizer.apply(tape.gradient(scaled, variables), variables)
        self.g_loss_tracker.update_state(adversarial)
        for name, value in (
            ("content", content),
            ("pixel", pixel),
            ("feature_matching", matching),
            ("match", match),
        ):
            self.trackers[name].update_state(value)

    def validate_data(self, x, y=None):
        if not isinstance(x, tf.data.Dataset):
            raise DataValidationError("TalkingHeads trains on a tf.data.Dataset of episodes")
        spec = x.element_spec
        if not isinstance(spec, tuple) or len(spec) != 5:
            raise DataValidationError(f"TalkingHeads needs episode batches (5 parts); found {spec}")
        frame, marks = tuple(spec[0].shape[1:]), tuple(spec[1].shape[1:])
        if frame != self.image_shape or marks != (*self.image_shape[:2], self.landmark_channels):
            raise DataValidationError(
                f"episodes of frames {frame} and landmarks {marks} do not fit a model of "
                f"frames {self.image_shape} and {self.landmark_channels} landmark channels"
            )

    # ------------------------------------------------------------- inference
    def _floats(self, images):
        images = np.asarray(images)
        return scale_images(images) if images.dtype == np.uint8 else images.astype(np.float32)

    def reenact(self, reference_frames, reference_landmarks, target_landmarks, batch_size=256):
        """Images [T, H, W, C] in [-1, 1]: the identity of the references in the
        target poses. References [K, H, W, C] (one identity for every target) or
        [T, K, H, W, C] (one set per target); landmark images alike; uint8 or
        [-1, 1] floats."""
        frames, marks = self._floats(reference_frames), self._floats(reference_landmarks)
        targets = self._floats(target_landmarks)
        if frames.ndim == 4:
            frames, marks = frames[None], marks[None]
        embeddings = self.embed(tf.constant(frames), tf.constant(marks))
        if frames.shape[0] == 1:
            embeddings = ops.repeat(embeddings, len(targets), axis=0)
        elif frames.shape[0] != len(targets):
            raise ValueError(
                f"{frames.shape[0]} reference sets for {len(targets)} targets: give one "
                "set, or one per target"
            )
        psi = self.adain_parameters(embeddings)
        return np.concatenate(
            [
                np.asarray(
                    self.render(tf.constant(targets[i : i + batch_size]), psi[i : i + batch_size])
                )
                for i in range(0, len(targets), batch_size)
            ]
        )

    def fine_tune(self, reference_frames, reference_landmarks, steps=100, **kwargs):
        """A `FineTuned` copy for one new identity: psi starts at P e_new, D's
        column at w0 + e_new, then `steps` updates on its K frames alone."""
        from tfgan_zoo.families.talking_heads.finetune import FineTuned

        tuned = FineTuned(
            self, self._floats(reference_frames), self._floats(reference_landmarks), **kwargs
        )
        tuned.fit(steps)
        return tuned

    @property
    def preview_columns(self):
        """Images per row of `preview_images`: up to 4 references, then 3."""
        return min(self.references, 4) + 3

    def preview_images(self, n, seed, inputs=None):
        """One row per episode (`n // 4` of them), row-major: its first references
        (up to 4) | target pose (the landmark discs) | output | truth."""
        target, target_marks, frames, marks = (np.asarray(x) for x in inputs[:4])
        m = min(max(n // 4, 1), len(target))
        output = self.reenact(frames[:m], marks[:m], target_marks[:m])
        pose = np.max(target_marks[:m], axis=-1, keepdims=True)
        pose = np.broadcast_to(pose, output.shape)
        shown = frames[:m, : self.preview_columns - 3]
        rows = np.concatenate([shown, pose[:, None], output[:, None], target[:m, None]], axis=1)
        return rows.reshape(-1, *output.shape[1:])

    def serving_endpoints(self):
        """`reenact`: K uint8 references + landmarks and target landmark images -> images."""
        return {"reenact": reenact_function(self)}

    def serving_trackables(self):
        return [self.embedder, self.psi_projection, self.generator]
