"""Batch norm in a training step: Keras's ops against TensorFlow's fused kernel
(tfgan_zoo.networks.batch_norm), forward + backward at the shapes of the paper's
64×64 DCGAN (batch 128), in float32 and bfloat16 (mixed precision). The two
layers take turns, window after window; the table gives medians in ms and the
ratios. Each layer is timed by tools/bench_dcgan_layers.py's `LayerStep`. A
benchmark, not a test.

    python tools/bench_batch_norm.py --threads 1 --json docs/batch_norm_epyc.json
"""

import argparse
import json
import os
import shlex
import statistics
import sys

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
SHAPES = [(128, 4, 4, 1024), (128, 8, 8, 512), (128, 16, 16, 256), (128, 32, 32, 128)]
POLICIES = ("float32", "mixed_bfloat16")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=0, help="op threads (0: every core)")
    parser.add_argument("--rounds", type=int, default=5, help="windows per layer")
    parser.add_argument("--steps", type=int, default=5, help="steps per window")
    parser.add_argument("--json", help="also write the table here")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path[:0] = [ROOT, TOOLS]
    import keras
    import numpy as np
    import tensorflow as tf
    from bench_dcgan_layers import LayerStep

    from tfgan_zoo.networks.batch_norm import BatchNormalization

    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    rows = []
    print("| policy | shape | Keras's ops (ms) | fused kernel (ms) | ratio |")
    print("|---|---|---|---|---|")
    for policy in POLICIES:
        dtype = "bfloat16" if policy == "mixed_bfloat16" else "float32"
        for shape in SHAPES:
            x = tf.constant(np.random.default_rng(0).standard_normal(shape), dtype)
            windows = {}
            for name, layer in (
                ("keras", keras.layers.BatchNormalization(synchronized=True, dtype=policy)),
                ("fused", BatchNormalization(synchronized=True, fused=True, dtype=policy)),
            ):
                layer.build(shape)
                windows[name] = LayerStep(layer, x).window
            times = {name: [] for name in windows}
            for _ in range(args.rounds):
                for name, window in windows.items():
                    times[name].append(window(args.steps))
            keras_ms, fused_ms = (statistics.median(times[n]) for n in ("keras", "fused"))
            rows.append(
                dict(policy=policy, shape=list(shape), keras_ms=keras_ms, fused_ms=fused_ms)
            )
            print(
                f"| {policy} | {'x'.join(map(str, shape))} | {keras_ms:.1f} | {fused_ms:.1f} "
                f"| {keras_ms / fused_ms:.2f} |",
                flush=True,
            )
    if args.json:
        with open(args.json, "w") as f:
            command = ["python", "tools/bench_batch_norm.py", *sys.argv[1:]]
            json.dump(
                dict(
                    device=f"CPU x{os.cpu_count()}",
                    command=shlex.join(command),
                    threads=args.threads or "all",
                    rows=rows,
                ),
                f,
                indent=2,
            )


if __name__ == "__main__":
    main()
