"""Resume after a real SIGKILL, divergence rollback, and damaged checkpoints."""

import json
import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo import checkpoints
from tfgan_zoo.callbacks import DivergenceGuard, RunCheckpoint
from tfgan_zoo.data import epoch_batches
from tfgan_zoo.gans import StandardGAN
from tfgan_zoo.training import train

# Two epochs: the run is killed in the second and resumed after the first. An
# epoch of 1,000 steps takes several seconds, so the kill lands inside epoch 2.
TRAIN = [
    "-m",
    "tfgan_zoo.cli",
    "train",
    "vanilla",
    "--dataset",
    "ring",
    "--epochs",
    "2",
    "--steps-per-epoch",
    "1000",
    "--deterministic",
    "--quiet",
]


def _cli(out, *extra, wait=True):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    cmd = [sys.executable] + TRAIN + ["--out", str(out)] + list(extra)
    if wait:
        return subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _weights(path):
    model = keras.models.load_model(path)
    return model.get_weights() + [
        v.numpy() for v in model.g_optimizer.variables + model.d_optimizer.variables
    ]


@pytest.mark.slow
def test_a_killed_run_resumes_to_the_uninterrupted_result(tmp_path):
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    _cli(whole)
    process = _cli(killed, wait=False)
    deadline = time.time() + 120
    while not checkpoints.read_manifest(killed / "checkpoints"):  # epoch 1 is written
        assert process.poll() is None and time.time() < deadline, process.stderr.read()
        time.sleep(0.05)
    time.sleep(1.0)  # well into epoch 2 (an epoch takes several seconds)
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
    assert [e["epoch"] for e in checkpoints.read_manifest(killed / "checkpoints")] == [1]
    assert not (killed / "model.keras").exists()
    result = _cli(killed, "--resume")
    assert "resuming" in result.stdout and "after epoch 1" in result.stdout
    record = json.loads((killed / "run.json").read_text())
    assert record["status"] == "finished" and record["resumed_from_epoch"] == 1
    for a, b in zip(_weights(whole / "model.keras"), _weights(killed / "model.keras")):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)


def test_an_existing_run_is_not_overwritten_without_resume(tmp_path):
    out = tmp_path / "run"
    train("vanilla", "ring", out, epochs=1, steps_per_epoch=5, verbose=0)
    with pytest.raises(FileExistsError, match="--resume"):
        train("vanilla", "ring", out, epochs=1, steps_per_epoch=5, verbose=0)


def test_epoch_order_depends_only_on_seed_and_epoch():
    points = np.arange(40, dtype=np.float32).reshape(20, 2)
    whole = [b.numpy() for b in epoch_batches(points, None, 4, 7, seed=3).take(21)]
    later = [b.numpy() for b in epoch_batches(points, None, 4, 7, seed=3, start_epoch=2).take(7)]
    for a, b in zip(whole[14:], later):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(np.concatenate(whole[:5]), np.concatenate(whole[7:12]))


def _nan_run(tmp_path, bad_batch):
    keras.utils.set_random_seed(0)
    model = StandardGAN(data_shape=(2,), latent_dim=2, hidden=(16, 16, 16), seed=0)
    model.compile()
    batches = np.random.default_rng(0).normal(size=(3 * 40, 32, 2)).astype(np.float32)
    batches[bad_batch, 5, 1] = np.nan  # one value in one batch
    directory = tmp_path / "checkpoints"
    messages = []
    guard = DivergenceGuard(directory, log=messages.append)
    # The pre-flight scan would refuse this data; the guard is the second line.
    model.fit(
        tf.data.Dataset.from_tensor_slices(batches),
        epochs=3,
        steps_per_epoch=40,
        callbacks=[guard, RunCheckpoint(directory)],
        verbose=0,
        validate_data=False,
    )
    return model, guard, directory, messages


def test_a_nan_batch_stops_the_run_and_rolls_back(tmp_path):
    model, guard, directory, messages = _nan_run(tmp_path, bad_batch=40 + 13)
    assert guard.report["epoch"] == 2 and guard.report["batch"] == 14
    assert guard.report["network"] == "discriminator"  # D's step sees the data first
    assert guard.report["rolled_back_to_epoch"] == 1
    assert "diverged" in messages[-1] and "rolled back" in messages[-1]
    # Only the good epoch was written, it matches its checksum, and the model
    # in memory is that state again.
    (entry,) = checkpoints.read_manifest(directory)
    good = checkpoints.load_checkpoint(directory / entry["file"], entry["sha256"])
    for a, b in zip(model.get_weights(), good.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert checkpoints.weights_are_finite(model)
    assert int(model.g_optimizer.iterations) == 40


def test_non_finite_weights_are_never_checkpointed(tmp_path):
    model = StandardGAN(data_shape=(2,), latent_dim=2, hidden=(4, 4, 4), seed=0)
    model.compile()
    model.generator.weights[0].assign(np.full(model.generator.weights[0].shape, np.inf))
    with pytest.raises(checkpoints.CheckpointError, match="non-finite"):
        checkpoints.write_checkpoint(model, tmp_path, 1)
    assert not list(tmp_path.iterdir())


def test_a_truncated_newest_checkpoint_falls_back_with_a_message(tmp_path):
    model = StandardGAN(data_shape=(2,), latent_dim=2, hidden=(4, 4, 4), seed=0)
    model.compile()
    for epoch in (1, 2, 3, 4):
        checkpoints.write_checkpoint(model, tmp_path, epoch, keep=3)
    assert sorted(p.name for p in tmp_path.glob("*.keras")) == [
        "epoch_0002.keras",
        "epoch_0003.keras",
        "epoch_0004.keras",
    ]
    newest = tmp_path / "epoch_0004.keras"
    newest.write_bytes(newest.read_bytes()[:1000])
    messages = []
    loaded, epoch = checkpoints.latest_good_checkpoint(tmp_path, log=messages.append)
    assert epoch == 3 and isinstance(loaded, StandardGAN)
    assert "epoch 4 skipped" in messages[0] and "falling back" in messages[0]


def test_foreign_and_truncated_files_get_clear_errors(tmp_path):
    foreign = tmp_path / "model.keras"
    foreign.write_text("not a model")
    with pytest.raises(checkpoints.CheckpointError, match="not a Keras .keras archive"):
        checkpoints.load_checkpoint(foreign)
    model = StandardGAN(data_shape=(2,), latent_dim=2, hidden=(4, 4, 4), seed=0)
    path = checkpoints.save_atomically(model, tmp_path / "whole.keras")
    path.write_bytes(path.read_bytes()[:-200])
    with pytest.raises(checkpoints.CheckpointError):
        checkpoints.load_checkpoint(path)


def test_bad_data_is_refused_before_the_run_directory_exists(tmp_path, monkeypatch):
    from tfgan_zoo.data import training_data
    from tfgan_zoo.engine.validation import DataValidationError

    real = training_data.data_lib.sample_mixture

    def with_nan(name, n, seed=0):
        points, modes = real(name, n, seed)
        points[100, 0] = np.nan
        return points, modes

    monkeypatch.setattr(training_data.data_lib, "sample_mixture", with_nan)
    with pytest.raises(DataValidationError, match="NaN"):
        train("vanilla", "ring", tmp_path / "run", epochs=1, steps_per_epoch=5, verbose=0)
    assert not (tmp_path / "run").exists()
