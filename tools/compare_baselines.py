"""Non-adversarial baselines against the zoo's DCGAN, on the same metrics.

Trains a VAE on Fashion-MNIST for the DCGAN entry's budget (its card's generator
steps of 64 images, unless --steps), then scores 10,000 samples of each with the
default protocol (FID, KID, precision/recall, IS against 10,000 training images,
shipped classifier).

    python tools/compare_baselines.py [--steps N]
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

from tfgan_zoo import zoo  # noqa: E402
from tfgan_zoo.baselines import VAE  # noqa: E402
from tfgan_zoo.data import image_dataset, load_fashion_mnist  # noqa: E402
from tfgan_zoo.metrics.evaluate import evaluate_generator  # noqa: E402
from tfgan_zoo.recipes import compile_args, resolve  # noqa: E402

METRICS = ("fid", "kid", "pr", "is")


def _params(model):
    return sum(int(keras.ops.size(w)) for w in model.weights)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, help="VAE steps (default: the DCGAN entry's)")
    args = parser.parse_args()
    steps = args.steps or zoo.entry("fashion_dcgan").card["training"]["generator_steps"]
    images, _ = load_fashion_mnist("train")
    keras.utils.set_random_seed(0)
    vae = VAE(latent_dim=32, base_filters=32, seed=0)
    vae.compile(**compile_args(VAE, resolve("vae", "fashion_mnist", "zoo")))
    data = image_dataset(images, batch_size=64, seed=0, repeat=True)
    started = time.perf_counter()
    vae.fit(data, epochs=1, steps_per_epoch=steps, verbose=2)
    seconds = time.perf_counter() - started
    dcgan = zoo.load("fashion_dcgan")
    print("| model | generator params | train s | FID | KID | precision | recall | IS |")
    print("|---|---|---|---|---|---|---|---|")
    for name, model, secs in (
        (
            "DCGAN (zoo fashion_dcgan)",
            dcgan,
            zoo.entry("fashion_dcgan").card["training"]["seconds"],
        ),
        ("VAE, latent 32", vae, round(seconds)),
    ):
        r = evaluate_generator(model, METRICS, 10_000, seed=0)
        kid = next(m for m in r.values if m.name == "kid")
        print(
            f"| {name} | {_params(model.generator):,} | {secs} | {r['fid']:.1f} | "
            f"{kid.value:.2f} | {r['precision']:.2f} | {r['recall']:.2f} | "
            f"{r['inception_score']:.2f} |"
        )


if __name__ == "__main__":
    main()
