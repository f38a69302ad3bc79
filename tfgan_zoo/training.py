"""Training runs: data + variant + `fit` + run directory, as the CLI uses them.

A run directory holds:
  run.json                  what was trained, how, and the per-epoch history
  model.keras               the final GAN (networks and both optimizers)
  checkpoints/last.keras    the latest epoch, replaced atomically
  samples/epoch_NNN.png     samples from one fixed latent seed after each epoch
  logs/                     TensorBoard events: the sample grids, and FID/KID when
                            `metrics_every` is set (image data)
"""
import json
import time
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

import tfgan_zoo
from tfgan_zoo import callbacks as cb
from tfgan_zoo import data as data_lib
from tfgan_zoo.gans import get_variant

DATASETS = ("grid", "ring", "fashion_mnist")
MIXTURE_POOL = 256_000  # 2D training points drawn once per run; epochs reshuffle them

# Hyper-parameters that work for a (variant, dataset) pair, used when the user
# gives none. Model keys go to the variant, the rest to compile/fit.
# The grid recipe is the one tests/test_learning.py checks (>= 20 modes).
RECIPES = {
    ("vanilla", "grid"): dict(latent_dim=2, hidden=(128, 128, 128), data_scale=4.0,
                              batch_size=256, epochs=8, steps_per_epoch=1000),
    ("vanilla", "ring"): dict(latent_dim=2, hidden=(128, 128, 128), batch_size=256, epochs=4,
                              steps_per_epoch=1000),
    ("cgan", "grid"): dict(latent_dim=2, width=128, batch_size=256, epochs=2,
                           steps_per_epoch=1000),
    ("cgan", "ring"): dict(latent_dim=2, width=128, batch_size=256, epochs=2,
                           steps_per_epoch=1000),
}
MODEL_KEYS = ("latent_dim", "hidden", "width", "base_filters", "data_scale")
TRAIN_DEFAULTS = dict(batch_size=64, epochs=5, steps_per_epoch=None, lr=None,
                      metrics_every=None)


@dataclass
class TrainingData:
    dataset: tf.data.Dataset
    data_shape: tuple
    num_classes: int | None
    steps_per_epoch: int | None
    mixture: str | None = None


def load_training_data(name, batch_size, labels=False, data_dir=None, seed=0,
                       steps_per_epoch=None):
    """A batched training dataset by name ('grid', 'ring' or 'fashion_mnist')."""
    if name in ("grid", "ring"):
        points, modes = data_lib.sample_mixture(name, MIXTURE_POOL, seed=seed)
        ds = data_lib.points_dataset(points, modes if labels else None, batch_size=batch_size,
                                     seed=seed, repeat=True)
        num_classes = len(data_lib.get_mixture(name).centres) if labels else None
        return TrainingData(ds, (2,), num_classes, steps_per_epoch or 500, mixture=name)
    if name == "fashion_mnist":
        images, classes = data_lib.load_fashion_mnist("train", data_dir=data_dir)
        ds = data_lib.image_dataset(images, classes if labels else None, batch_size=batch_size,
                                    seed=seed, repeat=steps_per_epoch is not None)
        return TrainingData(ds, tuple(images.shape[1:]), 10 if labels else None, steps_per_epoch)
    raise ValueError(f"Unknown dataset {name!r}; expected one of {list(DATASETS)}.")


def resolve_settings(variant, dataset, overrides):
    """Recipe for (variant, dataset), then TRAIN_DEFAULTS, then the user's non-None values."""
    settings = dict(TRAIN_DEFAULTS)
    settings.update(RECIPES.get((variant, dataset), {}))
    settings.update({k: v for k, v in overrides.items() if v is not None})
    return settings


def build_model(variant, data, seed, settings):
    cls = get_variant(variant)
    model_args = {k: settings[k] for k in MODEL_KEYS if k in settings}
    return cls.for_data(data.data_shape, data.num_classes, seed=seed, **model_args)


def compile_model(model, settings):
    defaults = model.default_compile_args()
    for key in ("g_optimizer", "d_optimizer"):
        if settings.get("lr") is not None:
            defaults[key].learning_rate = settings["lr"]
    for key in ("loss", "d_steps", "label_smoothing"):
        if settings.get(key) is not None:
            defaults[key] = settings[key]
    model.compile(**defaults, jit_compile=settings.get("jit_compile", "auto"))


def train(variant, dataset, out, seed=0, data_dir=None, verbose=1, **overrides):
    """Trains `variant` on `dataset`, writing a run directory at `out`.

    `overrides` (None means "default"): epochs, steps_per_epoch, batch_size, lr,
    d_steps, loss, label_smoothing, jit_compile, latent_dim, hidden, width,
    base_filters, metrics_every (FID/KID on 1,000 samples every N epochs, for
    image data). Returns (model, history dict).
    """
    out = Path(out)
    settings = resolve_settings(variant, dataset, overrides)
    conditional = get_variant(variant).conditional
    data = load_training_data(dataset, settings["batch_size"], labels=conditional,
                              data_dir=data_dir, seed=seed,
                              steps_per_epoch=settings["steps_per_epoch"])
    model = build_model(variant, data, seed, settings)
    compile_model(model, settings)
    logs = out / "logs"
    callbacks = [cb.SampleWriter(out / "samples", mixture=data.mixture, log_dir=logs),
                 cb.AtomicCheckpoint(out / "checkpoints" / "last.keras")]
    if data.mixture is not None and not conditional:
        callbacks.insert(0, cb.ModeCoverageMonitor(data.mixture))
    if data.mixture is None and settings.get("metrics_every"):
        callbacks.insert(0, cb.MetricMonitor(every=settings["metrics_every"], log_dir=logs,
                                             data_dir=data_dir))
    started = time.time()
    history = model.fit(data.dataset, epochs=settings["epochs"],
                        steps_per_epoch=data.steps_per_epoch, callbacks=callbacks,
                        verbose=verbose).history
    cb.save_atomically(model, out / "model.keras")
    record = dict(variant=variant, dataset=dataset, seed=seed, data_dir=data_dir,
                  settings={k: (list(v) if isinstance(v, tuple) else v)
                            for k, v in settings.items()},
                  model_config=model.get_config(), tfgan_zoo_version=tfgan_zoo.__version__,
                  train_seconds=round(time.time() - started, 1),
                  history={k: [float(np.asarray(v)) for v in vals]
                           for k, vals in history.items()})
    (out / "run.json").write_text(json.dumps(record, indent=2, default=str))
    return model, history


def load_run(run_dir):
    """(GAN, run record) of a run directory: the final model, else the last checkpoint."""
    run_dir = Path(run_dir)
    record_path = run_dir / "run.json"
    record = json.loads(record_path.read_text()) if record_path.exists() else {}
    for path in (run_dir / "model.keras", run_dir / "checkpoints" / "last.keras"):
        if path.exists():
            return keras.models.load_model(path), record
    raise FileNotFoundError(f"{run_dir} holds no model.keras or checkpoints/last.keras.")
