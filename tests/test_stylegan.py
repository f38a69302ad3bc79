"""StyleGAN: AdaIN, truncation, style mixing, noise inputs, w̄, serving inputs."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from helpers.fashion_fid import fashion_fid, predicted_classes
from helpers.learning import learning_seed, record, seed_everything

from tfgan_zoo import recipes
from tfgan_zoo.data import image_dataset, load_fashion_mnist
from tfgan_zoo.data.padding import pad_images
from tfgan_zoo.families.stylegan.networks import AdaIN, Blur, ConstantInput
from tfgan_zoo.families.stylegan.stylegan import mix_styles, truncate
from tfgan_zoo.gans import StyleGAN
from tfgan_zoo.serving import export_generator
from tfgan_zoo.serving.signatures import latents_for_seeds


def tiny(**kwargs):
    kwargs = dict(
        dict(image_shape=(8, 8, 1), latent_dim=6, w_dim=5, mapping_depth=2, filters=(8, 4), seed=0),
        **kwargs,
    )
    return StyleGAN(**kwargs)


def _images(n=32, side=8):
    return np.random.default_rng(0).uniform(-1, 1, (n, side, side, 1)).astype("float32")


def test_truncation_and_mixing_closed_forms():
    ws = tf.constant(np.arange(24, dtype=np.float32).reshape(2, 4, 3))
    other = -ws
    w_avg = tf.constant([1.0, 2.0, 3.0])
    np.testing.assert_allclose(
        truncate(ws, w_avg, 0.5).numpy(), w_avg.numpy() + 0.5 * (ws.numpy() - w_avg.numpy())
    )
    np.testing.assert_allclose(
        truncate(ws, w_avg, tf.constant([0.0, 1.0])).numpy()[0],
        np.broadcast_to(w_avg.numpy(), (4, 3)),
    )
    # The paper's cutoff: layers below it get w̄ + ψ(w − w̄), the others w.
    cut = truncate(ws, w_avg, 0.5, cutoff=3).numpy()
    np.testing.assert_allclose(
        cut[:, :3], w_avg.numpy() + 0.5 * (ws.numpy()[:, :3] - w_avg.numpy())
    )
    np.testing.assert_array_equal(cut[:, 3:], ws.numpy()[:, 3:])
    np.testing.assert_array_equal(truncate(ws, w_avg, 0.5, cutoff=0).numpy(), ws.numpy())
    mixed = mix_styles(ws, other, tf.constant([1, 4])).numpy()
    np.testing.assert_array_equal(mixed[0], np.concatenate([ws[0, :1], other[0, 1:]]))
    np.testing.assert_array_equal(mixed[1], ws[1])  # crossover = num_ws: no mixing


def test_adain_gives_each_channel_the_style_mean_and_scale():
    layer = AdaIN()
    x = tf.constant(np.random.default_rng(1).normal(3.0, 2.0, (2, 5, 5, 3)), tf.float32)
    w = tf.constant(np.random.default_rng(2).normal(size=(2, 4)), tf.float32)
    out = layer([x, w]).numpy()
    style = layer.affine(w).numpy()
    np.testing.assert_allclose(out.mean(axis=(1, 2)), style[:, 3:], atol=1e-5)
    np.testing.assert_allclose(out.std(axis=(1, 2)), np.abs(1 + style[:, :3]), rtol=1e-3)


def test_blur_is_the_binomial_filter_with_zero_padding():
    x = np.random.default_rng(3).normal(size=(2, 6, 5, 3)).astype("float32")
    kernel = np.outer([1, 2, 1], [1, 2, 1]) / 16.0
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    expected = sum(
        kernel[i, j] * padded[:, i : i + 6, j : j + 5] for i in range(3) for j in range(3)
    )
    np.testing.assert_allclose(Blur()(tf.constant(x)).numpy(), expected, rtol=1e-5, atol=1e-6)


def _layer_kinds(network):
    return [
        (type(layer).__name__, getattr(layer, "interpolation", None))
        for layer in network.layers
        if not isinstance(layer, keras.layers.InputLayer)
    ]


def test_resampling_is_nearest_then_blur_in_g_and_blur_before_d_downsamples():
    """The paper's resampling: G upsamples ×2 nearest, convolves, then low-passes
    (the authors' order); each D block low-passes before the conv its 2×2 pooling
    follows. Files from before the option keep bilinear upsampling and no filter."""
    model = tiny(image_shape=(16, 16, 1), filters=(8, 8, 4))
    kinds = _layer_kinds(model.generator.get_layer("synthesis"))
    ups = [i for i, (kind, _) in enumerate(kinds) if kind == "UpSampling2D"]
    assert len(ups) == 2 and all(kinds[i][1] == "nearest" for i in ups)
    assert all(kinds[i + 1][0] == "EqualizedConv2D" and kinds[i + 2][0] == "Blur" for i in ups)
    assert sum(kind == "Blur" for kind, _ in kinds) == 2
    body = [kind for kind, _ in _layer_kinds(model.body)]
    pools = [i for i, kind in enumerate(body) if kind == "AveragePooling2D"]
    assert len(pools) == 2 and body.count("Blur") == 2
    assert all(body[i - 3 : i] == ["Blur", "EqualizedConv2D", "LeakyReLU"] for i in pools)
    old = StyleGAN.from_config(
        dict(image_shape=[16, 16, 1], filters=[8, 8, 4], w_dim=5, latent_dim=6, mapping_depth=2)
    )
    assert (old.resampling, old.truncation_cutoff) == ("bilinear", None)
    assert "Blur" not in [k for k, _ in _layer_kinds(old.body)]
    assert {i for k, i in _layer_kinds(old.generator.get_layer("synthesis"))} >= {"bilinear"}
    again = StyleGAN.from_config(model.get_config())
    assert (again.resampling, again.truncation_cutoff) == ("binomial", 8)
    with pytest.raises(ValueError, match="resampling must be one of"):
        tiny(resampling="nearest")


def test_constant_input_starts_at_ones():
    # StyleGAN's released code initialises the learned 4×4 input to ones.
    layer = ConstantInput(3)
    out = layer(tf.zeros((2, 1))).numpy()
    np.testing.assert_array_equal(out, np.ones((2, 4, 4, 3), np.float32))


@pytest.fixture(scope="module")
def trained_tiny():
    keras.utils.set_random_seed(0)
    model = tiny(truncation_cutoff=2)  # 4 layers: truncation reaches the first two
    model.compile()
    model.fit(_images(), batch_size=16, epochs=2, verbose=0)  # 4 steps: w̄ moves off 0
    return model


def test_truncation_reaches_the_layers_below_the_cutoff_only(trained_tiny):
    model = trained_tiny
    assert np.abs(model.w_avg.numpy()).max() > 1e-3
    network = model.inference_network()
    images = model.sample(6, seed=1, psi=0.0)
    # Closed form: ψ = 0 puts w̄ in layers 0 and 1 and leaves w in layers 2 and 3.
    ws = model.styles(model.sample_latent(6, model.draw_seed("sample", 1)), network).numpy()
    ws[:, :2] = model.w_avg.numpy()
    expected = np.clip(model.synthesize(tf.constant(ws), network=network).numpy(), -1, 1)
    np.testing.assert_allclose(images, expected, atol=1e-6)
    assert np.abs(images - images[:1]).max() > 1e-3  # the fine layers still follow z
    half = model.sample(6, seed=1, psi=0.5)
    ws = model.styles(model.sample_latent(6, model.draw_seed("sample", 1)), network).numpy()
    ws[:, :2] = model.w_avg.numpy() + 0.5 * (ws[:, :2] - model.w_avg.numpy())
    np.testing.assert_allclose(
        half, np.clip(model.synthesize(tf.constant(ws), network=network).numpy(), -1, 1), atol=1e-6
    )
    # A cutoff past the last layer (None: every layer) gives the average-w image for every z.
    model.truncation_cutoff = None
    try:
        images = model.sample(6, seed=1, psi=0.0)
    finally:
        model.truncation_cutoff = 2
    np.testing.assert_allclose(images, np.broadcast_to(images[:1], images.shape), atol=1e-6)
    average = tf.repeat(model.w_avg[None, None], model.num_ws, axis=1)
    average_image = model.synthesize(average, network=network)[0].numpy()
    np.testing.assert_allclose(images[0], np.clip(average_image, -1, 1), atol=1e-6)
    assert np.abs(model.sample(6, seed=1) - images).max() > 1e-3


def test_mixing_a_latent_with_itself_is_no_mixing(trained_tiny):
    model = trained_tiny
    plain = model.sample(5, seed=2)
    np.testing.assert_array_equal(model.sample(5, seed=2, mix_seed=2, crossover=1), plain)
    np.testing.assert_array_equal(
        model.sample(5, seed=2, mix_seed=7, crossover=model.num_ws), plain
    )
    mixed = model.sample(5, seed=2, mix_seed=7, crossover=2)
    assert np.abs(mixed - plain).max() > 1e-3
    # The sample path is G(z): the same pixels as the generator network.
    z = model.sample_latent(5, model.draw_seed("sample", 2))
    np.testing.assert_allclose(
        plain, np.clip(model.inference_network()(z).numpy(), -1, 1), atol=1e-5
    )


def test_w_average_follows_its_recursion():
    model = tiny(style_mixing=0.0, w_avg_decay=0.9)
    model.compile(ema_decay="none")
    w_before = model.generator.get_layer("mapping")(
        model.latent_noise(16, "g", tf.constant(0, tf.int64))
    ).numpy()
    model.fit(_images(16), batch_size=16, epochs=1, verbose=0)  # one G step, on counter 0
    np.testing.assert_allclose(
        model.w_avg.numpy(), 0.1 * w_before.mean(axis=0), rtol=1e-4, atol=1e-6
    )


def test_training_fakes_draw_fresh_noise_and_mix_styles():
    model = tiny(style_mixing=1.0)
    model.compile()
    counter = tf.constant(3, tf.int64)
    a, _ = model.training_fakes(4, "d", counter)
    b, _ = model.training_fakes(4, "d", counter)
    np.testing.assert_array_equal(a.numpy(), b.numpy())  # a pure function of the step
    c, _ = model.training_fakes(4, "d", counter + 1)
    assert np.abs(a.numpy() - c.numpy()).max() > 1e-4
    unmixed = tiny(style_mixing=0.0)
    unmixed.generator.set_weights(model.generator.get_weights())
    d, _ = unmixed.training_fakes(4, "d", counter)
    assert np.abs(a.numpy() - d.numpy()).max() > 1e-6


def test_noise_strength_moves_pixels_only_through_the_noise():
    model = tiny()
    ws = model.styles(model.sample_latent(3, tf.constant([0, 1], tf.int64)))
    fixed = model.synthesize(ws).numpy()
    fresh = [tf.random.normal((3, s, s, 1), seed=i) for i, s in enumerate(model.noise_sizes)]
    np.testing.assert_allclose(model.synthesize(ws, fresh).numpy(), fixed, atol=1e-6)  # s = 0
    for layer in model.generator.get_layer("synthesis").layers:
        if hasattr(layer, "strength"):
            layer.strength.assign(tf.ones_like(layer.strength) * 0.5)
    assert np.abs(model.synthesize(ws, fresh).numpy() - model.synthesize(ws).numpy()).max() > 1e-3


@pytest.mark.slow
def test_export_takes_psi_mixing_seed_and_crossover(trained_tiny, tmp_path):
    model = trained_tiny
    path = export_generator(model, tmp_path / "style")
    served = tf.saved_model.load(str(path)).signatures["generate_styled"]
    z = tf.constant(np.random.default_rng(3).standard_normal((3, 6)), tf.float32)
    psi = tf.constant([1.0, 0.5, 0.0])
    mix_seed = tf.constant([4, 5, 6], tf.int64)
    crossover = tf.constant([model.num_ws, 1, 2], tf.int32)
    # styled_generate truncates the first truncation_cutoff (2) layers (its closed
    # form: test_truncation_reaches_the_layers_below_the_cutoff_only).
    expected = model.styled_generate(z, psi, latents_for_seeds(mix_seed, 6), crossover)
    expected = np.clip(np.round((expected.numpy() + 1) * 127.5), 0, 255).astype(np.uint8)
    got = served(z=z, psi=psi, mix_seed=mix_seed, crossover=crossover)["images"].numpy()
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= 1
    with pytest.raises(tf.errors.InvalidArgumentError, match="crossover must be in"):
        served(z=z, psi=psi, mix_seed=mix_seed, crossover=tf.constant([0, 1, 99], tf.int32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="psi must have one entry"):
        served(z=z, psi=psi[:2], mix_seed=mix_seed, crossover=crossover)


def test_saved_model_keeps_w_average_and_samples(trained_tiny, tmp_path):
    trained_tiny.save(tmp_path / "style.keras")
    loaded = keras.saving.load_model(tmp_path / "style.keras")
    assert (loaded.truncation_cutoff, loaded.resampling) == (2, "binomial")
    np.testing.assert_array_equal(loaded.w_avg.numpy(), trained_tiny.w_avg.numpy())
    np.testing.assert_array_equal(
        loaded.sample(4, seed=1, psi=0.7), trained_tiny.sample(4, seed=1, psi=0.7)
    )


def test_resolution_must_be_a_power_of_two():
    with pytest.raises(ValueError, match="power-of-two side"):
        StyleGAN(image_shape=(28, 28, 1))
    with pytest.raises(ValueError, match="one width per resolution"):
        StyleGAN(image_shape=(16, 16, 1), filters=(8, 8))


# The learning test's budget is the cpu-short recipe row (tfgan_zoo.recipes): 400 G
# steps of 32 images at Adam(1e-2, β = (0, 0.99)), half-width networks.
# FID: the project classifier, 500 samples' 28×28 centres against 1000 test images.
RECIPE = recipes.resolve("stylegan", "fashion_mnist", "cpu-short")


@pytest.mark.slow
@pytest.mark.learning
def test_stylegan_learns_fashion_mnist_and_noise_leaves_the_class():
    """The cpu-short row: half-width networks (filters (32, 32, 16, 8), w_dim 32),
    600 steps of 32. Seeds 0-2 on an AMD EPYC (tools/learning_spread.py), with
    one op thread a test worker (the suite's setting, tests/conftest.py) and
    with two: FID 291-346 untrained -> 199-229, a ratio of 0.58-0.71. New
    per-pixel noise moves pixels by 0.095-0.116 on average and keeps the
    classifier's class for 72-83 % of samples, against 13-16 % under a new z
    (4.6-5.7 times; these are early, blurry samples). Asserted: ratio < 0.95;
    |Δpixel| > 1e-3; same class > 0.5 and > 2.5 times the new-z rate. In 400
    steps the ratio was 0.73-0.89 on an Intel Xeon and 0.951 at seed 2 on the
    EPYC with one op thread. (Full width, before the binomial filter: ratio
    0.61-0.72 in 400 steps, about three times the time.)
    """
    images, _ = load_fashion_mnist("train")
    seed = seed_everything()
    model = StyleGAN(seed=seed, **RECIPE.model)
    model.compile(**recipes.compile_args(StyleGAN, RECIPE))
    untrained = fashion_fid(model.sample(500, seed=learning_seed(1)))
    model.fit(
        image_dataset(pad_images(images, 32), batch_size=RECIPE.batch_size, seed=seed, repeat=True),
        steps_per_epoch=RECIPE.steps,
        epochs=1,
        verbose=0,
    )
    trained = fashion_fid(model.sample(500, seed=learning_seed(1)))
    print(f"FID untrained {untrained:.1f} trained {trained:.1f}")

    network = model.inference_network()
    z_seed = learning_seed(8)
    ws = model.styles(model.sample_latent(300, tf.constant([z_seed, 9], tf.int64)), network)
    fixed = model.synthesize(ws, network=network).numpy()
    fresh = [
        tf.random.stateless_normal((300, s, s, 1), seed=[learning_seed(i), 1])
        for i, s in enumerate(model.noise_sizes)
    ]
    noisy = model.synthesize(ws, fresh, network=network).numpy()
    other_z = model.synthesize(
        model.styles(model.sample_latent(300, tf.constant([z_seed, 10], tf.int64)), network),
        network=network,
    ).numpy()
    classes = predicted_classes(fixed)
    changed = np.abs(noisy - fixed).mean()
    same_class = np.mean(predicted_classes(noisy) == classes)
    same_class_other_z = np.mean(predicted_classes(other_z) == classes)
    print(
        f"noise: mean |Δpixel| {changed:.4f}, same class {same_class:.3f} "
        f"(another z: {same_class_other_z:.3f})"
    )
    record(
        fid_untrained=untrained,
        fid=trained,
        fid_ratio=trained / untrained,
        pixel_change=changed,
        same_class=same_class,
        same_class_other_z=same_class_other_z,
        same_class_ratio=same_class / max(same_class_other_z, 1e-9),
        thresholds=dict(
            fid_ratio="< 0.95", pixel_change="> 1e-3", same_class="> 0.5", same_class_ratio="> 2.5"
        ),
    )
    assert trained < 0.95 * untrained
    assert changed > 1e-3
    assert same_class > 0.5 and same_class > 2.5 * same_class_other_z
