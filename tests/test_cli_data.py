"""The command line trains on the user's own data: a folder of images (with class
subfolders), arrays, a tfds dataset (its offline mock), folders of pairs and of
two domains, at the size and channels asked for; sample and export work on the run."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from helpers.cli import untraced
from helpers.pixels import assert_pixels_of
from PIL import Image

from tfgan_zoo.cli import main
from tfgan_zoo.data.pipeline import scale_images
from tfgan_zoo.registry import model_names
from tfgan_zoo.training import load_run

pytestmark = pytest.mark.slow
FAST = [
    "--epochs",
    "1",
    "--steps-per-epoch",
    "2",
    "--batch-size",
    "4",
    "--jit-compile",
    "false",
    "--quiet",
]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """24 colour pictures 24×24 in two class folders; pairs side by side; two domains."""
    root = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(0)
    pictures = rng.integers(0, 256, (24, 24, 24, 3), dtype=np.uint8)
    for i, picture in enumerate(pictures):
        folder = root / "pictures" / ("cats" if i % 2 else "dogs")
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(picture).save(folder / f"{i}.{'png' if i % 3 else 'jpg'}")
    (root / "pairs").mkdir()
    for i in range(8):
        Image.fromarray(np.concatenate([pictures[i], 255 - pictures[i]], axis=1)).save(
            root / "pairs" / f"{i}.png"
        )
    for domain in ("horses", "zebras"):
        (root / "domains" / domain).mkdir(parents=True)
        for i in range(8):
            Image.fromarray(pictures[i + (8 if domain == "zebras" else 0)]).save(
                root / "domains" / domain / f"{i}.png"
            )
    np.savez(root / "arrays.npz", images=pictures[..., :1], labels=np.arange(24) % 3)
    return root


def train(tmp_path, model, dataset, *extra):
    out = tmp_path / model
    main(["train", model, "--dataset", str(dataset), "--out", str(out), *FAST, *extra])
    run_model, record = load_run(out)
    return out, run_model, record


def dataset_for(name, data):
    """The folder a registered model trains on: pairs, two domains, or pictures in
    class subfolders (labels for the conditional models)."""
    from tfgan_zoo.registry import get_model

    if name in ("pix2pix", "bicyclegan"):
        return data / "pairs", []
    if name == "cyclegan":
        return data / "domains", []
    conditional = getattr(get_model(name), "conditional", False)
    return data / "pictures", (["--labels", "subfolders"] if conditional else [])


@pytest.mark.parametrize("name", model_names())
def test_every_registered_model_trains_on_a_folder_and_samples(data, tmp_path, name):
    """`train NAME --dataset FOLDER` at 16x16 colour for every registered model, then
    `sample` on the run: the run holds a model of the folder's (resized) shape, and
    its grid is a picture of 16-pixel cells. WGAN's 5 critic steps take 5 images each.
    The runs go eagerly, but PixelCNN's: its epoch's sample grid, drawn pixel by
    pixel, is slower eager than traced."""
    dataset, extra = dataset_for(name, data)
    with untraced(name != "pixelcnn"):
        out, run_model, record = train(
            tmp_path,
            name,
            dataset,
            "--image-size",
            "16",
            *extra,
            *(["--batch-size", "10"] if name.startswith("wgan") else []),
        )
    assert tuple(run_model.data_shape) == (16, 16, 3)
    assert record["dataset"] == str(dataset) and record["settings"]["image_size"] == 16
    assert record["status"] == "finished"
    if extra:  # Semi-StyleGAN's G takes no label: the classes are its categorical code
        assert (run_model.num_classes or run_model.categories) == 2
    main(["sample", str(out), "--n", "4", "--out", str(tmp_path / "s.png")])
    grid = np.asarray(Image.open(tmp_path / "s.png"))
    assert grid.shape[0] >= 16 and grid.shape[1] >= 2 * 16 and grid.std() > 0


def test_sizes_and_channels_follow_the_flags(data, tmp_path):
    """--image-size and --channels, and a power-of-two model's default size."""
    with untraced():
        _, run_model, _ = train(
            tmp_path,
            "wgan_gp",
            data / "pictures",
            "--image-size",
            "16",
            "--channels",
            "1",
            "--batch-size",
            "10",
        )
        assert tuple(run_model.data_shape) == (16, 16, 1)
        _, run_model, record = train(tmp_path, "stylegan", data / "pictures")
        assert tuple(run_model.data_shape) == (16, 16, 3)  # 24 px: a power-of-two model takes 16
        assert record["settings"].get("image_size") is None
        _, run_model, _ = train(tmp_path, "vae", data / "pictures", "--image-size", "8")
    assert tuple(run_model.data_shape) == (8, 8, 3)


def test_a_conditional_model_takes_its_classes_from_subfolders_and_resumes_exactly(data, tmp_path):
    """A run on a folder, cut after epoch 1 and resumed (a new process reading its data
    settings from run.json), ends with the weights of the uninterrupted run."""
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    command = [
        sys.executable,
        "-m",
        "tfgan_zoo.cli",
        "train",
        "cgan",
        "--dataset",
        str(data / "pictures"),
        "--image-size",
        "8",
        "--labels",
        "subfolders",
        "--epochs",
        "2",
        "--steps-per-epoch",
        "3",
        "--batch-size",
        "4",
        "--deterministic",
        "--quiet",
    ]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    subprocess.run(command + ["--out", str(whole)], env=env, check=True, capture_output=True)
    model, record = load_run(whole)
    assert model.num_classes == 2 and record["settings"]["labels"] == "subfolders"
    shutil.copytree(whole, cut)
    (cut / "model.keras").unlink()
    index = json.loads((cut / "checkpoints" / "index.json").read_text())
    index["checkpoints"] = [c for c in index["checkpoints"] if c["epoch"] == 1]
    (cut / "checkpoints" / "index.json").write_text(json.dumps(index))
    subprocess.run(
        command + ["--out", str(cut), "--resume"], env=env, check=True, capture_output=True
    )
    resumed, record = load_run(cut)
    assert record["resumed_from_epoch"] == 1
    for a, b in zip(model.get_weights(), resumed.get_weights()):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)


def test_arrays_and_a_tfds_dataset_train_a_conditional_model(data, tmp_path):
    with untraced():
        _, run_model, _ = train(tmp_path, "cgan", data / "arrays.npz", "--image-size", "8")
    assert run_model.num_classes == 3 and tuple(run_model.data_shape) == (8, 8, 1)
    tfds = pytest.importorskip("tensorflow_datasets")
    with (
        untraced(),
        tfds.testing.mock_data(num_examples=16, policy=tfds.testing.MockPolicy.USE_CODE),
    ):
        _, run_model, _ = train(tmp_path / "tfds", "cgan", "tfds:mnist", "--image-size", "8")
    assert run_model.num_classes == 10 and tuple(run_model.data_shape) == (8, 8, 1)


def test_translators_train_on_folders_of_pairs_and_of_two_domains(data, tmp_path):
    with untraced():  # the export below traces its signatures
        out, run_model, _ = train(tmp_path, "pix2pix", data / "pairs", "--image-size", "16")
    assert tuple(run_model.data_shape) == (16, 16, 3)
    main(["export", str(out), "--to", str(tmp_path / "export")])
    served = tf.saved_model.load(str(next((tmp_path / "export").iterdir())))
    pictures = np.asarray(Image.open(data / "pairs" / "0.png").resize((32, 16)))[None, :, :16]
    images = served.signatures["translate"](images=tf.constant(pictures))["images"]
    assert_pixels_of(images, run_model.translate_batch(scale_images(pictures)))
    # eval scores the outputs for the run's own inputs against their targets.
    from tfgan_zoo.data import sources
    from tfgan_zoo.metrics.translation_scores import l1_error

    main(["eval", str(out), "--json", str(tmp_path / "eval.json")])
    report = json.loads((tmp_path / "eval.json").read_text())["outputs"]
    source, target, _ = sources.image_pairs(sources.parse(str(data / "pairs")), side=16)
    assert report["num_examples"] == 8
    assert report["l1"] == pytest.approx(l1_error(run_model.translate(source), target), abs=1e-5)
    assert report["identity_l1"] == pytest.approx(l1_error(source, target), abs=1e-6)
    assert (tmp_path / "eval_samples.png").exists()
    with untraced():
        _, run_model, record = train(tmp_path, "cyclegan", data / "domains", "--image-size", "16")
    assert tuple(run_model.data_shape) == (16, 16, 3)
    assert json.loads((tmp_path / "cyclegan" / "run.json").read_text())["status"] == "finished"


def test_training_can_start_from_a_zoo_entry(tmp_path, capsys):
    """--init-from: the run starts from the entry's weights (at learning rate 0 its
    generator's trainable weights stay the entry's, bit for bit); an entry of
    another model or another shape is refused in one line."""
    from helpers.cli import user_error

    from tfgan_zoo import zoo
    from tfgan_zoo.data import load_fashion_mnist

    folder = tmp_path / "items"
    folder.mkdir()
    items, _ = load_fashion_mnist("test")
    for i in range(32):
        Image.fromarray(items[i, ..., 0]).save(folder / f"{i}.png")
    with untraced():
        _, run_model, record = train(
            tmp_path,
            "dcgan",
            folder,
            *("--init-from", "fashion_dcgan", "--lr", "0", "--batch-size", "16"),
        )
    entry = zoo.load("fashion_dcgan")
    assert record["settings"]["init_from"] == "fashion_dcgan"
    for mine, theirs in zip(
        run_model.generator.trainable_weights, entry.generator.trainable_weights
    ):
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    user_error(
        capsys,
        [
            "train",
            "wgan_gp",
            "--dataset",
            str(folder),
            "--init-from",
            "fashion_dcgan",
            "--batch-size",
            "10",
            "--out",
            str(tmp_path / "x"),
        ],
        "not a WGANGP",
    )
    user_error(
        capsys,
        [
            "train",
            "dcgan",
            "--dataset",
            str(folder),
            "--image-size",
            "16",
            "--batch-size",
            "16",
            "--init-from",
            "fashion_dcgan",
            "--out",
            str(tmp_path / "y"),
        ],
        "makes 28×28×1 samples; this data is 16×16×1",
    )
