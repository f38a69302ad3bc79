"""BEGAN (Berthelot et al. 2017): boundary equilibrium GAN.

What differs from the engine: z ~ U(-1, 1) (the paper's prior; `latent_distribution`,
also what the served `sample` signature draws);
D is an auto-encoder whose score is each sample's L1 reconstruction error; D
minimises L(x) - k_t L(G(z_D)), G minimises L(G(z_G)); after every D step the
controller moves k_t by λ_k (γ L(x) - L(G(z))) (clipped to [0, 1]) to hold
L(G(z)) = γ L(x). The convergence measure M_global = L(x) + |γ L(x) - L(G(z))|
and k_t are logged as metrics.

Which fakes drive k_t: Eq. 4 writes the update with L(G(z_G)), every term
evaluated at the step's parameters θ_D, θ_G before they move. Here k_t (and
M_global) use the D step's L(x) and L(G(z_D)), both measured by D before its
update, as the widely used reference implementation (carpedm20/BEGAN-tensorflow,
trainer.py) does with its single batch of fakes: z_D and z_G are draws from the
same prior, so the two errors have the same expectation, while G's fakes are
only judged after D's update in this engine's alternating steps.

Remaining differences from the paper: the networks are narrower (`base_filters`
32 up to 64×64, where the reference code uses 128 filters) and resample from
H/4 (two up- and down-samplings, for 28×28 images); the learning rate is not
halved when the convergence measure stalls; D and G update one after the other
(D first), not simultaneously from the same parameters.
"""

import keras
import tensorflow as tf

from tfgan_zoo.engine import GAN, losses
from tfgan_zoo.engine.noise import draw_seed, stateless_uniform_open
from tfgan_zoo.engine.replicas import all_reduce
from tfgan_zoo.networks.autoencoder import autoencoder_discriminator, decoder
from tfgan_zoo.networks.widths import default_base_filters
from tfgan_zoo.registry import register_model


def uniform_latents_for_seeds(seeds, latent_dim):
    """One U(-1, 1) latent per int64 seed (row i depends on seeds[i] only): the
    serving `sample` latents of the uniform prior."""

    def one(seed):
        return 2.0 * stateless_uniform_open([latent_dim], draw_seed(seed, "serving")) - 1.0

    return tf.map_fn(
        one, tf.cast(seeds, tf.int64), fn_output_signature=tf.TensorSpec([latent_dim], tf.float32)
    )


@register_model("began", kind="gan")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class BEGAN(GAN):
    """Args:
    image_shape: images whose sides divide by 4.
    latent_dim: size of z (and of D's bottleneck code).
    base_filters: width of the conv blocks; None derives it from image_shape
      (`networks.widths.default_base_filters`: 32 up to 64×64).
    gamma: diversity ratio γ = E[L(G(z))] / E[L(x)] the controller aims for.
    lambda_k: the controller's gain λ_k.
    latent_distribution: the prior of z, "uniform" on (-1, 1) (the paper's) or
      "normal" (N(0, 1); files saved before the argument existed load with it,
      so their `sample(seed)` gives the images it gave).
    """

    description = (
        "Auto-encoder discriminator with an equilibrium controller (Berthelot et al. 2017)"
    )

    RENAMED = {"filters": "base_filters"}  # 0.1.0
    EARLIER_DEFAULTS = {"latent_distribution": "normal"}
    LATENT_DISTRIBUTIONS = ("uniform", "normal")

    def __init__(
        self,
        image_shape=(28, 28, 1),
        latent_dim=64,
        base_filters=None,
        gamma=0.5,
        lambda_k=0.001,
        latent_distribution="uniform",
        seed=None,
        **kwargs,
    ):
        if latent_distribution not in self.LATENT_DISTRIBUTIONS:
            raise ValueError(
                f"latent_distribution must be one of {self.LATENT_DISTRIBUTIONS}, "
                f"got {latent_distribution!r}."
            )
        self.latent_distribution = latent_distribution
        self.image_shape = image_shape = tuple(int(v) for v in image_shape)
        self.base_filters = int(
            default_base_filters(image_shape, 32) if base_filters is None else base_filters
        )
        self.gamma, self.lambda_k = float(gamma), float(lambda_k)
        super().__init__(
            generator=decoder(latent_dim, image_shape, self.base_filters, name="generator"),
            discriminator=autoencoder_discriminator(image_shape, self.base_filters, latent_dim),
            latent_dim=latent_dim,
            seed=seed,
            **kwargs,
        )
        # Saved with the model, so a resumed run continues the controller.
        # Every replica computes the same (all-reduced) update; keep the first's.
        self.k_t = self.add_weight(
            name="k_t",
            shape=(),
            initializer="zeros",
            trainable=False,
            aggregation="only_first_replica",
        )
        self.m_global_tracker = keras.metrics.Mean(name="m_global")
        self.k_tracker = keras.metrics.Mean(name="k_t")

    @classmethod
    def for_data(cls, data_shape, num_classes=None, **kwargs):
        if len(data_shape) != 3:
            raise ValueError(f"BEGAN generates images; the data has shape {tuple(data_shape)}.")
        return cls(image_shape=data_shape, **kwargs)

    @classmethod
    def default_compile_args(cls):
        return dict(
            super().default_compile_args(),
            g_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.5),
            d_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.5),
            loss="began",
        )

    def sample_latent(self, batch_size, seed):
        """z from the prior: U(-1, 1) (2u - 1 of the draws whose inverse normal CDF
        the "normal" prior takes), or N(0, 1)."""
        if self.latent_distribution == "normal":
            return super().sample_latent(batch_size, seed)
        return 2.0 * stateless_uniform_open((batch_size, self.latent_dim), seed) - 1.0

    def serving_endpoints(self):
        """The engine's signatures; under the uniform prior `sample` draws each
        seed's z from U(-1, 1) too (2u - 1 of the "serving" draw's uniforms)."""
        endpoints = super().serving_endpoints()
        if self.latent_distribution == "normal":
            return endpoints
        generate, _ = endpoints["generate"]
        sample_specs = endpoints["sample"][1]

        def sample(seed):
            return generate(uniform_latents_for_seeds(seed, self.latent_dim))

        return {**endpoints, "sample": (sample, sample_specs)}

    @property
    def metrics(self):
        return super().metrics + [self.m_global_tracker, self.k_tracker]

    def discriminator_loss(self, real, fake, labels, real_out, fake_out):
        return losses.began_discriminator_loss(real_out, fake_out, k=self.k_t)

    def discriminator_step(self, real, labels):
        # Both errors are D's before its update: the controller's inputs (see the
        # module docstring for why the D step's fakes).
        real_out, fake_out = super().discriminator_step(real, labels)
        real_error, fake_error = tf.unstack(
            all_reduce(
                tf.distribute.ReduceOp.MEAN,
                tf.stack([tf.reduce_mean(real_out), tf.reduce_mean(fake_out)]),
            )
        )
        self.k_t.assign(
            losses.began_k_update(self.k_t, real_error, fake_error, self.gamma, self.lambda_k)
        )
        self.m_global_tracker.update_state(
            losses.began_convergence(real_error, fake_error, self.gamma)
        )
        self.k_tracker.update_state(self.k_t)
        return real_out, fake_out

    def constructor_config(self):
        return dict(
            name=self.name,
            image_shape=self.image_shape,
            latent_dim=self.latent_dim,
            base_filters=self.base_filters,
            gamma=self.gamma,
            lambda_k=self.lambda_k,
            latent_distribution=self.latent_distribution,
            seed=self.seed,
        )
