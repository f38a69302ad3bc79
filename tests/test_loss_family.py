"""WGAN, WGAN-GP, LSGAN and DRAGAN: paper defaults, n_critic, clipping, learning."""

import keras
import numpy as np
import pytest
from helpers.learning import learning_seed, record, seed_everything

from tfgan_zoo.data import points_dataset, sample_mixture
from tfgan_zoo.engine import GAN
from tfgan_zoo.gans import DRAGAN, LSGAN, WGAN, WGANGP, StandardGAN


def points_data(batch, n=4096, seed=0):
    points, _ = sample_mixture("ring", n, seed=seed)
    return points_dataset(points, batch_size=batch, seed=seed)


def test_paper_defaults():
    wgan = WGAN(data_shape=(2,), latent_dim=2, hidden=(8, 8, 8), seed=0)
    wgan.compile()
    assert (wgan.adversarial_loss.name, wgan.d_steps, wgan.clip_value) == ("wasserstein", 5, 0.01)
    assert isinstance(wgan.d_optimizer, keras.optimizers.RMSprop)
    assert float(wgan.d_optimizer.learning_rate) == pytest.approx(5e-5)
    # rho = PyTorch's alpha 0.99 (the authors' code), not Keras' default 0.9: after one
    # step from zero the squared-gradient average is (1 - rho) g².
    assert float(wgan.g_optimizer.rho) == float(wgan.d_optimizer.rho) == 0.99
    copy = keras.optimizers.RMSprop.from_config(wgan.d_optimizer.get_config())
    variable = keras.Variable([0.0])
    copy.apply([keras.ops.convert_to_tensor([2.0])], [variable])
    assert float(copy.variables[-1].numpy()[0]) == pytest.approx((1 - 0.99) * 4.0)
    gp = WGANGP(data_shape=(2,), latent_dim=2, hidden=(8, 8, 8), seed=0)
    gp.compile()
    assert (gp.penalty, gp.penalty_weight, gp.d_steps) == ("gradient_penalty", 10.0, 5)
    assert (float(gp.d_optimizer.beta_1), float(gp.d_optimizer.beta_2)) == (0.0, 0.9)
    assert float(gp.g_optimizer.learning_rate) == pytest.approx(1e-4)
    lsgan = LSGAN(data_shape=(2,), latent_dim=2, hidden=(8, 8, 8), seed=0)
    lsgan.compile()
    assert lsgan.adversarial_loss.name == "least_squares" and lsgan.penalty is None
    dragan = DRAGAN(data_shape=(2,), latent_dim=2, hidden=(8, 8, 8), seed=0)
    dragan.compile()
    assert (dragan.adversarial_loss.name, dragan.penalty) == ("non_saturating", "dragan")


@pytest.mark.slow
@pytest.mark.parametrize("cls", [WGAN, WGANGP])
def test_n_critic_is_honoured(cls):
    model = cls(data_shape=(2,), latent_dim=2, hidden=(8, 8, 8), seed=0)
    model.compile()
    model.fit(points_data(batch=5 * 32, n=5 * 32 * 4), epochs=1, verbose=0)
    assert int(model.g_optimizer.iterations) == 4
    assert int(model.d_optimizer.iterations) == 20


def test_weight_clipping_keeps_every_critic_weight_in_range():
    model = WGAN(data_shape=(2,), latent_dim=2, hidden=(16, 16, 16), seed=0)
    # A large learning rate pushes weights past the bound at every step.
    model.compile(d_optimizer=keras.optimizers.RMSprop(0.05), clip_value=0.01)
    model.fit(points_data(batch=5 * 32, n=5 * 32 * 3), epochs=1, verbose=0)
    values = np.concatenate([v.numpy().ravel() for v in model.discriminator.trainable_variables])
    assert np.abs(values).max() <= 0.01 + 1e-7
    assert np.mean(np.isclose(np.abs(values), 0.01)) > 0.3  # the clip was active (48 % here)
    g_values = np.concatenate([v.numpy().ravel() for v in model.generator.trainable_variables])
    assert np.abs(g_values).max() > 0.1  # the generator is not clipped


def test_image_critics_for_gradient_penalties_have_no_batch_norm():
    for cls, norm in (
        (WGANGP, "LayerNormalization"),
        (DRAGAN, "LayerNormalization"),
        (StandardGAN, "BatchNormalization"),
    ):
        model = cls(data_shape=(8, 8, 1), latent_dim=4, base_filters=4, seed=0)
        kinds = {type(layer).__name__ for layer in model.discriminator.layers}
        assert norm in kinds
        if norm != "BatchNormalization":
            assert "BatchNormalization" not in kinds


@pytest.mark.slow
def test_penalty_settings_survive_a_keras_round_trip(tmp_path):
    model = WGANGP(data_shape=(2,), latent_dim=2, hidden=(8, 8, 8), seed=0)
    model.compile(penalty_weight=7.5)
    model.fit(points_data(batch=5 * 32, n=5 * 32 * 2), epochs=1, verbose=0)
    model.save(tmp_path / "gp.keras")
    loaded = keras.models.load_model(tmp_path / "gp.keras")
    assert type(loaded) is WGANGP
    assert (loaded.penalty, loaded.penalty_weight, loaded.d_steps) == ("gradient_penalty", 7.5, 5)
    assert int(loaded.d_optimizer.iterations) == 10
    history = loaded.fit(points_data(batch=5 * 32, n=5 * 32), epochs=1, verbose=0).history
    assert "penalty" in history and history["penalty"][0] >= 0.0


def identity_generator():
    z = keras.Input((1,))
    return keras.Model(z, keras.layers.Identity()(z), name="generator")


def linear_critic():
    x = keras.Input((1,))
    critic = keras.Model(x, keras.layers.Dense(1, kernel_initializer="zeros")(x))
    return critic


@pytest.mark.slow
@pytest.mark.parametrize(
    "compile_args,expected_slope",
    [
        # min_w  -shift * w + lambda (|w| - 1)^2  ->  w* = 1 + shift / (2 lambda) = 1.1
        (dict(penalty="gradient_penalty", penalty_weight=10.0), 1.1),
        # clipping stops the slope at c
        (dict(clip_value=0.3), 0.3),
    ],
)
def test_wasserstein_critic_reaches_its_closed_form_optimum(compile_args, expected_slope):
    """G is the identity on z ~ N(0, 1) and the data is N(2, 1), so a linear critic
    D(x) = w x + b has Wasserstein loss -2 w; its regulariser fixes the optimum."""
    critic = linear_critic()
    model = GAN(identity_generator(), critic, data_range=None, seed=0)
    model.compile(d_optimizer=keras.optimizers.SGD(0.02), loss="wasserstein", **compile_args)
    data = np.random.default_rng(0).normal(2.0, 1.0, (100_000, 1)).astype("float32")
    history = model.fit(
        points_dataset(data, batch_size=1024, seed=0, repeat=True),
        steps_per_epoch=400,
        epochs=1,
        verbose=0,
    ).history
    slope = float(critic.layers[1].kernel.numpy()[0, 0])
    assert slope == pytest.approx(expected_slope, abs=0.01)
    # The critic's score gap E[D(x)] - E[D(G(z))] = w * 2 estimates the scaled W1.
    assert history["d_real"][-1] - history["d_fake"][-1] == pytest.approx(2 * slope, rel=0.2)


@pytest.mark.slow
@pytest.mark.learning
@pytest.mark.parametrize("cls", [WGAN, WGANGP, LSGAN, DRAGAN])
def test_variant_moves_samples_onto_the_data(cls):
    """Every objective pulls G from near the origin onto a 2-D Gaussian at (3, -2)
    with std 0.5, in 1,000 generator steps.

    Seeds 0-2, distance of the sample mean from (3, -2): 3.6-3.7 untrained;
    trained WGAN 0.13-0.28, WGAN-GP 0.48-0.72, LSGAN 0.25-0.76, DRAGAN
    0.01-0.14 (Wasserstein critics and LSGAN with Adam oscillate round the
    target). Per-axis std 0.24-0.76 over all four on an Intel Xeon. On an AMD
    EPYC (seeds 1, 2): distances 0.03-0.61; std 0.37-0.80 for WGAN, WGAN-GP and
    LSGAN, but DRAGAN narrows, to 0.17-0.41 at seed 1 and 0.10-0.12 at seed 2.
    Asserted: untrained > 3, trained < 1.2; std < 1.2 and > 0.15 (DRAGAN: > 0.05,
    not collapsed to a point).
    """
    seed = seed_everything()
    target = np.array([3.0, -2.0])
    model = cls(data_shape=(2,), latent_dim=2, hidden=(64, 64, 64), seed=seed)
    model.compile(
        g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
    )
    before = model.sample(2000, seed=learning_seed(1))
    data = np.random.default_rng(seed).normal(target, 0.5, (100_000, 2)).astype("float32")
    dataset = points_dataset(data, batch_size=128 * model.d_steps, seed=seed, repeat=True)
    model.fit(dataset, steps_per_epoch=1000, epochs=1, verbose=0)
    after = model.sample(2000, seed=learning_seed(1))
    least_std = 0.05 if cls is DRAGAN else 0.15
    record(
        distance_before=np.linalg.norm(before.mean(axis=0) - target),
        distance=np.linalg.norm(after.mean(axis=0) - target),
        std_min=after.std(axis=0).min(),
        std_max=after.std(axis=0).max(),
        thresholds=dict(
            distance_before="> 3.0", distance="< 1.2", std_min=f"> {least_std}", std_max="< 1.2"
        ),
    )
    assert np.linalg.norm(before.mean(axis=0) - target) > 3.0
    assert np.linalg.norm(after.mean(axis=0) - target) < 1.2
    assert np.all((after.std(axis=0) > least_std) & (after.std(axis=0) < 1.2))
