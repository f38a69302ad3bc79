"""CycleGAN (Zhu et al. 2017): unpaired translation between domains A and B.

What differs from the engine: two ResNet generators G: A -> B and F: B -> A and
two PatchGAN discriminators with instance norm, joined into the engine's one G
and one D: G maps an (a, b) pair to (F(b), G(a)), D scores both halves. The
adversarial loss is least squares; G adds the cycle loss λ(|F(G(a)) - a| +
|G(F(b)) - b|), λ = 10, and optionally the identity loss λ_id·λ(|F(a) - a| +
|G(b) - b|); D sees fakes from a history pool of 50. Adam(2e-4, β1 = 0.5).
Data are (a, b) batches from the two domains, drawn independently.
"""
import keras
import tensorflow as tf
from keras import ops

from tfgan_zoo.engine import GAN
from tfgan_zoo.engine.noise import stateless_uniform_open
from tfgan_zoo.engine.validation import DataValidationError, validate_training_data
from tfgan_zoo.families.translators.base import ImageTranslator
from tfgan_zoo.families.translators.networks import (ChannelSlice, ImagePool, patch_discriminator,
                                            resnet_generator)
from tfgan_zoo.registry import register_model
from tfgan_zoo.families.translators.serving import translate_function


@register_model("cyclegan", kind="translator")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class CycleGAN(ImageTranslator, GAN):
    """Args:
      image_shape: shape of one domain's images (sides divisible by 4).
      filters, blocks: ResNet generator width and residual blocks.
      d_filters, d_downsamplings: PatchGAN width and stride-2 layers.
      cycle_weight: λ. identity_weight: λ_id (0, the default, turns the
        identity loss off; the paper adds 0.5 for photo <-> painting, where
        colours must be kept; on sneaker <-> boot it held the translation back:
        46 % of G(a) classed as boots after 300 steps, against 88 % without).
      pool_size: images kept for D (0: D sees only the newest fakes).
    """

    description = "Two ResNet G, two PatchGAN D, LSGAN + cycle (+ identity) loss (Zhu et al. 2017)"
    conditional = True  # trains on (a, b) pairs of the two domains

    def __init__(self, image_shape=(28, 28, 1), filters=16, blocks=3, d_filters=32,
                 d_downsamplings=1, cycle_weight=10.0, identity_weight=0.0, pool_size=50,
                 seed=None, **kwargs):
        self.image_shape = tuple(image_shape)
        channels = self.image_shape[-1]
        self.filters, self.blocks = int(filters), int(blocks)
        self.d_filters, self.d_downsamplings = int(d_filters), int(d_downsamplings)
        self.cycle_weight, self.identity_weight = float(cycle_weight), float(identity_weight)
        self.g_ab = resnet_generator(self.image_shape, self.filters, self.blocks, name="g_ab")
        self.g_ba = resnet_generator(self.image_shape, self.filters, self.blocks, name="g_ba")
        self.d_a = patch_discriminator(self.image_shape, self.d_filters, self.d_downsamplings,
                                       conditional=False, norm="instance", name="d_a")
        self.d_b = patch_discriminator(self.image_shape, self.d_filters, self.d_downsamplings,
                                       conditional=False, norm="instance", name="d_b")
        pair = keras.Input(shape=(*self.image_shape[:2], 2 * channels), name="pair")
        a = ChannelSlice(0, channels)(pair)
        b = ChannelSlice(channels, 2 * channels)(pair)
        generator = keras.Model(pair, keras.layers.Concatenate(dtype="float32")(
            [self.g_ba(b), self.g_ab(a)]), name="generator")
        discriminator = keras.Model(pair, keras.layers.Concatenate(dtype="float32")(
            [self.d_a(a), self.d_b(b)]), name="discriminator")
        super().__init__(generator, discriminator, latent_dim=0, seed=seed, **kwargs)
        self.pool = ImagePool(pool_size, name="pool")
        self.pool.build((None, *self.data_shape))
        self.cycle_tracker = keras.metrics.Mean(name="cycle")
        self.identity_tracker = keras.metrics.Mean(name="identity")

    # Our least-squares G loss is 1/2 MSE averaged over both domains; x4 gives
    # the paper's sum of the two domains' MSEs, against which λ = 10 is set.
    adversarial_weight = 4.0

    @classmethod
    def default_compile_args(cls):
        return dict(super().default_compile_args(), loss="least_squares")

    @property
    def metrics(self):
        return super().metrics + [self.cycle_tracker, self.identity_tracker]

    def _unpack(self, data):
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise DataValidationError("CycleGAN trains on (a, b) batches of the two domains.")
        return tf.concat([data[0], data[1]], axis=-1), None

    def _halves(self, pair):
        channels = self.image_shape[-1]
        return pair[..., :channels], pair[..., channels:]

    def _swap(self, pair):
        a, b = self._halves(pair)
        return tf.concat([b, a], axis=-1)

    def generate(self, z, labels=None, training=False):
        raise TypeError("CycleGAN translates images: use translate_ab / translate_ba.")

    def discriminate(self, x, labels=None, training=False):
        return self.discriminator(x, training=training)

    def discriminator_fakes(self, real, labels):
        fake = self.generator(real, training=True)
        n = tf.shape(fake)[0]
        counter = self.d_optimizer.iterations
        uniform = self.replica_noise(stateless_uniform_open, [n], "pool_uniform", counter)
        index_draw = self.replica_noise(stateless_uniform_open, [n], "pool_index", counter)
        index = tf.cast(index_draw * max(self.pool.size, 1), tf.int32)
        return self.pool.query(fake, uniform, index), None

    def generator_fakes(self, real, labels):
        return self.generator(real, training=True), None, None

    def generator_extra_loss(self, real, labels, fake, extras):
        # generator((p, q)) = (F(q), G(p)): fed the fakes (F(b), G(a)) it returns
        # (F(G(a)), G(F(b))), the two cycles; fed (b, a) it returns (F(a), G(b)).
        cycle = self._domain_l1(self.generator(fake, training=True), real)
        self.cycle_tracker.update_state(cycle)
        total = self.cycle_weight * cycle
        if self.identity_weight:
            identity = self._domain_l1(self.generator(self._swap(real), training=True), real)
            self.identity_tracker.update_state(identity)
            total += self.identity_weight * self.cycle_weight * identity
        return total

    def _domain_l1(self, images, targets):
        """Sum over the two domains of the mean absolute error."""
        (xa, xb), (ta, tb) = self._halves(images), self._halves(targets)
        return ops.mean(ops.abs(xa - ta)) + ops.mean(ops.abs(xb - tb))

    def validate_data(self, x, y=None):
        if not isinstance(x, tf.data.Dataset):
            return
        spec = x.element_spec
        if not isinstance(spec, (tuple, list)) or len(spec) != 2:
            raise DataValidationError(f"CycleGAN needs (a, b) batches; found {spec}.")
        for name, part in zip("ab", spec):
            if tuple(part.shape[1:]) != self.image_shape:
                raise DataValidationError(f"domain {name} images must have shape "
                                          f"{self.image_shape}; found {tuple(part.shape[1:])}.")
        validate_training_data(self, x.map(lambda a, b: tf.concat([a, b], axis=-1)))

    def serving_endpoints(self):
        """`translate` (A -> B, G) and `translate_ba` (B -> A, F), uint8 to uint8."""
        return {"translate": translate_function(self.g_ab, self.image_shape),
                "translate_ba": translate_function(self.g_ba, self.image_shape)}

    def translate_ab(self, images, batch_size=256):
        """G(a) for uint8 or [-1, 1] domain-A images, as [-1, 1] float32 numpy."""
        return self._images_through(lambda x: self.g_ab(x, training=False), images, batch_size)

    def translate_ba(self, images, batch_size=256):
        """F(b) for domain-B images."""
        return self._images_through(lambda x: self.g_ba(x, training=False), images, batch_size)

    def constructor_config(self):
        return dict(name=self.name, image_shape=self.image_shape, filters=self.filters,
                    blocks=self.blocks, d_filters=self.d_filters,
                    d_downsamplings=self.d_downsamplings, cycle_weight=self.cycle_weight,
                    identity_weight=self.identity_weight, pool_size=self.pool.size,
                    seed=self.seed)
