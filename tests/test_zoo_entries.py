"""The shipped catalogue: every entry loads from an installed wheel with no
network, generates, and `tfgan-zoo eval NAME` reproduces its card."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from tfgan_zoo import zoo
from tfgan_zoo.cli import main

ENTRIES = zoo.names()
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNPACKAGED = (".git", "build", "dist", "runs", "*.egg-info", ".*_cache", "__pycache__")


WHEEL_LIMIT = 60e6  # every entry's files together, so the wheel stays installable
# One entry of each kind of card protocol (points, paired and unpaired translation,
# reconstruction, images, conditional images): `tfgan-zoo eval` reproduces its card.
# tools/check_zoo_cards.py checks every entry (docs/zoo_reproduce.json).
REPRODUCED = (
    "ring_vanilla",
    "edges_pix2pix",
    "sneaker2boot_cyclegan",
    "fashion_autoencoder",
    "fashion_dcgan",
    "fashion_cgan",
)


def test_the_catalogue_has_an_entry_for_every_model_within_the_wheel_limit():
    from tfgan_zoo.registry import model_names

    assert {zoo.entry(name).variant for name in ENTRIES} == set(model_names())
    size = sum(f.stat().st_size for f in zoo.catalogue_dir().rglob("*") if f.is_file())
    assert size < WHEEL_LIMIT


def test_weight_files_hold_no_optimizer_state():
    """Entries ship weights only: zeroed Adam moments had made the whole-model
    files of GANs 2-3x their weights (51 MB of files, 31 MB without)."""
    import h5py

    for path in zoo.catalogue_dir().rglob("*.weights.h5"):
        with h5py.File(path, "r") as f:
            assert not [k for k in f if "optimizer" in k], path


@pytest.mark.parametrize("name", ENTRIES)
def test_card_records_data_training_metrics_and_hashes(name):
    item = zoo.entry(name)
    card = item.card
    assert card["data"]["licence"] and card["training"]["command"].startswith(
        "python tools/train_zoo.py"
    )
    assert card["training"]["seconds"] > 0 and "vCPU" in card["training"]["hardware"]
    for spec in item.config["files"].values():
        assert card["files"][spec["path"]] == spec["sha256"]
        assert zoo.sha256_file(item.folder / spec["path"]) == spec["sha256"]
    for metric in card["metrics"].values():
        assert "protocol" in metric and np.isfinite(metric["value"])
    assert card["reproduce"]["command"] == f"tfgan-zoo eval {name}"
    for metric, bar in card["bars"].items():  # a bar is never hidden, met or not
        comparison, target = bar["target"].split()
        value = card["metrics"][metric]["value"]
        assert bar["value"] == value
        assert bar["met"] == zoo.COMPARISONS[comparison](value, float(target))
    missed = [m.split()[0] for m in item.bars_missed]
    assert missed == [m for m, bar in card["bars"].items() if not bar["met"]]


@pytest.mark.slow
@pytest.mark.parametrize("name", REPRODUCED)
def test_eval_reproduces_the_card(name, tmp_path):
    card = zoo.entry(name).card
    tolerance = card["reproduce"]["tolerance"]
    out = tmp_path / "eval.json"
    main(["eval", name, "--json", str(out)])
    measured = json.loads(out.read_text())["metrics"]
    assert set(measured) == set(card["metrics"])
    for key, value in measured.items():
        assert value["protocol"] == card["metrics"][key]["protocol"]
        assert value["value"] == pytest.approx(
            card["metrics"][key]["value"], rel=tolerance["relative"], abs=tolerance["absolute"]
        ), key


@pytest.mark.slow
def test_entries_load_from_an_installed_wheel_without_network(tmp_path):
    wheel_dir, venv, source = tmp_path / "wheel", tmp_path / "venv", tmp_path / "source"
    # Built from a copy: setuptools builds in the source tree's build/, where files of
    # earlier builds would stay and be packed again.
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(*UNPACKAGED))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir), source],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheel_dir.glob("tfgan_zoo-*.whl")
    assert wheel.stat().st_size < WHEEL_LIMIT
    # TensorFlow and Keras come from this environment, through a .pth file that appends its
    # site-packages (`--system-site-packages` would link the base interpreter's instead,
    # which lacks them when this environment is itself a venv). The package comes only
    # from the wheel: the venv's own site-packages precede what a .pth file appends.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    inner_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(inner_site, "outer_environment.pth").write_text(
        "\n".join(p for p in sys.path if p.endswith("-packages")) + "\n"
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--ignore-installed",
            "-q",
            "--target",
            inner_site,
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    script = textwrap.dedent("""
        import socket
        def no_network(*args, **kwargs):
            raise OSError("network access attempted")
        socket.socket.connect = no_network
        socket.create_connection = no_network
        import numpy as np, tfgan_zoo
        from tfgan_zoo import zoo
        assert tfgan_zoo.__file__.startswith(INNER_SITE), tfgan_zoo.__file__
        for name in zoo.names():
            model = zoo.load(name)
            if hasattr(model, "reenact"):  # 8 posed frames of one drawn item, one new pose
                from tfgan_zoo.data import posed_items
                item = np.zeros((1, *model.data_shape), np.uint8)
                item[0, 6:22, 9:19] = 255
                frames, marks, _ = posed_items.posed_frames(
                    posed_items.identities_of(item), 0, 9, [0, 0])
                x = model.reenact(frames[:8], marks[:8], np.repeat(marks[8:], 4, axis=0))
            elif model.maps_inputs:  # a translator or autoencoder maps images
                x = np.random.default_rng(0).uniform(-1, 1, (4, *model.data_shape))
                x = model.translate(x) if hasattr(model, "translate") else model(x)
                x = np.asarray(x)
            else:
                labels = np.arange(4) % model.num_classes if model.num_classes else None
                x = model.sample(4, labels=labels, seed=0)
            assert np.isfinite(x).all() and x.std() > 0, name
            print(name, x.shape)
    """)
    result = subprocess.run(
        [str(python), "-c", script.replace("INNER_SITE", repr(inner_site))],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=""),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(line.split()[0] for line in result.stdout.splitlines()) == ENTRIES
