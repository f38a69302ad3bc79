"""The GAN engine: one `train_step` for every variant.

A GAN is a `keras.Model` holding a generator and a discriminator. `train_step`
runs Algorithm 1 of Goodfellow et al. (2014): each batch is split into `d_steps`
slices, D takes one update per slice (fresh noise each time), then G takes one.
Variants subclass `GAN` to build their networks and pick defaults; they do not
write their own training loop. Variants whose fakes are more than G(z) (image
translation, StyleGAN) fill in the hooks `discriminator_fakes`, `generator_fakes`,
`generator_extra_loss`, `generator_variables` and `discriminator_variables`.
The pure pieces live beside this file (losses, penalties, noise, augment, ema,
precision, replicas); what is left here is the loop and its configuration, so
it is the longest file.

Conditional models (`num_classes` set) take integer labels as a second input to
both networks; fakes in a D step reuse the labels of the real slice they are
compared with, so both sides see the same label distribution.
"""

import warnings
from collections.abc import Sequence
from typing import Any, TypeAlias, Union

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from tfgan_zoo.engine import augment as augment_lib
from tfgan_zoo.engine import losses as losses_lib
from tfgan_zoo.engine import penalties as penalties_lib
from tfgan_zoo.engine.ema import GeneratorEMA
from tfgan_zoo.engine.noise import (
    MAX_INDEX,
    MAX_REPLICAS,
    draw_seed,
    stateless_normal,
    stateless_uniform_open,
)
from tfgan_zoo.engine.precision import model_precision, precision_policy
from tfgan_zoo.engine.renames import current_config
from tfgan_zoo.engine.replicas import replica_context, step_logs
from tfgan_zoo.engine.trainable import TrainerDeclarations
from tfgan_zoo.engine.validation import checked_sample_request, validate_training_data

# Every random draw is named (`tfgan_zoo.engine.noise.STREAM_NAMES`): D steps, G
# steps, penalties, augmentation, `sample` and the variants' own draws never share
# a seed. A step's draws are named after its phase, "d" or "g", because D and G
# steps count separately (each optimizer's own step).


# What compile takes for an optimizer: an instance, a name, or a Keras config.
OptimizerLike: TypeAlias = Union["keras.optimizers.Optimizer", str, dict]


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class GAN(TrainerDeclarations, keras.Model):
    """A generator and a discriminator trained by alternating SGD.

    Args:
      generator: model mapping `z` (or `[z, labels]`) to samples.
      discriminator: model mapping samples (or `[samples, labels]`) to one raw
        score per sample (a logit; never apply a sigmoid in the network).
      latent_dim: size of `z`; read from the generator's first input if None.
      num_classes: number of labels for a conditional GAN, None otherwise.
      data_range: (low, high) every training value must lie in, or None for
        unbounded data (e.g. 2D points). Checked before the first step.
      seed: integer seed of all latent noise (training and `sample`). Noise is
        a stateless function of (seed, optimizer step, replica), so a resumed
        run draws exactly the noise an uninterrupted run would have drawn.
    """

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim=None,
        num_classes=None,
        data_range=(-1.0, 1.0),
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(generator.inputs[0].shape[-1] if latent_dim is None else latent_dim)
        self.num_classes = None if num_classes is None else int(num_classes)
        self.data_shape = tuple(generator.outputs[0].shape[1:])
        self.data_range = None if data_range is None else tuple(float(v) for v in data_range)
        self.seed = (
            int(np.random.SeedSequence().generate_state(1)[0] % 2**31)
            if seed is None
            else int(seed)
        )
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_real_tracker = keras.metrics.Mean(name="d_real")
        self.d_fake_tracker = keras.metrics.Mean(name="d_fake")
        self.penalty_tracker = keras.metrics.Mean(name="penalty")
        # Both networks are built already; marking the wrapper built stops `fit`
        # from calling it on a batch, which fails under tf.distribute.
        self.built = True

    # ----------------------------------------------------------------- defaults
    conditional = False  # whether the variant trains on (samples, labels)
    # XLA on a CPU, for image data: off unless tools/bench_throughput.py measured
    # the variant faster with it (most GAN steps were 5-20 % slower; see docs/benchmarks.md).
    xla_on_cpu = False
    # Weight of G's adversarial loss; a variant with other G terms may lower it
    # (0 gives a purely reconstructive baseline with the same networks).
    adversarial_weight = 1.0
    description = "GAN from user-supplied generator and discriminator"
    # Samples D scores at once (PacGAN packing); penalties take gradients per pack.
    pack = 1
    discriminator_networks = ("discriminator",)  # trained by d_optimizer

    @classmethod
    def for_data(cls, data_shape, num_classes=None, **kwargs):
        """Builds the variant for data of `data_shape` (and `num_classes` labels);
        `kwargs` are the variant's own hyper-parameters."""
        raise TypeError(f"{cls.__name__} is built from explicit networks; use a variant.")

    @classmethod
    def default_compile_args(cls):
        """Per-variant defaults for `compile`; fresh optimizer objects every call."""
        return dict(
            g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
            d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
            loss="non_saturating",
            d_steps=1,
            label_smoothing=0.0,
            penalty=None,
            penalty_weight=10.0,
            clip_value=None,
            augment=None,
            ema_decay=None,
            ema_start=None,
        )

    def compile(
        self,
        g_optimizer: OptimizerLike | None = None,
        d_optimizer: OptimizerLike | None = None,
        loss: str | None = None,
        d_steps: int | None = None,
        label_smoothing: float | None = None,
        penalty: str | None = None,
        penalty_weight: float | None = None,
        clip_value: float | None = None,
        augment: str | None = None,
        ema_decay: float | str | None = None,
        ema_start: int | str | None = None,
        jit_compile: bool | str = "auto",
        steps_per_execution: int = 1,
        run_eagerly: bool = False,
    ) -> None:
        """Configures training. Any argument left None takes the variant's default.

        Args:
          g_optimizer, d_optimizer: optimizers (instances, names or configs).
            Call `compile` inside `strategy.scope()` when distributing.
          loss: name in `tfgan_zoo.engine.losses.LOSSES` or an `AdversarialLoss`
            (register a custom one with `register_loss` so a saved model reloads).
          d_steps: discriminator updates per generator update (k in Algorithm 1);
            each batch is split into k slices, so batch size must divide by k.
          label_smoothing: one-sided smoothing s of the real target (1 - s).
          penalty: D regulariser, a name in `penalties.PENALTIES`
            ("gradient_penalty", "dragan", "r1"), "none", or None for the default.
          penalty_weight: its weight (lambda; for R1 the paper's gamma / 2).
          clip_value: clip every D weight into [-c, c] after each D update (WGAN).
          augment: DiffAugment policy applied to every image D sees, real and
            fake, e.g. "color,translation,cutout" (`tfgan_zoo.engine.augment`).
          ema_decay: keep an exponential moving average of G's weights with this
            decay (e.g. 0.999) and sample and export from it; "none" keeps none.
          ema_start: None: the average starts at the first G update with a
            warm-up (`engine.ema`); an int s: it copies G before update s and
            decays at exactly `ema_decay` from then on (BigGAN's 20k); "none": None.
          jit_compile: "auto" for `default_jit_compile()` (chosen by measurement),
            or True/False.
          steps_per_execution: train steps per call of the compiled function;
            the updates do not depend on it (noise is keyed on the step).
        """
        defaults = self.default_compile_args()
        self.g_optimizer = keras.optimizers.get(
            defaults["g_optimizer"] if g_optimizer is None else g_optimizer
        )
        self.d_optimizer = keras.optimizers.get(
            defaults["d_optimizer"] if d_optimizer is None else d_optimizer
        )
        if self.g_optimizer is self.d_optimizer:
            raise ValueError("g_optimizer and d_optimizer must be two optimizer objects.")
        if self.uses_float16():
            # float16 gradients underflow without loss scaling. Keras' compile
            # wraps only `self.optimizer`, so both of ours are wrapped here.
            self.g_optimizer = _loss_scaled(self.g_optimizer)
            self.d_optimizer = _loss_scaled(self.d_optimizer)
        self.adversarial_loss = losses_lib.get_loss(defaults["loss"] if loss is None else loss)
        self.d_steps = int(defaults["d_steps"] if d_steps is None else d_steps)
        if self.d_steps < 1:
            raise ValueError(f"d_steps must be >= 1, got {self.d_steps}.")
        smoothing = defaults["label_smoothing"] if label_smoothing is None else label_smoothing
        self.label_smoothing = float(smoothing)
        if not 0.0 <= self.label_smoothing < 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1), got {smoothing}.")
        if self.label_smoothing and not self.adversarial_loss.uses_label_smoothing:
            raise ValueError(f"loss {self.adversarial_loss.name!r} has no label smoothing.")
        penalty = defaults["penalty"] if penalty is None else penalty
        self.penalty = None if penalty in (None, "none") else penalty
        self.penalty_fn = None if self.penalty is None else penalties_lib.get_penalty(self.penalty)
        if self.penalty is not None:
            penalties_lib.check_critics(
                self.penalty, {name: getattr(self, name) for name in self.discriminator_networks}
            )
        self.penalty_weight = float(
            defaults["penalty_weight"] if penalty_weight is None else penalty_weight
        )
        clip_value = defaults["clip_value"] if clip_value is None else clip_value
        self.clip_value = None if not clip_value else float(clip_value)
        self.augment_policy = augment_lib.parse_policy(
            defaults["augment"] if augment is None else augment
        )
        if self.augment_policy and len(self.data_shape) != 3:
            raise ValueError(
                "augment (DiffAugment) is for image data; this model makes "
                f"samples of shape {self.data_shape}."
            )
        ema_decay = defaults["ema_decay"] if ema_decay is None else ema_decay
        ema_start = defaults.get("ema_start") if ema_start is None else ema_start
        ema_start = None if ema_start in (None, "none") else int(ema_start)
        if ema_decay in (None, "none"):
            self.ema = None
        elif (ema := getattr(self, "ema", None)) is None:
            self.ema = GeneratorEMA(self, ema_decay, ema_start)
        else:  # compiled again: the averages (weights of the model) stay
            ema.set_decay(ema_decay, ema_start)
        steps_per_execution = int(steps_per_execution)
        if steps_per_execution > 1 and self.distribute_strategy.num_replicas_in_sync > 1:
            # Keras 3.15 runs several steps in a while-loop whose tf.cond cannot
            # hold a cross-replica merge (keras-team/keras#19246: "You must feed a
            # value for placeholder tensor"); a stock Sequential fails the same way.
            warnings.warn(
                f"steps_per_execution={steps_per_execution} fails under a "
                "multi-replica strategy in this Keras version; using 1 (the "
                "updates are the same, only the Python overhead differs).",
                stacklevel=2,
            )
            steps_per_execution = 1
        super().compile(
            jit_compile=self.default_jit_compile() if jit_compile == "auto" else jit_compile,
            steps_per_execution=steps_per_execution,
            run_eagerly=run_eagerly,
        )
        # Keras made an unused default optimizer; drop it so `fit` does not build
        # slots for it (and saving does not store it).
        self.optimizer = None
        # Building here (inside the caller's strategy scope) creates the slot
        # variables before the first step, as tf.distribute needs, and lets a
        # `.keras` file restore both optimizer states on load.
        self.g_optimizer.build(self.generator_variables())
        self.d_optimizer.build(self.discriminator_variables())
        self._compile_args = dict(
            loss=self.adversarial_loss.name,
            d_steps=self.d_steps,
            label_smoothing=self.label_smoothing,
            penalty=self.penalty or "none",
            penalty_weight=self.penalty_weight,
            clip_value=self.clip_value or 0.0,
            augment=",".join(self.augment_policy) or "none",
            ema_decay="none" if self.ema is None else self.ema.decay,
            ema_start="none" if self.ema is None or self.ema.start is None else self.ema.start,
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
        )

    def default_jit_compile(self):
        """What `jit_compile="auto"` means for this model here: XLA on GPUs; on CPUs
        only for image variants with `xla_on_cpu`; never under a tf.distribute
        strategy (XLA with MirroredStrategy on logical CPUs fails; Keras' own
        "auto" makes the same exception)."""
        if tf.distribute.has_strategy() or self.distribute_strategy.num_replicas_in_sync > 1:
            return False
        if tf.config.list_physical_devices("GPU"):
            return True
        return bool(self.xla_on_cpu and len(self.data_shape) == 3)

    def get_compile_config(self):
        if not getattr(self, "compiled", False):
            return {}
        return dict(
            self._compile_args,
            g_optimizer=keras.optimizers.serialize(self.g_optimizer),
            d_optimizer=keras.optimizers.serialize(self.d_optimizer),
        )

    def compile_from_config(self, config):
        config = dict(config)
        config["g_optimizer"] = keras.optimizers.deserialize(config["g_optimizer"])
        config["d_optimizer"] = keras.optimizers.deserialize(config["d_optimizer"])
        self.compile(**config)

    # ------------------------------------------------------------------ config
    @property
    def precision(self):
        """The dtype policy the networks compute under: "float32", "mixed_bfloat16"
        or "mixed_float16" (see `tfgan_zoo.engine.precision`)."""
        return model_precision(self.generator)

    def uses_float16(self):
        """Whether either network computes in float16 (needs loss scaling)."""
        return "mixed_float16" in (self.precision, model_precision(self.discriminator))

    def constructor_config(self):
        """The constructor arguments that rebuild this model. Variants return their
        own hyper-parameters; the base class stores both networks."""
        return dict(
            name=self.name,
            generator=keras.saving.serialize_keras_object(self.generator),
            discriminator=keras.saving.serialize_keras_object(self.discriminator),
            latent_dim=self.latent_dim,
            num_classes=self.num_classes,
            data_range=self.data_range,
            seed=self.seed,
        )

    def get_config(self):
        config = self.constructor_config()
        if self.precision != "float32":
            config["precision"] = self.precision
        return config

    @classmethod
    def from_config(cls, config):
        config = current_config(cls, config)  # files of earlier versions use older names
        # Variants build their networks in __init__, under the global policy:
        # rebuild them under the one they were saved with.
        with precision_policy(config.pop("precision", "float32")):
            for key in ("generator", "discriminator"):
                if isinstance(config.get(key), dict):
                    config[key] = keras.saving.deserialize_keras_object(config[key])
            return cls(**config)

    # ------------------------------------------------------------------ networks
    def generate(self, z, labels=None, training=False):
        return self.generator(z if self.num_classes is None else [z, labels], training=training)

    def discriminate(self, x, labels=None, training=False):
        return self.discriminator(x if self.num_classes is None else [x, labels], training=training)

    def call(self, inputs, training=False):
        """`model(z)` (or `model([z, labels])`) runs the generator."""
        if self.num_classes is None:
            return self.generate(inputs, training=training)
        z, labels = inputs
        return self.generate(z, labels, training=training)

    def sample_latent(self, batch_size, seed):
        """Draws `z` from the prior (standard normal) with a stateless seed of shape [2]."""
        return stateless_normal((batch_size, self.latent_dim), seed)

    def draw_seed(self, name, counter, replica_id=0, index=0):
        """The stateless seed of the draw `name` (`noise.STREAM_NAMES`): a pure
        function of the model's seed and the arguments."""
        return draw_seed(self.seed, name, counter, replica_id, index)

    def replica_noise(self, sampler, shape, name, counter, index=0):
        """`sampler(shape, seed)` for the draw `name` of one training step. The seed
        includes the replica id, so the replicas of a distributed step draw
        different noise."""
        replica_id, num_replicas = replica_context()
        if num_replicas > MAX_REPLICAS:  # the seed has a field for the replica id
            raise ValueError(
                f"at most {MAX_REPLICAS} replicas draw distinct noise; "
                f"this strategy has {num_replicas}."
            )
        return sampler(shape, self.draw_seed(name, counter, replica_id, index))

    def latent_noise(self, batch_size, phase, counter):
        """The latents of a D ("d") or G ("g") step's fakes."""
        return self.replica_noise(self.sample_latent, batch_size, f"{phase}_latent", counter)

    # -------------------------------------------------------------- train step
    @property
    def metrics(self):
        trackers = [
            self.d_loss_tracker,
            self.g_loss_tracker,
            self.d_real_tracker,
            self.d_fake_tracker,
        ]
        if getattr(self, "penalty_fn", None) is not None:
            trackers.append(self.penalty_tracker)
        return trackers

    def _unpack(self, data):
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        return x, (y if self.num_classes is not None else None)

    def discriminator_loss(self, real, fake, labels, real_out, fake_out):
        """D's objective for one slice. Penalties hook in here (they need `real`/`fake`)."""
        loss_fn = self.adversarial_loss
        if loss_fn.uses_label_smoothing:
            return loss_fn.discriminator(real_out, fake_out, label_smoothing=self.label_smoothing)
        return loss_fn.discriminator(real_out, fake_out)

    def discriminator_penalty(self, real, fake, labels):
        """The compiled penalty at this step (its random numbers come from the
        engine's per-replica penalty stream), or None."""
        if self.penalty_fn is None:
            return None
        counter = self.d_optimizer.iterations
        draws: list = []  # each draw gets its own index, so two draws are never the same bits

        def uniform(shape):
            if len(draws) >= MAX_INDEX:
                raise ValueError(f"a penalty may draw at most {MAX_INDEX} noise tensors per step.")
            draws.append(shape)
            return self.replica_noise(
                stateless_uniform_open, shape, "penalty", counter, index=len(draws) - 1
            )

        def critic(x):
            return self.discriminate(x, labels, training=True)

        return self.penalty_fn(critic, real, fake, uniform, self.pack)

    # Hooks for variants whose fakes are not G(z) alone (image translation):
    # what D is shown, what G is trained through, and G's terms beyond the
    # adversarial loss. The loop, scaling and updates stay in the steps below.
    def discriminator_fakes(self, real, labels):
        """(fakes, their conditions) for one D step; made outside the tape."""
        z = self.latent_noise(tf.shape(real)[0], "d", self.d_optimizer.iterations)
        return self.generate(z, labels, training=True), labels

    def generator_fakes(self, real, labels):
        """(fakes, their conditions, extras) for one G step, inside G's tape;
        `extras` is passed on to `generator_extra_loss`."""
        z = self.latent_noise(tf.shape(real)[0], "g", self.g_optimizer.iterations)
        return self.generate(z, labels, training=True), labels, None

    def generator_extra_loss(self, real, labels, fake, extras):
        """Terms G minimises besides the adversarial loss (a scalar), or None."""
        return None

    def generator_variables(self):
        """What a G step updates (G, and e.g. an encoder trained with it)."""
        return self.generator.trainable_variables

    def discriminator_variables(self):
        """What a D step updates (D, and e.g. an encoder head sharing its body)."""
        return self.discriminator.trainable_variables

    def augment_for_discriminator(self, images, counter, name):
        """DiffAugment of a batch D is about to judge (unchanged without a
        policy); `name` keeps the real ("d_augment_real") and fake
        ("d_augment_fake") batches of a D step and the fakes of a G step
        ("g_augment") on separate noise."""
        if not self.augment_policy:
            return images
        shape = tf.stack([tf.shape(images)[0], augment_lib.draws_needed(self.augment_policy)])
        uniform = self.replica_noise(stateless_uniform_open, shape, name, counter)
        return augment_lib.diff_augment(images, self.augment_policy, uniform)

    def discriminator_step(self, real, labels):
        """One D update on a real slice and as many fresh fakes; returns D's
        outputs on both, for variants that track them."""
        _, num_replicas = replica_context()
        # Fakes are made outside the tape: D's update needs no gradient through G.
        fake, fake_labels = self.discriminator_fakes(real, labels)
        real = self.augment_for_discriminator(real, self.d_optimizer.iterations, "d_augment_real")
        fake = self.augment_for_discriminator(fake, self.d_optimizer.iterations, "d_augment_fake")
        variables = self.discriminator_variables()
        with tf.GradientTape() as tape:
            real_out = self.discriminate(real, labels, training=True)
            fake_out = self.discriminate(fake, fake_labels, training=True)
            loss = self.discriminator_loss(real, fake, labels, real_out, fake_out)
            total = loss + sum(self.discriminator.losses)
            penalty = self.discriminator_penalty(real, fake, labels)
            if penalty is not None:
                total += self.penalty_weight * penalty
            # Gradients are summed over replicas; dividing each replica's mean by
            # the replica count makes the sum the mean over the global batch.
            scaled = self.d_optimizer.scale_loss(total / num_replicas)
        self.apply_discriminator_update(
            tape.gradient(scaled, variables), variables, loss, penalty, real_out, fake_out
        )
        return real_out, fake_out

    def apply_discriminator_update(self, gradients, variables, loss, penalty, real_out, fake_out):
        """D's update from its gradients, weight clipping, and D's trackers: the end
        of every D step (the engine's, and a variant's own such as CycleGAN's)."""
        # A LossScaleOptimizer unscales the gradients and skips a non-finite step.
        self.d_optimizer.apply(gradients, variables)
        if self.clip_value is not None:
            penalties_lib.clip_weights(variables, self.clip_value)
        self.d_loss_tracker.update_state(loss)
        if penalty is not None:
            self.penalty_tracker.update_state(penalty)
        score = self.adversarial_loss.score
        self.d_real_tracker.update_state(score(real_out))
        self.d_fake_tracker.update_state(score(fake_out))

    def generator_step(self, real, labels):
        """One G update on fresh noise (`real` is the last D slice: its size, and
        the targets of variants with reconstruction terms)."""
        _, num_replicas = replica_context()
        variables = self.generator_variables()
        with tf.GradientTape() as tape:
            fake, fake_labels, extras = self.generator_fakes(real, labels)
            seen = self.augment_for_discriminator(fake, self.g_optimizer.iterations, "g_augment")
            fake_out = self.discriminate(seen, fake_labels, training=True)
            loss = self.adversarial_loss.generator(fake_out)
            total = self.adversarial_weight * loss + sum(self.generator.losses)
            extra = self.generator_extra_loss(real, labels, fake, extras)
            if extra is not None:
                total += extra
            scaled = self.g_optimizer.scale_loss(total / num_replicas)
        self.g_optimizer.apply(tape.gradient(scaled, variables), variables)
        if self.ema is not None:
            self.ema.update(self.g_optimizer.iterations, variables)
        self.g_loss_tracker.update_state(loss)

    def train_step(self, data):
        real, labels = self._unpack(data)
        slice_size = tf.shape(real)[0] // self.d_steps
        for i in range(self.d_steps):  # k is a Python int: the loop unrolls in the graph
            part = slice(i * slice_size, (i + 1) * slice_size)
            slice_labels = None if labels is None else labels[part]
            self.discriminator_step(real[part], slice_labels)
        self.generator_step(real[part], slice_labels)
        return step_logs(self.metrics)

    # ----------------------------------------------------------------- fit
    def fit(
        self,
        x: np.ndarray | tf.data.Dataset | None = None,
        y: np.ndarray | None = None,
        batch_size: int | None = None,
        epochs: int = 1,
        shuffle: bool = True,
        validate_data: bool = True,
        **kwargs: Any,
    ) -> keras.callbacks.History:
        """`keras.Model.fit`, after checking the data once against the model.

        Arrays are batched here with `drop_remainder=True`: every batch is split
        into `d_steps` slices and must divide evenly. `validate_data=False`
        skips the pre-flight scan (see `tfgan_zoo.engine.validation`).
        """
        if isinstance(x, np.ndarray):
            x = _array_dataset(x, y, batch_size or 32, shuffle, self.seed)
            y = None
        if validate_data:
            self.validate_data(x, y)
        if isinstance(x, tf.data.Dataset):
            shuffle = False  # a dataset shuffles itself; Keras would warn
        else:
            kwargs.update(batch_size=batch_size)
        return super().fit(x, y, epochs=epochs, shuffle=shuffle, **kwargs)

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        # Keras (3.15) builds a model under a strategy from a first batch it
        # `strategy.reduce`s, which fails for (samples, labels) batches under a
        # multi-worker strategy. Both networks are built already, so only the
        # bookkeeping is left to do.
        if not all(layer.built for layer in self._flatten_layers()):
            return super()._maybe_symbolic_build(iterator, data_batch)
        with self.distribute_strategy.scope():
            self._symbolic_build(data_batch=None)

    def validate_data(self, x, y=None):
        """The pre-flight check `fit` runs (see `tfgan_zoo.engine.validation`)."""
        validate_training_data(self, x, y)

    # -------------------------------------------------------------- sampling
    def inference_network(self):
        """The generator network that samples and exports: the moving average of
        G's weights when the model keeps one (`ema_decay`), else G."""
        ema = getattr(self, "ema", None)
        return self.generator if ema is None else ema.synced_network()

    def inference_generate(self):
        """`generate(z, labels)` for sampling and export, from `inference_network()`,
        clipped to `data_range` (a no-op for tanh outputs; linear ones, as in
        ProGAN and StyleGAN, can overshoot it)."""
        network = self.inference_network()

        def generate(z, labels=None, training=False):
            out = network(z if self.num_classes is None else [z, labels], training=False)
            return out if self.data_range is None else ops.clip(out, *self.data_range)

        return generate

    def serving_endpoints(self):
        """{signature: (function, input specs)} for TF Serving; the first one is also
        `serving_default`. An image GAN serves generate, sample and png from
        `inference_generate()` (`tfgan_zoo.serving.signatures`); a variant with more
        to serve extends this dict, and one with other inputs replaces it."""
        from tfgan_zoo.serving.signatures import image_generator_functions

        return image_generator_functions(
            self.inference_generate(), self.data_shape, self.latent_dim, self.num_classes
        )

    def serving_trackables(self):
        """What the export archive tracks for `serving_endpoints`' variables: G, and
        the moving average of G that inference uses."""
        ema = getattr(self, "ema", None)  # set by compile
        return [self.generator] + ([] if ema is None else [ema.network])

    def sample(
        self,
        n: int,
        labels: Sequence[int] | np.ndarray | None = None,
        seed: int = 0,
        batch_size: int = 256,
    ) -> np.ndarray:
        """`n` samples from the generator in inference mode, as a NumPy array.

        Deterministic in `seed`; `labels` (int or [n] ints) for conditional models.
        """
        n, labels = checked_sample_request(n, labels, self.num_classes)
        z = self.sample_latent(n, self.draw_seed("sample", seed))
        return self.samples_from(z, labels, batch_size)

    def samples_from(self, z, labels=None, batch_size=256):
        """Samples for given latents `z` [n, latent_dim], in batches, as NumPy."""
        n, labels = checked_sample_request(int(z.shape[0]), labels, self.num_classes)
        if n == 0:
            return np.zeros((0, *self.data_shape), np.float32)
        labels = None if labels is None else tf.constant(labels)
        generate = self.inference_generate()
        out = [
            generate(z[i : i + batch_size], None if labels is None else labels[i : i + batch_size])
            for i in range(0, n, batch_size)
        ]
        return np.concatenate([keras.ops.convert_to_numpy(o) for o in out])


def _array_dataset(x, y, batch_size, shuffle, seed):
    data = x if y is None else (x, y)
    ds = tf.data.Dataset.from_tensor_slices(data)
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def _loss_scaled(optimizer):
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer
    return keras.optimizers.LossScaleOptimizer(optimizer)
