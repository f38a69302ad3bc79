"""PixelCNN baseline: causal masks, exact likelihood in bits/dim, learning on
Fashion-MNIST, deterministic sampling judged by the shipped classifier, saving."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from helpers.learning import learning_seed, record, seed_everything

from tfgan_zoo.baselines import MaskedConv2D, PixelCNN, bits_per_dim_256, causal_mask
from tfgan_zoo.data import load_fashion_mnist
from tfgan_zoo.metrics.features import get_feature_network
from tfgan_zoo.metrics.fid import fid
from tfgan_zoo.metrics.inception_score import inception_score, softmax

LEVELS = 8
SAMPLES = 300
# Raster positions: first pixel, first row, first column, middle, last pixel.
POSITIONS = [(0, 0), (0, 13), (5, 0), (14, 14), (27, 27)]


def _input_gradient(fn, x, row, col):
    """|d (random projection of fn(x)[0, row, col]) / dx| summed over channels: [H, W]."""
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = fn(x)[0, row, col]
        # A random projection, so no two output channels can cancel by accident.
        weights = tf.random.stateless_normal(out.shape, seed=[row, col], dtype=out.dtype)
        target = tf.reduce_sum(out * weights)
    return np.abs(tape.gradient(target, x).numpy()[0]).sum(axis=-1)


@pytest.mark.parametrize("mask_type", ["A", "B"])
def test_masked_conv_sees_exactly_its_mask(mask_type):
    layer = MaskedConv2D(4, 5, mask_type)
    x = np.random.default_rng(0).normal(size=(1, 9, 9, 2)).astype(np.float32)
    grad = _input_gradient(layer, x, 4, 4)
    seen = grad != 0
    mask = causal_mask(5, mask_type)[..., 0, 0] == 1
    np.testing.assert_array_equal(seen[2:7, 2:7], mask)  # exactly the mask, centre on (4, 4)
    assert seen.sum() == mask.sum() == (12 if mask_type == "A" else 13)
    assert seen[4, 4] == (mask_type == "B")  # A hides the centre pixel, B uses it


def test_pixelcnn_is_causal_in_raster_order():
    keras.utils.set_random_seed(1)
    model = PixelCNN(levels=LEVELS, base_filters=16, blocks=2)
    x = np.random.default_rng(1).uniform(-1, 1, (1, 28, 28, 1)).astype(np.float32)
    for row, col in POSITIONS:
        grad = _input_gradient(model.network, x, row, col).ravel()
        i = row * 28 + col
        assert np.all(grad[i:] == 0), f"pixel {(row, col)} sees itself or a later pixel"
        if i > 0:
            assert np.count_nonzero(grad[:i]) > 0, f"pixel {(row, col)} sees no context"


@pytest.mark.parametrize("mask_type", ["A", "B"])
def test_colour_masks_order_the_colours_within_a_pixel(mask_type):
    """At the centre pixel, output colour c sees input colours < c (A) or <= c (B);
    every colour sees every colour of the earlier pixels."""
    layer = MaskedConv2D(6, 3, mask_type, colours=3)  # two output channels per colour
    x = np.random.default_rng(5).normal(size=(1, 5, 5, 3)).astype(np.float32)
    for colour in range(3):
        x_t = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(x_t)
            target = tf.reduce_sum(layer(x_t)[0, 2, 2, 2 * colour : 2 * colour + 2])
        grad = np.abs(tape.gradient(target, x_t).numpy()[0])
        seen = grad[2, 2] != 0
        expected = np.arange(3) < colour if mask_type == "A" else np.arange(3) <= colour
        np.testing.assert_array_equal(seen, expected)
        assert (grad[1, 1:4] != 0).all() and (grad[2, 1] != 0).all()  # the row above, the left
        assert (grad[3] == 0).all() and (grad[2, 3] == 0).all()  # later pixels: never


def test_colour_pixelcnn_is_causal_in_raster_and_colour_order():
    keras.utils.set_random_seed(6)
    model = PixelCNN(levels=4, base_filters=12, blocks=2, image_shape=(6, 7, 3))
    x = np.random.default_rng(6).uniform(-1, 1, (1, 6, 7, 3)).astype(np.float32)
    for row, col in [(0, 0), (2, 3), (5, 6)]:
        for colour in range(3):
            x_t = tf.constant(x)
            with tf.GradientTape() as tape:
                tape.watch(x_t)
                out = model.network(x_t)[0, row, col, colour]
                weights = tf.random.stateless_normal(out.shape, seed=[row, colour])
                target = tf.reduce_sum(out * weights)
            grad = np.abs(tape.gradient(target, x_t).numpy()[0])
            values = grad.reshape(-1)  # raster order, colours in order within a pixel
            i = (row * 7 + col) * 3 + colour
            assert np.all(values[i:] == 0), f"{(row, col, colour)} sees itself or later"
            assert i == 0 or np.count_nonzero(values[:i]) > 0


@pytest.mark.learning
def test_colour_model_learns_that_green_and_blue_copy_red():
    """Grey pictures stored as RGB, 4 levels, every pixel uniform and independent:
    the best model spends 2 bits on R and none on G and B (mean 2/3 bits/dim).
    8 epochs on 2,048 8x8 images (~4 s); seeds 0-2: R 2.0005-2.0024 bits, G
    0.0016-0.0036, B 0.0001-0.0002; 99.4-99.9 % of sampled pixels have R = G = B.
    Asserted: R within 0.03 of 2, G and B < 0.05, R = G = B on > 95 %; the
    served sampler draws the in-process sample of a one-image batch."""
    from tfgan_zoo.serving.signatures import autoregressive_functions

    seed = learning_seed()
    seed_everything()
    rng = np.random.default_rng(seed)

    def grey(n):
        return np.repeat((rng.integers(0, 4, (n, 8, 8, 1)) * 64 + 32).astype(np.uint8), 3, -1)

    model = PixelCNN(levels=4, base_filters=24, blocks=1, image_shape=(8, 8, 3))
    model.compile(optimizer=keras.optimizers.Adam(3e-3))
    model.fit(grey(2048), batch_size=64, epochs=8, verbose=0)
    bits = model._pixel_nll(tf.constant(grey(256), tf.float32), None).numpy().mean(
        axis=(0, 1, 2)
    ) / math.log(2)
    samples = model.sample(16, seed=seed)
    agree = ((samples[..., 0] == samples[..., 1]) & (samples[..., 1] == samples[..., 2])).mean()
    record(
        red_bits=bits[0],
        green_bits=bits[1],
        blue_bits=bits[2],
        grey_pixels=agree,
        thresholds=dict(
            red_bits="within 0.03 of 2",
            green_bits="< 0.05",
            blue_bits="< 0.05",
            grey_pixels="> 0.95",
        ),
    )
    assert abs(bits[0] - 2) < 0.03 and bits[1] < 0.05 and bits[2] < 0.05
    assert samples.shape == (16, 8, 8, 3) and agree > 0.95
    served = autoregressive_functions(model)["sample"][0](tf.constant([seed], tf.int64))
    np.testing.assert_array_equal(served["images"].numpy(), model.sample(1, seed=seed))


def test_sampling_window_gives_the_full_frame_logits():
    # sample() runs each step on a crop of `reach` margin; it must change nothing.
    keras.utils.set_random_seed(2)
    model = PixelCNN(levels=LEVELS, base_filters=16, blocks=2)
    x = np.random.default_rng(2).uniform(-1, 1, (2, 28, 28, 1)).astype(np.float32)
    full = model.network(x).numpy()
    for row, col in POSITIONS + [(3, 27), (27, 2), (10, 5)]:
        r0, c0, h, w = model.window(row, col)
        crop = model.network(x[:, r0 : r0 + h, c0 : c0 + w]).numpy()
        np.testing.assert_allclose(crop[:, row - r0, col - c0], full[:, row, col], atol=1e-5)


@pytest.mark.parametrize("image_shape", [(9, 13, 1), (4, 6, 1), (5, 7, 3)])
def test_pixel_logits_on_shrinking_windows_equal_the_full_frame_logits(image_shape):
    # sample() and the served sampler run each layer only on the window later layers
    # read; every pixel's logits must be the full frame's, at the edges (windows
    # clamped inside the image, or wider than it) as in the middle.
    keras.utils.set_random_seed(3)
    model = PixelCNN(
        levels=LEVELS, base_filters=16, blocks=2, num_classes=3, image_shape=image_shape
    )
    canvas = np.random.default_rng(3).integers(0, LEVELS, (2, *image_shape)).astype(np.int32)
    labels = np.array([0, 2], np.int32)
    full = model.network(model.to_input(canvas), labels).numpy()
    height, width = image_shape[:2]
    logits_at = tf.function(model.pixel_logits)  # one trace: row and col are tensors
    for row in range(height):
        for col in range(width):
            logits = logits_at(tf.constant(canvas), labels, tf.constant(row), tf.constant(col))
            np.testing.assert_allclose(
                logits.numpy(), full[:, row, col], atol=1e-5, err_msg=str((row, col))
            )


def test_a_uniform_model_scores_log2_levels_and_8_bits_at_256_levels():
    model = PixelCNN(levels=4, base_filters=8, blocks=1)
    model.build()
    for variable in model.head[1].weights:  # zero logits: every class 1/4
        variable.assign(tf.zeros_like(variable))
    images = np.random.default_rng(3).integers(0, 256, (10, 28, 28, 1)).astype(np.uint8)
    bits = model.nll_bits_per_dim(images, batch_size=4)
    assert bits == pytest.approx(2.0, abs=1e-6)
    assert bits_per_dim_256(bits, 4) == pytest.approx(8.0, abs=1e-6)
    assert bits_per_dim_256(3.0, 8) == 8.0 and bits_per_dim_256(1.0, 256) == 1.0


def test_quantisation_and_bin_centres():
    model = PixelCNN(levels=LEVELS, base_filters=8, blocks=1)
    values = np.array([0, 31, 32, 127, 128, 255], np.uint8)
    np.testing.assert_array_equal(model.quantise(values), [0, 0, 1, 3, 4, 7])
    np.testing.assert_array_equal(model.bin_centres(np.arange(8)), 32 * np.arange(8) + 16)
    with pytest.raises(ValueError, match="power of two"):
        PixelCNN(levels=10)


@pytest.fixture(scope="module")
def data():
    train, _ = load_fashion_mnist("train")
    test, _ = load_fashion_mnist("test")
    return train[:4096], test[:1000]


@pytest.fixture(scope="module")
def trained(data):
    seed_everything()
    model = PixelCNN(levels=LEVELS, base_filters=32, blocks=2)
    model.compile(optimizer=keras.optimizers.Adam(2e-3))
    history = model.fit(data[0], batch_size=64, epochs=3, verbose=0)  # ~10 s on 2 CPUs
    return model, history.history


@pytest.mark.slow
@pytest.mark.learning
def test_learns_fashion_mnist_well_below_uniform(trained, data):
    """3 epochs of 64 on 4,096 images, 8 levels. Seeds 0-2: held-out 0.974-0.984
    bits/dim (uniform: 3), 5.97-5.98 at 256 levels (uniform: 8). Asserted:
    < 0.6 × 3 = 1.8 and < 6.8."""
    model, history = trained
    bpd = history["bits_per_dim"]
    bits = model.nll_bits_per_dim(data[1])
    record(
        first_epoch_bits=bpd[0],
        last_epoch_bits=bpd[-1],
        test_bits=bits,
        test_bits_256=bits_per_dim_256(bits, LEVELS),
        thresholds=dict(test_bits=f"< {0.6 * math.log2(LEVELS):g}", test_bits_256="< 6.8"),
    )
    assert bpd[-1] < bpd[0] and history["loss"][-1] == pytest.approx(bpd[-1] * math.log(2), 1e-5)
    assert bits < 0.6 * math.log2(LEVELS)
    assert bits_per_dim_256(bits, LEVELS) < 8 - 1.2
    # evaluate() reports the same number (equal batches, so the mean of means is exact).
    reported = model.evaluate(data[1], batch_size=250, verbose=0, return_dict=True)
    assert reported["bits_per_dim"] == pytest.approx(bits, abs=1e-4)


@pytest.mark.slow
@pytest.mark.learning
def test_samples_are_deterministic_and_recognised_by_the_classifier(trained, data):
    """300 samples against quantised uniform noise. Seeds 0-2 on an AMD EPYC with
    two op threads: Inception Score 2.09-2.13 against 1.17-1.20 (a gain of
    0.89-0.94), classifier-feature FID to the test images 310-319 against 577-578
    (0.54-0.55 of it); with one op thread a test worker (the suite's setting):
    1.69-1.91 (a gain of 0.52-0.71) and 337-368 (0.58-0.64). Asserted: gain > 0.3;
    FID < 0.8 × the noise's. With 100 samples a gain of 0.47 at seed 2 (one
    thread) failed the bound of 0.5 the two-thread spread (0.92-1.01) had set."""
    model, _ = trained
    small = model.sample(8, seed=1)
    np.testing.assert_array_equal(small, model.sample(8, seed=1))
    assert not np.array_equal(small, model.sample(8, seed=2))
    samples = model.sample(SAMPLES, seed=learning_seed())
    assert samples.shape == (SAMPLES, 28, 28, 1) and samples.dtype == np.uint8
    assert set(np.unique(samples)) <= set(model.bin_centres(np.arange(LEVELS)))

    classifier = get_feature_network("fashion_mnist")
    levels = np.random.default_rng(learning_seed()).integers(0, LEVELS, samples.shape)
    noise = model.bin_centres(levels)  # uniform noise with the same quantisation
    reference, _ = classifier.features_and_logits(data[1])
    scores = {}
    for name, images in (("samples", samples), ("noise", noise)):
        features, logits = classifier.features_and_logits(images)
        scores[name] = dict(
            max_softmax=softmax(logits).max(axis=1).mean(),
            inception_score=inception_score(logits, splits=1)[0],
            fid=fid(features, reference),
        )
    print("classifier on PixelCNN samples vs quantised noise:", scores)
    record(
        inception_score=scores["samples"]["inception_score"],
        noise_inception_score=scores["noise"]["inception_score"],
        inception_score_gain=scores["samples"]["inception_score"]
        - scores["noise"]["inception_score"],
        fid=scores["samples"]["fid"],
        noise_fid=scores["noise"]["fid"],
        fid_ratio=scores["samples"]["fid"] / scores["noise"]["fid"],
        thresholds=dict(inception_score_gain="> 0.3", fid_ratio="< 0.8"),
    )
    # Mean max-softmax does not separate them: the classifier is confidently wrong on
    # noise (measured 0.72, nearly all "Bag"/"Shirt") and less sure of the blotchy
    # samples (0.53). Recognition is judged instead by the Inception Score (confident
    # *and* varied classes; chance is 1) and the classifier-feature FID to real test
    # images.
    assert scores["samples"]["inception_score"] > scores["noise"]["inception_score"] + 0.3
    assert scores["samples"]["fid"] < 0.8 * scores["noise"]["fid"]


def test_class_conditional_fit_on_a_dataset_and_sample():
    keras.utils.set_random_seed(4)
    model = PixelCNN(levels=4, base_filters=8, blocks=1, num_classes=10)
    rng = np.random.default_rng(4)
    images = rng.integers(0, 256, (64, 28, 28, 1)).astype(np.uint8)
    labels = rng.integers(0, 10, 64)
    dataset = tf.data.Dataset.from_tensor_slices((images, labels)).batch(32)
    model.compile(optimizer="adam")
    history = model.fit(dataset, epochs=1, verbose=0).history
    assert np.isfinite(history["bits_per_dim"][0])
    assert 0 < model.nll_bits_per_dim(images, labels=labels) < 2.5  # 2 = uniform over 4 levels
    samples = model.sample(2, seed=0, labels=[3, 7])
    assert samples.shape == (2, 28, 28, 1)
    x = images[:2]
    with pytest.raises(ValueError, match="class-conditional"):
        model.sample(2)
    with pytest.raises(ValueError, match="class-conditional"):
        model(x)
    with pytest.raises(ValueError, match="class-conditional"):
        PixelCNN(levels=4, base_filters=8, blocks=1).sample(1, labels=[0])
    assert not np.allclose(model(x, labels=np.array([0, 0])), model(x, labels=np.array([1, 1])))


@pytest.mark.slow
def test_keras_file_round_trip_keeps_predictions(trained, data, tmp_path):
    model, _ = trained
    path = tmp_path / "pixelcnn.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, PixelCNN) and loaded.get_config() == model.get_config()
    images = data[1][:64]
    np.testing.assert_array_equal(loaded(images).numpy(), model(images).numpy())
    assert loaded.nll_bits_per_dim(images) == model.nll_bits_per_dim(images)


def test_pixelcnn_exports_a_replayable_sample_signature(tmp_path):
    import tensorflow as tf

    from tfgan_zoo.serving import export_generator
    from tfgan_zoo.serving.rest import handle_grpc_request
    from tfgan_zoo.serving.warmup import read_warmup_requests

    model = PixelCNN(levels=4, base_filters=8, blocks=1)
    path = export_generator(model, tmp_path / "p", warmup_batch_sizes=(1, 2))
    loaded = tf.saved_model.load(str(path))
    assert set(loaded.signatures) == {"sample", "png", "serving_default"}
    both = loaded.signatures["sample"](seed=tf.constant([7, 9], tf.int64))["images"].numpy()
    alone = loaded.signatures["sample"](seed=tf.constant([9], tf.int64))["images"].numpy()
    assert both.dtype == np.uint8 and both.shape == (2, 28, 28, 1)
    np.testing.assert_array_equal(both[1], alone[0])  # a row depends on its seed only
    assert set(np.unique(both)) <= {32, 96, 160, 224}  # the 4 bin centres
    for request in read_warmup_requests(path):
        (output,) = handle_grpc_request(loaded, request).outputs.values()
        assert tf.make_ndarray(output).shape[0] == len(tf.make_ndarray(request.inputs["seed"]))
