"""StyleGAN at 64×64: seconds a step through `fit` against a hand-written raw
`tf.function` loop over the same networks, doing the same work: mapping, style
mixing (p = 0.9), per-layer noise images, the non-saturating loss, R1 on the
real batch (weight 1), Adam (the class's settings), the w̄ update and G's moving average. The raw loop
draws its noise with `tf.random` and keeps no metrics; `fit` adds the engine
(named per-replica noise streams, trackers, callbacks), and fit/raw is that
overhead. Both are timed in windows interleaved in one process, from the first
batch to the last (fit's one-off set-up per call is left out). A benchmark, not a test.

    python tools/bench_stylegan_overhead.py --json docs/stylegan_overhead.json
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from bench_progan_levels import data  # noqa: E402
from bench_throughput import timed_fit  # noqa: E402

from tfgan_zoo.gans import StyleGAN  # noqa: E402


class RawStyleGANLoop:
    """One D and one G step over `model`'s networks, written out by hand."""

    def __init__(self, model):
        self.model = model
        self.mapping = model.generator.get_layer("mapping")
        self.synthesis = model.generator.get_layer("synthesis")
        self.d = model.discriminator
        self.g_variables = model.generator.trainable_variables
        self.d_variables = self.d.trainable_variables
        # The same optimizer settings and EMA decay as `fit` (the class's compile defaults).
        defaults = model.default_compile_args()
        self.g_opt = keras.optimizers.get(keras.optimizers.serialize(defaults["g_optimizer"]))
        self.d_opt = keras.optimizers.get(keras.optimizers.serialize(defaults["d_optimizer"]))
        self.ema_decay = defaults["ema_decay"]
        self.g_opt.build(self.g_variables)
        self.d_opt.build(self.d_variables)
        self.averages = [tf.Variable(w) for w in model.generator.trainable_variables]
        self.step = tf.function(self._step)

    def _fakes(self, batch):
        m = self.model
        ws = tf.repeat(
            self.mapping(tf.random.normal([batch, m.latent_dim]), training=True)[:, None],
            m.num_ws,
            1,
        )
        other = tf.repeat(
            self.mapping(tf.random.normal([batch, m.latent_dim]), training=True)[:, None],
            m.num_ws,
            1,
        )
        u = tf.random.uniform([batch, 2])
        crossover = 1 + tf.cast(tf.floor(u[:, 1] * (m.num_ws - 1)), tf.int32)
        crossover = tf.where(u[:, 0] < m.style_mixing, crossover, m.num_ws)
        layer = tf.range(m.num_ws)[None, :, None]
        ws = tf.where(layer < crossover[:, None, None], ws, other)
        noise = [tf.random.normal([batch, size, size, 1]) for size in m.noise_sizes]
        return self.synthesis([ws, *noise], training=True), ws[:, 0]

    def _step(self, real):
        batch = tf.shape(real)[0]
        fake, _ = self._fakes(batch)
        with tf.GradientTape() as tape:
            real_out, fake_out = self.d(real, training=True), self.d(fake, training=True)
            loss = tf.reduce_mean(tf.nn.softplus(-real_out) + tf.nn.softplus(fake_out))
            with tf.GradientTape() as inner:
                inner.watch(real)
                scores = tf.reduce_sum(self.d(real, training=True))
            gradients = inner.gradient(scores, real)
            loss += tf.reduce_mean(tf.reduce_sum(tf.square(gradients), axis=[1, 2, 3]))
        self.d_opt.apply(tape.gradient(loss, self.d_variables), self.d_variables)
        with tf.GradientTape() as tape:
            fake, w = self._fakes(batch)
            g_loss = tf.reduce_mean(tf.nn.softplus(-self.d(fake, training=True)))
        self.g_opt.apply(tape.gradient(g_loss, self.g_variables), self.g_variables)
        mean_w = tf.reduce_mean(w, axis=0)
        self.model.w_avg.assign(mean_w + self.model.w_avg_decay * (self.model.w_avg - mean_w))
        for average, weight in zip(self.averages, self.g_variables):
            average.assign(self.ema_decay * average + (1 - self.ema_decay) * weight)
        return g_loss


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=10, help="steps per timed window")
    parser.add_argument("--windows", type=int, default=5)
    parser.add_argument("--json", help="also write the windows and the ratio here")
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    fitted = StyleGAN(image_shape=(args.size, args.size, 3), seed=0)
    fitted.compile()
    keras.utils.set_random_seed(0)
    raw = RawStyleGANLoop(StyleGAN(image_shape=(args.size, args.size, 3), seed=0))
    dataset = data(args.size, args.batch)
    iterator = iter(dataset)

    def fit_window(steps):
        return timed_fit(fitted, dataset, steps) / steps

    def raw_window(steps):
        started = time.perf_counter()
        for _ in range(steps):
            loss = raw.step(next(iterator))
        loss.numpy()
        return (time.perf_counter() - started) / steps

    fit_window(2), raw_window(2)  # trace outside the timed windows
    times = {"fit": [], "raw": []}
    for _ in range(args.windows):
        times["fit"].append(fit_window(args.steps))
        times["raw"].append(raw_window(args.steps))
    median = {path: statistics.median(t) for path, t in times.items()}
    ratio = median["fit"] / median["raw"]
    print(
        f"StyleGAN {args.size}×{args.size}×3, batch {args.batch}, filters {fitted.filters}: "
        f"median of {args.windows} windows of {args.steps} steps\n"
    )
    print("| path | s/step | steps/s |")
    print("|---|---|---|")
    for path, seconds in median.items():
        print(f"| {path} | {seconds:.4f} | {1 / seconds:.2f} |")
    print(
        f"\nfit / raw step time: {ratio:.3f} (overhead {100 * (ratio - 1):+.1f} %; target <= +5 %)"
    )
    if args.json:
        payload = dict(
            command="python tools/bench_stylegan_overhead.py --json " + args.json,
            hardware=f"{os.cpu_count()} vCPU {platform.machine()}",
            tensorflow=tf.__version__,
            size=args.size,
            batch=args.batch,
            filters=list(fitted.filters),
            seconds_per_step=times,
            median=median,
            fit_over_raw=ratio,
            target="fit's step at most 5 % slower than the raw loop's",
        )
        with open(args.json, "w") as f:
            json.dump(payload, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
