"""ProGAN's levels: what G, D and the real images show at a level, that a level
runs only its branch, and that `fit`'s step per level trains as the step over
every level."""

import re

import numpy as np
import pytest
import tensorflow as tf
from helpers.progan import fixed_batches, pooled, small_progan, upsampled

from tfgan_zoo.families.progan.networks import blend_resolutions, progressive_layer


def test_integer_level_shows_the_upsampled_lower_level_in_g_and_d():
    model = small_progan()
    generator = progressive_layer(model.generator)
    z = tf.random.stateless_normal((6, 8), [0, 1])
    images = tf.random.stateless_uniform((6, 16, 16, 1), [0, 2], -1, 1)
    features = generator.level_features(z)
    scores = {}
    for level in range(3):
        model.set_level(level)
        # G: toRGB of level L's features, nearest-upsampled by hand.
        rgb = generator.to_rgb[level](features[level]).numpy()
        expected = upsampled(rgb, 2 ** (2 - level))
        np.testing.assert_allclose(model.generator(z).numpy(), expected, rtol=0, atol=1e-6)
        # D: the image counts only through its average at the level's resolution.
        coarse = upsampled(pooled(images.numpy(), 2 ** (2 - level)), 2 ** (2 - level))
        scores[level] = model.discriminator(images).numpy()
        np.testing.assert_allclose(
            model.discriminator(coarse).numpy(), scores[level], rtol=1e-5, atol=1e-5
        )
    assert np.abs(scores[0] - scores[2]).max() > 1e-3  # the levels do differ
    # Half-way through the fade of level 2: the lerp of the two.
    model.set_level(1.5)
    halfway = (
        0.5 * upsampled(generator.to_rgb[1](features[1]).numpy(), 2)
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
    model = small_progan()
    generator = progressive_layer(model.generator)
    z = tf.random.stateless_normal((6, 8), [0, 1])
    for level in (0.0, 0.25, 1.0, 1.5, 2.0):
        model.set_level(level)
        features = generator.level_features(z)
        whole = generator.to_rgb[0](features[0])
        for k in (1, 2):
            weight = float(np.clip(k - level, 0.0, 1.0))
            whole = (1 - weight) * generator.to_rgb[k](features[k]) + weight * upsampled(
                whole.numpy(), 2
            )
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
        model = small_progan(images_per_phase=32)  # 16 images a step: 2 steps a phase
        model.compile(steps_per_execution=spe)
        initial = {id(v): v.numpy() for v in model.weights}  # G and D share paths
        model.fit(fixed_batches(6, size=16), epochs=1, verbose=0)
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

    fresh = small_progan(images_per_phase=32)
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
    np.testing.assert_allclose(at_one, upsampled(pooled(images, 4), 4), atol=1e-6)
    # Level 1.25: 16×16 fading in with alpha 0.25 over upsampled 8×8.
    mid = blend_resolutions(tf.constant(images), 1.25, 4).numpy()
    expected = upsampled(0.25 * pooled(images, 2) + 0.75 * upsampled(pooled(images, 4), 2), 2)
    np.testing.assert_allclose(mid, expected, atol=1e-6)
    np.testing.assert_array_equal(blend_resolutions(tf.constant(images), 3.0, 4), images)
    # The model shows D its real slice the same way, at D's level.
    model = small_progan(32, (4, 4, 4, 4))
    model.set_level(1.25)
    np.testing.assert_allclose(
        model.real_at_level(tf.constant(images[..., :1])), expected[..., :1], atol=1e-6
    )
