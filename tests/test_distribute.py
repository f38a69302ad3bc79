"""Under MirroredStrategy (2 logical CPUs, see conftest) a step equals the 1-device step."""
import numpy as np
import pytest
import tensorflow as tf
import keras

from tfgan_zoo.gans import VanillaGAN

REPLICAS = 2
# One strategy for the whole module: collective instance keys are per strategy,
# and several strategies issuing collectives in one process can mismatch them.
STRATEGY = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])


class TwoReplicaNoiseGAN(VanillaGAN):
    """On one device, draws the noise the two replicas would draw, stacked in replica order."""

    def replica_noise(self, sampler, shape, stream, counter):
        if isinstance(shape, int) or tf.is_tensor(shape) and shape.shape.rank == 0:
            part = shape // REPLICAS  # a batch size
        else:
            part = tf.concat([shape[:1] // REPLICAS, shape[1:]], axis=0)
        return tf.concat([sampler(part, self.noise_seed_for(stream, counter, r))
                          for r in range(REPLICAS)], axis=0)


# Every loss and penalty: hand-written means must be scaled by the replica count.
OBJECTIVES = {
    "non_saturating+smoothing": dict(loss="non_saturating", label_smoothing=0.1),
    "minimax": dict(loss="minimax"),
    "wasserstein+gradient_penalty": dict(loss="wasserstein", penalty="gradient_penalty"),
    "wasserstein+clipping": dict(loss="wasserstein", clip_value=0.05),
    "hinge+r1": dict(loss="hinge", penalty="r1", penalty_weight=5.0),
    "least_squares+dragan": dict(loss="least_squares", penalty="dragan"),
}


def build(cls, objective="non_saturating+smoothing"):
    keras.utils.set_random_seed(0)
    model = cls(data_shape=(2,), latent_dim=4, hidden=(16, 16), seed=11)
    # SGD keeps the comparison linear in the gradients (no Adam sign amplification).
    model.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1),
                  **OBJECTIVES[objective])
    return model


def weights(model):
    return [v.numpy() for v in model.generator.weights + model.discriminator.weights]


@pytest.mark.parametrize("objective", sorted(OBJECTIVES))
def test_mirrored_step_matches_single_device_step(objective):
    data = np.random.default_rng(0).normal(size=(3 * 32, 2)).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices(data).batch(32)  # global batch 32

    reference = build(TwoReplicaNoiseGAN, objective)
    reference.fit(dataset, epochs=1, verbose=0)

    with STRATEGY.scope():
        mirrored = build(VanillaGAN, objective)
    assert mirrored.distribute_strategy.num_replicas_in_sync == REPLICAS
    history = mirrored.fit(dataset, epochs=1, verbose=0).history

    start = build(VanillaGAN, objective)
    moved = max(np.abs(a - b).max() for a, b in zip(weights(reference), weights(start)))
    diff = max(np.abs(a - b).max() for a, b in zip(weights(reference), weights(mirrored)))
    assert moved > 1e-3  # the 3 steps changed the weights...
    assert diff < 1e-5   # ...identically with and without the strategy
    assert mirrored.d_optimizer.iterations.numpy() == 3
    assert mirrored.g_optimizer.iterations.numpy() == 3
    assert np.isfinite(history["d_loss"][0])


def test_replicas_draw_different_noise():
    strategy = STRATEGY
    with strategy.scope():
        model = build(VanillaGAN)

    @tf.function
    def draw():
        return strategy.run(lambda: model.latent_noise(8, 1, model.d_optimizer.iterations))

    per_replica = [t.numpy() for t in strategy.experimental_local_results(draw())]
    assert len(per_replica) == REPLICAS
    assert np.abs(per_replica[0] - per_replica[1]).min() > 0.0
    assert np.abs(per_replica[0] - per_replica[1]).mean() > 0.5  # independent N(0,1): ~1.13
