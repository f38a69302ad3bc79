"""Where the paper's DCGAN step goes, layer by layer, in TF and in PyTorch: the
forward + backward milliseconds of each layer of the 64x64x3 networks at batch
128, in float32 and bfloat16 (TF: the mixed_bfloat16 policy, variables float32;
PyTorch: bf16 autocast, channels_last), and equivalent formulations in TF:

- G's stride-2 4x4 transposed convolutions: keras.layers.Conv2DTranspose
  (oneDNN's deconvolution); "phases": the four output phases of a stride-2
  4x4 transposed convolution each read a 2x2 window of the input, so it is four
  2x2 convolutions (the same 16 taps, the same multiply-adds) whose outputs
  interleave by depth_to_space; and "patches": one matmul to every input
  pixel's 4x4 patch of the output, summed into place
  (`tfgan_zoo.networks.patch_conv.Conv2DTranspose` with patches=True);
- D's stride-2 4x4 convolutions: keras.layers.Conv2D, and "patches": one matmul
  over the input's 4x4 patches (`tfgan_zoo.networks.patch_conv.Conv2D`
  with patches=True; the networks' "auto" takes it where it won here).
- both: "nchw", the same op (tf.nn.conv2d / conv2d_transpose) with
  data_format NCHW, between transposes from and to the networks' NHWC.

The tool checks that each returns the plain layer's outputs (float32, max
difference printed) before timing it.

The TF and PyTorch rounds alternate (PyTorch in a child process,
tools/bench_torch_dcgan.py --layers); the table gives the median over rounds.
A profile for tools/bench_paper_dcgan.py, not a test.

    python tools/bench_dcgan_layers.py --torch-python PY --json docs/paper_dcgan_layers_epyc.json
"""

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from tfgan_zoo.networks import patch_conv  # noqa: E402

TOOLS = os.path.dirname(os.path.abspath(__file__))
BATCH = 128


def network_layers(base=128):
    """(name, kind, input shape without batch, output channels) of the 64x64
    networks of width `base` (128: the paper's)."""
    b = base

    def conv(kind, side, cin, cout):
        out = side * 2 if kind == "up" else side // 2
        who = "G" if kind == "up" else "D"
        return (f"{who} {side}x{side}x{cin} -> {out}x{out}x{cout}", kind, (side, side, cin), cout)

    return [
        (f"G dense 100 -> 4x4x{8 * b}", "dense", (100,), 16 * 8 * b),
        conv("up", 4, 8 * b, 4 * b),
        conv("up", 8, 4 * b, 2 * b),
        conv("up", 16, 2 * b, b),
        conv("up", 32, b, 3),
        conv("down", 64, 3, b),
        conv("down", 32, b, 2 * b),
        conv("down", 16, 2 * b, 4 * b),
        conv("down", 8, 4 * b, 8 * b),
        (f"BN + ReLU 32x32x{b}", "norm", (32, 32, b), b),
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


class NCHWConv(keras.layers.Layer):
    """The stride-2 4x4 'same' convolution (kind "down") or transposed
    convolution ("up") of the plain layer, run by TF in NCHW; holds its kernel."""

    def __init__(self, kind, filters, **kwargs):
        super().__init__(**kwargs)
        self.kind, self.filters = kind, filters

    def build(self, shape):
        kernel = (
            (4, 4, self.filters, shape[-1])
            if self.kind == "up"
            else (4, 4, shape[-1], self.filters)
        )
        self.kernel = self.add_weight(
            shape=kernel, initializer=keras.initializers.RandomNormal(0, 0.02)
        )

    def call(self, x):
        kernel = tf.cast(self.kernel, x.dtype)
        nchw = tf.transpose(x, [0, 3, 1, 2])
        if self.kind == "up":
            size = (tf.shape(x)[0], self.filters, 2 * x.shape[1], 2 * x.shape[2])
            y = tf.nn.conv2d_transpose(nchw, kernel, size, 2, "SAME", data_format="NCHW")
        else:
            y = tf.nn.conv2d(nchw, kernel, 2, "SAME", data_format="NCHW")
        return tf.transpose(y, [0, 2, 3, 1])


def build_layer(kind, shape, filters, formulation="transposed"):
    if kind == "dense":
        return keras.layers.Dense(filters, use_bias=False)
    if kind == "up" and formulation == "phases":
        return PhaseConvTranspose(filters)
    if formulation == "nchw":
        return NCHWConv(kind, filters)
    if kind == "up":
        patches = formulation == "patches"
        return patch_conv.Conv2DTranspose(filters, 4, 2, "same", use_bias=False, patches=patches)
    if kind == "down":
        patches = formulation == "patches"
        return patch_conv.Conv2D(filters, 4, 2, "same", use_bias=False, patches=patches)
    return keras.Sequential([keras.layers.BatchNormalization(), keras.layers.ReLU()])


ALTERNATIVES = {"up": ("phases", "patches", "nchw"), "down": ("patches", "nchw")}


def check_alternatives(layers):
    """Max |alternative − plain layer| over G's and D's layers, float32, same kernel."""
    worst = 0.0
    for _, kind, shape, filters in layers:
        if kind not in ALTERNATIVES:
            continue
        x = tf.random.normal((2, *shape))
        reference = build_layer(kind, shape, filters)
        reference.build((None, *shape))
        for formulation in ALTERNATIVES[kind]:
            other = build_layer(kind, shape, filters, formulation)
            other.build((None, *shape))
            other.kernel.assign(reference.kernel)
            worst = max(worst, float(tf.reduce_max(tf.abs(reference(x) - other(x)))))
    return worst


class LayerStep:
    """Forward + backward of one built layer on `x` in a training call (the
    gradients of x and of its weights), traced once; `window(repeats)` times it."""

    def __init__(self, layer, x):
        self.layer, self.x = layer, x

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
        """Milliseconds a step over `repeats` steps."""
        started = time.perf_counter()
        for _ in range(repeats):
            out = self.step(self.x)
        out[0].numpy()
        return 1000 * (time.perf_counter() - started) / repeats


class TFLayerTimer(LayerStep):
    def __init__(self, kind, shape, filters, precision, formulation):
        keras.config.set_dtype_policy(precision)
        try:
            layer = build_layer(kind, shape, filters, formulation)
            layer.build((None, *shape))
        finally:
            keras.config.set_dtype_policy("float32")
        super().__init__(layer, tf.random.normal((BATCH, *shape)))


def torch_round(python, repeats, layers):
    script = os.path.join(TOOLS, "bench_torch_dcgan.py")
    out = subprocess.run(
        [python, script, "--layers", json.dumps(layers), "--steps", str(repeats)],
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
    parser.add_argument(
        "--base-filters", type=int, default=128, help="the networks' width (128: the paper's)"
    )
    parser.add_argument(
        "--small-maps",
        action="store_true",
        help="only the layers with 4x4 outputs (D) or inputs (G), where patches can win",
    )
    args = parser.parse_args()
    layers = network_layers(args.base_filters)
    if args.small_maps:  # G's 4x4 input, D's 4x4 output
        small = {"up": 4, "down": 8}
        layers = [layer for layer in layers if small.get(layer[1]) == layer[2][0]]
    difference = check_alternatives(layers)
    print(f"alternatives against the plain layers: max difference {difference:.2e}")
    timers = {}
    for name, kind, shape, filters in layers:
        for precision in ("float32", "mixed_bfloat16"):
            formulations = (
                ("transposed", *ALTERNATIVES[kind]) if kind in ALTERNATIVES else ("transposed",)
            )
            for formulation in formulations:
                alternative = "" if formulation == "transposed" else f" {formulation}"
                column = f"TF {precision}{alternative}"
                timers[name, column] = TFLayerTimer(kind, shape, filters, precision, formulation)
    times = {key: [] for key in timers}
    for round_ in range(args.rounds):
        for key, timer in timers.items():
            times[key].append(timer.window(args.repeats))
        if args.torch_python:
            for name, columns in torch_round(args.torch_python, args.repeats, layers).items():
                for column, ms in columns.items():
                    times.setdefault((name, column), []).append(ms)
        print(f"round {round_ + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    median = {key: statistics.median(t) for key, t in times.items()}
    columns = list(dict.fromkeys(column for _, column in median))
    print(f"\nforward + backward ms, batch {BATCH}, median of {args.rounds} rounds\n")
    print("| layer | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    for name, *_ in layers:
        cells = [median.get((name, column)) for column in columns]
        print(f"| {name} | " + " | ".join("" if v is None else f"{v:.1f}" for v in cells) + " |")
    for label, kinds in (("G's transposed convolutions", ("up",)), ("every layer", None)):
        names = [name for name, kind, *_ in layers if kinds is None or kind in kinds]
        cells = []
        for column in columns:
            values = [median.get((name, column)) for name in names]
            cells.append("" if None in values else f"{sum(values):.1f}")
        print(f"| {label} | " + " | ".join(cells) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                dict(
                    command=shlex.join(
                        ["python", "tools/bench_dcgan_layers.py"]
                        + ["PY" if a == args.torch_python else a for a in sys.argv[1:]]
                    ),
                    base_filters=args.base_filters,
                    device=f"CPU x{os.cpu_count()}",
                    tensorflow=tf.__version__,
                    batch=BATCH,
                    alternatives_max_difference=difference,
                    milliseconds={f"{n} | {c}": t for (n, c), t in times.items()},
                    median={f"{n} | {c}": t for (n, c), t in median.items()},
                ),
                f,
                indent=2,
            )


if __name__ == "__main__":
    main()
