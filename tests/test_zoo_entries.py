"""The shipped catalogue: every entry loads from an installed wheel with no
network, generates, and `tfgan-zoo eval NAME` reproduces its card."""

import json
import os
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


def test_the_catalogue_has_the_first_entries():
    assert {"fashion_dcgan", "fashion_cgan", "fashion_wgan_gp", "grid_pacgan"} <= set(ENTRIES)
    size = sum(f.stat().st_size for f in zoo.catalogue_dir().rglob("*") if f.is_file())
    assert size < 20e6  # the README states the catalogue's size


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


@pytest.mark.slow
@pytest.mark.parametrize("name", ENTRIES)
def test_eval_reproduces_the_card(name, tmp_path):
    card = zoo.entry(name).card["metrics"]
    out = tmp_path / "eval.json"
    main(["eval", name, "--json", str(out)])
    measured = json.loads(out.read_text())["metrics"]
    for key, value in measured.items():
        if key in card:
            assert value["protocol"] == card[key]["protocol"]
            assert value["value"] == pytest.approx(card[key]["value"], rel=0.02, abs=1e-3), key


@pytest.mark.slow
def test_entries_load_from_an_installed_wheel_without_network(tmp_path):
    wheel_dir, venv = tmp_path / "wheel", tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir), REPO],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheel_dir.glob("tfgan_zoo-*.whl")
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
