"""InfoGAN (Chen et al. 2016): latent codes the generator must keep recoverable.

What differs from the engine: G's input is [z, one-hot c, continuous c'] with a
categorical code c (K values) and continuous codes c' ~ U(-1, 1); a Q head on
D's trunk predicts the codes from an image. Both players also minimise the
mutual-information bound's negative log-likelihood term

    L_I = CE(Q_cat(x), c) + λ_cont · Σ_j ½ (Q_cont(x)_j − c'_j)²

(a Gaussian Q of unit variance per continuous code, log-likelihoods summed over
the codes as in the paper's L_I, constants dropped), weighted by λ_info = 1. As
in the authors' code (openai/InfoGAN, infogan_trainer.py: Q's layers live in D's
variable scope), the Q head is trained with D's variables and optimizer: in a D
step λ·L_I of that step's fakes moves D's trunk and the Q head; in a G step it
moves G only. Codes are drawn from seeded streams, so a step's codes can be
drawn again where the loss needs them.

Networks (paper, Table 1 for MNIST, with base_filters = 64 and hidden = 1024):
G is FC-1024, BN, ReLU → FC-(H/4 · W/4 · 2f), BN, ReLU → 4×4 up-conv f, BN,
ReLU → 4×4 up-conv to the image; D is 4×4 conv f, lReLU → 4×4 conv 2f, BN,
lReLU → FC-1024, BN, lReLU, then the logit, and Q is FC-128, BN, lReLU → the
codes on that same FC-1024 trunk.

Remaining differences from the paper and its code: z ~ N(0, 1) (the authors'
launcher draws z ~ U(-1, 1)); G ends in tanh for images in [-1, 1], where the
authors' MNIST G outputs Bernoulli means in [0, 1]; the class's optimizers are
the engine's Adam(2e-4, β1 = 0.5) for both players — the paper's 1e-3 for G and
2e-4 for D are the `paper` recipe row (tfgan_zoo/recipes.py) — because the short
CPU runs the tests make were tuned with them; each D step draws fresh fakes for
its own info term, where the authors' graph computes D's and G's info terms on
one batch of fakes; the logged `info` is L_I without the constant prior entropy,
not the mutual-information estimate.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from tfgan_zoo.engine import GAN
from tfgan_zoo.engine.noise import stateless_normal, stateless_uniform_open, sub_seed
from tfgan_zoo.networks.conv import batch_norm, check_stages, conv_generator, dcgan_init
from tfgan_zoo.networks.widths import default_base_filters
from tfgan_zoo.registry import register_model


def info_loss(categorical_logits, codes, continuous_pred, continuous, continuous_weight=1.0):
    """L_I for one batch, the batch mean of −log Q(c, c' | x) up to constants: the
    categorical code's cross-entropy plus λ_cont · ½ the squared error of the
    continuous codes summed over the codes (the negative log-likelihood of a
    unit-variance Gaussian per code, whose log-likelihoods the paper sums)."""
    ce = ops.mean(
        keras.losses.sparse_categorical_crossentropy(codes, categorical_logits, from_logits=True)
    )
    if continuous is None or continuous.shape[-1] == 0:
        return ce
    squared = ops.sum(ops.square(continuous_pred - continuous), axis=-1)
    return ce + continuous_weight * 0.5 * ops.mean(squared)


@register_model("infogan", kind="gan")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class InfoGAN(GAN):
    """Args:
      image_shape: images with sides divisible by 2^stages.
      noise_dim: size of the incompressible noise z.
      categories: K, values of the categorical code.
      continuous: number of continuous codes.
      base_filters: width of the conv nets; None derives it from image_shape
        (`networks.widths.default_base_filters`: 64 up to 64×64).
      hidden: widths of the fully connected layers G starts with and D's trunk
        ends with (under D's logit and the Q head); None sizes one layer as the
        paper's 1024 at its base_filters of 64: (16 · base_filters,). () has none
        (files saved before the argument existed load with (), what they had).
      info_weight, continuous_weight: λ_info and λ_cont.
      stages: stride-2 stages of G and D's trunk; None follows the image
        (`networks.conv.default_stages`: 2 at 28×28, 4 at 64×64).
    The generator's input (and the serving `z`) is [z, one-hot c, c'], so the
    model's `latent_dim` is noise_dim + categories + continuous. The argument is
    `noise_dim`, not `latent_dim`, because it sizes only z, the paper's
    incompressible noise: the codes are sized by `categories` and `continuous`.
    """

    description = "Categorical + continuous codes recovered by a Q head on D (Chen et al. 2016)"

    # Files saved before `hidden` existed had no fully connected layers.
    # Files saved before `stages` existed had two conv stages at every size.
    EARLIER_DEFAULTS = {"hidden": (), "stages": 2}

    def __init__(
        self,
        image_shape=(28, 28, 1),
        noise_dim=62,
        categories=10,
        continuous=2,
        base_filters=None,
        hidden=None,
        info_weight=1.0,
        continuous_weight=1.0,
        seed=None,
        stages=None,
        **kwargs,
    ):
        self.image_shape = image_shape = tuple(int(v) for v in image_shape)
        self.stages = check_stages(image_shape, stages)
        self.noise_dim, self.categories = int(noise_dim), int(categories)
        self.continuous = int(continuous)
        self.base_filters = int(
            default_base_filters(image_shape, 64) if base_filters is None else base_filters
        )
        self.hidden = (
            (16 * self.base_filters,) if hidden is None else tuple(int(units) for units in hidden)
        )
        self.info_weight, self.continuous_weight = float(info_weight), float(continuous_weight)
        latent_dim = self.noise_dim + self.categories + self.continuous
        generator = conv_generator(
            latent_dim, image_shape, self.base_filters, hidden=self.hidden, stages=self.stages
        )
        discriminator, self.q_network, self.q_head = self._d_and_q(image_shape)
        super().__init__(generator, discriminator, latent_dim=latent_dim, seed=seed, **kwargs)
        self.info_tracker = keras.metrics.Mean(name="info")
        self.code_accuracy_tracker = keras.metrics.Mean(name="code_accuracy")

    def _d_and_q(self, image_shape):
        """D and Q share the trunk (convs, then the `hidden` layers); each has its
        own head."""
        f = self.base_filters
        x = keras.Input(shape=image_shape, name="image")
        h = keras.layers.Conv2D(f, 4, strides=2, padding="same", kernel_initializer=dcgan_init())(x)
        h = keras.layers.LeakyReLU(0.2)(h)
        for stage in range(1, self.stages):
            h = keras.layers.Conv2D(
                f * 2**stage,
                4,
                strides=2,
                padding="same",
                use_bias=False,
                kernel_initializer=dcgan_init(),
            )(h)
            h = keras.layers.LeakyReLU(0.2)(batch_norm()(h))
        body = keras.layers.Flatten()(h)
        for units in self.hidden:
            body = keras.layers.Dense(units, use_bias=False, kernel_initializer=dcgan_init())(body)
            body = keras.layers.LeakyReLU(0.2)(batch_norm()(body))
        logit = keras.layers.Dense(1, dtype="float32", name="logit")(body)
        q_in = keras.Input(shape=body.shape[1:], name="features")
        q = keras.layers.Dense(128, use_bias=False)(q_in)
        q = keras.layers.LeakyReLU(0.2)(batch_norm()(q))
        q = keras.layers.Dense(self.categories + self.continuous, dtype="float32", name="codes")(q)
        q_head = keras.Model(q_in, q, name="q_head")
        discriminator = keras.Model(x, logit, name="discriminator")
        q_network = keras.Model(x, q_head(body), name="q_network")
        return discriminator, q_network, q_head

    @classmethod
    def for_data(cls, data_shape, num_classes=None, **kwargs):
        if len(data_shape) != 3:
            raise ValueError(f"InfoGAN generates images; the data has shape {tuple(data_shape)}.")
        return cls(image_shape=data_shape, **kwargs)

    @property
    def metrics(self):
        return super().metrics + [self.info_tracker, self.code_accuracy_tracker]

    def discriminator_variables(self):
        # Q's head trains with D, as in the authors' code; G's step leaves it alone.
        return self.discriminator.trainable_variables + self.q_head.trainable_variables

    # ------------------------------------------------------------------ codes
    def draw_codes(self, batch_size, phase, counter):
        """(categorical [n] int32, continuous [n, M]) for one D ("d") or G ("g")
        step; a pure function of (phase, counter, replica), so the loss can draw
        the same codes again."""
        name = f"{phase}_codes"
        u = self.replica_noise(stateless_uniform_open, tf.stack([batch_size]), name, counter)
        categorical = tf.minimum(tf.cast(u * self.categories, tf.int32), self.categories - 1)
        v = self.replica_noise(
            stateless_uniform_open, tf.stack([batch_size, self.continuous]), name, counter, index=1
        )
        return categorical, 2.0 * v - 1.0

    def compose_latent(self, noise, categorical, continuous):
        """[z, one-hot c, c'] — the generator's input."""
        return tf.concat([noise, tf.one_hot(categorical, self.categories), continuous], axis=-1)

    def latent_noise(self, batch_size, phase, counter):
        noise = self.replica_noise(
            stateless_normal, tf.stack([batch_size, self.noise_dim]), f"{phase}_latent", counter
        )
        return self.compose_latent(noise, *self.draw_codes(batch_size, phase, counter))

    def sample_latent(self, batch_size, seed):
        """Latents with random codes, for sampling (a pure function of `seed`)."""
        noise = stateless_normal((batch_size, self.noise_dim), seed)
        u = stateless_uniform_open((batch_size, 1 + self.continuous), sub_seed(seed, 1))
        categorical = tf.minimum(tf.cast(u[:, 0] * self.categories, tf.int32), self.categories - 1)
        return self.compose_latent(noise, categorical, 2.0 * u[:, 1:] - 1.0)

    def _info(self, images, codes, training):
        predicted = self.q_network(images, training=training)
        categorical, continuous = codes
        loss = info_loss(
            predicted[:, : self.categories],
            categorical,
            predicted[:, self.categories :],
            continuous,
            self.continuous_weight,
        )
        guess = ops.cast(ops.argmax(predicted[:, : self.categories], axis=-1), "int32")
        hits = ops.cast(guess == ops.cast(categorical, "int32"), "float32")
        return loss, ops.mean(hits)

    # ------------------------------------------------------- engine hooks
    def discriminator_loss(self, real, fake, labels, real_out, fake_out):
        adversarial = super().discriminator_loss(real, fake, labels, real_out, fake_out)
        # The D step's fakes were made from latent_noise(n, "d", D step).
        codes = self.draw_codes(tf.shape(fake)[0], "d", self.d_optimizer.iterations)
        info, _ = self._info(fake, codes, training=True)  # moves D's trunk and the Q head
        return adversarial + self.info_weight * info

    def generator_fakes(self, real, labels):
        n = tf.shape(real)[0]
        counter = self.g_optimizer.iterations
        latent = self.latent_noise(n, "g", counter)
        return (
            self.generate(latent, labels, training=True),
            labels,
            self.draw_codes(n, "g", counter),
        )

    def generator_extra_loss(self, real, labels, fake, extras):
        info, accuracy = self._info(fake, extras, training=True)  # moves G only
        self.info_tracker.update_state(info)
        self.code_accuracy_tracker.update_state(accuracy)
        return self.info_weight * info

    # ------------------------------------------------------------ tools
    def code_grid(self, rows=10, steps=8, continuous_index=None, seed=0):
        """Images [rows, steps, H, W, C]. Without `continuous_index`: row r holds
        categorical value r % K, columns different noise. With it: each row one
        noise and category, columns sweep that continuous code from -1 to 1."""
        rng = np.random.default_rng(seed)
        noise = rng.standard_normal(
            (rows, 1 if continuous_index is not None else steps, self.noise_dim)
        ).astype(np.float32)
        noise = np.broadcast_to(noise, (rows, steps, self.noise_dim)).reshape(-1, self.noise_dim)
        categorical = np.repeat(np.arange(rows) % self.categories, steps).astype(np.int32)
        continuous = np.zeros((rows * steps, self.continuous), np.float32)
        if continuous_index is not None:
            continuous[:, continuous_index] = np.tile(np.linspace(-1, 1, steps), rows)
        latent = self.compose_latent(
            tf.constant(noise), tf.constant(categorical), tf.constant(continuous)
        )
        images = np.asarray(self.inference_generate()(latent))
        return images.reshape(rows, steps, *images.shape[1:])

    def constructor_config(self):
        return dict(
            name=self.name,
            image_shape=self.image_shape,
            noise_dim=self.noise_dim,
            categories=self.categories,
            continuous=self.continuous,
            base_filters=self.base_filters,
            hidden=self.hidden,
            info_weight=self.info_weight,
            continuous_weight=self.continuous_weight,
            stages=self.stages,
            seed=self.seed,
        )
