"""Throughput of the engine's train_step: images/s for DCGAN 28x28 under several settings.

Measured side by side in one process on the same machine, so the ratios are
meaningful; absolute numbers depend on the machine. Used to pick the default
of `jit_compile` ("auto": XLA off on CPU, on for GPUs).

    python tools/bench_train_step.py [--batch-sizes 64,256] [--steps 60] [--repeats 3]
"""
import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tfgan_zoo.gans import DCGAN  # noqa: E402

CONFIGS = {
    "fit, jit_compile=False": dict(jit_compile=False),
    "fit, jit_compile=True": dict(jit_compile=True),
    "fit, jit_compile=auto": dict(jit_compile="auto"),
    "fit, steps_per_execution=10": dict(jit_compile=False, steps_per_execution=10),
}


def dataset(batch_size):
    data = np.random.default_rng(0).uniform(-1, 1, (batch_size * 4, 28, 28, 1)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(data).repeat().batch(batch_size, drop_remainder=True)


def measure(batch_size, steps, repeats):
    """{config: median images/s}. Windows of all configs are interleaved, so a
    slow phase of the machine hits every config alike."""
    ds = dataset(batch_size)
    models = {}
    for name, compile_args in CONFIGS.items():
        model = DCGAN(seed=0)
        model.compile(**compile_args)
        model.fit(ds, steps_per_epoch=20, epochs=1, verbose=0, validate_data=False)  # warm up
        models[name] = model
    rates = {name: [] for name in CONFIGS}
    for _ in range(repeats):
        for name, model in models.items():
            start = time.perf_counter()
            model.fit(ds, steps_per_epoch=steps, epochs=1, verbose=0, validate_data=False)
            rates[name].append(batch_size * steps / (time.perf_counter() - start))
    return {name: float(np.median(r)) for name, r in rates.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-sizes", default="64,256")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(b) for b in args.batch_sizes.split(",")]
    device = "GPU" if tf.config.list_physical_devices("GPU") else f"CPU x{os.cpu_count()}"
    print(f"DCGAN 28x28 train_step throughput, images/s (median of {args.repeats} "
          f"interleaved windows), {device}, TF {tf.__version__}\n")
    print("| config | " + " | ".join(f"bs {b}" for b in sizes) + " | ratio to jit=False |")
    print("|---" * (len(sizes) + 2) + "|")
    by_size = [measure(b, args.steps, args.repeats) for b in sizes]
    baseline = [rates["fit, jit_compile=False"] for rates in by_size]
    for name in CONFIGS:
        rates = [r[name] for r in by_size]
        ratios = " / ".join(f"{r / b0:.2f}" for r, b0 in zip(rates, baseline))
        print(f"| {name} | " + " | ".join(f"{r:.0f}" for r in rates) + f" | {ratios} |",
              flush=True)


if __name__ == "__main__":
    main()
