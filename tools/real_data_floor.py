"""The numbers a perfect generator would get, and the numbers of failure.

Scores, with the shipped Fashion-MNIST classifier and the default protocol
(reference: 10,000 training images, seed 0), three image sets of 10,000:
  - the held-out test split (real data: the floor a generator can reach),
  - one training image repeated (total mode collapse),
  - an untrained DCGAN's samples.
Prints a markdown table; the README quotes it.

    python tools/real_data_floor.py [--num-samples 10000]
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from tfgan_zoo.data import load_fashion_mnist  # noqa: E402
from tfgan_zoo.gans import DCGAN  # noqa: E402
from tfgan_zoo.metrics.evaluate import evaluate_images  # noqa: E402

METRICS = ("fid", "kid", "pr", "is")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num-samples", type=int, default=10_000)
    args = parser.parse_args()
    n = args.num_samples
    test_images, _ = load_fashion_mnist("test")
    train_images, _ = load_fashion_mnist("train")
    sets = {
        "Fashion-MNIST test split (real)": test_images[:n],
        "one training image repeated": np.repeat(train_images[:1], n, axis=0),
        "untrained DCGAN": DCGAN(seed=0).sample(n, seed=0),
    }
    print("| images | FID | KID | precision | recall | IS |")
    print("|---|---|---|---|---|---|")
    for name, images in sets.items():
        result = evaluate_images(images, metrics=METRICS)
        kid = next(m for m in result.values if m.name == "kid")
        print(
            f"| {name} | {result['fid']:.2f} | {kid.value:.3f} ± {kid.std:.3f} | "
            f"{result['precision']:.3f} | {result['recall']:.3f} | "
            f"{result['inception_score']:.2f} |"
        )
    print(
        f"\n{n:,} images per row; reference: 10,000 Fashion-MNIST training images (seed 0); "
        "features: the shipped classifier (128-d)."
    )


if __name__ == "__main__":
    main()
