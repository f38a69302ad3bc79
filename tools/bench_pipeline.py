"""Is the input pipeline ever the bottleneck? Images/s it delivers from a folder of
64×64 JPEGs, against the images/s DCGAN 64×64 training consumes, in one run.

  first epoch   decoding the folder (`data.image_files.decode_files`: tf.data reads,
                decodes, converts and crops in parallel) into memory
  cached        batches of the decoded set (`data.epoch_batches`, scaled to [-1, 1]),
                as training reads them every later epoch
  training      DCGAN at 64×64×3 (default widths) with `fit` on those batches

Targets: cached >= 5× training and first epoch >= 1× training.

    python tools/bench_pipeline.py [--images 2000] [--steps 30] [--json docs/pipeline_throughput.json]
"""

import argparse
import json
import os
import platform
import shlex
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from PIL import Image  # noqa: E402

from tfgan_zoo.data import image_files  # noqa: E402
from tfgan_zoo.data.pipeline import epoch_batches, scale_images  # noqa: E402
from tfgan_zoo.gans import DCGAN  # noqa: E402

SIDE = 64


def write_folder(folder, count, seed=0):
    """`count` 64×64 colour JPEGs of smooth random blobs (JPEG-typical content)."""
    rng = np.random.default_rng(seed)
    for i in range(count):
        small = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
        image = Image.fromarray(small).resize((SIDE, SIDE), Image.BICUBIC)
        image.save(folder / f"{i:05d}.jpg", quality=90)


def first_epoch(folder):
    files = image_files.list_images(folder)
    started = time.perf_counter()
    decoded = image_files.decode_files(files, SIDE, 3)
    return len(decoded.images) / (time.perf_counter() - started), decoded.images


def cached(images, batch_size, batches):
    ds = epoch_batches(images, None, batch_size, batches, seed=0, to_float=scale_images)
    iterator = iter(ds)
    next(iterator)  # the first batch starts the pipeline's threads
    started = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    return batches * batch_size / (time.perf_counter() - started)


def training(images, batch_size, steps):
    model = DCGAN(image_shape=(SIDE, SIDE, 3), seed=0)
    model.compile()
    ds = epoch_batches(images, None, batch_size, steps, seed=0, to_float=scale_images)
    model.fit(ds, epochs=1, steps_per_epoch=3, verbose=0)  # tracing, not timed
    started = time.perf_counter()
    model.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0)
    return steps * batch_size / (time.perf_counter() - started)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=30, help="timed DCGAN steps")
    parser.add_argument("--json", type=Path, default=Path("docs/pipeline_throughput.json"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_folder(folder, args.images)
        decode_rate, images = first_epoch(folder)
    rates = dict(
        first_epoch=decode_rate,
        cached=cached(images, args.batch_size, max(20, args.images // args.batch_size)),
        training=training(images, args.batch_size, args.steps),
    )
    ratios = dict(
        first_epoch=rates["first_epoch"] / rates["training"],
        cached=rates["cached"] / rates["training"],
    )
    print("| stage | images/s | × training |\n|---|---|---|")
    for stage, rate in rates.items():
        ratio = f"{ratios[stage]:.1f}" if stage in ratios else "1"
        print(f"| {stage} | {rate:,.0f} | {ratio} |")
    targets = dict(cached=5.0, first_epoch=1.0)
    met = {stage: ratios[stage] >= target for stage, target in targets.items()}
    print("targets met:", met)
    result = dict(
        command="python tools/bench_pipeline.py " + shlex.join(sys.argv[1:]),
        images=args.images,
        side=SIDE,
        batch_size=args.batch_size,
        images_per_second={k: round(v, 1) for k, v in rates.items()},
        ratio_to_training={k: round(v, 2) for k, v in ratios.items()},
        targets=targets,
        met=met,
        machine=f"{os.cpu_count()} vCPU ({platform.machine()}), no GPU",
        tensorflow=tf.__version__,
    )
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
