"""Training throughput: images/s of each variant through `fit` and through a raw
`tf.function` loop with the same networks, in float32 and mixed bfloat16, with
XLA off and on; optionally the same DCGAN in a plain PyTorch loop.

Every configuration is measured in the same process, in windows interleaved
across configurations (a slow phase of the machine hits them all alike); the
table shows medians and ratios from this one run. A benchmark, not a test.

    python tools/bench_throughput.py                     # CPU: all variants
    python tools/bench_throughput.py --variants dcgan --torch-python /path/to/python
    python tools/bench_throughput.py --device            # a GPU: bs 256, fp16 too

The raw loop is what a user would write by hand: tf.random.normal noise, the
loss written inline, optimizer.apply, one tf.function call per batch. `fit`
adds the engine (stateless per-replica noise, pluggable losses, metrics,
callbacks); the fit/raw ratio is that overhead.
"""

import argparse
import json
import os
import statistics
import subprocess
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tfgan_zoo.engine.precision import precision_policy  # noqa: E402
from tfgan_zoo.recipes import RECIPES, build_optimizer  # noqa: E402
from tfgan_zoo.registry import get_model  # noqa: E402

IMAGE_SHAPE = (28, 28, 1)
NUM_CLASSES = 10


def build(variant, precision, xla, steps_per_execution=1, image_shape=IMAGE_SHAPE, **model_kwargs):
    cls = get_model(variant, kind="gan")
    keras.utils.set_random_seed(0)
    with precision_policy(precision):
        model = cls.for_data(
            image_shape, NUM_CLASSES if cls.conditional else None, seed=0, **model_kwargs
        )
    model.compile(jit_compile=xla, steps_per_execution=steps_per_execution)
    return model


def dataset(batch_size, conditional, image_shape=IMAGE_SHAPE):
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (batch_size * 8, *image_shape)).astype("float32")
    labels = rng.integers(0, NUM_CLASSES, len(images)).astype("int32")
    ds = tf.data.Dataset.from_tensor_slices((images, labels) if conditional else images)
    return ds.repeat().batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


class RawLoop:
    """A hand-written training step over the model's own two networks."""

    def __init__(self, model, xla):
        self.g, self.d = model.generator, model.discriminator
        self.latent_dim, self.conditional = model.latent_dim, model.num_classes is not None
        self.loss, self.k = model.adversarial_loss.name, model.d_steps
        self.penalty, self.weight = model.penalty, model.penalty_weight
        paper = RECIPES["dcgan", "*", "paper"].compile  # DCGAN's Adam(2e-4, beta_1=0.5)
        self.g_opt = build_optimizer(paper["g_optimizer"])
        self.d_opt = build_optimizer(paper["d_optimizer"])
        if model.uses_float16():
            self.g_opt = keras.optimizers.LossScaleOptimizer(self.g_opt)
            self.d_opt = keras.optimizers.LossScaleOptimizer(self.d_opt)
        self.g_opt.build(self.g.trainable_variables)
        self.d_opt.build(self.d.trainable_variables)
        self.step = tf.function(self._step, jit_compile=xla)

    def _net(self, net, x, labels):
        return net([x, labels] if self.conditional else x, training=True)

    def _d_loss(self, real_out, fake_out):
        if self.loss == "wasserstein":
            return tf.reduce_mean(fake_out) - tf.reduce_mean(real_out)
        if self.loss == "least_squares":
            return 0.5 * tf.reduce_mean(tf.square(real_out - 1)) + 0.5 * tf.reduce_mean(
                tf.square(fake_out)
            )
        return tf.reduce_mean(tf.nn.softplus(-real_out) + tf.nn.softplus(fake_out))

    def _g_loss(self, fake_out):
        if self.loss == "wasserstein":
            return -tf.reduce_mean(fake_out)
        if self.loss == "least_squares":
            return 0.5 * tf.reduce_mean(tf.square(fake_out - 1))
        return tf.reduce_mean(tf.nn.softplus(-fake_out))

    def _gradient_penalty(self, real, fake, labels):
        eps = tf.random.uniform([tf.shape(real)[0], 1, 1, 1])
        mixed = eps * real + (1 - eps) * fake
        with tf.GradientTape() as inner:
            inner.watch(mixed)
            out = self._net(self.d, mixed, labels)
        grads = inner.gradient(out, mixed)
        norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=[1, 2, 3]) + 1e-12)
        return tf.reduce_mean(tf.square(norms - 1))

    def _step(self, real, labels=None):
        size = tf.shape(real)[0] // self.k
        for i in range(self.k):
            part = real[i * size : (i + 1) * size]
            part_labels = None if labels is None else labels[i * size : (i + 1) * size]
            fake = self._net(self.g, tf.random.normal([size, self.latent_dim]), part_labels)
            with tf.GradientTape() as tape:
                loss = self._d_loss(
                    self._net(self.d, part, part_labels), self._net(self.d, fake, part_labels)
                )
                if self.penalty == "gradient_penalty":
                    loss += self.weight * self._gradient_penalty(part, fake, part_labels)
                scaled = self.d_opt.scale_loss(loss)
            variables = self.d.trainable_variables
            self.d_opt.apply(tape.gradient(scaled, variables), variables)
        with tf.GradientTape() as tape:
            fake = self._net(self.g, tf.random.normal([size, self.latent_dim]), part_labels)
            loss = self._g_loss(self._net(self.d, fake, part_labels))
            scaled = self.g_opt.scale_loss(loss)
        variables = self.g.trainable_variables
        self.g_opt.apply(tape.gradient(scaled, variables), variables)
        return loss


class Runner:
    """One configuration: `window(steps)` trains that many batches, returns images/s.
    `path` is "fit", "raw", or "fit_speN" (fit with steps_per_execution=N);
    `image_shape` and `model_kwargs` (e.g. base_filters) size the model."""

    def __init__(
        self, variant, path, precision, xla, batch_size, image_shape=IMAGE_SHAPE, **model_kwargs
    ):
        self.batch_size = batch_size
        spe = int(path[len("fit_spe") :]) if path.startswith("fit_spe") else 1
        self.model = build(variant, precision, xla, spe, image_shape, **model_kwargs)
        self.data = dataset(batch_size, self.model.num_classes is not None, image_shape)
        if path == "raw":
            self.raw = RawLoop(self.model, xla)
            self.iterator = iter(self.data)
        else:
            self.raw = None

    def window(self, steps):
        if self.raw is None:
            return self.batch_size * steps / timed_fit(self.model, self.data, steps)
        start = time.perf_counter()
        for _ in range(steps):
            batch = next(self.iterator)
            loss = self.raw.step(*batch) if isinstance(batch, tuple) else self.raw.step(batch)
        loss.numpy()  # wait for the last step
        return self.batch_size * steps / (time.perf_counter() - start)


def timed_fit(model, data, steps):
    """Seconds of one `fit` call over `steps` batches, first batch to last (see _StepTimer)."""
    timer = _StepTimer()
    model.fit(
        data, steps_per_epoch=steps, epochs=1, verbose=0, validate_data=False, callbacks=[timer]
    )
    return timer.end - timer.start


class _StepTimer(keras.callbacks.Callback):
    """From the first batch's start to the last batch's end: the steady state,
    without fit's set-up and the data iterator's tear-down (a one-off per `fit`
    call, up to ~1 s with tf.data autotuning; a raw loop pays it per iterator)."""

    def on_train_batch_begin(self, batch, logs=None):
        if batch == 0:
            self.start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.end = time.perf_counter()


def torch_window(python, batch_size, steps):
    """One window of every PyTorch configuration, in a child process."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_torch_dcgan.py")
    out = subprocess.run(
        [python, script, "--batch-size", str(batch_size), "--steps", str(steps), "--windows", "1"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    version = result.pop("torch_version")
    return {f"{name} ({version})": rates[0] for name, rates in result.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default="dcgan,cgan,lsgan,wgan_gp")
    parser.add_argument(
        "--paths", default="fit,raw", help="fit, raw and/or fit_speN (steps_per_execution=N)"
    )
    parser.add_argument(
        "--precisions",
        default=None,
        help="default: float32,mixed_bfloat16 (and mixed_float16 with --device)",
    )
    parser.add_argument("--xla", default="off,on")
    parser.add_argument("--batch-size", type=int, default=None, help="default 64 (256 on --device)")
    parser.add_argument("--steps", type=int, default=50, help="batches per timed window")
    parser.add_argument("--repeats", type=int, default=3, help="windows per configuration")
    parser.add_argument("--torch-python", help="a Python with torch: adds the PyTorch DCGAN")
    parser.add_argument(
        "--device", action="store_true", help="GPU mode: batch 256 and mixed_float16 too"
    )
    parser.add_argument("--json", help="also write the raw rates here")
    args = parser.parse_args()
    batch_size = args.batch_size or (256 if args.device else 64)
    precisions = (
        args.precisions
        or ("float32,mixed_bfloat16,mixed_float16" if args.device else "float32,mixed_bfloat16")
    ).split(",")
    configs = [
        (v, p, prec, x == "on")
        for v in args.variants.split(",")
        for p in args.paths.split(",")
        for prec in precisions
        for x in args.xla.split(",")
    ]
    gpus = tf.config.list_physical_devices("GPU")
    device = (
        tf.config.experimental.get_device_details(gpus[0]).get("device_name", "GPU")
        if gpus
        else f"CPU x{os.cpu_count()}"
    )
    print(
        f"Training throughput, images/s: median of {args.repeats} interleaved windows of "
        f"{args.steps} batches of {batch_size}; {device}; TF {tf.__version__}, Keras "
        f"{keras.__version__}\n",
        flush=True,
    )

    runners = {}
    for config in configs:
        runners[config] = Runner(*config, batch_size)
        runners[config].window(5)  # trace and compile outside the timed windows
    rates = {config: [] for config in configs}
    torch_rates = {}
    for _ in range(args.repeats):
        for config, runner in runners.items():
            rates[config].append(runner.window(args.steps))
        if args.torch_python:
            for name, rate in torch_window(args.torch_python, batch_size, args.steps).items():
                torch_rates.setdefault(name, []).append(rate)
    median = {c: statistics.median(r) for c, r in rates.items()}
    print_table(median, {n: statistics.median(r) for n, r in torch_rates.items()})
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                dict(
                    device=device,
                    batch_size=batch_size,
                    steps=args.steps,
                    rates={" | ".join(map(str, c)): r for c, r in rates.items()},
                    torch=torch_rates,
                ),
                f,
                indent=2,
            )


def print_table(median, torch_median):
    print("| variant | path | precision | XLA | img/s | vs fit float32 | fit / raw |")
    print("|---|---|---|---|---|---|---|")
    for (variant, path, precision, xla), rate in median.items():
        base = median.get((variant, "fit", "float32", False))
        raw = median.get((variant, "raw", precision, xla))
        fit_raw = f"{rate / raw:.3f}" if path == "fit" and raw else ""
        vs = f"{rate / base:.2f}" if base else ""
        print(
            f"| {variant} | {path} | {precision} | {'on' if xla else 'off'} | {rate:.0f} | "
            f"{vs} | {fit_raw} |"
        )
    base = median.get(("dcgan", "fit", "float32", False))
    for name, rate in torch_median.items():
        vs = f"{rate / base:.2f}" if base else ""
        print(f"| dcgan | {name} | | | {rate:.0f} | {vs} | |")
    fits = {c: r for c, r in median.items() if c[0] == "dcgan" and c[1] == "fit"}
    if fits and torch_median:
        best_fit = max(fits, key=fits.get)
        best_torch = max(torch_median, key=torch_median.get)
        print(
            f"\nbest DCGAN fit ({best_fit[2]}, XLA {'on' if best_fit[3] else 'off'}): "
            f"{fits[best_fit]:.0f} img/s; best PyTorch ({best_torch}): "
            f"{torch_median[best_torch]:.0f} img/s; ratio "
            f"{fits[best_fit] / torch_median[best_torch]:.2f}"
        )


if __name__ == "__main__":
    main()
