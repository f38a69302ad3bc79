"""Files saved by earlier versions keep loading. `tools/make_compat_fixtures.py`
saved one small `.keras` file per registered model (under the argument names and
module layout of its version) with inputs and the outputs they gave; each must load
into the same class and give the same outputs. Zoo entries written by earlier
versions are checked by tests/test_zoo_entries.py (`eval` reproduces each card)."""

import json
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_zoo  # noqa: F401  (registers every class the files name)
from tfgan_zoo.registry import get_model

ROOT = Path(__file__).parent / "data" / "compat"
CASES = [
    (version.name, name)
    for version in sorted(ROOT.iterdir())
    for name in json.loads((version / "index.json").read_text())
]


def outputs(name, model, saved):
    if name == "cyclegan":
        return {"ab": model.g_ab(saved["images"]), "ba": model.g_ba(saved["images"])}
    if name == "pix2pix":
        return {"out": model.translate_batch(saved["images"])}
    if name == "bicyclegan":
        return {"out": model.generator([saved["images"], saved["z"]])}
    if name == "autoencoder":
        return {"out": model(saved["images"])}
    if name == "pixelcnn":
        # Logits gained a colour axis, [N, H, W, 1, levels], after 0.1.0.
        return {"out": np.reshape(model(saved["pixels"]), saved["out"].shape)}
    labels = saved["labels"] if "labels" in saved else None
    return {
        "out": model.generate(
            tf.constant(saved["z"]), None if labels is None else tf.constant(labels)
        )
    }


def test_every_registered_model_has_a_saved_file():
    assert {name for _, name in CASES} >= {"dcgan", "stylegan", "cyclegan", "vae"}


@pytest.mark.parametrize("version,name", CASES)
def test_saved_file_loads_and_gives_its_outputs(version, name):
    folder = ROOT / version
    model = keras.saving.load_model(folder / f"{name}.keras")
    assert type(model) is get_model(name)
    saved = dict(np.load(folder / f"{name}.npz"))
    for key, value in outputs(name, model, saved).items():
        np.testing.assert_allclose(np.asarray(value), saved[key], atol=1e-5, err_msg=key)


def test_configs_under_the_argument_names_of_0_1_0_load():
    """`from_config` takes the old names (each class's RENAMED table); the zoo's
    shipped config.json files rely on it."""
    from tfgan_zoo.baselines import PixelCNN
    from tfgan_zoo.gans import BEGAN, ConditionalGAN, ProGAN, StandardGAN, StyleGAN

    # `width` was the MLP layers' size for vectors and the conv width for images.
    points = StandardGAN.from_config(dict(data_shape=[2], latent_dim=2, width=8, seed=0))
    assert (points.hidden, points.base_filters) == ((8, 8, 8), None)
    images = ConditionalGAN.from_config(dict(latent_dim=8, width=8, seed=0))  # 28×28 default
    assert (images.hidden, images.base_filters) == (None, 8)
    progan = ProGAN.from_config(dict(image_shape=[8, 8, 1], filters=[8, 8], group_size=2))
    assert progan.mbstd_group_size == 2
    style = StyleGAN.from_config(dict(image_shape=[8, 8, 1], filters=[8, 8], mbstd_group=2))
    assert style.mbstd_group_size == 2
    assert PixelCNN.from_config(dict(levels=4, filters=8, blocks=1)).base_filters == 8
    with pytest.raises(ValueError, match="has 'filters' and its new name 'base_filters'"):
        BEGAN.from_config(dict(filters=8, base_filters=8))


def test_an_argument_added_later_takes_its_earlier_value_in_an_old_config():
    from tfgan_zoo.engine.renames import current_config

    class Model:
        RENAMED = {"width": "base_filters"}
        EARLIER_DEFAULTS = {"upsample": "bilinear"}

    assert current_config(Model, {"width": 8}) == {"base_filters": 8, "upsample": "bilinear"}
    # A config written since the argument exists keeps its own value.
    assert current_config(Model, {"base_filters": 8, "upsample": "nearest"}) == {
        "base_filters": 8,
        "upsample": "nearest",
    }
