"""Fixed-budget learning table of the modern variants on Fashion-MNIST (CPU).

Each variant is trained with `fit` for the same number of generator steps and
scored, untrained and trained, with the project's classifier: FID and
precision/recall against 5,000 training images (32×32 samples are centre-
cropped to 28×28), conditional accuracy for class-conditional models, and for
code models (InfoGAN, Info/Semi-StyleGAN) how far apart the classifier's class
histograms of the codes are (mean total variation), how often the class is
the code itself (meaningful where labels tie codes to classes: Semi-StyleGAN)
and how often the model's own Q/E reads the code back. BigGAN is also scored
with truncated z.

    python tools/bench_modern.py --steps 1200 --json docs/modern_cpu.json
"""

import argparse
import json
import time

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo.data import image_dataset, load_fashion_mnist
from tfgan_zoo.data.padding import crop_images, pad_images
from tfgan_zoo.data.semi import hide_labels, semi_supervised_dataset
from tfgan_zoo.metrics.evaluate import evaluate_images
from tfgan_zoo.metrics.features import get_feature_network
from tfgan_zoo.metrics.reference import ReferenceSpec
from tfgan_zoo.recipes import compile_args, resolve
from tfgan_zoo.registry import get_model

REFERENCE = ReferenceSpec(split="train", size=5000, seed=0)
SAMPLES = 2000


# The variants measured; each trains with its cpu-short recipe row
# (tfgan_zoo.recipes): constructor and compile arguments and the batch.
# Padding to 32×32 and labels follow the class, as in `tfgan-zoo train`.
ENTRIES = ("dcgan", "infogan", "biggan", "progan", "stylegan", "info_stylegan", "semi_stylegan")


def settings(name):
    """(constructor kwargs, compile kwargs with fresh optimizers, batch size)."""
    recipe = resolve(name, "fashion_mnist", "cpu-short")
    return dict(recipe.model), compile_args(get_model(name, kind="gan"), recipe), recipe.batch_size


def code_scores(model, classifier):
    """For code models: (mean total variation between the classifier's class
    histograms of the codes, fraction of samples whose class is their code,
    fraction whose code the model's Q/E reads back)."""
    categories, offset = model.categories, model.noise_dim  # latents are [z, one-hot c, ...]
    latent = model.sample_latent(SAMPLES, tf.constant([5, 6], tf.int64))
    codes = np.argmax(latent.numpy()[:, offset : offset + categories], axis=-1)
    images = np.asarray(model.inference_generate()(latent))
    predicted = np.argmax(classifier.logits(crop_images(np.clip(images, -1, 1), 28)), axis=-1)
    hist = np.stack(
        [
            np.bincount(predicted[codes == c], minlength=10) / max((codes == c).sum(), 1)
            for c in range(categories)
        ]
    )
    tv = np.mean(
        [
            0.5 * np.abs(hist[i] - hist[j]).sum()
            for i in range(categories)
            for j in range(i + 1, categories)
        ]
    )
    read = (
        model.encode(images)
        if hasattr(model, "encode")
        else model.q_network(images, training=False)[:, :categories]
    )
    return (
        float(tv),
        float(np.mean(predicted == codes)),
        float(np.mean(np.argmax(np.asarray(read), axis=-1) == codes)),
    )


def score(model, conditional, classifier, truncation=None):
    labels = np.arange(SAMPLES) % model.num_classes if conditional else None
    kwargs = {} if truncation is None else dict(truncation=truncation)
    samples = model.sample(SAMPLES, labels=labels, seed=1, **kwargs)
    metrics = ("fid", "pr") + (("cacc",) if conditional else ())
    result = evaluate_images(np.clip(samples, -1, 1), labels, metrics, reference=REFERENCE)
    row = {k: round(v["value"], 3) for k, v in result.as_dict().items()}
    if hasattr(model, "categories") and not conditional:
        row["code_class_tv"], row["class_is_code"], row["code_read_back"] = (
            round(v, 3) for v in code_scores(model, classifier)
        )
    return row


def run(name, steps, seed):
    cls = get_model(name, kind="gan")
    kwargs, compiled, batch = settings(name)
    images, labels = load_fashion_mnist("train")
    if getattr(cls, "power_of_two_sides", False):
        images = pad_images(images, 32)
    if name == "progan":  # the whole schedule (7 phases) fits in the run
        kwargs = dict(kwargs, images_per_phase=max(steps * batch // 8, 1))
    labels_per_class = getattr(cls, "labels_per_class", None)
    keras.utils.set_random_seed(seed)
    model = cls.for_data(images.shape[1:], 10 if cls.conditional else None, seed=seed, **kwargs)
    model.compile(**compiled)
    classifier = get_feature_network("fashion_mnist")
    conditional = model.num_classes is not None
    before = score(model, conditional, classifier)
    if labels_per_class:  # a quarter of every batch from the few labelled images
        data = semi_supervised_dataset(
            images, hide_labels(labels, labels_per_class, seed=seed), batch, batch // 4, seed=seed
        )
    else:
        data = image_dataset(
            images, labels if cls.conditional else None, batch_size=batch, seed=seed, repeat=True
        )
    start = time.perf_counter()
    model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    after = score(model, conditional, classifier)
    row = dict(
        variant=name,
        steps=steps,
        batch=batch,
        seconds=round(seconds, 1),
        untrained=before,
        trained=after,
    )
    if name == "biggan":
        row["trained_truncation_0.5"] = score(model, conditional, classifier, truncation=0.5)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=1200)
    parser.add_argument("--only", nargs="*", default=list(ENTRIES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="write the rows here")
    args = parser.parse_args()
    rows = []
    for name in args.only:
        rows.append(run(name, args.steps, args.seed))
        r = rows[-1]
        print(
            f"{name:14s} {r['seconds']:7.1f}s  FID {r['untrained']['fid']:7.1f} -> "
            f"{r['trained']['fid']:7.1f}  "
            + "  ".join(
                f"{k} {r['untrained'].get(k, float('nan')):.3f}->{v:.3f}"
                for k, v in r["trained"].items()
                if k != "fid"
            ),
            flush=True,
        )
        if args.json:
            with open(args.json, "w") as f:
                json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
