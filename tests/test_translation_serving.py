"""Translators export a `translate` signature: uint8 images in, uint8 images out."""

import numpy as np
import pytest
import tensorflow as tf
from helpers.pixels import assert_pixels_of

from tfgan_zoo.gans import BicycleGAN, CycleGAN, Pix2Pix
from tfgan_zoo.serving import export_generator, protos
from tfgan_zoo.serving.warmup import read_warmup_requests

pytestmark = pytest.mark.slow  # end-to-end runs in fresh processes or trained fixtures

IMAGES = np.random.default_rng(0).integers(0, 256, (6, 28, 28, 1), dtype=np.uint8)
SEEDS = np.arange(6, dtype=np.int64) + 40


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    base = tmp_path_factory.mktemp("translators")
    models = {
        "pix2pix": Pix2Pix(base_filters=8, seed=0),
        "cyclegan": CycleGAN(base_filters=4, blocks=1, d_base_filters=8, seed=0),
        "bicyclegan": BicycleGAN(base_filters=8, seed=0),
    }
    return {name: (model, export_generator(model, base / name)) for name, model in models.items()}


def _signatures(path):
    return tf.saved_model.load(str(path)).signatures


def test_signatures_return_the_in_process_pixels(exported):
    pix2pix, path = exported["pix2pix"]
    sigs = _signatures(path)
    out = sigs["serving_default"](images=tf.constant(IMAGES))["images"].numpy()
    assert out.shape == IMAGES.shape
    assert_pixels_of(out, pix2pix.translate(IMAGES))

    cyclegan, path = exported["cyclegan"]
    sigs = _signatures(path)
    for name, direction in (
        ("translate", cyclegan.translate_ab),
        ("translate_ba", cyclegan.translate_ba),
    ):
        assert_pixels_of(sigs[name](images=tf.constant(IMAGES))["images"], direction(IMAGES))

    bicycle, path = exported["bicyclegan"]
    sigs = _signatures(path)
    out = sigs["translate"](images=tf.constant(IMAGES), seed=tf.constant(SEEDS))["images"]
    assert_pixels_of(out, bicycle.translate(IMAGES, seed=40))


def test_bicycle_seed_decides_the_output(exported):
    _, path = exported["bicyclegan"]
    translate = _signatures(path)["translate"]
    same = np.repeat(IMAGES[:1], 4, axis=0)
    a = translate(images=tf.constant(same), seed=tf.constant([1, 2, 3, 1], tf.int64))["images"]
    a = a.numpy()
    np.testing.assert_array_equal(a[0], a[3])  # the same seed replays
    assert len({image.tobytes() for image in a[:3]}) == 3  # other seeds, other outputs
    with pytest.raises(tf.errors.InvalidArgumentError, match="one entry per image"):
        translate(images=tf.constant(same), seed=tf.constant([1, 2], tf.int64))


@pytest.mark.parametrize("name", ["pix2pix", "cyclegan", "bicyclegan"])
def test_wrong_image_shape_is_a_clear_error(exported, name):
    _, path = exported[name]
    inputs = dict(images=tf.constant(IMAGES[:, :14]))
    if name == "bicyclegan":
        inputs["seed"] = tf.constant(SEEDS)
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"images must have shape \[batch, 28, 28, 1\]"
    ):
        _signatures(path)["translate"](**inputs)


@pytest.mark.parametrize("name", ["pix2pix", "cyclegan", "bicyclegan"])
def test_warmup_requests_run(exported, name):
    _, path = exported[name]
    sigs = _signatures(path)
    requests = read_warmup_requests(path)
    assert len(requests) == 2 * len([s for s in sigs if s != "serving_default"])
    for request in requests:
        inputs = protos.tensor_map_to_numpy(request.inputs)
        out = sigs[request.model_spec.signature_name](
            **{k: tf.constant(v) for k, v in inputs.items()}
        )
        assert out["images"].dtype == tf.uint8
