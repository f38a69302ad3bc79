"""ProGAN step time per level: what a training step costs at each resolution phase.

One ProGAN at 64×64 output (the paper's filters rule, `networks.default_filters`),
trained through `fit` with its default compile (WGAN-GP + drift, EMA), batch 16
(the paper's up to 128×128). For each level (4×4 ... 64×64, each in its stable
phase; a fade-in step runs the same branch as the stable phase after it) the
model is put at that point of the schedule
and timed over windows of steps, interleaved across levels so that a slow phase
of the machine hits them all alike; the table gives the median seconds per step
and its ratio to the 64×64 step, timed from the first batch of a `fit` call to
its last (the call's one-off set-up left out, as in tools/bench_throughput.py).
The paper's point: early phases cost far less.
A benchmark, not a test.

    python tools/bench_progan_levels.py            # writes docs/progan_levels.json
"""

import argparse
import json
import os
import platform
import statistics
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from bench_throughput import timed_fit  # noqa: E402

from tfgan_zoo.families.progan.networks import default_filters  # noqa: E402
from tfgan_zoo.gans import ProGAN  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def model_at(level, size, batch, fmap_base=1024, images_per_phase=100_000):
    """A ProGAN whose schedule stands at `level` (float) and stays there while timed."""
    keras.utils.set_random_seed(0)
    shape = (size, size, 3)
    filters = default_filters(shape, fmap_base=fmap_base)
    model = ProGAN(image_shape=shape, filters=filters, images_per_phase=images_per_phase, seed=0)
    model.compile()
    # Phase index of the level: 0 for level 0; level k stable from phase 2k, fading 2k - 1.
    whole, alpha = int(level), level - int(level)
    phase = 0.5 if level == 0 else (2 * whole + 0.5 if alpha == 0 else 2 * whole - 1 + alpha)
    model.images_seen.assign(int(phase * images_per_phase))
    return model


def multiply_adds(filters, top, latent_dim, channels=3):
    """Multiply-adds of one image through G and D at top level `top` (convolutions
    and dense layers): the compute a step at that level cannot avoid."""
    f = filters
    total = latent_dim * 16 * f[0] + 16 * 9 * f[0] * f[0]  # G: dense, 4x4 conv
    total += 16 * 9 * (f[0] + 1) * f[0] + 16 * f[0] * f[0] + f[0]  # D's 4x4 head
    for k in range(1, top + 1):
        pixels = (4 * 2**k) ** 2
        total += 2 * pixels * 9 * (f[k - 1] * f[k] + f[k] * f[k])  # G's and D's two convs
    pixels = (4 * 2**top) ** 2
    return total + 2 * pixels * f[top] * channels  # toRGB and fromRGB


def data(size, batch):
    images = np.random.default_rng(0).uniform(-1, 1, (batch * 4, size, size, 3))
    ds = tf.data.Dataset.from_tensor_slices(images.astype("float32"))
    return ds.repeat().batch(batch, drop_remainder=True).prefetch(2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument(
        "--fmap-base",
        type=int,
        default=1024,
        help="the filters rule's base (default_filters): 1024, the class default, keeps "
        "64 maps up to 32x32, (64, 64, 64, 64, 32) at 64x64; 256 halves them from 16x16, "
        "(64, 64, 32, 16, 8)",
    )
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=10, help="steps per timed window")
    parser.add_argument("--windows", type=int, default=5)
    parser.add_argument("--json", default=str(REPO / "docs" / "progan_levels.json"))
    args = parser.parse_args()
    levels = [float(k) for k in range(int(np.log2(args.size)) - 1)]  # each stable phase
    models = {}
    for level in levels:
        model = model_at(level, args.size, args.batch, args.fmap_base)
        model.fit(data(args.size, args.batch), steps_per_epoch=3, epochs=1, verbose=0)  # trace
        models[level] = model
    times = {level: [] for level in levels}
    for _ in range(args.windows):
        for level, model in models.items():
            # First batch to last: fit's per-call set-up left out.
            seconds = timed_fit(model, data(args.size, args.batch), args.steps)
            times[level].append(seconds / args.steps)
    top = max(levels)
    top_time = statistics.median(times[top])
    rows = []
    filters = models[top].filters
    print(
        f"| level | resolution | phase | s/step | ratio to {args.size}×{args.size} "
        "| multiply-adds ratio |"
    )
    print("|---|---|---|---|---|---|")
    for level in levels:
        side = 4 * 2 ** int(np.ceil(level))
        phase = "stable"
        median = statistics.median(times[level])
        latent = models[top].latent_dim
        macs = multiply_adds(filters, int(level), latent) / multiply_adds(filters, int(top), latent)
        rows.append(
            dict(
                level=level,
                resolution=side,
                phase=phase,
                seconds=median,
                ratio=median / top_time,
                multiply_adds_ratio=macs,
            )
        )
        print(
            f"| {level} | {side}×{side} | {phase} | {median:.4f} | {median / top_time:.2f} "
            f"| {macs:.2f} |"
        )
    payload = dict(
        command="python tools/bench_progan_levels.py"
        + ("" if args.size == 64 else f" --size {args.size}")
        + ("" if args.fmap_base == 1024 else f" --fmap-base {args.fmap_base}")
        + f" --windows {args.windows} --steps {args.steps}",
        hardware=f"{os.cpu_count()} vCPU {platform.machine()}",
        tensorflow=tf.__version__,
        batch=args.batch,
        filters=list(models[top].filters),
        rows=rows,
        target="a 16×16-phase step costs at most 40 % of a 64×64-phase step",
    )
    Path(args.json).write_text(json.dumps(payload, indent=2) + "\n")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
