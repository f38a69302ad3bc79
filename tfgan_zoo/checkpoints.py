"""Checkpoints that survive kills and bad steps.

A run's `checkpoints/` folder holds up to `keep` files `epoch_NNNN.keras` (the
whole GAN: both networks, both optimizers, controller state such as BEGAN's
k_t) and `index.json`, the manifest listing each file's epoch and sha256. Both
are written to a temporary file and renamed, and the manifest is written after
the checkpoint, so a kill at any moment leaves the previous state intact; a
file that is missing from the manifest, truncated or changed is skipped with a
message, falling back to the previous good one. A model whose weights are not
finite is never written.
"""

import json
import os
import zipfile
from pathlib import Path

import keras
import numpy as np

from tfgan_zoo.files import sha256_file, write_text_atomically

MANIFEST = "index.json"


class CheckpointError(ValueError):
    """A checkpoint file that cannot be trusted or read."""


def save_atomically(model, path) -> Path:
    """Saves a `.keras` file so that `path` is always either the old or the new
    complete file: write a sibling temporary file, then rename over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp{os.getpid()}.keras")
    try:
        model.save(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def weights_are_finite(model) -> bool:
    return all(np.isfinite(keras.ops.convert_to_numpy(v)).all() for v in model.weights)


def read_manifest(directory) -> list:
    path = Path(directory) / MANIFEST
    if not path.is_file():
        return []
    return json.loads(path.read_text())["checkpoints"]


def write_checkpoint(model, directory, epoch, keep=3) -> Path:
    """Writes epoch `epoch`'s checkpoint and records it; keeps the newest `keep`."""
    if not weights_are_finite(model):
        raise CheckpointError(
            f"refusing to checkpoint epoch {epoch}: the model has "
            "non-finite weights (the last good checkpoint is kept)"
        )
    directory = Path(directory)
    path = save_atomically(model, directory / f"epoch_{epoch:04d}.keras")
    entries = [e for e in read_manifest(directory) if e["epoch"] != epoch]
    entries.append(dict(epoch=int(epoch), file=path.name, sha256=sha256_file(path)))
    entries.sort(key=lambda e: e["epoch"])
    stale, entries = entries[:-keep], entries[-keep:]
    write_text_atomically(directory / MANIFEST, json.dumps(dict(checkpoints=entries), indent=1))
    for entry in stale:
        (directory / entry["file"]).unlink(missing_ok=True)
    return path


def load_checkpoint(path, sha256=None):
    """A `.keras` file loaded in Keras safe mode (no code from the file), after
    checking its sha256 when given; CheckpointError says what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path} does not exist")
    if sha256 is not None and sha256_file(path) != sha256:
        raise CheckpointError(
            f"{path.name} does not match its recorded sha256 (truncated or changed)"
        )
    if not zipfile.is_zipfile(path):
        raise CheckpointError(
            f"{path.name} is not a Keras .keras archive (truncated, or a foreign file)"
        )
    # Registers every variant and baseline class the file may name.
    import tfgan_zoo.baselines  # noqa: F401
    import tfgan_zoo.gans  # noqa: F401

    try:
        return keras.models.load_model(path, safe_mode=True)
    except Exception as error:  # Keras raises many types for damaged archives
        raise CheckpointError(f"{path.name} could not be loaded: {error}") from error


def latest_good_checkpoint(directory, log=print):
    """(model, epoch) of the newest checkpoint that loads, or (None, 0)."""
    for entry in reversed(read_manifest(directory)):
        try:
            return load_checkpoint(Path(directory) / entry["file"], entry["sha256"]), entry["epoch"]
        except CheckpointError as error:
            log(
                f"checkpoint for epoch {entry['epoch']} skipped: {error}; "
                "falling back to the previous one"
            )
    return None, 0


def restore_state(model, source):
    """Copies networks, optimizer states and other variables from `source`."""
    for target, value in zip(model.weights, source.weights):
        target.assign(value)
    for name in ("g_optimizer", "d_optimizer"):
        for target, value in zip(getattr(model, name).variables, getattr(source, name).variables):
            target.assign(value)
