"""The `tfgan-zoo` command line: train writes a complete run directory; sample and list."""

import json
import subprocess

import keras
import numpy as np
import pytest
from helpers.cli import untraced, user_error
from PIL import Image

from tfgan_zoo.cli import main
from tfgan_zoo.training import load_training_data


@pytest.fixture(scope="module")
def ring_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "ring"
    main(
        [
            "train",
            "vanilla",
            "--dataset",
            "ring",
            "--epochs",
            "2",
            "--steps-per-epoch",
            "50",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    return out


def test_train_writes_run_record_samples_and_checkpoints(ring_run):
    record = json.loads((ring_run / "run.json").read_text())
    assert (record["variant"], record["dataset"]) == ("vanilla", "ring")
    assert record["settings"]["steps_per_epoch"] == 50
    assert len(record["history"]["d_loss"]) == 2
    assert len(record["history"]["modes_covered"]) == 2
    assert 0 <= record["history"]["modes_covered"][-1] <= 8
    pngs = sorted(p.name for p in (ring_run / "samples").iterdir())
    assert pngs == ["epoch_001.png", "epoch_002.png"]
    assert Image.open(ring_run / "samples" / "epoch_002.png").size == (512, 512)
    checkpoint = keras.models.load_model(ring_run / "checkpoints" / "epoch_0002.keras")
    assert int(checkpoint.g_optimizer.iterations) == 100
    assert sorted(p.name for p in (ring_run / "checkpoints").iterdir()) == [
        "epoch_0001.keras",
        "epoch_0002.keras",
        "index.json",
    ]
    assert record["status"] == "finished"
    final = keras.models.load_model(ring_run / "model.keras")
    np.testing.assert_array_equal(final.sample(8, seed=2), checkpoint.sample(8, seed=2))


def test_sample_is_reproducible_from_a_run_directory(ring_run, tmp_path):
    for name in ("a.png", "b.png"):
        main(["sample", str(ring_run), "--n", "300", "--seed", "4", "--out", str(tmp_path / name)])
    a, b = (np.asarray(Image.open(tmp_path / n)) for n in ("a.png", "b.png"))
    np.testing.assert_array_equal(a, b)
    assert (a < 250).any(axis=-1).sum() > 300  # points and centres were drawn


def test_sample_refuses_a_label_for_an_unconditional_model(ring_run, tmp_path, capsys):
    user_error(
        capsys,
        ["sample", str(ring_run), "--label", "1", "--out", str(tmp_path / "x.png")],
        "--label is for conditional models",
    )


@pytest.mark.slow
def test_conditional_run_on_fashion_mnist_samples_a_class(tmp_path, capsys):
    out = tmp_path / "cgan"
    main(
        [
            "train",
            "cgan",
            "--dataset",
            "fashion_mnist",
            "--epochs",
            "1",
            "--steps-per-epoch",
            "3",
            "--batch-size",
            "16",
            "--base-filters",
            "8",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    main(["sample", str(out), "--label", "3", "--n", "16", "--out", str(tmp_path / "c.png")])
    grid = np.asarray(Image.open(tmp_path / "c.png"))
    assert grid.shape == (4 * 28 + 5 * 2, 4 * 28 + 5 * 2)  # 4x4 tiles with 2-px borders
    user_error(
        capsys,
        ["sample", str(out), "--label", "10", "--out", str(tmp_path / "d.png")],
        r"--label must be in \[0, 10\)",
    )


@pytest.mark.slow
def test_growing_and_semi_supervised_variants_train_on_padded_fashion_mnist(tmp_path, capsys):
    out = tmp_path / "semi"
    with untraced():  # the export below traces the model's signatures
        main(
            [
                "train",
                "semi_stylegan",
                "--dataset",
                "fashion_mnist",
                "--epochs",
                "1",
                "--steps-per-epoch",
                "2",
                "--batch-size",
                "16",
                "--out",
                str(out),
                "--quiet",
            ]
        )
    record = json.loads((out / "run.json").read_text())
    assert record["model_config"]["image_shape"] == [32, 32, 1]  # 28x28 padded to 32x32
    main(["sample", str(out), "--n", "4", "--out", str(tmp_path / "s.png")])
    assert np.asarray(Image.open(tmp_path / "s.png")).shape == (2 * 32 + 3 * 2, 2 * 32 + 3 * 2)
    capsys.readouterr()
    main(["export", str(out), "--to", str(tmp_path / "served")])
    assert "generate_styled" in capsys.readouterr().out  # the export lists what it wrote
    data = load_training_data(
        "fashion_mnist", 16, labels=True, labels_per_class=10, power_of_two=True
    )
    _, labels = next(iter(data.every_example.unbatch().batch(60000)))
    assert np.sum(labels.numpy() >= 0) == 100 and set(np.unique(labels.numpy())) == set(
        range(-1, 10)
    )
    images, batch_labels = next(iter(data.dataset))
    assert images.shape == (16, 32, 32, 1) and np.sum(batch_labels.numpy() >= 0) == 4


def test_image_variant_on_point_data_is_a_clear_error(tmp_path, capsys):
    user_error(
        capsys,
        ["train", "dcgan", "--dataset", "grid", "--out", str(tmp_path / "bad")],
        "DCGAN generates images",
    )
    assert not (tmp_path / "bad").exists()


def test_console_script_lists_variants_and_losses():
    result = subprocess.run(["tfgan-zoo", "list"], capture_output=True, text=True, check=True)
    for name in ("vanilla", "dcgan", "cgan", "minimax", "non_saturating", "grid"):
        assert name in result.stdout
