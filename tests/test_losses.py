"""Each adversarial loss equals its closed form on hand-set logits."""

import numpy as np
import pytest

from tfgan_zoo.engine import losses

REAL = np.array([2.0, -1.0, 0.5, 3.0], np.float32)
FAKE = np.array([-2.0, 0.3, 1.5, -0.7], np.float32)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x.astype(np.float64)))


def test_minimax_discriminator_loss_is_binary_cross_entropy():
    expected = -np.mean(np.log(sigmoid(REAL))) - np.mean(np.log(1 - sigmoid(FAKE)))
    got = float(losses.minimax_discriminator_loss(REAL, FAKE))
    assert got == pytest.approx(expected, rel=1e-6)


def test_one_sided_label_smoothing_softens_only_real_target():
    s = 0.1
    p_real, p_fake = sigmoid(REAL), sigmoid(FAKE)
    expected = -np.mean((1 - s) * np.log(p_real) + s * np.log(1 - p_real)) - np.mean(
        np.log(1 - p_fake)
    )
    got = float(losses.minimax_discriminator_loss(REAL, FAKE, label_smoothing=s))
    assert got == pytest.approx(expected, rel=1e-6)
    # The fake term is untouched: shifting smoothing changes the loss by the real term only.
    unsmoothed = float(losses.minimax_discriminator_loss(REAL, FAKE))
    assert got - unsmoothed == pytest.approx(
        s * np.mean(np.log(p_real) - np.log(1 - p_real)), rel=1e-5
    )


def test_saturating_generator_loss_is_log_one_minus_d():
    expected = np.mean(np.log(1 - sigmoid(FAKE)))
    assert float(losses.minimax_generator_loss(FAKE)) == pytest.approx(expected, rel=1e-6)


def test_non_saturating_generator_loss_is_minus_log_d():
    expected = -np.mean(np.log(sigmoid(FAKE)))
    assert float(losses.non_saturating_generator_loss(FAKE)) == pytest.approx(expected, rel=1e-6)


def test_saturating_and_non_saturating_differ_in_value_and_gradient():
    import tensorflow as tf

    # D confidently rejects the fake (logit -6): the saturating gradient vanishes.
    logits = tf.constant([-6.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(logits)
        sat = losses.minimax_generator_loss(logits)
        ns = losses.non_saturating_generator_loss(logits)
    g_sat = float(tape.gradient(sat, logits)[0])
    g_ns = float(tape.gradient(ns, logits)[0])
    assert float(sat) == pytest.approx(np.log(1 - sigmoid(np.array(-6.0))), rel=1e-6)
    assert float(ns) == pytest.approx(-np.log(sigmoid(np.array(-6.0))), rel=1e-6)
    # d/dl log(1 - s(l)) = -s(l); d/dl -log s(l) = -(1 - s(l)).
    assert g_sat == pytest.approx(-sigmoid(np.array(-6.0)), rel=1e-5)
    assert g_ns == pytest.approx(-(1 - sigmoid(np.array(-6.0))), rel=1e-5)
    assert abs(g_ns) > 100 * abs(g_sat)


def test_losses_stay_finite_for_extreme_logits():
    big = np.array([80.0, -80.0], np.float32)
    for value in (
        losses.minimax_discriminator_loss(big, -big),
        losses.minimax_generator_loss(big),
        losses.non_saturating_generator_loss(-big),
    ):
        assert np.isfinite(float(value))
    assert float(losses.non_saturating_generator_loss(np.array([-80.0]))) == pytest.approx(80.0)


def test_unknown_loss_name_lists_choices():
    with pytest.raises(ValueError, match="non_saturating"):
        losses.get_loss("hinge-ish")


def test_wasserstein_losses_are_mean_score_differences():
    assert float(losses.wasserstein_critic_loss(REAL, FAKE)) == pytest.approx(
        FAKE.mean() - REAL.mean(), rel=1e-6
    )
    assert float(losses.wasserstein_generator_loss(FAKE)) == pytest.approx(-FAKE.mean(), rel=1e-6)


def test_hinge_discriminator_loss():
    expected = np.mean(np.maximum(0, 1 - REAL)) + np.mean(np.maximum(0, 1 + FAKE))
    # Hand value: real hinge terms [0, 2, 0.5, 0] -> 0.625; fake [0, 1.3, 2.5, 0.3] -> 1.025.
    assert expected == pytest.approx(1.65)
    assert float(losses.hinge_discriminator_loss(REAL, FAKE)) == pytest.approx(expected, rel=1e-6)


def test_least_squares_losses():
    expected_d = 0.5 * np.mean((REAL - 1) ** 2) + 0.5 * np.mean(FAKE**2)
    expected_g = 0.5 * np.mean((FAKE - 1) ** 2)
    assert float(losses.least_squares_discriminator_loss(REAL, FAKE)) == pytest.approx(
        expected_d, rel=1e-6
    )
    assert float(losses.least_squares_generator_loss(FAKE)) == pytest.approx(expected_g, rel=1e-6)


def test_score_reported_as_probability_only_for_classifier_losses():
    logits = np.array([0.0, 2.0], np.float32)
    np.testing.assert_allclose(
        losses.get_loss("minimax").score(logits), [0.5, sigmoid(np.array(2.0))], rtol=1e-6
    )
    for name in ("wasserstein", "hinge", "least_squares"):
        np.testing.assert_array_equal(losses.get_loss(name).score(logits), logits)


def test_registered_custom_loss_is_found_by_name_and_names_are_unique():
    custom = losses.AdversarialLoss(
        "test_scaled_wasserstein",
        lambda r, f: 2.0 * losses.wasserstein_critic_loss(r, f),
        losses.wasserstein_generator_loss,
        score=losses.raw_score,
    )
    try:
        assert losses.register_loss(custom) is custom
        assert losses.get_loss("test_scaled_wasserstein") is custom
        assert float(custom.discriminator(REAL, FAKE)) == pytest.approx(
            2 * (FAKE.mean() - REAL.mean()), rel=1e-6
        )
        clash = losses.AdversarialLoss("hinge", custom.discriminator, custom.generator)
        with pytest.raises(ValueError, match="registered already"):
            losses.register_loss(clash)
    finally:
        losses.LOSSES.pop("test_scaled_wasserstein", None)
