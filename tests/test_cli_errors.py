"""A user error on the command line is one line on stderr and exit code 2, with no
traceback unless --debug is given, and nothing is written."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.cli import user_error

from tfgan_zoo import training
from tfgan_zoo.cli import main
from tfgan_zoo.zoo import ZooError

# The console script of the environment running the tests.
CONSOLE_SCRIPT = str(Path(sys.executable).parent / "tfgan-zoo")
TRAIN_RING = ["train", "vanilla", "--dataset", "ring", "--epochs", "1", "--steps-per-epoch", "2"]


def test_unknown_model_name(tmp_path, capsys):
    line = user_error(
        capsys, ["train", "stylegann", "--out", str(tmp_path / "r")], r"invalid choice: 'stylegann'"
    )
    assert "tfgan-zoo train --help" in line and not (tmp_path / "r").exists()


def test_unknown_command_and_missing_argument(capsys):
    user_error(capsys, ["trian"], "invalid choice: 'trian'")
    user_error(capsys, ["train", "dcgan"], "the following arguments are required: --out")


def test_unknown_zoo_name_or_missing_run_directory(tmp_path, capsys):
    user_error(
        capsys,
        ["sample", "fashion_dcgn", "--out", str(tmp_path / "s.png")],
        r"No zoo entry 'fashion_dcgn'\. Did you mean 'fashion_dcgan'",
    )
    user_error(
        capsys, ["export", str(tmp_path / "no_run"), "--to", str(tmp_path / "out")], "No zoo entry"
    )
    assert not (tmp_path / "out").exists()


def test_a_folder_that_holds_no_run(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    user_error(capsys, ["eval", str(tmp_path / "empty")], "holds no model.keras")


def test_bad_numbers(tmp_path, capsys):
    for flag in ("--epochs", "--steps-per-epoch", "--batch-size"):
        user_error(
            capsys,
            [*TRAIN_RING, flag, "0", "--out", str(tmp_path / "r")],
            f"argument {flag}: must be a positive integer, found 0",
        )
    user_error(
        capsys, ["sample", "fashion_dcgan", "--n", "-3"], "argument --n: must be a positive integer"
    )
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--tpu", "grpc://10.0.0.1:8470"], "--tpu names the TPU for --strategy tpu"),
        (["--cpu-replicas", "2"], "--cpu-replicas makes replicas for --strategy mirrored"),
    ],
)
def test_flag_combinations_that_do_not_fit(tmp_path, capsys, extra, message):
    user_error(capsys, [*TRAIN_RING, *extra, "--out", str(tmp_path / "r")], message)
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    "model,dataset,message",
    [
        ("dcgan", "edges", "dcgan trains on a dataset of samples"),
        ("vae", "sneaker2boot", "vae trains on a dataset of samples"),
        ("pix2pix", "sneaker2boot", r"pix2pix trains on aligned \(source, target\) pairs"),
        ("cyclegan", "fashion_mnist", "cyclegan trains on two domains of images"),
    ],
)
def test_a_dataset_the_model_cannot_learn_from(tmp_path, capsys, model, dataset, message):
    user_error(
        capsys, ["train", model, "--dataset", dataset, "--out", str(tmp_path / "run")], message
    )
    assert not (tmp_path / "run").exists()


def test_an_existing_run_is_not_overwritten(tmp_path, capsys):
    out = tmp_path / "r"
    main([*TRAIN_RING, "--out", str(out), "--quiet"])
    before = (out / "model.keras").read_bytes()
    user_error(capsys, [*TRAIN_RING, "--out", str(out)], "already holds a run; pass .*--resume")
    assert (out / "model.keras").read_bytes() == before


def test_a_missing_optional_package(tmp_path, capsys, monkeypatch):
    def needs_a_package(*args, **kwargs):
        raise ModuleNotFoundError(
            "this dataset needs tensorflow_datasets: pip install 'tfgan-zoo[tfds]'"
        )

    monkeypatch.setattr(training, "train", needs_a_package)
    user_error(
        capsys,
        [*TRAIN_RING, "--out", str(tmp_path / "r")],
        r"needs tensorflow_datasets: pip install 'tfgan-zoo\[tfds\]'$",
    )


def test_debug_shows_the_traceback(tmp_path):
    with pytest.raises(ZooError, match="No zoo entry 'nope'"):
        main(["sample", "nope", "--debug", "--out", str(tmp_path / "s.png")])


@pytest.mark.slow
def test_console_script_prints_one_line_and_no_tensorflow_logs(tmp_path):
    """The installed command, as a user runs it: TensorFlow's C++ start-up logs are
    hidden too, since the package sets their level before TensorFlow loads."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run(
        [CONSOLE_SCRIPT, "sample", "nope", "--out", str(tmp_path / "s.png")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "tfgan-zoo: error: No zoo entry 'nope'. Entries: "
        + result.stderr.split("Entries: ", 1)[1].strip()
    ]
    assert result.stdout == ""
    debug = subprocess.run(
        [CONSOLE_SCRIPT, "--debug", "sample", "nope"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_inception_weights_need_an_inception_network(tmp_path, capsys):
    user_error(
        capsys,
        ["eval", "fashion_dcgan", "--inception-weights", str(tmp_path / "g.pb")],
        "--inception-weights needs --feature-network fid_inception or inception_v3",
    )
    user_error(
        capsys,
        [
            "eval",
            "fashion_dcgan",
            "--feature-network",
            "fid_inception",
            "--inception-weights",
            str(tmp_path / "g.pb"),
        ],
        "FID Inception graph .*g.pb not found",
    )


@pytest.fixture
def picture_folder(tmp_path):
    import numpy as np
    from PIL import Image

    root = tmp_path / "pictures"
    for i in range(4):
        (root / f"class{i % 2}").mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.full((12, 12, 3), 60 * i, np.uint8)).save(
            root / f"class{i % 2}" / f"{i}.png"
        )
    (tmp_path / "empty").mkdir()
    return tmp_path


@pytest.mark.parametrize(
    "model,dataset,extra,message",
    [
        ("dcgan", "fashon_mnist", [], r"is not a built-in name .*Did you mean 'fashion_mnist'"),
        ("dcgan", "empty", [], "holds no image files"),
        (
            "cgan",
            "pictures",
            [],
            "conditional: give .* class subfolders and pass --labels subfolders",
        ),
        (
            "progan",
            "pictures",
            ["--image-size", "12"],
            "power-of-two image size .* got --image-size 12",
        ),
        (
            "pix2pix",
            "tfds:mnist",
            [],
            "pix2pix trains on aligned .* a folder of side-by-side pairs",
        ),
        ("cyclegan", "pictures/class0", [], "exactly two subfolders, one per domain; found 0"),
        ("pix2pix", "pictures", [], "side-by-side pairs are twice as wide as tall"),
    ],
)
def test_data_the_model_cannot_use_is_one_line(
    picture_folder, capsys, model, dataset, extra, message
):
    dataset = (
        dataset
        if dataset.startswith("tfds:") or dataset == "fashon_mnist"
        else str(picture_folder / dataset)
    )
    out = picture_folder / "run"
    user_error(
        capsys,
        ["train", model, "--dataset", dataset, "--batch-size", "2", *extra, "--out", str(out)],
        message,
    )
    assert not out.exists()
