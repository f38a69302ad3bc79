"""Semi-StyleGAN (Nie et al. 2020): Info-StyleGAN plus a few labelled images.

What differs from Info-StyleGAN: training data is (images, labels) where a
label is the factor code of a labelled image or -1 (`tfgan_zoo.data.semi`:
`hide_labels` keeps a few per class, `semi_supervised_dataset` puts some of
them in every batch). D and E also minimise the supervised code reconstruction
L_sup = E_(x,c)‖E(x) − c‖² over the labelled reals (weight β), and both
players the smoothness regulariser L_sr = E‖E(x̃) − c̃‖² (weight α) on mixed
pairs x̃ = λ'x + (1 − λ')x', c̃ = λ'c + (1 − λ')c' of a labelled real (x, c)
and a fake x' = G(z, c'), with λ ~ Beta(ξ, ξ) and λ' = max(λ, 1 − λ), so the
real side dominates each mix.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from tfgan_zoo.data.semi import UNLABELLED
from tfgan_zoo.engine.noise import sub_seed
from tfgan_zoo.engine.validation import DataValidationError
from tfgan_zoo.families.stylegan.info_stylegan import InfoStyleGAN, code_reconstruction
from tfgan_zoo.registry import register_model


def mixup_pairs(real, real_codes, fake, fake_codes, lam):
    """(x̃, c̃) with λ' = max(λ, 1 − λ) per sample, real on the λ' side."""
    lam = ops.maximum(lam, 1.0 - lam)
    mixed = lam[:, None, None, None] * real + (1.0 - lam[:, None, None, None]) * fake
    return mixed, lam[:, None] * real_codes + (1.0 - lam[:, None]) * fake_codes


def stateless_beta(shape, seed, concentration):
    """Beta(ξ, ξ) draws as g₁ / (g₁ + g₂) with g ~ Gamma(ξ), from a [2] seed."""
    g1 = tf.random.stateless_gamma(shape, seed, alpha=concentration)
    g2 = tf.random.stateless_gamma(shape, sub_seed(seed, 1), alpha=concentration)
    return g1 / (g1 + g2)


@register_model("semi_stylegan", kind="gan")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class SemiStyleGAN(InfoStyleGAN):
    """Args (the others are Info-StyleGAN's): `supervised_weight` (β),
    `smoothness_weight` (α), `mixup_concentration` (ξ)."""

    description = (
        "Info-StyleGAN with a small labelled subset and mixup smoothness (Nie et al. 2020)"
    )
    conditional = True  # trains on (images, labels); G and D take no label input
    # Labels the command-line trainer keeps per class (the rest become -1).
    labels_per_class = 10

    @classmethod
    def for_data(cls, data_shape, num_classes=None, **kwargs):
        if num_classes is not None:
            kwargs.setdefault("categories", num_classes)
        return cls(image_shape=data_shape, **kwargs)

    def __init__(
        self,
        image_shape=(32, 32, 1),
        noise_dim=64,
        categories=10,
        info_weight=1.0,
        w_dim=64,
        mapping_depth=4,
        filters=None,
        style_mixing=0.0,
        w_avg_decay=0.995,
        mapping_lr_multiplier=0.1,
        mbstd_group_size=4,
        resampling="binomial",
        truncation_cutoff=8,
        supervised_weight=1.0,
        smoothness_weight=1.0,
        mixup_concentration=1.0,
        seed=None,
        **kwargs,
    ):
        self.supervised_weight = float(supervised_weight)
        self.smoothness_weight = float(smoothness_weight)
        self.mixup_concentration = float(mixup_concentration)
        super().__init__(
            image_shape=image_shape,
            noise_dim=noise_dim,
            categories=categories,
            info_weight=info_weight,
            w_dim=w_dim,
            mapping_depth=mapping_depth,
            filters=filters,
            style_mixing=style_mixing,
            w_avg_decay=w_avg_decay,
            mapping_lr_multiplier=mapping_lr_multiplier,
            mbstd_group_size=mbstd_group_size,
            resampling=resampling,
            truncation_cutoff=truncation_cutoff,
            seed=seed,
            **kwargs,
        )
        self.supervised_tracker = keras.metrics.Mean(name="supervised")
        self.smoothness_tracker = keras.metrics.Mean(name="smoothness")

    @property
    def metrics(self):
        return super().metrics + [self.supervised_tracker, self.smoothness_tracker]

    def _unpack(self, data):
        # The labels (-1 where unknown) go to the losses, not to the networks.
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        return x, y

    def validate_data(self, x, y=None):
        super().validate_data(x, y)
        if isinstance(x, tf.data.Dataset):
            spec = x.element_spec
            if not isinstance(spec, tuple) or len(spec) < 2:
                raise DataValidationError(
                    "Semi-StyleGAN trains on (images, labels) with label -1 for unlabelled "
                    "images (see tfgan_zoo.data.semi)."
                )
            labels = np.concatenate([np.asarray(b[1]) for b in x.take(100).as_numpy_iterator()])
            if labels.min() < UNLABELLED or labels.max() >= self.categories:
                raise DataValidationError(
                    f"labels must be -1 (unlabelled) or in [0, {self.categories}); found "
                    f"values in [{labels.min()}, {labels.max()}]."
                )

    # ------------------------------------------------------------------ terms
    def _smoothness(self, real, labels, fake, fake_codes, phase, counter):
        """L_sr on the labelled rows of `real` mixed with as many fakes, in a D
        ("d") or G ("g") step."""
        lam = self.replica_noise(
            lambda shape, seed: stateless_beta(shape, seed, self.mixup_concentration),
            tf.shape(labels),
            f"{phase}_mixup",
            counter,
        )
        labelled = labels >= 0
        real_codes = tf.one_hot(ops.maximum(labels, 0), self.categories)
        mixed, codes = mixup_pairs(
            real, real_codes, fake, tf.one_hot(fake_codes, self.categories), lam
        )
        return code_reconstruction(self.encode(mixed, training=True), codes, labelled)

    def discriminator_loss(self, real, fake, labels, real_out, fake_out):
        loss = super().discriminator_loss(real, fake, labels, real_out, fake_out)
        if labels is None:
            return loss
        labelled = labels >= 0
        supervised = code_reconstruction(
            self.encode(real, training=True),
            tf.one_hot(ops.maximum(labels, 0), self.categories),
            labelled,
        )
        latent = self.latent_noise(ops.shape(fake)[0], "d", self.d_optimizer.iterations)
        smooth = self._smoothness(
            real, labels, fake, self.codes_of(latent), "d", self.d_optimizer.iterations
        )
        self.supervised_tracker.update_state(supervised)
        return loss + self.supervised_weight * supervised + self.smoothness_weight * smooth

    def generator_extra_loss(self, real, labels, fake, extras):
        loss = super().generator_extra_loss(real, labels, fake, extras)
        if labels is None:
            return loss
        latent = self.latent_noise(ops.shape(fake)[0], "g", self.g_optimizer.iterations)
        smooth = self._smoothness(
            real, labels, fake, self.codes_of(latent), "g", self.g_optimizer.iterations
        )
        self.smoothness_tracker.update_state(smooth)
        return loss + self.smoothness_weight * smooth

    def constructor_config(self):
        return dict(
            super().constructor_config(),
            supervised_weight=self.supervised_weight,
            smoothness_weight=self.smoothness_weight,
            mixup_concentration=self.mixup_concentration,
        )
