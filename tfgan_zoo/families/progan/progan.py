"""Progressive GAN (Karras et al. 2018): growing G and D a resolution at a time.

What differs from the engine:
- networks of `tfgan_zoo.families.progan.networks`: equalized learning rate, pixel norm,
  minibatch standard deviation, one toRGB / fromRGB per resolution. A float
  `level` weight picks the resolution and the fade-in α, and each network runs
  only the levels up to ceil(level), so early phases cost less (see that module).
- the schedule: level 0 (4×4) trains on `images_per_phase` images; each later
  level fades in over `images_per_phase` images (α from 0 to 1) and is then
  stable for as many; after the last level the model stays at the top. The
  level is a pure function of `images_seen` (`level_at`), a weight of the
  model counted up by the global batch size at every G step, so `.keras` files
  and checkpoints resume mid-phase at the same level and α. `train_step` only
  sets the level of both networks, then runs the engine's step.
- `fit` traces one training step per top level ceil(level) and runs the one
  the schedule is at (`make_train_function`): each holds only the levels up
  to it, and Adam and the moving average update only their weights. The
  others' gradients are exactly 0 and their Adam moments are 0 (never trained
  yet, or restarted by a level change), so the updates skipped are exactly 0:
  the weights are those of one step over the whole network. (An optimizer
  with weight decay would have shrunk them; Adam, SGD and RMSprop do not.) With `steps_per_execution` > 1 (a level
  can change within one call) one step over every level's branches serves.
- D sees real images at the current resolution: averaged down to it and
  upsampled back, blended with α between the adjacent resolutions exactly like
  G's output (`discriminator_step` transforms the real slice).
- the paper's loss: WGAN-GP (λ = 10) plus the drift term ε·E[D(x)²] (ε = 0.001),
  Adam(1e-3, β = (0, 0.99)), one D step per G step and a moving average of G
  (engine option, decay 0.999) that sampling and export use.
- both optimizers restart at each level change, as the authors' code resets
  them: at the first step whose level has another floor or ceiling than the
  level G and D were last at (the first step of every fade-in and of every
  stable phase), Adam's moments and its bias correction start afresh
  (`restarts.RestartableAdam`, which `compile` makes of a plain Adam; the
  level and the restart point are saved, so resumed runs restart at the same
  steps). Other optimizers keep their state.
- G's output is linear, as in the paper; samples (`sample`, export) are clipped
  to the data range. `model.sample(n)` gives full-resolution images at any phase.

The defaults are the paper's, meant for long runs, except `images_per_phase`:
the paper shows 800k images per phase (§A.1), the authors' released config
600k; the default 20k suits a CPU. Other differences from the paper: feature
maps an eighth of the paper's, in its proportions (`default_filters`); the
minibatch (16 in the paper up to 128², then smaller) is the caller's. Settings per budget, with
the measurements behind them, are rows of `tfgan_zoo.recipes` ("paper", and
"cpu-short": what short CPU runs and tests/test_progan.py train with). The
drift term is added with either loss.
"""

import functools

import keras
from keras import ops

from tfgan_zoo.engine import GAN
from tfgan_zoo.engine.replicas import in_multi_worker_mode, replica_context
from tfgan_zoo.families.progan.networks import (
    blend_resolutions,
    default_filters,
    level_variables,
    num_levels_for,
    progan_discriminator,
    progan_generator,
    progressive_layer,
    top_level_index,
)
from tfgan_zoo.families.progan.restarts import restart_where, restartable
from tfgan_zoo.registry import register_model

PAD_HINT = (
    "pad Fashion-MNIST's 28×28 images to 32×32 with `tfgan_zoo.data.padding.pad_images(images, 32)`"
)


def level_at(images_seen, images_per_phase, num_levels):
    """The level (float: integer part L, fade α = level − L) after `images_seen`
    training images: 0 for the first phase; level k (>= 1) fades in during
    phase 2k − 1 and is stable during phase 2k; capped at `num_levels` − 1.
    Works on Python numbers and on tensors (returns float64)."""
    phase = ops.cast(images_seen, "float64") / float(images_per_phase)
    past_first = ops.maximum(phase - 1.0, 0.0)  # phases since level 0's stable phase
    completed = ops.floor(past_first / 2.0)  # levels fully faded in
    within = past_first - 2.0 * completed  # [0, 2): fading in [0, 1), stable [1, 2)
    return ops.minimum(completed + ops.minimum(within, 1.0), float(num_levels - 1))


@register_model("progan", kind="gan")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class ProGAN(GAN):
    """Args:
    image_shape: square images whose side is a power of two >= 4, e.g. (32, 32, 1)
      (pad Fashion-MNIST with `tfgan_zoo.data.padding.pad_images`).
    latent_dim: size of z; None for the feature maps at 4×4 (as the paper).
    filters: feature maps per level (4×4 first), or None to derive them from
      image_shape by the paper's rule (`networks.default_filters`).
    images_per_phase: training images per stable and per fade-in phase
      (800 000 in the paper, 600 000 in the authors' released config;
      ~20 000 makes a CPU run).
    drift_weight: ε of the drift term ε·E[D(x)²].
    mbstd_group_size: samples per minibatch-standard-deviation group.
    """

    description = (
        "Progressive growing with fade-in, equalized LR, pixel norm, minibatch "
        "stddev, WGAN-GP + drift (Karras et al. 2018)"
    )
    power_of_two_sides = True  # the command-line trainer pads 28×28 data to 32×32
    RENAMED = {"group_size": "mbstd_group_size"}  # 0.1.0

    def __init__(
        self,
        image_shape=(32, 32, 1),
        latent_dim=None,
        filters=None,
        images_per_phase=20_000,
        drift_weight=1e-3,
        mbstd_group_size=4,
        seed=None,
        **kwargs,
    ):
        self.image_shape = tuple(int(v) for v in image_shape)
        height, width, channels = self.image_shape
        if height != width:
            raise ValueError(
                f"ProGAN needs square images, got {tuple(image_shape)}; " + PAD_HINT + "."
            )
        self.num_levels = num_levels_for(height)
        self.filters = (
            default_filters(self.image_shape) if filters is None else tuple(int(f) for f in filters)
        )
        self.images_per_phase = int(images_per_phase)
        if self.images_per_phase < 1:
            raise ValueError(f"images_per_phase must be >= 1, got {images_per_phase}.")
        self.drift_weight, self.mbstd_group_size = float(drift_weight), int(mbstd_group_size)
        latent_dim = self.filters[0] if latent_dim is None else int(latent_dim)
        super().__init__(
            generator=progan_generator(latent_dim, height, channels, self.filters),
            discriminator=progan_discriminator(
                height, channels, self.filters, self.mbstd_group_size
            ),
            latent_dim=latent_dim,
            seed=seed,
            **kwargs,
        )
        self.images_seen = self.add_weight(
            name="images_seen",
            shape=(),
            dtype="int64",
            initializer="zeros",
            trainable=False,
            aggregation="only_first_replica",
        )

    @classmethod
    def for_data(cls, data_shape, num_classes=None, **kwargs):
        data_shape = tuple(data_shape)
        if len(data_shape) != 3:
            raise ValueError(
                f"ProGAN generates images (height, width, channels); the data has "
                f"shape {data_shape}."
            )
        side = data_shape[0]
        if data_shape[1] != side or side < 4 or side & (side - 1):
            raise ValueError(
                f"ProGAN needs square images whose side is a power of two "
                f"(4, 8, 16, 32, ...); the data has shape {data_shape}: " + PAD_HINT + "."
            )
        return cls(image_shape=data_shape, **kwargs)

    @classmethod
    def default_compile_args(cls):
        return dict(
            super().default_compile_args(),
            g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.99, epsilon=1e-8),
            d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.99, epsilon=1e-8),
            loss="wasserstein",
            penalty="gradient_penalty",
            penalty_weight=10.0,
            d_steps=1,
            ema_decay=0.999,
        )

    def compile(self, g_optimizer=None, d_optimizer=None, **kwargs):
        """`GAN.compile`, with a plain Adam made a `RestartableAdam` (same settings)."""
        defaults = self.default_compile_args()
        super().compile(
            g_optimizer=restartable(
                defaults["g_optimizer"] if g_optimizer is None else g_optimizer
            ),
            d_optimizer=restartable(
                defaults["d_optimizer"] if d_optimizer is None else d_optimizer
            ),
            **kwargs,
        )

    # ------------------------------------------------------------------ level
    def scheduled_level(self):
        """The level the schedule gives for `images_seen` (a float32 tensor)."""
        return ops.cast(
            level_at(self.images_seen, self.images_per_phase, self.num_levels), "float32"
        )

    @property
    def level(self):
        """The level both networks are at now (float: resolution index + α)."""
        return float(progressive_layer(self.generator).level.numpy())

    def set_level(self, level):
        """Puts G and D at `level`, clipped to [0, num_levels − 1]. Training sets it
        from the schedule at every step; sampling follows G's level. The next
        training step compares its level with this one: moving G to another
        level between fits restarts Adam there, as a level change does."""
        level = ops.clip(ops.cast(level, "float32"), 0.0, float(self.num_levels - 1))
        progressive_layer(self.generator).level.assign(level)
        progressive_layer(self.discriminator).level.assign(level)

    # ---------------------------------------------- one traced step per level
    def make_train_function(self, force=False):
        """Keras' train function, traced once per top level and picked before each
        step from `images_seen` (see the module docstring)."""
        if self.train_function is not None and not force:
            return self.train_function
        if self.steps_per_execution > 1:
            return super().make_train_function(force=True)
        per_top = {}

        def train_function(iterator):
            top = int(top_level_index(self.scheduled_level(), self.num_levels))
            if top not in per_top:
                # Keras' own wrapping (tf.function, XLA, tf.distribute) of a step at `top`.
                per_top[top] = self._make_function(functools.partial(self._step_at, top))
            return per_top[top](iterator)

        train_function.steps = per_top  # {top level: its traced step}, for inspection
        self.train_function = train_function
        return train_function

    def _step_at(self, top, data):
        """`train_step` traced with both networks fixed at top level `top`."""
        layers = progressive_layer(self.generator), progressive_layer(self.discriminator)
        for layer in layers:
            layer.static_top = top
        try:
            return self.train_step(data)
        finally:
            for layer in layers:
                layer.static_top = None

    def generator_variables(self):
        top = progressive_layer(self.generator).static_top
        if top is None:
            return super().generator_variables()
        return level_variables(progressive_layer(self.generator), top)

    def discriminator_variables(self):
        top = progressive_layer(self.discriminator).static_top
        if top is None:
            return super().discriminator_variables()
        return level_variables(progressive_layer(self.discriminator), top)

    # ------------------------------------------------------- engine hooks
    def real_at_level(self, real):
        """Real images as D sees them at the current level (full size, blended)."""
        level = progressive_layer(self.discriminator).level
        return blend_resolutions(real, ops.cast(level, real.dtype), self.num_levels)

    def discriminator_step(self, real, labels):
        return super().discriminator_step(self.real_at_level(real), labels)

    def discriminator_loss(self, real, fake, labels, real_out, fake_out):
        adversarial = super().discriminator_loss(real, fake, labels, real_out, fake_out)
        # Keeps the critic's output near 0 (WGAN-GP alone lets it drift).
        return adversarial + self.drift_weight * ops.mean(ops.square(real_out))

    def generator_step(self, real, labels):
        super().generator_step(real, labels)
        _, num_replicas = replica_context()
        # `real` is one of d_steps slices of this replica's batch.
        seen = ops.cast(ops.shape(real)[0] * self.d_steps * num_replicas, "int64")
        self.images_seen.assign_add(seen)

    def train_step(self, data):
        level = self.scheduled_level()
        last = progressive_layer(self.generator).level  # the level of the last step
        changed = ops.logical_or(
            ops.not_equal(ops.floor(level), ops.floor(last)),
            ops.not_equal(ops.ceil(level), ops.ceil(last)),
        )
        restart_where(self.g_optimizer, changed)
        restart_where(self.d_optimizer, changed)
        self.set_level(level)
        logs = super().train_step(data)
        logs["level"] = ops.reshape(level, [1]) if in_multi_worker_mode() else level
        return logs

    # ------------------------------------------------------------ sampling
    def inference_network(self):
        """The engine's (EMA) generator, at G's current level."""
        network = super().inference_network()
        # The averages copy the level only at G steps; set_level may have moved it.
        progressive_layer(network).level.assign(progressive_layer(self.generator).level)
        return network

    def constructor_config(self):
        return dict(
            name=self.name,
            image_shape=self.image_shape,
            latent_dim=self.latent_dim,
            filters=self.filters,
            images_per_phase=self.images_per_phase,
            drift_weight=self.drift_weight,
            mbstd_group_size=self.mbstd_group_size,
            seed=self.seed,
        )
