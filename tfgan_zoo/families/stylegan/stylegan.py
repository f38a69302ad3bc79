"""StyleGAN (Karras et al. 2019), sized for 32×32 images on a CPU.

What differs from the engine (networks in `tfgan_zoo.families.stylegan.networks`):
- fakes are synthesis(ws, noise) with ws the mapping network's w repeated per
  layer; with probability `style_mixing` (0.9) a second z takes over from a
  random crossover layer on (style mixing regularisation), and every layer
  gets fresh noise; both are drawn from seeded per-step streams;
- resampling as the paper: nearest ×2 upsampling in G and 2×2 average pooling
  in D, each with the binomial filter [1, 2, 1] ⊗ [1, 2, 1] / 16;
- a running average of w (decay 0.995) for the truncation trick
  w' = w̄ + ψ(w − w̄), applied as the paper to the first `truncation_cutoff` = 8
  synthesis layers (the coarse resolutions 4²–32²; every layer of a 32×32
  model), at sampling and as a serving input;
- non-saturating loss with R1 on reals and Adam(β = (0, 0.99)) for both
  players, a moving average of G (decay 0.999).

The paper trains with Adam(1e-3) below 128×128 and R1 γ = 10 (FFHQ); that is
the "paper" row of `tfgan_zoo.recipes`. The class defaults are not the paper's:
Adam(2e-3) and γ = 2 (weight γ/2 = 1) learnt faster on Fashion-MNIST (of γ 0.2
and 2, FID 242 against 266 after 600 steps), and short CPU runs use the
"cpu-short" row (Adam(1e-2)). Other differences from the paper, kept for small
CPU models: mapping depth 4 (paper 8) and w_dim 64 (paper 512); feature maps
(64, 64, 32, 16) at 32×32; no progressive growing (the paper grows G and D as
ProGAN does); D applies LeakyReLU before its 2×2 pooling (the authors' code
after) and the convs add their bias before the filter (the authors' after).
Files saved before the binomial filter or the cutoff existed load with
`resampling="bilinear"` (Keras bilinear upsampling in G, no filter in D) and
`truncation_cutoff=None` (every layer), and keep giving their outputs.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from tfgan_zoo.data.pipeline import unscale_images
from tfgan_zoo.engine import GAN
from tfgan_zoo.engine.noise import stateless_normal, stateless_uniform_open
from tfgan_zoo.engine.validation import checked_sample_request
from tfgan_zoo.families.stylegan.networks import (
    check_resampling,
    default_filters,
    discriminator_body,
    head,
    noise_sizes,
    stylegan_generator,
)
from tfgan_zoo.registry import register_model
from tfgan_zoo.serving.signatures import checked_latents, latents_for_seeds


def truncate(ws, w_avg, psi, cutoff=None):
    """The truncation trick: w̄ + ψ (w − w̄) for the layers before `cutoff` (all
    for None), w for the others; ψ a number or one per sample."""
    psi = ops.reshape(ops.cast(psi, ws.dtype), (-1, 1, 1))
    truncated = w_avg + psi * (ws - w_avg)
    if cutoff is None:
        return truncated
    layer = ops.arange(ws.shape[1])[None, :, None]
    return ops.where(layer < int(cutoff), truncated, ws)


def mix_styles(ws, ws_other, crossover):
    """Layers before `crossover` (one int per sample) read `ws`, the rest
    `ws_other`; crossover = num_ws means no mixing."""
    layer = ops.arange(ws.shape[1])[None, :, None]
    return ops.where(layer < ops.cast(crossover, "int32")[:, None, None], ws, ws_other)


@register_model("stylegan", kind="gan")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class StyleGAN(GAN):
    """Args:
    image_shape: square images with a power-of-two side (Fashion-MNIST padded to 32).
    latent_dim, w_dim: sizes of z and w; mapping_depth: dense layers z -> w.
    filters: feature maps per resolution, 4×4 first (G and D mirror them); by
      by default (None) derived from the side (`networks.default_filters`).
    style_mixing: probability that a training fake mixes two latents' styles.
    w_avg_decay: decay of the running average w̄ used by truncation.
    mapping_lr_multiplier: the mapping network's share of the learning rate.
    factor_codes: trailing latent entries that are a one-hot code (Info-StyleGAN).
    mbstd_group_size: samples per minibatch-stddev group in D.
    resampling: "binomial" (the paper's low-pass filtered resampling) or
      "bilinear" (Keras bilinear upsampling, no filter in D: files saved
      before the option).
    truncation_cutoff: truncation acts on the first this many synthesis
      layers (two per resolution, 4×4 first); the paper's 8 covers 4²–32².
      None truncates every layer (files saved before the option).
    """

    description = "Mapping network, AdaIN styles, noise inputs, style mixing, truncation, R1 (Karras et al. 2019)"
    power_of_two_sides = True  # the command-line trainer pads 28×28 data to 32×32
    RENAMED = {"mbstd_group": "mbstd_group_size"}  # 0.1.0
    EARLIER_DEFAULTS = {"resampling": "bilinear", "truncation_cutoff": None}

    def __init__(
        self,
        image_shape=(32, 32, 1),
        latent_dim=64,
        w_dim=64,
        mapping_depth=4,
        filters=None,
        style_mixing=0.9,
        w_avg_decay=0.995,
        mapping_lr_multiplier=0.01,
        factor_codes=0,
        mbstd_group_size=4,
        resampling="binomial",
        truncation_cutoff=8,
        seed=None,
        **kwargs,
    ):
        self.image_shape, self.w_dim = tuple(image_shape), int(w_dim)
        if filters is None:
            filters = default_filters(self.image_shape)
        self.mapping_depth, self.filters = int(mapping_depth), tuple(int(f) for f in filters)
        self.style_mixing, self.w_avg_decay = float(style_mixing), float(w_avg_decay)
        self.mapping_lr_multiplier, self.factor_codes = (
            float(mapping_lr_multiplier),
            int(factor_codes),
        )
        self.resampling = check_resampling(resampling)
        self.truncation_cutoff = None if truncation_cutoff is None else int(truncation_cutoff)
        generator = stylegan_generator(
            self.image_shape,
            int(latent_dim),
            self.w_dim,
            self.mapping_depth,
            self.filters,
            self.mapping_lr_multiplier,
            self.factor_codes,
            self.resampling,
        )
        self.mbstd_group_size = int(mbstd_group_size)
        self.body = discriminator_body(
            self.image_shape, self.filters, self.mbstd_group_size, self.resampling
        )
        discriminator = head(self.body, 1, "discriminator")
        super().__init__(generator, discriminator, latent_dim=int(latent_dim), seed=seed, **kwargs)
        self.noise_sizes = noise_sizes(self.image_shape)
        self.num_ws = len(self.noise_sizes)
        self.w_avg = self.add_weight(
            name="w_avg",
            shape=(self.w_dim,),
            trainable=False,
            initializer="zeros",
            aggregation="only_first_replica",
        )

    @classmethod
    def for_data(cls, data_shape, num_classes=None, **kwargs):
        if num_classes is not None:
            raise ValueError("StyleGAN is unconditional; train it on images without labels.")
        return cls(image_shape=data_shape, **kwargs)

    @classmethod
    def default_compile_args(cls):
        return dict(
            super().default_compile_args(),
            g_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.0, beta_2=0.99),
            d_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.0, beta_2=0.99),
            loss="non_saturating",
            penalty="r1",
            penalty_weight=1.0,
            ema_decay=0.999,
        )

    # ------------------------------------------------------------------ styles
    def styles(self, z, network=None, training=False):
        """ws [batch, num_ws, w_dim]: w = mapping(z), once per synthesis layer."""
        mapping = (network or self.generator).get_layer("mapping")
        w = mapping(z, training=training)
        return ops.repeat(w[:, None, :], self.num_ws, axis=1)

    def fixed_noise(self, batch, network=None):
        network = network or self.generator
        reference = ops.zeros((batch, 1))
        return [network.get_layer(f"fixed_noise_{i}")(reference) for i in range(self.num_ws)]

    def synthesize(self, ws, noise=None, network=None, training=False):
        """Images from per-layer styles; `noise` defaults to G's fixed noise."""
        network = network or self.generator
        noise = self.fixed_noise(ops.shape(ws)[0], network) if noise is None else noise
        return network.get_layer("synthesis")([ws, *noise], training=training)

    # ------------------------------------------------------------ training fakes
    def training_fakes(self, batch, phase, counter):
        """Fakes with style mixing and fresh noise for a D ("d") or G ("g") step;
        also returns w (for w̄)."""
        z = self.latent_noise(batch, phase, counter)
        ws = self.styles(z, training=True)
        if self.style_mixing > 0:
            # The second latent comes from the prior too (codes included, for Info-StyleGAN).
            other = self.styles(
                self.replica_noise(self.sample_latent, batch, f"{phase}_mix_latent", counter),
                training=True,
            )
            u = self.replica_noise(
                stateless_uniform_open, tf.stack([batch, 2]), f"{phase}_mixing", counter
            )
            crossover = 1 + ops.cast(ops.floor(u[:, 1] * (self.num_ws - 1)), "int32")
            crossover = ops.where(u[:, 0] < self.style_mixing, crossover, self.num_ws)
            ws = mix_styles(ws, other, crossover)
        noise = [
            self.replica_noise(
                stateless_normal,
                tf.stack([batch, size, size, 1]),
                f"{phase}_noise_images",
                counter,
                index=layer,
            )
            for layer, size in enumerate(self.noise_sizes)
        ]
        return self.synthesize(ws, noise, training=True), ws[:, 0]

    def discriminator_fakes(self, real, labels):
        fake, _ = self.training_fakes(ops.shape(real)[0], "d", self.d_optimizer.iterations)
        return fake, labels

    def generator_fakes(self, real, labels):
        fake, w = self.training_fakes(ops.shape(real)[0], "g", self.g_optimizer.iterations)
        mean_w = ops.mean(ops.stop_gradient(w), axis=0)
        self.w_avg.assign(mean_w + self.w_avg_decay * (self.w_avg - mean_w))
        return fake, labels, None

    # ---------------------------------------------------------------- sampling
    def styled_generate(self, z, psi=1.0, z_mix=None, crossover=None, noise=None, network=None):
        """G(z) with truncation ψ (on the first `truncation_cutoff` layers), style
        mixing from `z_mix` at `crossover` (one int per sample), and given or
        fixed noise; from `network` (default: the EMA generator when there is one)."""
        network = network or self.inference_network()
        cutoff = self.truncation_cutoff
        ws = truncate(self.styles(z, network), self.w_avg, psi, cutoff)
        if z_mix is not None:
            ws = mix_styles(
                ws, truncate(self.styles(z_mix, network), self.w_avg, psi, cutoff), crossover
            )
        images = self.synthesize(ws, noise, network)
        return images if self.data_range is None else ops.clip(images, *self.data_range)

    def sample(
        self, n, labels=None, seed=0, batch_size=256, psi=1.0, mix_seed=None, crossover=None
    ):
        """Samples as `GAN.sample`, with truncation `psi` and, given `mix_seed`,
        styles from layer `crossover` on taken from the latents of `mix_seed`."""
        n, _ = checked_sample_request(n, labels, self.num_classes)
        if n == 0:
            return np.zeros((0, *self.data_shape), np.float32)
        z = self.sample_latent(n, self.draw_seed("sample", seed))
        z_mix = (
            None if mix_seed is None else self.sample_latent(n, self.draw_seed("sample", mix_seed))
        )
        crossover = ops.full((n,), self.num_ws if crossover is None else int(crossover), "int32")
        network = self.inference_network()
        out = [
            self.styled_generate(
                z[i : i + batch_size],
                psi,
                None if z_mix is None else z_mix[i : i + batch_size],
                crossover[i : i + batch_size],
                network=network,
            )
            for i in range(0, n, batch_size)
        ]
        return np.concatenate([ops.convert_to_numpy(o) for o in out])

    def serving_endpoints(self):
        """The image GAN's signatures and `generate_styled`: z, psi [batch] float32
        (truncating the model's first `truncation_cutoff` layers),
        mix_seed [batch] int64 and crossover [batch] int32 (num_ws: no mixing) ->
        uint8 images."""
        specs = [
            tf.TensorSpec([None, self.latent_dim], tf.float32, name="z"),
            tf.TensorSpec([None], tf.float32, name="psi"),
            tf.TensorSpec([None], tf.int64, name="mix_seed"),
            tf.TensorSpec([None], tf.int32, name="crossover"),
        ]
        network = self.inference_network()  # synced once, before tracing

        def generate_styled(z, psi, mix_seed, crossover):
            z, _ = checked_latents(z, None, None, self.latent_dim)
            checks = [
                tf.debugging.assert_all_finite(psi, "psi must be finite"),
                tf.debugging.assert_equal(
                    tf.shape(psi), tf.shape(z)[:1], message="psi must have one entry per latent row"
                ),
                tf.debugging.assert_non_negative(
                    crossover, message=f"crossover must be in [0, {self.num_ws}]"
                ),
                tf.debugging.assert_less_equal(
                    crossover, self.num_ws, message=f"crossover must be in [0, {self.num_ws}]"
                ),
            ]
            with tf.control_dependencies(checks):
                z_mix = latents_for_seeds(mix_seed, self.latent_dim)
                return {
                    "images": unscale_images(
                        self.styled_generate(z, psi, z_mix, crossover, network=network)
                    )
                }

        return {**super().serving_endpoints(), "generate_styled": (generate_styled, specs)}

    def serving_trackables(self):
        return super().serving_trackables() + [self]  # the tracked average w

    def constructor_config(self):
        return dict(
            name=self.name,
            image_shape=self.image_shape,
            latent_dim=self.latent_dim,
            w_dim=self.w_dim,
            mapping_depth=self.mapping_depth,
            filters=self.filters,
            style_mixing=self.style_mixing,
            w_avg_decay=self.w_avg_decay,
            mapping_lr_multiplier=self.mapping_lr_multiplier,
            factor_codes=self.factor_codes,
            mbstd_group_size=self.mbstd_group_size,
            resampling=self.resampling,
            truncation_cutoff=self.truncation_cutoff,
            seed=self.seed,
        )
