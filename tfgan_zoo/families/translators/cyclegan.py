"""CycleGAN (Zhu et al. 2017): unpaired translation between domains A and B.

What differs from the engine: two ResNet generators G: A -> B (`g_ab`) and
F: B -> A (`g_ba`) and two PatchGAN discriminators with instance norm, D_A
(`d_a`, judges A images) and D_B (`d_b`). G and F share the G optimizer, D_A
and D_B the D optimizer. The adversarial loss is least squares: G is trained
against D_B and F against D_A; G adds the cycle loss λ(|F(G(a)) - a| +
|G(F(b)) - b|), λ = 10, and optionally the identity loss λ_id·λ(|F(a) - a| +
|G(b) - b|). Each D sees fakes from its own history pool of 50. Adam(2e-4,
β1 = 0.5). Data are (a, b) batches from the two domains, drawn independently.
The `paper` recipe adds batch 1 and the paper's schedule: 100 epochs at the
rate, then 100 decaying it linearly to 0.

Remaining differences from the paper (and junyanz/pytorch-CycleGAN-and-pix2pix):
- D's objective is not halved (the paper divides it by 2); under Adam a
  constant factor leaves the steps unchanged but for ε.
- the linear decay is per step and reaches 0 at the last step; the code
  lowers the rate once per epoch, to lr/101 in the last one.
- networks are sized for 28x28 images: `base_filters` 16 and `blocks` 3
  (the paper's ResNet has 64 filters and 6 or 9 blocks) and a 16 px PatchGAN
  by default (`d_downsamplings=3` gives the paper's 70 px).
"""

import keras
import tensorflow as tf
from keras import ops

from tfgan_zoo.engine.noise import stateless_uniform_open
from tfgan_zoo.engine.validation import DataValidationError, validate_training_data
from tfgan_zoo.families.translators.base import Translator
from tfgan_zoo.families.translators.networks import ImagePool, patch_discriminator, resnet_generator
from tfgan_zoo.families.translators.serving import translate_function
from tfgan_zoo.registry import register_model


@register_model("cyclegan", kind="translator")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class CycleGAN(Translator):
    """Args:
    image_shape: shape of one domain's images (sides divisible by 4).
    base_filters, blocks: ResNet generator width and residual blocks.
    d_base_filters, d_downsamplings: PatchGAN width and stride-2 layers.
    cycle_weight: λ. identity_weight: λ_id (0, the default, turns the
      identity loss off; the paper adds 0.5 for photo <-> painting, where
      colours must be kept; on sneaker <-> boot it held the translation back:
      46 % of G(a) classed as boots after 300 steps, against 88 % without).
    pool_size: images each D's history pool keeps (0: D sees only the newest fakes).
    seed: seed of the training noise (the pools' draws).
    """

    description = "Two ResNet G, two PatchGAN D, LSGAN + cycle (+ identity) loss (Zhu et al. 2017)"
    conditional = True  # trains on (a, b) pairs of the two domains
    default_dataset = "sneaker2boot"  # two unpaired domains
    # F before G: the order of 0.1.0's packed generator, so that the optimizer
    # slots of its checkpoints land on the same networks.
    generator_networks = ("g_ba", "g_ab")
    discriminator_networks = ("d_a", "d_b")

    def __init__(
        self,
        image_shape=(28, 28, 1),
        base_filters=16,
        blocks=3,
        d_base_filters=32,
        d_downsamplings=1,
        cycle_weight=10.0,
        identity_weight=0.0,
        pool_size=50,
        seed=None,
        **kwargs,
    ):
        image_shape = tuple(image_shape)
        self.base_filters, self.blocks = int(base_filters), int(blocks)
        self.d_base_filters, self.d_downsamplings = int(d_base_filters), int(d_downsamplings)
        self.cycle_weight, self.identity_weight = float(cycle_weight), float(identity_weight)
        self.pool_size = int(pool_size)
        self.g_ab, self.g_ba = (
            resnet_generator(image_shape, self.base_filters, self.blocks, name=name)
            for name in ("g_ab", "g_ba")
        )
        self.d_a, self.d_b = (
            patch_discriminator(
                image_shape,
                self.d_base_filters,
                self.d_downsamplings,
                conditional=False,
                norm="instance",
                name=name,
            )
            for name in ("d_a", "d_b")
        )
        # The engine's pair is G and its judge D_B: the A -> B direction.
        super().__init__(self.g_ab, self.d_b, image_shape=image_shape, seed=seed, **kwargs)
        # One history per D, of its own domain's fakes. (Their attribute names
        # sort before "layers", so a .keras file keeps them under these names.)
        self.history_a = ImagePool(self.pool_size, name="history_a")  # F(b), for D_A
        self.history_b = ImagePool(self.pool_size, name="history_b")  # G(a), for D_B
        for pool in (self.history_a, self.history_b):
            pool.build((None, *self.image_shape))
        self.cycle_tracker = keras.metrics.Mean(name="cycle")
        self.identity_tracker = keras.metrics.Mean(name="identity")

    # Our least-squares G loss is 1/2 MSE averaged over both domains; x4 gives
    # the paper's sum of the two domains' MSEs, against which λ = 10 is set.
    adversarial_weight = 4.0

    @classmethod
    def default_compile_args(cls):
        return dict(super().default_compile_args(), loss="least_squares")

    def compile(self, *args, ema_decay=None, **kwargs):
        if ema_decay not in (None, "none"):
            raise ValueError(
                "CycleGAN keeps no moving average of its generators "
                "(the engine's averages one network)."
            )
        super().compile(*args, ema_decay=ema_decay, **kwargs)

    @property
    def metrics(self):
        return super().metrics + [self.cycle_tracker, self.identity_tracker]

    # ------------------------------------------------------------- networks
    def _translator(self, direction):
        if direction not in ("ab", "ba"):
            raise ValueError(f"direction must be 'ab' (G) or 'ba' (F), got {direction!r}.")
        return self.g_ab if direction == "ab" else self.g_ba

    def generate(self, z=None, labels=None, training=False, direction="ab"):
        """G(labels) (or F with direction="ba"): the source images are the
        condition; CycleGAN's generators take no z."""
        return self._translator(direction)(labels, training=training)

    def discriminate(self, x, labels="b", training=False):
        """D_A on domain-A images (`labels="a"`) or D_B on domain-B ones ("b"):
        the domain is what conditions which D judges."""
        return (self.d_a if labels == "a" else self.d_b)(x, training=training)

    def translate_batch(self, images, direction="ab", training=False):
        return self._translator(direction)(images, training=training)

    def translate_ab(self, images, batch_size=256):
        """G(a) for uint8 or [-1, 1] domain-A images, as [-1, 1] float32 numpy."""
        return self.translate(images, batch_size=batch_size, direction="ab")

    def translate_ba(self, images, batch_size=256):
        """F(b) for domain-B images."""
        return self.translate(images, batch_size=batch_size, direction="ba")

    def serving_endpoints(self):
        """`translate` (A -> B, G) and `translate_ba` (B -> A, F), uint8 to uint8."""
        return {
            "translate": translate_function(self.g_ab, self.image_shape),
            "translate_ba": translate_function(self.g_ba, self.image_shape),
        }

    def serving_trackables(self):
        return [self.g_ab, self.g_ba]

    # ------------------------------------------------------------ training
    def _unpack(self, data):
        # (a, b): the engine's train_step slices b alongside a, as it does labels.
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise DataValidationError("CycleGAN trains on (a, b) batches of the two domains.")
        return data[0], data[1]

    def pooled_fakes(self, a, b):
        """(F(b), G(a)) for a D step, each through its D's history pool."""
        fake_a, fake_b = self.g_ba(b, training=True), self.g_ab(a, training=True)
        # Row 0 of each draw is pool A's, row 1 pool B's.
        counter = self.d_optimizer.iterations
        uniform = self.replica_noise(
            stateless_uniform_open, tf.stack([2, tf.shape(a)[0]]), "pool_uniform", counter
        )
        slot_keys = self.replica_noise(
            stateless_uniform_open, [2, max(self.pool_size, 1)], "pool_index", counter
        )
        return (
            self.history_a.query(fake_a, uniform[0], slot_keys[0]),
            self.history_b.query(fake_b, uniform[1], slot_keys[1]),
        )

    def _judge_both(self, images_a, images_b):
        """D_A's and D_B's patch scores, stacked on the batch axis: the engine's
        loss of the stack is the mean of the two domains' losses."""
        return tf.concat([self.d_a(images_a, training=True), self.d_b(images_b, training=True)], 0)

    def _augmented(self, images_a, images_b, counter, name):
        sizes = [tf.shape(images_a)[0], tf.shape(images_b)[0]]
        both = self.augment_for_discriminator(tf.concat([images_a, images_b], 0), counter, name)
        return tf.split(both, sizes)

    def discriminator_step(self, a, b):
        """D_A on a against F(b), D_B on b against G(a), in one update."""
        fake_a, fake_b = self.pooled_fakes(a, b)  # outside the tape: no gradient to G, F
        counter = self.d_optimizer.iterations
        a, b = self._augmented(a, b, counter, "d_augment_real")
        fake_a, fake_b = self._augmented(fake_a, fake_b, counter, "d_augment_fake")
        variables = self.discriminator_variables()
        with tf.GradientTape() as tape:
            real_out, fake_out = self._judge_both(a, b), self._judge_both(fake_a, fake_b)
            loss = self.discriminator_loss(None, None, None, real_out, fake_out)
            total = loss + self.network_losses(self.discriminator_networks)
            penalty = None
            if self.penalty_fn is not None:
                # The two penalties draw the same interpolation noise; they act on
                # different networks, so nothing is shared but the numbers.
                penalty = 0.5 * (
                    self.discriminator_penalty(a, fake_a, "a")
                    + self.discriminator_penalty(b, fake_b, "b")
                )
                total += self.penalty_weight * penalty
            scaled = self.replica_scaled(self.d_optimizer, total)
        self.apply_discriminator_update(
            tape.gradient(scaled, variables), variables, loss, penalty, real_out, fake_out
        )

    def generator_step(self, a, b):
        """G against D_B and F against D_A, plus the cycle (and identity) loss."""
        variables = self.generator_variables()
        with tf.GradientTape() as tape:
            fake_a, fake_b = self.g_ba(b, training=True), self.g_ab(a, training=True)
            seen_a, seen_b = self._augmented(
                fake_a, fake_b, self.g_optimizer.iterations, "g_augment"
            )
            loss = self.adversarial_loss.generator(self._judge_both(seen_a, seen_b))
            cycle = ops.mean(ops.abs(self.g_ba(fake_b, training=True) - a)) + ops.mean(
                ops.abs(self.g_ab(fake_a, training=True) - b)
            )
            total = (
                self.adversarial_weight * loss
                + self.cycle_weight * cycle
                + self.network_losses(self.generator_networks)
            )
            if self.identity_weight:
                identity = ops.mean(ops.abs(self.g_ba(a, training=True) - a)) + ops.mean(
                    ops.abs(self.g_ab(b, training=True) - b)
                )
                self.identity_tracker.update_state(identity)
                total += self.identity_weight * self.cycle_weight * identity
            scaled = self.replica_scaled(self.g_optimizer, total)
        self.g_optimizer.apply(tape.gradient(scaled, variables), variables)
        self.g_loss_tracker.update_state(loss)
        self.cycle_tracker.update_state(cycle)

    def validate_data(self, x, y=None):
        if not isinstance(x, tf.data.Dataset):
            return
        spec = x.element_spec
        if not isinstance(spec, (tuple, list)) or len(spec) != 2:
            raise DataValidationError(f"CycleGAN needs (a, b) batches; found {spec}.")
        for index, name in enumerate("ab"):
            if tuple(spec[index].shape[1:]) != self.image_shape:
                raise DataValidationError(
                    f"domain {name} images must have shape {self.image_shape}; found "
                    f"{tuple(spec[index].shape[1:])}."
                )
            try:
                validate_training_data(self, x.map(lambda *pair, i=index: pair[i]))
            except DataValidationError as error:
                raise DataValidationError(f"domain {name} images: {error}") from None

    # ------------------------------------------------------------- loading
    def load_own_variables(self, store):
        super().load_own_variables(store)
        # 0.1.0 kept one pool of (F(b), G(a)) pairs, channels stacked, under
        # layers/image_pool: split it into the two histories.
        legacy = store.get("layers/image_pool") if hasattr(store, "get") else None
        if legacy is not None and len(legacy.keys()) == 2:
            images, count = legacy["0"], legacy["1"]
            channels = self.image_shape[-1]
            if images.shape[-1] == 2 * channels:
                for pool, half in (
                    (self.history_a, images[..., :channels]),
                    (self.history_b, images[..., channels:]),
                ):
                    pool.images.assign(half)
                    pool.count.assign(count)
