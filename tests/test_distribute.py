"""Under MirroredStrategy (2 logical CPUs, see conftest) a step equals the 1-device step.

The one-device reference runs eagerly (`run_eagerly=True`): the same ops as the
traced step, without tracing a second train step per test (a third of these
tests' time). The traced one-device step is what every other training test runs.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf
from helpers.distributed_setup import (
    OBJECTIVES,
    REPLICAS,
    TwoReplicaNoise,
    TwoReplicaNoiseGAN,
    build,
    step_data,
    two_cpu_strategy,
    weights,
)

from tfgan_zoo.registry import get_model, model_names

STRATEGY = two_cpu_strategy()


@pytest.mark.parametrize("objective", sorted(OBJECTIVES))
def test_mirrored_step_matches_single_device_step(objective):
    reference = build(objective, TwoReplicaNoiseGAN, run_eagerly=True)
    start = weights(reference)
    reference.fit(step_data(), epochs=1, verbose=0)

    with STRATEGY.scope():
        mirrored = build(objective)
    assert mirrored.distribute_strategy.num_replicas_in_sync == REPLICAS
    history = mirrored.fit(step_data(), epochs=1, verbose=0).history

    moved = max(np.abs(a - b).max() for a, b in zip(weights(reference), start))
    diff = max(np.abs(a - b).max() for a, b in zip(weights(reference), weights(mirrored)))
    assert moved > 1e-3  # the 3 steps changed the weights...
    assert diff < 1e-5  # ...identically with and without the strategy
    assert mirrored.d_optimizer.iterations.numpy() == 3
    assert mirrored.g_optimizer.iterations.numpy() == 3
    assert np.isfinite(history["d_loss"][0])


IMAGE_VARIANTS = sorted(set(model_names("gan")) - {"vanilla"})
STYLE = dict(w_dim=4, mapping_depth=1, filters=(4, 4), mbstd_group_size=1)


def _image_variant(name, reference, **compile_args):
    cls = get_model(name, kind="gan")
    if reference:
        cls = type(f"TwoReplicaNoise{cls.__name__}", (TwoReplicaNoise, cls), {})
    keras.utils.set_random_seed(0)
    size = {
        "dcgan": dict(latent_dim=4, base_filters=4),
        "began": dict(latent_dim=4, base_filters=4),
        "infogan": dict(noise_dim=4, categories=3, base_filters=4),
        "biggan": dict(latent_dim=6, base_filters=4, embedding_dim=4),
        # Minibatch-stddev groups of one: a replica sees only its own samples.
        "progan": dict(latent_dim=4, filters=(4, 4), mbstd_group_size=1),
        "stylegan": dict(latent_dim=4, **STYLE),
        "info_stylegan": dict(noise_dim=4, categories=3, **STYLE),
        "semi_stylegan": dict(noise_dim=4, categories=3, **STYLE),
    }
    model = cls.for_data(
        (8, 8, 1),
        3 if cls.conditional else None,
        seed=5,
        **size.get(name, dict(latent_dim=4, base_filters=4)),
    )
    args = model.default_compile_args()
    args.update(g_optimizer=keras.optimizers.SGD(0.01), d_optimizer=keras.optimizers.SGD(0.01))
    model.compile(**args, **compile_args)
    return model


def _replica_slice_order(batch, d_steps):
    half = batch // REPLICAS
    part = half // d_steps
    return np.concatenate(
        [
            np.arange(r * half + i * part, r * half + (i + 1) * part)
            for i in range(d_steps)
            for r in range(REPLICAS)
        ]
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", IMAGE_VARIANTS)
def test_every_image_variant_fits_identically_under_mirrored(name):
    """Each variant's own networks (synchronized batch norm) and objective."""
    rng = np.random.default_rng(1)
    reference = _image_variant(name, reference=True, run_eagerly=True)
    start = weights(reference)
    batch = 4 * reference.d_steps * REPLICAS
    images = rng.uniform(-1, 1, (2 * batch, 8, 8, 1)).astype("float32")
    conditional = reference.conditional
    data = images if not conditional else (images, rng.integers(0, 3, 2 * batch))
    dataset = tf.data.Dataset.from_tensor_slices(data).batch(batch)
    # Each replica splits its half of the global batch into d_steps slices, so
    # D step i sees slice i of every replica: the one-device run gets its rows in
    # that order (the same rows, grouped as the replicas group them).
    order = _replica_slice_order(batch, reference.d_steps)
    ref_data = tuple(
        np.concatenate([a[b : b + batch][order] for b in range(0, 2 * batch, batch)])
        for a in (data if conditional else (data,))
    )
    ref_dataset = tf.data.Dataset.from_tensor_slices(
        ref_data if conditional else ref_data[0]
    ).batch(batch)

    reference.fit(ref_dataset, epochs=1, verbose=0)
    with STRATEGY.scope():
        mirrored = _image_variant(name, reference=False)
    mirrored.fit(dataset, epochs=1, verbose=0)
    diff = max(np.abs(a - b).max() for a, b in zip(weights(reference), weights(mirrored)))
    moved = max(np.abs(a - b).max() for a, b in zip(weights(reference), start))
    assert moved > 1e-4
    assert diff < 2e-5, name


def _progan_with_adam(reference):
    model = _image_variant("progan", reference)
    model.images_per_phase = 6  # 8 images a step: levels 0, 1/3 (restart), 1 (restart)
    adam = dict(learning_rate=1e-2, beta_1=0.5, beta_2=0.99)
    model.compile(
        g_optimizer=keras.optimizers.Adam(**adam),
        d_optimizer=keras.optimizers.Adam(**adam),
        run_eagerly=reference,
    )
    return model


@pytest.mark.slow
def test_progan_restarts_adam_identically_under_mirrored():
    """ProGAN's Adam restarts at level changes decide and apply per replica
    alike: three steps crossing two restarts match the one-device run."""
    rng = np.random.default_rng(2)
    batch = 4 * REPLICAS
    images = rng.uniform(-1, 1, (3 * batch, 8, 8, 1)).astype("float32")
    order = _replica_slice_order(batch, 1)
    ref_images = np.concatenate([images[b : b + batch][order] for b in range(0, 3 * batch, batch)])
    reference = _progan_with_adam(reference=True)
    reference.fit(tf.data.Dataset.from_tensor_slices(ref_images).batch(batch), epochs=1, verbose=0)
    with STRATEGY.scope():
        mirrored = _progan_with_adam(reference=False)
    mirrored.fit(tf.data.Dataset.from_tensor_slices(images).batch(batch), epochs=1, verbose=0)
    for model in (reference, mirrored):
        assert model.level == 1.0
        assert int(model.g_optimizer.moments_start.numpy()) == 2
        assert int(model.d_optimizer.moments_start.numpy()) == 2
    diff = max(np.abs(a - b).max() for a, b in zip(weights(reference), weights(mirrored)))
    assert diff < 2e-5
    for name in ("g_optimizer", "d_optimizer"):
        for a, b in zip(getattr(reference, name).variables, getattr(mirrored, name).variables):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-6)


def test_replicas_draw_different_noise():
    strategy = STRATEGY
    with strategy.scope():
        model = build("minimax")

    @tf.function
    def draw():
        return strategy.run(lambda: model.latent_noise(8, "d", model.d_optimizer.iterations))

    per_replica = [t.numpy() for t in strategy.experimental_local_results(draw())]
    assert len(per_replica) == REPLICAS
    assert np.abs(per_replica[0] - per_replica[1]).min() > 0.0
    assert np.abs(per_replica[0] - per_replica[1]).mean() > 0.5  # independent N(0,1): ~1.13


def test_steps_per_execution_falls_back_to_one_under_mirrored():
    # Keras 3.15 fails on several steps per call under a multi-replica
    # strategy (keras-team/keras#19246); the engine warns and runs one.
    with STRATEGY.scope():
        with pytest.warns(UserWarning, match="steps_per_execution=4 fails"):
            mirrored = build("minimax", steps_per_execution=4)
    assert mirrored.steps_per_execution == 1
    mirrored.fit(step_data(), epochs=1, verbose=0)
    reference = build("minimax", TwoReplicaNoiseGAN, run_eagerly=True)
    reference.fit(step_data(), epochs=1, verbose=0)
    diff = max(np.abs(a - b).max() for a, b in zip(weights(reference), weights(mirrored)))
    assert diff < 1e-5


def test_auto_jit_compile_is_off_under_a_strategy():
    from tfgan_zoo.gans import WGANGP

    with STRATEGY.scope():
        model = WGANGP.for_data((8, 8, 1), latent_dim=4, base_filters=4)
        model.compile()
    assert model.jit_compile is False  # XLA on 1 CPU image WGAN-GP, but not mirrored


@pytest.mark.slow
@pytest.mark.parametrize("name", ["pix2pix", "cyclegan", "bicyclegan"])
def test_translators_fit_under_mirrored(name):
    """They run and update under the strategy. One-device equality is not
    claimed: dropout masks (pix2pix) and the image pool (CycleGAN) are per replica."""
    rng = np.random.default_rng(0)
    pairs = tuple(rng.uniform(-1, 1, (32, 28, 28, 1)).astype("float32") for _ in range(2))
    small = {"cyclegan": dict(base_filters=4, blocks=1, d_base_filters=8)}.get(
        name, dict(base_filters=8)
    )
    with STRATEGY.scope():
        model = get_model(name, kind="translator")(seed=0, **small)
        model.compile()
    before = [w.numpy().copy() for w in model.generator.trainable_weights]
    history = model.fit(
        tf.data.Dataset.from_tensor_slices(pairs).batch(16), epochs=1, verbose=0
    ).history
    assert all(np.isfinite(v[-1]) for v in history.values())
    assert model.g_optimizer.iterations.numpy() == 2
    moved = max(
        np.abs(a - w.numpy()).max() for a, w in zip(before, model.generator.trainable_weights)
    )
    assert moved > 1e-5
