"""Where the paper's DCGAN step goes, layer by layer, in TF and in PyTorch: the
forward + backward milliseconds of each layer of the 64x64x3 networks at batch
128, in float32 and bfloat16 (TF: the mixed_bfloat16 policy, variables float32;
PyTorch: bf16 autocast, channels_last), and two equivalent formulations of G's
stride-2 4x4 transposed convolutions in TF:

- "transposed": keras.layers.Conv2DTranspose (oneDNN's deconvolution);
- "phases": the four output phases of a stride-2 4x4 transposed convolution
  each read a 2x2 window of the input, so it is four 2x2 convolutions (the same
  16 taps, the same multiply-adds) whose outputs interleave by depth_to_space;
  the tool checks that it returns the transposed convolution's outputs (float32,
  max difference printed) before timing it.

The TF and PyTorch rounds alternate (PyTorch in a child process,
tools/bench_torch_dcgan.py --layers); the table gives the median over rounds.
A profile for tools/bench_paper_dcgan.py, not a test.

    python tools/bench_dcgan_layers.py --torch-python PY --json docs/paper_dcgan_layers.json
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

TOOLS = os.path.dirname(os.path.abspath(__file__))
BATCH = 128
# (name, kind, input shape without batch, output channels): the paper's networks.
LAYERS = [
    ("G dense 100 -> 4x4x1024", "dense", (100,), 16384),
    ("G 4x4x1024 -> 8x8x512", "up", (4, 4, 1024), 512),
    ("G 8x8x512 -> 16x16x256", "up", (8, 8, 512), 256),
    ("G 16x16x256 -> 32x32x128", "up", (16, 16, 256), 128),
    ("G 32x32x128 -> 64x64x3", "up", (32, 32, 128), 3),
    ("D 64x64x3 -> 32x32x128", "down", (64, 64, 3), 128),
    ("D 32x32x128 -> 16x16x256", "down", (32, 32, 128), 256),
    ("D 16x16x256 -> 8x8x512", "down", (16, 16, 256), 512),
    ("D 8x8x512 -> 4x4x1024", "down", (8, 8, 512), 1024),
    ("BN + ReLU 32x32x128", "norm", (32, 32, 128), 128),
]
# Phase a of an output row reads input rows (m - 1, m) for a = 0 and (m, m + 1)
# for a = 1, through these rows of the 4x4 kernel.
PHASE_TAPS = ((3, 1), (2, 0))


class PhaseConvTranspose(keras.layers.Layer):
    """A stride-2 4x4 'same' transposed convolution as four 2x2 convolutions and a
    depth_to_space; holds the transposed convolution's own kernel [4, 4, out, in]."""

    def __init__(self, filters, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters

    def build(self, shape):
        self.kernel = self.add_weight(
            shape=(4, 4, self.filters, shape[-1]),
            initializer=keras.initializers.RandomNormal(0, 0.02),
        )

    def call(self, x):
        kernel = tf.cast(self.kernel, x.dtype)
        padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]])
        height, width = x.shape[1], x.shape[2]
        phases = []
        for a in range(2):
            for b in range(2):
                rows = tf.stack([kernel[t] for t in PHASE_TAPS[a]])
                taps = tf.stack([rows[:, t] for t in PHASE_TAPS[b]], axis=1)  # [2, 2, out, in]
                window = padded[:, a : a + height + 1, b : b + width + 1]
                taps = tf.transpose(taps, [0, 1, 3, 2])
                phases.append(tf.nn.conv2d(window, taps, 1, "VALID"))
        return tf.nn.depth_to_space(tf.concat(phases, axis=-1), 2)


def build_layer(kind, shape, filters, formulation="transposed"):
    if kind == "dense":
        return keras.layers.Dense(filters, use_bias=False)
    if kind == "up" and formulation == "phases":
        return PhaseConvTranspose(filters)
    if kind == "up":
        return keras.layers.Conv2DTranspose(filters, 4, 2, "same", use_bias=False)
    if kind == "down":
        return keras.layers.Conv2D(filters, 4, 2, "same", use_bias=False)
    return keras.Sequential([keras.layers.BatchNormalization(), keras.layers.ReLU()])


def check_phases():
    """Max |phases − Conv2DTranspose| over the G layers, float32, same kernel."""
    worst = 0.0
    for _, kind, shape, filters in LAYERS:
        if kind != "up":
            continue
        x = tf.random.normal((2, *shape))
        reference = build_layer(kind, shape, filters)
        reference.build((None, *shape))
        phases = PhaseConvTranspose(filters)
        phases.build((None, *shape))
        phases.kernel.assign(reference.kernel)
        worst = max(worst, float(tf.reduce_max(tf.abs(reference(x) - phases(x)))))
    return worst


class TFLayerTimer:
    def __init__(self, kind, shape, filters, precision, formulation):
        keras.config.set_dtype_policy(precision)
        try:
            self.layer = build_layer(kind, shape, filters, formulation)
            self.layer.build((None, *shape))
        finally:
            keras.config.set_dtype_policy("float32")
        self.x = tf.random.normal((BATCH, *shape))

        @tf.function
        def step(x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = tf.cast(self.layer(x, training=True), tf.float32)
                loss = tf.reduce_sum(y * y)
            return tape.gradient(loss, [x, *self.layer.trainable_weights])

        self.step = step
        self.window(2)

    def window(self, repeats):
        started = time.perf_counter()
        for _ in range(repeats):
            out = self.step(self.x)
        out[0].numpy()
        return 1000 * (time.perf_counter() - started) / repeats


def torch_round(python, repeats):
    script = os.path.join(TOOLS, "bench_torch_dcgan.py")
    out = subprocess.run(
        [python, script, "--layers", json.dumps(LAYERS), "--steps", str(repeats)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="forward + backward passes a window")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--torch-python", help="a Python with torch: adds the PyTorch columns")
    parser.add_argument("--json", help="also write the table here")
    args = parser.parse_args()
    difference = check_phases()
    print(f"phases against Conv2DTranspose, float32: max difference {difference:.2e}", flush=True)
    timers = {}
    for name, kind, shape, filters in LAYERS:
        for precision in ("float32", "mixed_bfloat16"):
            formulations = ("transposed", "phases") if kind == "up" else ("transposed",)
            for formulation in formulations:
                column = f"TF {precision}" + (" phases" if formulation == "phases" else "")
                timers[name, column] = TFLayerTimer(kind, shape, filters, precision, formulation)
    times = {key: [] for key in timers}
    for round_ in range(args.rounds):
        for key, timer in timers.items():
            times[key].append(timer.window(args.repeats))
        if args.torch_python:
            for name, columns in torch_round(args.torch_python, args.repeats).items():
                for column, ms in columns.items():
                    times.setdefault((name, column), []).append(ms)
        print(f"round {round_ + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    median = {key: statistics.median(t) for key, t in times.items()}
    columns = list(dict.fromkeys(column for _, column in median))
    print(f"\nforward + backward ms, batch {BATCH}, median of {args.rounds} rounds\n")
    print("| layer | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    for name, *_ in LAYERS:
        cells = [median.get((name, column)) for column in columns]
        print(f"| {name} | " + " | ".join("" if v is None else f"{v:.1f}" for v in cells) + " |")
    for label, kinds in (("G's transposed convolutions", ("up",)), ("every layer", None)):
        names = [name for name, kind, *_ in LAYERS if kinds is None or kind in kinds]
        cells = []
        for column in columns:
            values = [median.get((name, column)) for name in names]
            cells.append("" if None in values else f"{sum(values):.1f}")
        print(f"| {label} | " + " | ".join(cells) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                dict(
                    command="python tools/bench_dcgan_layers.py --torch-python PY --json "
                    + args.json,
                    device=f"CPU x{os.cpu_count()}",
                    tensorflow=tf.__version__,
                    batch=BATCH,
                    phases_max_difference=difference,
                    milliseconds={f"{n} | {c}": t for (n, c), t in times.items()},
                    median={f"{n} | {c}": t for (n, c), t in median.items()},
                ),
                f,
                indent=2,
            )


if __name__ == "__main__":
    main()
