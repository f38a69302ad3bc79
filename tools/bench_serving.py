"""Latency of an exported generator against the in-process one.

Exports a DCGAN generator (Fashion-MNIST shape), loads it back, and times, side
by side and interleaved, for batch 1 and 64:
  in-process   `generate_uint8` (generator + uint8 conversion) in a tf.function
  eager        the same, called eagerly (what a notebook user does)
  signature    the loaded SavedModel's `generate` signature
Prints medians over repeats and the signature / in-process ratio (target <= 1.1).

    python tools/bench_serving.py [--repeats 7] [--calls 50]
"""

import argparse
import os
import statistics
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tfgan_zoo.gans import DCGAN  # noqa: E402
from tfgan_zoo.serving import export_generator, generate_uint8  # noqa: E402


def _time(fn, z, calls):
    start = time.perf_counter()
    for _ in range(calls):
        fn(z).numpy()
    return (time.perf_counter() - start) / calls * 1000.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--calls", type=int, default=50)
    args = parser.parse_args()
    model = DCGAN(seed=0)
    with tempfile.TemporaryDirectory() as tmp:
        loaded = tf.saved_model.load(str(export_generator(model, tmp)))
        signature = loaded.signatures["generate"]
        compiled = tf.function(lambda z: generate_uint8(model.generator, z))
        ways = {
            "in-process": compiled,
            "eager": lambda z: generate_uint8(model.generator, z),
            "signature": lambda z: signature(z=z)["images"],
        }
        print("| batch | in-process ms | eager ms | signature ms | signature / in-process |")
        print("|---|---|---|---|---|")
        for batch in (1, 64):
            z = tf.constant(
                np.random.default_rng(0)
                .standard_normal((batch, model.latent_dim))
                .astype(np.float32)
            )
            for fn in ways.values():
                _time(fn, z, 3)  # trace and warm up
            times = {name: [] for name in ways}
            for _ in range(args.repeats):  # interleaved, so drift hits all alike
                for name, fn in ways.items():
                    times[name].append(_time(fn, z, args.calls))
            med = {name: statistics.median(t) for name, t in times.items()}
            print(
                f"| {batch} | {med['in-process']:.2f} | {med['eager']:.2f} | "
                f"{med['signature']:.2f} | {med['signature'] / med['in-process']:.2f} |"
            )
    print(
        f"\nDCGAN generator 28x28x1, latent {model.latent_dim}; medians of {args.repeats} "
        f"repeats of {args.calls} calls; TF {tf.__version__}, CPU."
    )


if __name__ == "__main__":
    main()
