"""`tfgan-zoo train --strategy/--precision/--steps-per-execution` end to end."""

import json
import subprocess
import sys

import numpy as np
import pytest
from helpers.cli import user_error

from tfgan_zoo.checkpoints import load_checkpoint
from tfgan_zoo.cli import main
from tfgan_zoo.distribute import run_local_workers

pytestmark = pytest.mark.slow  # end-to-end runs in fresh processes or trained fixtures

TRAIN = [
    "train",
    "vanilla",
    "--dataset",
    "grid",
    "--epochs",
    "2",
    "--steps-per-epoch",
    "20",
    "--batch-size",
    "64",
    "--quiet",
]


def test_mirrored_bfloat16_run_on_two_cpu_replicas(tmp_path):
    # --cpu-replicas must act before TensorFlow starts: a fresh process.
    out = tmp_path / "run"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tfgan_zoo.cli",
            *TRAIN,
            "--out",
            str(out),
            "--strategy",
            "mirrored",
            "--cpu-replicas",
            "2",
            "--precision",
            "mixed_bfloat16",
            "--steps-per-execution",
            "5",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "steps_per_execution=5 fails under a multi-replica strategy" in result.stderr
    record = json.loads((out / "run.json").read_text())
    assert record["status"] == "finished"
    assert record["settings"]["strategy"] == "mirrored"
    assert record["model_config"]["precision"] == "mixed_bfloat16"
    assert all(np.isfinite(v).all() for v in record["history"].values())
    model = load_checkpoint(out / "model.keras")
    assert model.precision == "mixed_bfloat16"
    assert int(model.g_optimizer.iterations) == 40


def test_steps_per_execution_run_matches_the_one_step_run(tmp_path):
    runs = {}
    for steps in ("1", "5"):
        main([*TRAIN, "--out", str(tmp_path / steps), "--steps-per-execution", steps])
        runs[steps] = load_checkpoint(tmp_path / steps / "model.keras")
    assert runs["5"].steps_per_execution == 5
    for a, b in zip(runs["1"].generator.weights, runs["5"].generator.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6)


def test_multiworker_cli_run_on_loopback(tmp_path):
    out = tmp_path / "run"
    outputs = run_local_workers(
        [
            sys.executable,
            "-m",
            "tfgan_zoo.cli",
            *TRAIN,
            "--out",
            str(out),
            "--strategy",
            "multiworker",
        ],
        num_workers=2,
        timeout=300,
    )
    assert f"wrote {out}" in outputs[0]
    assert "trained as a worker (the chief writes the run)" in outputs[1]
    # Both workers logged the same (all-reduced) losses.
    last = [json.loads(o.rsplit("last epoch: ", 1)[1]) for o in outputs]
    assert last[0] == last[1]
    record = json.loads((out / "run.json").read_text())
    assert record["settings"]["strategy"] == "multiworker" and record["status"] == "finished"
    assert sorted(p.name for p in (out / "checkpoints").iterdir()) == [
        "epoch_0001.keras",
        "epoch_0002.keras",
        "index.json",
    ]


@pytest.mark.parametrize(
    "strategy, message",
    [
        ("multiworker", "needs TF_CONFIG"),
        ("tpu", "no TPU could be reached"),
    ],
)
def test_unavailable_strategy_is_a_clear_error(tmp_path, monkeypatch, capsys, strategy, message):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    user_error(capsys, [*TRAIN, "--out", str(tmp_path / "x"), "--strategy", strategy], message)
    assert not (tmp_path / "x").exists()
