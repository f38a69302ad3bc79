"""Keras callbacks for GAN training: sample images, mode coverage, atomic checkpoints."""
import os
from pathlib import Path

import numpy as np
import keras

from tfgan_zoo import images
from tfgan_zoo.data import get_mixture
from tfgan_zoo.metrics import evaluate_mixture


def write_samples(model, path, n=None, seed=0, labels=None, mixture=None):
    """Writes `n` samples of `model` to a PNG: an image grid (default 64), or a
    scatter plot for 2D points (default 2,500, with the mixture's centres when
    `mixture` names one)."""
    if n is None:
        n = 2500 if len(model.data_shape) == 1 else 64
    samples = model.sample(n, labels=labels, seed=seed)
    if samples.ndim == 2:
        centres = None if mixture is None else get_mixture(mixture).centres
        return images.scatter_png(samples, path, centres=centres)
    images.save_png(images.image_grid(samples), path)
    return path


class SampleWriter(keras.callbacks.Callback):
    """Saves a PNG of samples after every `every` epochs, always from the same
    latent seed, so the files show one set of draws improving over training."""

    def __init__(self, directory, n=None, seed=0, every=1, mixture=None):
        super().__init__()
        self.directory, self.n, self.seed, self.every = Path(directory), n, seed, every
        self.mixture = mixture

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            write_samples(self.model, self.directory / f"epoch_{epoch + 1:03d}.png", self.n,
                          self.seed, mixture=self.mixture)


class ModeCoverageMonitor(keras.callbacks.Callback):
    """Adds mode-coverage numbers of a 2D-mixture GAN to the epoch logs
    (`modes_covered`, `high_quality`, `reverse_kl`), so History records them."""

    def __init__(self, mixture, n=2500, seed=1):
        super().__init__()
        self.mixture, self.n, self.seed = mixture, n, seed

    def on_epoch_end(self, epoch, logs=None):
        score = evaluate_mixture(self.model.sample(self.n, seed=self.seed), self.mixture)
        if logs is not None:
            logs.update(modes_covered=score.modes_covered,
                        high_quality=score.high_quality_fraction,
                        reverse_kl=score.reverse_kl)


def save_atomically(model, path):
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


class AtomicCheckpoint(keras.callbacks.Callback):
    """Saves the whole GAN (both networks and optimizers) to `path` every epoch."""

    def __init__(self, path):
        super().__init__()
        self.path = path

    def on_epoch_end(self, epoch, logs=None):
        save_atomically(self.model, self.path)


def coverage_summary(history):
    """The last epoch's mode coverage from a History dict, for printing."""
    if "modes_covered" not in history:
        return None
    return {key: float(np.asarray(history[key][-1])) for key in
            ("modes_covered", "high_quality", "reverse_kl")}
