"""InfoGAN: the mutual-information loss, which variables its term moves in each
step, the paper's networks, and codes that steer and can be read back.

The learning test trains the `cpu-short` recipe (300 steps of 64 on
Fashion-MNIST, base 32 filters, no fully connected layers; tfgan_zoo/recipes.py
says why). Seeds 0-2: Q reads the categorical code back from 98.2-100 % of fresh
samples (untrained 10.0-12.0 %, chance 10 %), the last batch's code accuracy is
0.88-0.89; the classifier's class histograms for the 10 code values differ by a
mean total variation of 0.24-0.28 (untrained exactly 0: the untrained G ignores
the code); FID (project classifier, 500 samples against 1000 test images)
686-695 -> 392-412, a ratio of 0.56-0.60. Asserted: read back < 0.2 untrained
and > 0.8 trained, code accuracy > 0.5, TV < 0.05 untrained and > 0.05 trained,
FID ratio < 0.8. (`python tools/learning_spread.py --append --seeds 0 1 2
tests/test_infogan.py tests/test_began.py`; docs/learning_spread.json.)
"""

import keras
import numpy as np
import pytest
import tensorflow as tf
from helpers.fashion_fid import fashion_fid
from helpers.learning import learning_seed, record, seed_everything

from tfgan_zoo import recipes
from tfgan_zoo.data import image_dataset, load_fashion_mnist
from tfgan_zoo.families.infogan.infogan import info_loss
from tfgan_zoo.gans import InfoGAN
from tfgan_zoo.metrics.features import get_feature_network


def test_info_loss_is_the_negative_log_likelihood_summed_over_the_codes():
    logits = tf.constant([[2.0, 0.0, -1.0], [0.0, 0.0, 0.0]])
    codes = tf.constant([0, 2])
    pred, target = tf.constant([[0.5, -0.5], [1.0, 0.0]]), tf.constant([[0.0, 0.0], [0.0, 1.0]])
    log_softmax = logits.numpy() - np.log(np.exp(logits.numpy()).sum(axis=1, keepdims=True))
    ce = -(log_softmax[0, 0] + log_softmax[1, 2]) / 2
    # ½ squared error summed over the 2 codes: (0.25 + 0.25) and (1 + 1), mean 1.25.
    assert float(info_loss(logits, codes, pred, target)) == pytest.approx(ce + 0.625, rel=1e-6)
    assert float(info_loss(logits, codes, pred, target, 2.0)) == pytest.approx(ce + 1.25, rel=1e-6)
    # = batch mean of -log Q(c | x) - Σ_j log N(c'_j; Q_cont(x)_j, 1), less the constant
    # M/2 log 2π of the M = 2 unit-variance Gaussians.
    gaussian = -0.5 * (target.numpy() - pred.numpy()) ** 2 - 0.5 * np.log(2 * np.pi)
    nll = ce - gaussian.sum(axis=1).mean()
    assert float(info_loss(logits, codes, pred, target)) == pytest.approx(nll - np.log(2 * np.pi))
    assert float(info_loss(logits, codes, pred[:, :0], target[:, :0])) == pytest.approx(ce)


def _small_infogan(**kwargs):
    model = InfoGAN(
        image_shape=(8, 8, 1),
        noise_dim=3,
        categories=4,
        continuous=2,
        base_filters=4,
        hidden=(8,),
        info_weight=0.7,
        seed=1,
        **kwargs,
    )
    model.compile(g_optimizer=keras.optimizers.SGD(0.5), d_optimizer=keras.optimizers.SGD(0.5))
    return model


def _values(variables):
    return [v.numpy().copy() for v in variables]


def _assert_moved_by(before, variables, gradients, rate=0.5):
    for old, variable, gradient in zip(before, variables, gradients, strict=True):
        np.testing.assert_allclose(
            variable.numpy() - old, -rate * gradient.numpy(), rtol=1e-4, atol=1e-7
        )


def _assert_unchanged(before, variables):
    for old, variable in zip(before, variables, strict=True):
        np.testing.assert_array_equal(variable.numpy(), old)


def test_q_head_trains_in_the_d_step_and_g_step_info_term_moves_g_only():
    """As in the authors' code: Q's head is one of D's variables, so λ·L_I moves it
    (and D's trunk) in the D step with D's optimizer; the G step's λ·L_I moves G
    only. With SGD(0.5) a step moves each variable by -0.5 × its gradient."""
    model = _small_infogan()
    real = tf.constant(np.random.default_rng(0).uniform(-1, 1, (6, 8, 8, 1)), tf.float32)
    n, step = 6, tf.constant(0, tf.int64)
    q_vars, g_vars = model.q_head.trainable_variables, model.generator.trainable_variables
    d_vars = model.discriminator.trainable_variables
    assert {id(v) for v in model.discriminator_variables()} == {id(v) for v in d_vars + q_vars}
    assert {id(v) for v in model.generator_variables()} == {id(v) for v in g_vars}

    # D step: only λ·L_I of the D step's fakes depends on Q's head.
    fake = model.generate(model.latent_noise(n, "d", step), training=True)
    with tf.GradientTape() as tape:
        info, _ = model._info(fake, model.draw_codes(n, "d", step), training=True)
        weighted = model.info_weight * info
    q_gradients = tape.gradient(weighted, q_vars)
    assert max(float(tf.reduce_max(tf.abs(g))) for g in q_gradients) > 1e-3
    q_before, g_before = _values(q_vars), _values(g_vars)
    model.discriminator_step(real, None)
    _assert_moved_by(q_before, q_vars, q_gradients)
    _assert_unchanged(g_before, g_vars)

    # G step: the adversarial loss plus λ·L_I of the G step's fakes, through G only.
    with tf.GradientTape() as tape:
        fake = model.generate(model.latent_noise(n, "g", step), training=True)
        adversarial = model.adversarial_loss.generator(model.discriminate(fake, training=True))
        info, _ = model._info(fake, model.draw_codes(n, "g", step), training=True)
        total = adversarial + model.info_weight * info
    g_gradients = tape.gradient(total, g_vars)
    q_before, d_before, g_before = _values(q_vars), _values(d_vars), _values(g_vars)
    model.generator_step(real, None)
    _assert_moved_by(g_before, g_vars, g_gradients)
    _assert_unchanged(q_before, q_vars)
    _assert_unchanged(d_before, d_vars)


def test_fully_connected_layers_follow_the_paper_and_old_configs_keep_none():
    """Paper, Table 1 (MNIST): G starts FC-1024 → FC-7×7×128; D's trunk ends in
    FC-1024 under its logit and Q's FC-128 head."""

    def dense_kernels(network):
        return [
            tuple(layer.kernel.shape)
            for layer in network.layers
            if isinstance(layer, keras.layers.Dense)
        ]

    model = InfoGAN(seed=0)  # 28×28, base_filters 64
    assert model.hidden == (1024,)
    assert dense_kernels(model.generator) == [(74, 1024), (1024, 7 * 7 * 128)]
    assert dense_kernels(model.discriminator) == [(7 * 7 * 128, 1024), (1024, 1)]
    assert dense_kernels(model.q_head) == [(1024, 128), (128, 12)]
    assert InfoGAN(base_filters=32, seed=0).hidden == (512,)  # 16 × base_filters
    assert InfoGAN.from_config(model.get_config()).hidden == (1024,)
    old = {k: v for k, v in model.get_config().items() if k != "hidden"}  # before `hidden`
    earlier = InfoGAN.from_config(dict(old, base_filters=8))
    assert earlier.hidden == () and dense_kernels(earlier.generator) == [(74, 7 * 7 * 16)]


def _steering_and_recovery(model, net):
    grid = model.code_grid(rows=10, steps=20, seed=learning_seed(1))  # 10 code values x 20 noises
    predicted = np.argmax(net.logits(grid.reshape(-1, 28, 28, 1)), axis=-1).reshape(10, 20)
    hist = np.stack([np.bincount(row, minlength=10) / 20 for row in predicted])
    tv = np.mean(
        [0.5 * np.abs(hist[i] - hist[j]).sum() for i in range(10) for j in range(i + 1, 10)]
    )
    latent = model.sample_latent(500, tf.constant([learning_seed(5), 6], tf.int64)).numpy()
    codes = np.argmax(latent[:, model.noise_dim : model.noise_dim + model.categories], axis=-1)
    q = model.q_network(model.inference_generate()(latent), training=False).numpy()
    return tv, np.mean(np.argmax(q[:, : model.categories], axis=-1) == codes)


@pytest.mark.slow
@pytest.mark.learning
def test_codes_steer_the_class_and_are_recovered(tmp_path):
    images, _ = load_fashion_mnist("train")
    net = get_feature_network("fashion_mnist")
    seed = seed_everything()
    recipe = recipes.resolve("infogan", "fashion_mnist", "cpu-short")
    model = InfoGAN(seed=seed, **recipe.model)
    model.compile(**recipes.compile_args(InfoGAN, recipe))
    tv_before, recovered_before = _steering_and_recovery(model, net)
    fid_before = fashion_fid(model.sample(500, seed=learning_seed(1)))
    history = model.fit(
        image_dataset(images, batch_size=recipe.batch_size, seed=seed, repeat=True),
        steps_per_epoch=recipe.steps,
        epochs=1,
        verbose=0,
    ).history
    tv_after, recovered_after = _steering_and_recovery(model, net)
    fid_after = fashion_fid(model.sample(500, seed=learning_seed(1)))
    print(f"FID {fid_before:.1f} -> {fid_after:.1f}")
    record(
        fid_before=fid_before,
        fid_after=fid_after,
        fid_ratio=fid_after / fid_before,
        recovered_before=recovered_before,
        recovered_after=recovered_after,
        tv_before=tv_before,
        tv_after=tv_after,
        code_accuracy=history["code_accuracy"][-1],
        thresholds=dict(
            fid_ratio="< 0.8",
            recovered_before="< 0.2",
            recovered_after="> 0.8",
            tv_before="< 0.05",
            tv_after="> 0.05",
            code_accuracy="> 0.5",
        ),
    )
    assert fid_after < 0.8 * fid_before
    assert recovered_before < 0.2 and recovered_after > 0.8
    assert tv_before < 0.05 and tv_after > 0.05
    assert history["code_accuracy"][-1] > 0.5

    sweep = model.code_grid(rows=2, steps=5, continuous_index=0, seed=2)
    assert sweep.shape == (2, 5, 28, 28, 1)
    assert np.abs(sweep[:, 0] - sweep[:, -1]).mean() > 0.01  # the continuous code moves pixels

    model.save(tmp_path / "info.keras")
    loaded = keras.saving.load_model(tmp_path / "info.keras")
    np.testing.assert_array_equal(loaded.sample(4, seed=3), model.sample(4, seed=3))
    assert int(loaded.g_optimizer.iterations) == recipe.steps


def test_a_step_redraws_the_codes_it_generated_with():
    model = InfoGAN(
        image_shape=(8, 8, 1), noise_dim=3, categories=4, continuous=1, base_filters=4, seed=1
    )
    model.compile()
    counter = tf.constant(7, tf.int64)
    latent = model.latent_noise(6, "d", counter).numpy()
    categorical, continuous = model.draw_codes(6, "d", counter)
    np.testing.assert_array_equal(np.argmax(latent[:, 3:7], axis=-1), categorical.numpy())
    np.testing.assert_array_equal(latent[:, 7:], continuous.numpy())
    assert np.abs(continuous.numpy()).max() <= 1.0
    _, other = model.draw_codes(6, "g", counter)  # a G step draws other codes
    assert np.abs(other.numpy() - continuous.numpy()).min() > 0
