"""Keras callbacks for GAN training: sample images, metrics, mode coverage, atomic
checkpoints. Images and metrics can also go to TensorBoard (`log_dir`), written
with `tf.summary`, which needs no TensorBoard install to write."""

from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo import checkpoints, images
from tfgan_zoo.data import get_mixture
from tfgan_zoo.metrics import evaluate_mixture


def write_samples(model, path, n=None, seed=0, labels=None, mixture=None, inputs=None):
    """Writes `n` samples of `model` to a PNG: an image grid (default 64), or a
    scatter plot for 2D points (default 2,500, with the mixture's centres when
    `mixture` names one). With `inputs` (a batch of training data), the images
    are the model's `preview_images`: samples, or rows of inputs and their outputs
    (and targets, for a paired translator)."""
    if n is None:
        n = 2500 if len(model.data_shape) == 1 else 64
    per_row = None
    if inputs is not None and len(model.data_shape) > 1:
        samples = np.asarray(model.preview_images(n, seed, inputs))
        if hasattr(model, "preview_columns"):  # a row per example (a re-posing episode)
            per_row = model.preview_columns
        elif model.maps_inputs:  # a row of inputs, a row of outputs (and of targets)
            per_row = max(n // 2, 1)
    else:
        samples = model.sample(n, labels=labels, seed=seed)
    if samples.ndim == 2:
        centres = None if mixture is None else get_mixture(mixture).centres
        return images.scatter_png(samples, path, centres=centres)
    images.save_png(images.image_grid(samples, nrow=per_row), path)
    return path


def _summary_writer(log_dir):
    return None if log_dir is None else tf.summary.create_file_writer(str(log_dir))


def _plugin_metadata(plugin):
    from tensorflow.core.framework import summary_pb2

    metadata = summary_pb2.SummaryMetadata()
    metadata.plugin_data.plugin_name = plugin
    return metadata


# tf.summary.scalar/image live in the tensorboard package, which TensorFlow no
# longer installs; tf.summary.write plus the plugin name writes the same events.
def log_scalar(writer, tag, value, step):
    with writer.as_default():
        tf.summary.write(
            tag,
            tf.constant(float(value), tf.float32),
            step=step,
            metadata=_plugin_metadata("scalars"),
        )
    writer.flush()


def log_png(writer, tag, png_bytes, width, height, step):
    """An image event as TensorBoard's image plugin stores it: [width, height, png]."""
    with writer.as_default():
        tf.summary.write(
            tag,
            tf.constant([str(width), str(height), png_bytes]),
            step=step,
            metadata=_plugin_metadata("images"),
        )
    writer.flush()


class SampleWriter(keras.callbacks.Callback):
    """Saves a PNG of samples after every `every` epochs, always from the same
    latent seed, so the files show one set of draws improving over training.
    With `log_dir`, the image grid is also logged to TensorBoard as "samples"."""

    def __init__(self, directory, n=None, seed=0, every=1, mixture=None, log_dir=None, inputs=None):
        super().__init__()
        self.directory, self.n, self.seed, self.every = Path(directory), n, seed, every
        self.mixture, self.inputs = mixture, inputs
        self.writer = _summary_writer(log_dir)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        path = write_samples(
            self.model,
            self.directory / f"epoch_{epoch + 1:03d}.png",
            self.n,
            self.seed,
            mixture=self.mixture,
            inputs=self.inputs,
        )
        if self.writer is not None:
            from PIL import Image

            with Image.open(path) as picture:
                width, height = picture.size
            log_png(self.writer, "samples", Path(path).read_bytes(), width, height, epoch + 1)


class MetricMonitor(keras.callbacks.Callback):
    """Measures FID/KID (or any `metrics.evaluate` metric) every `every` epochs
    on a small sample budget, and adds them to the epoch logs (so History keeps
    them) and, with `log_dir`, to TensorBoard as "metrics/<name>".

    A small budget (1,000 samples) biases FID upwards; compare values only
    between runs of the same budget. The reference features are cached, so only
    the generated samples cost time. History lists hold one entry per measured
    epoch; `self.epochs` says which.
    """

    def __init__(
        self,
        metrics=("fid", "kid"),
        every=1,
        num_samples=1000,
        seed=0,
        log_dir=None,
        **evaluate_kwargs,
    ):
        super().__init__()
        self.metrics, self.every, self.num_samples, self.seed = (
            tuple(metrics),
            every,
            num_samples,
            seed,
        )
        self.evaluate_kwargs = evaluate_kwargs
        self.writer = _summary_writer(log_dir)
        self.epochs = []

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        from tfgan_zoo.metrics.evaluate import evaluate_generator

        result = evaluate_generator(
            self.model, self.metrics, self.num_samples, self.seed, **self.evaluate_kwargs
        )
        values = {m.name: m.value for m in result.values}
        self.epochs.append(epoch + 1)
        if logs is not None:
            logs.update(values)
        if self.writer is not None:
            for name, value in values.items():
                log_scalar(self.writer, f"metrics/{name}", value, epoch + 1)


class ModeCoverageMonitor(keras.callbacks.Callback):
    """Adds mode-coverage numbers of a 2D-mixture GAN to the epoch logs
    (`modes_covered`, `high_quality`, `reverse_kl`), so History records them."""

    def __init__(self, mixture, n=2500, seed=1):
        super().__init__()
        self.mixture, self.n, self.seed = mixture, n, seed

    def on_epoch_end(self, epoch, logs=None):
        score = evaluate_mixture(self.model.sample(self.n, seed=self.seed), self.mixture)
        if logs is not None:
            logs.update(
                modes_covered=score.modes_covered,
                high_quality=score.high_quality_fraction,
                reverse_kl=score.reverse_kl,
            )


class RunCheckpoint(keras.callbacks.Callback):
    """Checkpoints the whole GAN after every epoch into `directory`
    (see `tfgan_zoo.checkpoints`): atomic, checksummed, the newest `keep` kept.
    Skips (with a message) a model whose weights are not finite, or one the
    DivergenceGuard has flagged, so a bad state never replaces a good one."""

    def __init__(self, directory, keep=3):
        super().__init__()
        self.directory, self.keep = Path(directory), keep

    def on_epoch_end(self, epoch, logs=None):
        if getattr(self.model, "diverged", None):
            return
        try:
            checkpoints.write_checkpoint(self.model, self.directory, epoch + 1, self.keep)
        except checkpoints.CheckpointError as error:
            print(f"RunCheckpoint: {error}")


class DivergenceGuard(keras.callbacks.Callback):
    """Stops training at the first non-finite loss and says where it happened.

    The report (`self.report`, also `model.diverged`) names the step, the epoch
    and the network whose loss went bad first in the step (D updates before G).
    With `checkpoint_dir`, the model is rolled back to the newest good
    checkpoint (networks and optimizers), so what the run leaves behind is the
    last good state; checkpoints are not written after divergence.
    """

    def __init__(self, checkpoint_dir=None, log=print):
        super().__init__()
        self.checkpoint_dir = None if checkpoint_dir is None else Path(checkpoint_dir)
        self.log, self.report, self.epoch = log, None, 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        logs = logs or {}
        bad = {
            k: float(np.asarray(logs[k]))
            for k in ("d_loss", "g_loss")
            if k in logs and not np.isfinite(np.asarray(logs[k])).all()
        }
        if not bad or self.report is not None:
            return
        network = "discriminator" if "d_loss" in bad else "generator"
        self.report = dict(
            epoch=self.epoch + 1,
            batch=batch + 1,
            generator_step=int(self.model.g_optimizer.iterations),
            network=network,
            losses=bad,
        )
        self.model.diverged = self.report
        self.model.stop_training = True
        message = (
            f"training diverged: {network} loss not finite at epoch {self.epoch + 1}, "
            f"batch {batch + 1} (generator step {self.report['generator_step']})"
        )
        if self.checkpoint_dir is not None:
            good, epoch = checkpoints.latest_good_checkpoint(self.checkpoint_dir, self.log)
            if good is not None:
                checkpoints.restore_state(self.model, good)
                self.report["rolled_back_to_epoch"] = epoch
                message += f"; rolled back to the checkpoint of epoch {epoch}"
        self.log(message)


def coverage_summary(history):
    """The last epoch's mode coverage from a History dict, for printing."""
    if "modes_covered" not in history:
        return None
    return {
        key: float(np.asarray(history[key][-1]))
        for key in ("modes_covered", "high_quality", "reverse_kl")
    }
