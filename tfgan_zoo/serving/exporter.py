"""Write a generator as a TF Serving model version: BASE/<version>/.

The SavedModel is written with `keras.export.ExportArchive` (the export that
`saved_model_cli` and the C++ loader restore; a `tf.Module` wrapper of a Keras 3
model does not) into a hidden temporary folder beside the versions, then
renamed into place, so TF Serving's poller (which only loads integer-named
folders) never sees a half-written version, and a failed export leaves nothing.
"""

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import keras

import tfgan_zoo
from tfgan_zoo.serving import warmup

CARD_NAME = "model_card.json"


def existing_versions(base) -> list:
    base = Path(base)
    if not base.is_dir():
        return []
    return sorted(int(p.name) for p in base.iterdir() if p.is_dir() and p.name.isdigit())


def next_version(base) -> int:
    versions = existing_versions(base)
    return versions[-1] + 1 if versions else 1


def model_card(model, source=None, metrics=None, training=None) -> dict:
    """What a serving user needs to call the model, and where it came from."""
    return dict(
        variant=type(model).__name__,
        data_shape=list(getattr(model, "image_shape", model.data_shape)),
        latent_dim=getattr(model, "latent_dim", None),
        labels=None if model.num_classes is None else list(range(model.num_classes)),
        signatures=sorted(_endpoints(model)) + ["serving_default"],
        output="uint8 pixels, [batch, height, width, channels]",
        training=training or {},
        metrics=metrics or {},
        source=None if source is None else str(source),
        tfgan_zoo_version=tfgan_zoo.__version__,
    )


def _endpoints(model):
    """The model's own {signature: (function, input specs)}; each model class
    declares what it serves (`serving_endpoints`)."""
    serving_endpoints = getattr(model, "serving_endpoints", None)
    if serving_endpoints is None:
        raise ValueError(
            f"{type(model).__name__} declares no serving endpoints; only "
            "generators, translators and likelihood models are exported"
        )
    return serving_endpoints()


def export_generator(
    model: keras.Model,
    base: str | Path,
    version: int | None = None,
    card: dict | None = None,
    warmup_batch_sizes: Sequence[int] = (1, 8),
) -> Path:
    """Exports `model.generator` to `base/<version>/` and returns that path.

    `version` defaults to one more than the highest existing version; an
    existing version is never overwritten. `card` (a dict) is merged into the
    model card written as `<version>/model_card.json`.
    """
    base = Path(base)
    version = next_version(base) if version is None else int(version)
    if version < 1:
        raise ValueError(f"version must be a positive integer, got {version}")
    final = base / str(version)
    if final.exists():
        raise FileExistsError(
            f"{final} exists; versions are never overwritten (next free "
            f"version: {next_version(base)})"
        )
    endpoints = _endpoints(model)
    base.mkdir(parents=True, exist_ok=True)
    tmp = base / f".tmp-{version}-{os.getpid()}"
    try:
        archive = keras.export.ExportArchive()
        for trackable in model.serving_trackables():  # what the signatures' variables live in
            archive.track(trackable)
        for name, (fn, specs) in endpoints.items():  # the first one is serving_default
            archive.add_endpoint(name, fn, input_signature=specs)
        archive.write_out(str(tmp), verbose=False)
        warmup.write_warmup_requests(
            tmp,
            model,
            warmup_batch_sizes,
            {
                name: [spec.name for spec in specs]
                for name, (_, specs) in endpoints.items()
                if name in ("generate", "sample", "png", "translate", "translate_ba", "reconstruct")
            },
        )
        (tmp / CARD_NAME).write_text(json.dumps(dict(model_card(model), **(card or {})), indent=2))
        os.rename(tmp, final)  # atomic on one filesystem; fails if `final` appeared meanwhile
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return final
