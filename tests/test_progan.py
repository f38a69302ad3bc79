"""Progressive GAN: the schedule, the fade-in, the blending of G, D and the real
images, the equalized layers, resuming mid-fade, and learning on Fashion-MNIST."""

import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo import recipes
from tfgan_zoo.data import image_dataset, load_fashion_mnist
from tfgan_zoo.data.padding import crop_images, pad_images
from tfgan_zoo.families.progan.networks import blend_resolutions, progressive_layer
from tfgan_zoo.families.progan.progan import level_at
from tfgan_zoo.gans import ProGAN
from tfgan_zoo.networks.equalized import EqualizedConv2D, EqualizedDense, MinibatchStdDev


def _small(size=16, filters=(8, 8, 4), **kwargs):
    keras.utils.set_random_seed(0)
    return ProGAN(image_shape=(size, size, 1), filters=filters, latent_dim=8, seed=0, **kwargs)


def _up(x, factor):
    return np.repeat(np.repeat(x, factor, axis=1), factor, axis=2)


def _pool(x, factor):
    n, h, w, c = x.shape
    return x.reshape(n, h // factor, factor, w // factor, factor, c).mean(axis=(2, 4))


def test_level_at_closed_form():
    per_phase, levels = 1000, 4
    expected = {
        0: 0.0,
        999: 0.0,  # level 0, stable phase
        1000: 0.0,
        1500: 0.5,
        1750: 0.75,  # level 1 fading in: alpha = 0.5 at 1500
        2000: 1.0,
        2999: 1.0,  # level 1 stable
        3500: 1.5,
        5250: 2.25,  # levels 2 and 3 fading in
        6000: 3.0,
        7000: 3.0,
        10**9: 3.0,
    }  # the top, kept
    for seen, level in expected.items():
        assert float(level_at(seen, per_phase, levels)) == pytest.approx(level, abs=1e-12), seen
    tensor = level_at(tf.constant(1500, tf.int64), per_phase, levels)
    assert float(tensor) == 0.5
    assert float(level_at(10**9, 1000, 1)) == 0.0  # a 4×4 model has one level


def _fixed_batches(count, size=8, batch=16):
    rng = np.random.default_rng(1)
    images = rng.uniform(-1, 1, (count * batch, size, size, 1)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(images).batch(batch)


class _Levels(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.levels = []

    def on_train_batch_end(self, batch, logs=None):
        self.levels.append(float(logs["level"]))


@pytest.mark.slow
def test_alpha_fades_in_and_a_resumed_run_continues_mid_fade(tmp_path):
    # 8×8, 16 images a step, 64 a phase: level 0 for steps 0-3, level 1 fades in
    # over steps 4-7 (alpha 0, 1/4, 1/2, 3/4) and is 1 from step 8 on.
    data = _fixed_batches(12)
    whole = _small(8, (4, 4), images_per_phase=64)
    whole.compile(ema_decay=0.9)
    levels = _Levels()
    whole.fit(data, epochs=1, verbose=0, callbacks=[levels])
    whole_levels = levels.levels
    assert whole_levels == [0, 0, 0, 0, 0, 0.25, 0.5, 0.75, 1, 1, 1, 1]
    fade = levels.levels[4:9]
    assert fade[0] == 0 and fade[-1] == 1 and np.all(np.diff(fade) > 0)
    assert int(whole.images_seen.numpy()) == 12 * 16 and whole.level == 1.0

    # Adam restarted at step 5 (α leaves 0: the ceiling changes) and step 8 (α
    # reaches 1: the floor changes).
    for optimizer in (whole.g_optimizer, whole.d_optimizer):
        assert int(optimizer.moments_start.numpy()) == 8

    # The same run, stopped just before the restart of step 5 and mid-fade after
    # it, saved, loaded and continued: the same weights and optimizer states.
    for stop in (5, 6):
        first = _small(8, (4, 4), images_per_phase=64)
        first.compile(ema_decay=0.9)
        first.fit(data.take(stop), epochs=1, verbose=0)
        first.save(tmp_path / "mid_fade.keras")
        resumed = keras.saving.load_model(tmp_path / "mid_fade.keras")
        assert int(resumed.images_seen.numpy()) == 16 * stop
        assert float(resumed.scheduled_level()) == float(first.scheduled_level())
        assert resumed.level == first.level  # the level its last step trained at
        levels = _Levels()
        resumed.fit(data.skip(stop), epochs=1, verbose=0, callbacks=[levels])
        assert levels.levels == whole_levels[stop:]
        for a, b in zip(resumed.weights, whole.weights):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6, err_msg=a.path)
        for name in ("g_optimizer", "d_optimizer"):
            for a, b in zip(getattr(resumed, name).variables, getattr(whole, name).variables):
                np.testing.assert_allclose(
                    a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6, err_msg=f"{stop} {a.path}"
                )


def _capture_updates(optimizer, captured, name):
    """Records the gradients and the variables' values before each `apply`."""
    apply = optimizer.apply

    def recording_apply(grads, variables):
        captured[name] = ([np.asarray(g) for g in grads], [v.numpy().copy() for v in variables])
        return apply(grads, variables)

    optimizer.apply = recording_apply


def test_adam_restarts_at_each_level_change_as_a_fresh_adam():
    """8×8, 16 images a step, 32 a phase: the levels of steps 0-5 are 0, 0, 0
    (α = 0 at the fade's first step), 0.5, 1, 1. Steps 3 (the ceiling changes)
    and 4 (the floor changes) restart both optimizers, as the authors' code resets
    them: the moments and the update equal a fresh Adam's first step on the same
    gradient. Step 5 continues them (Adam's recursion)."""
    model = _small(8, (4, 4), images_per_phase=32)
    adam = dict(learning_rate=1e-2, beta_1=0.5, beta_2=0.99, epsilon=1e-8)
    model.compile(
        g_optimizer=keras.optimizers.Adam(**adam),
        d_optimizer=keras.optimizers.Adam(**adam),
        ema_decay="none",
        run_eagerly=True,
    )
    captured = {}
    for name in ("g", "d"):
        _capture_updates(getattr(model, f"{name}_optimizer"), captured, name)
    data = _fixed_batches(6)
    starts = []
    for step in range(6):
        moments_before = {
            name: [m.numpy().copy() for m in getattr(model, f"{name}_optimizer")._momentums]
            for name in ("g", "d")
        }
        model.fit(data.skip(step).take(1), epochs=1, verbose=0)
        starts.append(
            [
                int(model.g_optimizer.moments_start.numpy()),
                int(model.d_optimizer.moments_start.numpy()),
            ]
        )
        for name in ("g", "d"):
            optimizer = getattr(model, f"{name}_optimizer")
            grads, before = captured[name]
            variables = (
                model.generator_variables() if name == "g" else model.discriminator_variables()
            )
            moments = [m.numpy() for m in optimizer._momentums]
            velocities = [v.numpy() for v in optimizer._velocities]
            if step in (3, 4):
                # A plain continuation would differ: the moments held history.
                assert max(np.abs(m).max() for m in moments_before[name]) > 0
                fresh = keras.optimizers.Adam(**adam)
                copies = [keras.Variable(value) for value in before]
                fresh.build(copies)
                fresh.apply(grads, copies)
                for i, variable in enumerate(variables):
                    np.testing.assert_allclose(
                        moments[i], fresh._momentums[i].numpy(), rtol=1e-6, atol=1e-12
                    )
                    np.testing.assert_allclose(
                        velocities[i], fresh._velocities[i].numpy(), rtol=1e-6, atol=1e-14
                    )
                    np.testing.assert_allclose(
                        variable.numpy(), copies[i].numpy(), rtol=1e-6, atol=1e-7
                    )
            elif step == 5:  # m = β1·m + (1 − β1)·g from the moments of step 4
                for i, grad in enumerate(grads):
                    np.testing.assert_allclose(
                        moments[i], 0.5 * moments_before[name][i] + 0.5 * grad, rtol=1e-5, atol=1e-9
                    )
                assert max(np.abs(m - 0.5 * g).max() for m, g in zip(moments, grads)) > 1e-6
    assert starts == [[0, 0], [0, 0], [0, 0], [3, 3], [4, 4], [4, 4]]
    assert model.level == 1.0


def test_integer_level_shows_the_upsampled_lower_level_in_g_and_d():
    model = _small()
    generator = progressive_layer(model.generator)
    z = tf.random.stateless_normal((6, 8), [0, 1])
    images = tf.random.stateless_uniform((6, 16, 16, 1), [0, 2], -1, 1)
    features = generator.level_features(z)
    scores = {}
    for level in range(3):
        model.set_level(level)
        # G: toRGB of level L's features, nearest-upsampled by hand.
        rgb = generator.to_rgb[level](features[level]).numpy()
        expected = _up(rgb, 2 ** (2 - level))
        np.testing.assert_allclose(model.generator(z).numpy(), expected, rtol=0, atol=1e-6)
        # D: the image counts only through its average at the level's resolution.
        coarse = _up(_pool(images.numpy(), 2 ** (2 - level)), 2 ** (2 - level))
        scores[level] = model.discriminator(images).numpy()
        np.testing.assert_allclose(
            model.discriminator(coarse).numpy(), scores[level], rtol=1e-5, atol=1e-5
        )
    assert np.abs(scores[0] - scores[2]).max() > 1e-3  # the levels do differ
    # Half-way through the fade of level 2: the lerp of the two.
    model.set_level(1.5)
    halfway = (
        0.5 * _up(generator.to_rgb[1](features[1]).numpy(), 2)
        + 0.5 * generator.to_rgb[2](features[2]).numpy()
    )
    np.testing.assert_allclose(model.generator(z).numpy(), halfway, atol=1e-5)
    # Sampling follows the level (EMA network included) and stays in the data range.
    model.compile()
    model.set_level(1)
    samples = model.sample(4)
    assert samples.min() >= -1 and samples.max() <= 1
    np.testing.assert_array_equal(samples[:, ::2, ::2], samples[:, 1::2, 1::2])


def test_a_level_runs_only_its_branch_and_matches_the_whole_network_blend():
    """Each network runs the branch of ceil(level) alone: outputs equal the blend
    over every level (the levels above weighted 0), and the unused levels' weights
    get exactly zero gradient, as they did when every level was computed."""
    model = _small()
    generator = progressive_layer(model.generator)
    z = tf.random.stateless_normal((6, 8), [0, 1])
    for level in (0.0, 0.25, 1.0, 1.5, 2.0):
        model.set_level(level)
        features = generator.level_features(z)
        whole = generator.to_rgb[0](features[0])
        for k in (1, 2):
            weight = float(np.clip(k - level, 0.0, 1.0))
            whole = (1 - weight) * generator.to_rgb[k](features[k]) + weight * _up(whole.numpy(), 2)
        np.testing.assert_allclose(model.generator(z).numpy(), whole, rtol=1e-6, atol=1e-6)
        with tf.GradientTape() as tape:
            score = tf.reduce_sum(model.discriminator(model.generator(z)))
        variables = model.generator.trainable_variables + model.discriminator.trainable_variables
        grads = tape.gradient(score, variables)
        unused = [
            g
            for v, g in zip(variables, grads)
            if re.search(r"(to_rgb|from_rgb)_2|conv_2[ab]", v.path)
        ]
        assert len(unused) == 12  # kernel and bias: G's 2 convs and toRGB, D's fromRGB and 2 convs
        if np.ceil(level) < 2:
            assert all(g is None or not np.any(g) for g in unused), level
        else:
            assert all(np.any(g) for g in unused), level


@pytest.mark.slow
def test_one_traced_step_per_level_trains_as_the_step_over_every_level():
    """`fit` traces a step per top level, moving only that level's weights (and
    their averages): across levels 0, 1 fading in and 1 (two Adam restarts), the
    weights equal those of the one step over every level's branches (what
    steps_per_execution > 1 runs) to float32 rounding, and level 2's weights stay
    bit for bit at their initial values in both (their moving averages too, where
    the step skips them; the every-level step rounds them by 1 ulp)."""
    runs = {}
    for spe in (1, 2):
        model = _small(images_per_phase=32)  # 16 images a step: 2 steps a phase
        model.compile(steps_per_execution=spe)
        initial = {id(v): v.numpy() for v in model.weights}  # G and D share paths
        model.fit(_fixed_batches(6, size=16), epochs=1, verbose=0)
        runs[spe] = model
        assert model.level == 1.0
        level_2 = [v for v in model.weights if re.search(r"(to_rgb|from_rgb)_2|conv_2[ab]", v.path)]
        assert len(level_2) == 12
        for v in level_2:
            np.testing.assert_array_equal(v.numpy(), initial[id(v)], err_msg=v.path)
        for i, v in enumerate(model.generator.weights):  # the moving averages of G's weights
            if re.search(r"to_rgb_2|conv_2[ab]", v.path):
                average = model.ema.averages[i].numpy()
                if spe == 1:  # not averaged at all: exactly the weight
                    np.testing.assert_array_equal(average, initial[id(v)])
                else:  # d·w + (1 − d)·w, rounded
                    np.testing.assert_allclose(average, initial[id(v)], rtol=1e-6)
    per_level, every_level = runs[1], runs[2]
    assert sorted(per_level.train_function.steps) == [0, 1]

    def networks(model):
        return model.generator.weights + model.discriminator.weights + model.ema.averages

    fresh = _small(images_per_phase=32)
    start = fresh.generator.weights + fresh.discriminator.weights
    moved = max(np.abs(a.numpy() - b.numpy()).max() for a, b in zip(networks(per_level), start))
    diff = max(
        np.abs(a.numpy() - b.numpy()).max()
        for a, b in zip(networks(per_level), networks(every_level))
    )
    assert moved > 1e-2 and diff < 1e-5, (moved, diff)


def test_real_images_at_a_level_are_block_constant_and_blend_like_numpy():
    images = np.random.default_rng(0).uniform(-1, 1, (3, 32, 32, 2)).astype("float32")
    # Level 1 (8×8): constant over 4×4 blocks, equal to the block means.
    at_one = blend_resolutions(tf.constant(images), 1.0, 4).numpy()
    np.testing.assert_allclose(at_one, _up(_pool(images, 4), 4), atol=1e-6)
    # Level 1.25: 16×16 fading in with alpha 0.25 over upsampled 8×8.
    mid = blend_resolutions(tf.constant(images), 1.25, 4).numpy()
    expected = _up(0.25 * _pool(images, 2) + 0.75 * _up(_pool(images, 4), 2), 2)
    np.testing.assert_allclose(mid, expected, atol=1e-6)
    np.testing.assert_array_equal(blend_resolutions(tf.constant(images), 3.0, 4), images)
    # The model shows D its real slice the same way, at D's level.
    model = _small(32, (4, 4, 4, 4))
    model.set_level(1.25)
    np.testing.assert_allclose(
        model.real_at_level(tf.constant(images[..., :1])), expected[..., :1], atol=1e-6
    )


def test_minibatch_stddev_against_numpy():
    x = np.random.default_rng(0).normal(size=(8, 3, 3, 2)).astype("float32")
    out = MinibatchStdDev(group_size=4)(tf.constant(x)).numpy()
    np.testing.assert_array_equal(out[..., :2], x)
    for i in range(8):  # groups of 4: samples i, i + 2, i + 4, i + 6 (i mod 2)
        group = x[i % 2 :: 2]
        expected = np.sqrt(group.var(axis=0) + 1e-8).mean()
        np.testing.assert_allclose(out[i, ..., 2], expected, rtol=1e-5)
    odd = x[:6]  # 6 does not divide by 4: one group of all six
    out = MinibatchStdDev(group_size=4)(tf.constant(odd)).numpy()
    np.testing.assert_allclose(out[..., 2], np.sqrt(odd.var(axis=0) + 1e-8).mean(), rtol=1e-5)


def test_equalized_layers_scale_at_run_time():
    x = np.random.default_rng(0).normal(size=(5, 7)).astype("float32")
    dense = EqualizedDense(3, gain=2.0)
    out = dense(tf.constant(x)).numpy()
    np.testing.assert_allclose(
        out,
        x @ (dense.kernel.numpy() * 2.0 / np.sqrt(7)) + dense.bias.numpy(),
        rtol=1e-5,
        atol=1e-6,
    )
    assert dense.kernel.numpy().std() == pytest.approx(1.0, abs=0.5)  # N(0, 1) weights
    # Unit-variance input: output standard deviation ≈ gain, whatever the fan-in.
    images = tf.random.stateless_normal((64, 8, 8, 32), [0, 3])
    conv = EqualizedConv2D(64, 3, gain=np.sqrt(2.0))
    inner = conv(images).numpy()[:, 1:-1, 1:-1]  # away from the zero padding
    assert inner.std() == pytest.approx(np.sqrt(2.0), rel=0.1)


def test_for_data_and_padding():
    with pytest.raises(ValueError, match="pad_images"):
        ProGAN.for_data((28, 28, 1))
    with pytest.raises(ValueError, match="square"):
        ProGAN.for_data((32, 16, 1))
    pixels = np.full((2, 28, 28), 200, np.uint8)
    padded = pad_images(pixels, 32)
    assert padded.shape == (2, 32, 32, 1) and padded.dtype == np.uint8
    assert (
        padded[:, :2].max() == 0
        and padded[:, -2:].max() == 0
        and padded[:, 2:30, 2:30].min() == 200
    )
    floats = pad_images(np.zeros((1, 28, 28, 1), np.float32), 32)
    assert floats[0, 0, 0, 0] == -1.0 and floats[0, 2, 2, 0] == 0.0
    np.testing.assert_array_equal(crop_images(padded, 28), pixels[..., None])
    with pytest.raises(ValueError, match="smaller"):
        pad_images(pixels, 16)
    with pytest.raises(ValueError, match="larger"):
        crop_images(pixels, 32)


@pytest.mark.slow
@pytest.mark.learning
def test_brief_training_on_fashion_mnist_beats_the_untrained_generator(tmp_path):
    """32×32 (padded) Fashion-MNIST, the cpu-short row: filters (32, 32, 16, 8),
    260 steps of 32 and 450 images a phase (level 3, 32×32, is stable from step
    85), Adam restarted at each level change. Non-saturating loss + R1 (weight
    1), Adam(1e-2, β = (0, 0.99)), EMA 0.9: on this budget the paper's WGAN-GP +
    Adam(1e-3) did not learn (the row's source in `tfgan_zoo.recipes` gives the
    numbers). Scored on 500 samples centre-cropped to 28×28 against 1,000 test
    images (project classifier). Seeds 0-2 (tools/learning_spread.py): FID
    untrained 301-368 at level 0 (blurred 4×4 blobs) and 381-508 at level 3;
    trained 188-212, a ratio of 0.37-0.52 to level 3 and 0.58-0.63 to level 0.
    Asserted: ratio to level 3 < 0.7, to level 0 < 0.9 (at 400 steps and 700
    images a phase, before the restarts: 0.34-0.41 and 0.44-0.69).
    """
    from helpers.learning import learning_seed, record, seed_everything

    from tfgan_zoo.metrics.features import get_feature_network
    from tfgan_zoo.metrics.fid import fid

    train, _ = load_fashion_mnist("train")
    test, _ = load_fashion_mnist("test")
    network = get_feature_network("fashion_mnist")
    real = network.features(test[:1000])

    def score(model):
        return fid(
            network.features(crop_images(model.sample(500, seed=learning_seed(1)), 28)), real
        )

    seed = seed_everything()
    recipe = recipes.resolve("progan", "fashion_mnist", "cpu-short")
    model = ProGAN(image_shape=(32, 32, 1), seed=seed, **recipe.model)
    model.compile(**recipes.compile_args(ProGAN, recipe))
    untrained = score(model)  # at level 0: blurred 4×4 blobs
    model.set_level(3)
    untrained_top = score(model)  # the same untrained G at full resolution
    data = image_dataset(
        pad_images(train[:20000], 32), batch_size=recipe.batch_size, seed=seed, repeat=True
    )
    model.fit(data, steps_per_epoch=recipe.steps, epochs=1, verbose=0)
    trained = score(model)
    print(
        f"FID untrained {untrained:.1f} (level 0), {untrained_top:.1f} (level 3); "
        f"trained {trained:.1f}"
    )
    record(
        fid_level0=untrained,
        fid_level3=untrained_top,
        fid=trained,
        ratio_to_level3=trained / untrained_top,
        ratio_to_level0=trained / untrained,
        thresholds=dict(ratio_to_level3="< 0.7", ratio_to_level0="< 0.9"),
    )
    assert model.level == 3.0
    assert trained < 0.7 * untrained_top
    assert trained < 0.9 * untrained

    model.save(tmp_path / "progan.keras")
    loaded = keras.saving.load_model(tmp_path / "progan.keras")
    assert loaded.level == 3.0
    assert int(loaded.images_seen.numpy()) == recipe.steps * recipe.batch_size
    np.testing.assert_array_equal(loaded.sample(8, seed=2), model.sample(8, seed=2))
