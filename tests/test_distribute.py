"""Under MirroredStrategy (2 logical CPUs, see conftest) a step equals the 1-device step."""
import numpy as np
import tensorflow as tf
import keras

from tfgan_zoo.gans import VanillaGAN

REPLICAS = 2


class TwoReplicaNoiseGAN(VanillaGAN):
    """On one device, draws the noise the two replicas would draw, stacked in replica order."""

    def latent_noise(self, batch_size, stream, counter):
        half = batch_size // REPLICAS
        return tf.concat([self.sample_latent(half, self.noise_seed_for(stream, counter, r))
                          for r in range(REPLICAS)], axis=0)


def build(cls, d_steps=1):
    keras.utils.set_random_seed(0)
    model = cls(data_shape=(2,), latent_dim=4, hidden=(16, 16), seed=11)
    # SGD keeps the comparison linear in the gradients (no Adam sign amplification).
    model.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1),
                  d_steps=d_steps, label_smoothing=0.1)
    return model


def weights(model):
    return [v.numpy() for v in model.generator.weights + model.discriminator.weights]


def test_mirrored_step_matches_single_device_step():
    data = np.random.default_rng(0).normal(size=(3 * 32, 2)).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices(data).batch(32)  # global batch 32

    reference = build(TwoReplicaNoiseGAN)
    reference.fit(dataset, epochs=1, verbose=0)

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        mirrored = build(VanillaGAN)
    assert mirrored.distribute_strategy.num_replicas_in_sync == REPLICAS
    history = mirrored.fit(dataset, epochs=1, verbose=0).history

    start = build(VanillaGAN)
    moved = max(np.abs(a - b).max() for a, b in zip(weights(reference), weights(start)))
    diff = max(np.abs(a - b).max() for a, b in zip(weights(reference), weights(mirrored)))
    assert moved > 1e-3  # the 3 steps changed the weights...
    assert diff < 1e-5   # ...identically with and without the strategy
    assert mirrored.d_optimizer.iterations.numpy() == 3
    assert mirrored.g_optimizer.iterations.numpy() == 3
    assert np.isfinite(history["d_loss"][0])


def test_replicas_draw_different_noise():
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        model = build(VanillaGAN)

    @tf.function
    def draw():
        return strategy.run(lambda: model.latent_noise(8, 1, model.d_optimizer.iterations))

    per_replica = [t.numpy() for t in strategy.experimental_local_results(draw())]
    assert len(per_replica) == REPLICAS
    assert np.abs(per_replica[0] - per_replica[1]).min() > 0.0
    assert np.abs(per_replica[0] - per_replica[1]).mean() > 0.5  # independent N(0,1): ~1.13
