"""The model, data and objectives shared by the tf.distribute tests.

A step under a strategy must equal one step on a single device over the same
global batch. `TwoReplicaNoiseGAN` is the single-device reference: it draws,
on one device, the noise replicas 0 and 1 would draw, stacked in replica order
(which is also how the global batch is split between them).
"""

import functools

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo.gans import ConditionalGAN, VanillaGAN

REPLICAS = 2
GLOBAL_BATCH = 32


@functools.cache
def two_cpu_strategy():
    """The one MirroredStrategy over the 2 logical CPUs (conftest) in a test process.
    Collective instance keys are per strategy: a second strategy in the same process
    reuses them, and its all-reduces then meet another's ("Shape mismatch in the
    collective instance 100" when the talking-head test followed test_distribute)."""
    return tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])


# Every loss and penalty: hand-written means must be scaled by the replica count.
OBJECTIVES = {
    "non_saturating+smoothing": dict(loss="non_saturating", label_smoothing=0.1),
    "minimax": dict(loss="minimax"),
    "wasserstein+gradient_penalty": dict(loss="wasserstein", penalty="gradient_penalty"),
    "wasserstein+clipping": dict(loss="wasserstein", clip_value=0.05),
    "hinge+r1": dict(loss="hinge", penalty="r1", penalty_weight=5.0),
    "least_squares+dragan": dict(loss="least_squares", penalty="dragan"),
}


class TwoReplicaNoise:
    """Mixin: on one device, draws the noise the two replicas would draw, stacked
    in replica order."""

    def replica_noise(self, sampler, shape, name, counter, index=0):
        if isinstance(shape, int) or tf.is_tensor(shape) and shape.shape.rank == 0:
            part = shape // REPLICAS  # a batch size
        else:
            part = tf.concat([shape[:1] // REPLICAS, shape[1:]], axis=0)
        return tf.concat(
            [sampler(part, self.draw_seed(name, counter, r, index)) for r in range(REPLICAS)],
            axis=0,
        )


class TwoReplicaNoiseGAN(TwoReplicaNoise, VanillaGAN):
    pass


def build(objective, cls=VanillaGAN, **compile_args):
    keras.utils.set_random_seed(0)
    model = cls(data_shape=(2,), latent_dim=4, hidden=(16, 16), seed=11)
    # SGD keeps the comparison linear in the gradients (no Adam sign amplification).
    model.compile(
        g_optimizer=keras.optimizers.SGD(0.1),
        d_optimizer=keras.optimizers.SGD(0.1),
        **OBJECTIVES[objective],
        **compile_args,
    )
    return model


def step_data(steps=3):
    data = np.random.default_rng(0).normal(size=(steps * GLOBAL_BATCH, 2)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(data).batch(GLOBAL_BATCH)


def weights(model):
    return [v.numpy() for v in model.generator.weights + model.discriminator.weights]


class TwoReplicaNoiseConditionalGAN(TwoReplicaNoise, ConditionalGAN):
    pass


def build_conditional(cls=ConditionalGAN, **compile_args):
    """A conditional model: its batches are (points, labels) tuples."""
    keras.utils.set_random_seed(0)
    model = cls(data_shape=(2,), num_classes=4, latent_dim=4, hidden=(16, 16, 16), seed=12)
    model.compile(
        g_optimizer=keras.optimizers.SGD(0.1),
        d_optimizer=keras.optimizers.SGD(0.1),
        **compile_args,
    )
    return model


def conditional_step_data(steps=3):
    rng = np.random.default_rng(1)
    points = rng.normal(size=(steps * GLOBAL_BATCH, 2)).astype("float32")
    labels = rng.integers(0, 4, steps * GLOBAL_BATCH).astype("int32")
    return tf.data.Dataset.from_tensor_slices((points, labels)).batch(GLOBAL_BATCH)
