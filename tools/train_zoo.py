"""(Re)train the zoo's entries from a clean checkout and rewrite their folders.

Every entry below is trained from a fixed seed, evaluated with the metrics
package (its default protocol), and written to models/<name>/ (config.json,
card.json, weight files with sha256), replacing the old folder only once the
new one is complete.

    python tools/train_zoo.py                 # every entry
    python tools/train_zoo.py --only fashion_dcgan --out models
"""

import argparse
import json
import os
import platform
import shutil
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

import tfgan_zoo  # noqa: E402
from tfgan_zoo import data as data_lib  # noqa: E402
from tfgan_zoo.metrics.evaluate import evaluate_generator  # noqa: E402
from tfgan_zoo.recipes import compile_args, resolve  # noqa: E402
from tfgan_zoo.registry import get_model  # noqa: E402
from tfgan_zoo.training import with_learning_rate  # noqa: E402
from tfgan_zoo.zoo import sha256_file  # noqa: E402

FASHION = dict(
    dataset="Fashion-MNIST",
    split="train (60,000 images, 28x28 grayscale)",
    licence="MIT (Zalando Research)",
    source="Debian package dataset-fashion-mnist, or tensorflow-datasets",
)
GRID = dict(
    dataset="2D grid of 25 Gaussians at {-4,-2,0,2,4}^2, sigma 0.05",
    split="256,000 points drawn with the training seed",
    licence="synthetic",
    source="tfgan_zoo.data.sample_mixture('grid')",
)
CLASS_NAMES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]

# name -> the recipe row it trains with (tfgan_zoo.recipes: (model, dataset,
# budget)) and what the card says about it. Settings live in the recipe table.
ENTRIES = {
    "fashion_dcgan": dict(
        description="DCGAN (Radford et al. 2015) on Fashion-MNIST",
        recipe=("dcgan", "fashion_mnist", "zoo"),
        data=FASHION,
    ),
    "fashion_cgan": dict(
        description="Class-conditional GAN (Mirza & Osindero 2014) on Fashion-MNIST",
        recipe=("cgan", "fashion_mnist", "zoo"),
        data=FASHION,
    ),
    "fashion_wgan_gp": dict(
        description="WGAN-GP (Gulrajani et al. 2017) on Fashion-MNIST, n_critic 5, lambda 10",
        recipe=("wgan_gp", "fashion_mnist", "zoo"),
        data=FASHION,
    ),
    "fashion_vae": dict(
        description="VAE (Kingma & Welling 2014) on Fashion-MNIST, a non-adversarial baseline",
        recipe=("vae", "fashion_mnist", "zoo"),
        data=FASHION,
    ),
    "fashion_pixelcnn": dict(
        description="PixelCNN (van den Oord et al. 2016) on Fashion-MNIST, 8 grey levels",
        recipe=("pixelcnn", "fashion_mnist", "zoo"),
        data=FASHION,
        samples=2000,
    ),  # sequential sampling is slow: a smaller metric budget
    "grid_pacgan": dict(
        description="PacGAN2 (non-saturating loss, D on pairs) on the 25-mode 2D grid",
        recipe=("standard", "grid", "zoo"),
        data=GRID,
    ),
}


def entry_settings(name, steps=None):
    """What entry `name` trains with: variant, dataset, model kwargs, compile
    kwargs (fresh optimizers; a cosine decay over the run where the recipe says
    so), generator steps, the batch fed per generator step and its share per D
    step, d_steps (None for baselines) and whether the rates decay."""
    variant, dataset, budget = ENTRIES[name]["recipe"]
    recipe = resolve(variant, dataset, budget)
    cls = get_model(variant)
    steps = steps or recipe.steps
    args = compile_args(cls, recipe)
    cosine = recipe.schedule == "cosine"
    d_steps = args.get("d_steps")
    if d_steps is not None:
        args = with_learning_rate(args, steps, cosine=cosine)
    return dict(
        variant=variant,
        dataset=dataset,
        cls=cls,
        model=dict(recipe.model),
        compile=args,
        steps=steps,
        batch_size=recipe.batch_size,
        batch_size_per_d_step=recipe.batch_size // (d_steps or 1),
        d_steps=d_steps,
        cosine=cosine,
    )


def _dataset(name, batch_size, labels, seed):
    """The training stream: shuffled, repeated; one `fit` epoch covers the run."""
    if name == "grid":
        points, modes = data_lib.sample_mixture("grid", 256_000, seed=seed)
        return data_lib.points_dataset(
            points, modes if labels else None, batch_size=batch_size, seed=seed, repeat=True
        )
    images, classes = data_lib.load_fashion_mnist("train")
    return data_lib.image_dataset(
        images, classes if labels else None, batch_size=batch_size, seed=seed, repeat=True
    )


def _baseline(entry, seed):
    """(model, dataset) for a non-adversarial baseline."""
    kwargs = dict(entry["model"], **({"seed": seed} if entry["variant"] == "vae" else {}))
    model = entry["cls"](**kwargs)
    model.compile(**entry["compile"])
    if entry["variant"] == "pixelcnn":  # it reads 0..255 pixel values
        images, _ = data_lib.load_fashion_mnist("train")
        dataset = (
            tf.data.Dataset.from_tensor_slices(images)
            .shuffle(len(images), seed=seed)
            .repeat()
            .batch(entry["batch_size"], drop_remainder=True)
        )
        return model, dataset
    return model, _dataset(entry["dataset"], entry["batch_size"], False, seed)


def train_entry(name, seed=0, steps=None):
    entry = entry_settings(name, steps)
    steps = entry["steps"]
    keras.utils.set_random_seed(seed)
    if entry["d_steps"] is None:
        model, dataset = _baseline(entry, seed)
        started = time.perf_counter()
        model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=2)
        seconds = time.perf_counter() - started
        result = evaluate_generator(
            model, ("fid", "kid", "pr", "is"), ENTRIES[name].get("samples", 10_000), seed=0
        )
        if entry["variant"] == "pixelcnn":
            result.values.append(_bits_per_dim(model))
        return model, seconds, result
    cls = entry["cls"]
    model = cls(seed=seed, **entry["model"])
    model.compile(**entry["compile"])
    dataset = _dataset(entry["dataset"], entry["batch_size"], cls.conditional, seed)
    started = time.perf_counter()
    model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=2)
    seconds = time.perf_counter() - started
    if entry["dataset"] == "grid":
        result = evaluate_generator(model, None, 2500, seed=0, mixture="grid")
    else:
        metrics = ("fid", "kid", "pr", "is") + (("cacc",) if cls.conditional else ())
        result = evaluate_generator(model, metrics, 10_000, seed=0)
    return model, seconds, result


def _bits_per_dim(model):
    from tfgan_zoo.baselines import bits_per_dim_256
    from tfgan_zoo.metrics.evaluate import MetricValue

    test_images, _ = data_lib.load_fashion_mnist("test")
    bits = model.nll_bits_per_dim(test_images)
    return MetricValue(
        "bits_per_dim",
        bits,
        None,
        dict(
            dataset="fashion_mnist",
            split="test",
            num_samples=len(test_images),
            levels=model.levels,
            bits_per_dim_256=bits_per_dim_256(bits, model.levels),
        ),
    )


def _network(model, part):
    """What a weights file holds. A compiled model's save_weights also stores its
    optimizer state (3x the size), so a whole-model entry saves an uncompiled copy."""
    if part != "model":
        return getattr(model, part)
    copy = type(model).from_config(model.get_config())
    copy.set_weights(model.get_weights())
    return copy


def write_entry(out, name, model, seconds, result, seed, steps, command):
    recipe, entry = ENTRIES[name], entry_settings(name, steps)
    final = Path(out) / name
    tmp = Path(out) / f".{name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    parts = ("model",) if entry["d_steps"] is None else ("generator", "discriminator")
    for part in parts:
        _network(model, part).save_weights(tmp / f"{part}.weights.h5")
    files = {
        part: dict(path=f"{part}.weights.h5", sha256=sha256_file(tmp / f"{part}.weights.h5"))
        for part in parts
    }
    labels = CLASS_NAMES if model.num_classes else None
    model_args = dict(entry["model"])
    if entry["variant"] != "pixelcnn":
        model_args["seed"] = seed
    config = dict(
        name=name,
        description=recipe["description"],
        variant=entry["variant"],
        model=model_args,
        dataset=entry["dataset"],
        labels=labels,
        files=files,
    )
    card = dict(
        name=name,
        description=recipe["description"],
        data=recipe["data"],
        training=dict(
            command=command,
            seed=seed,
            generator_steps=steps,
            batch_size_per_d_step=entry["batch_size_per_d_step"],
            d_steps=getattr(model, "d_steps", None),
            compile=model.get_compile_config(),
            cosine_decay=entry["cosine"],
            seconds=round(seconds, 1),
            hardware=f"{os.cpu_count()} vCPU {platform.machine()}, no GPU",
            tensorflow=tf.__version__,
            keras=keras.__version__,
            tfgan_zoo=tfgan_zoo.__version__,
        ),
        metrics=result.as_dict(),
        files={spec["path"]: spec["sha256"] for spec in files.values()},
    )
    (tmp / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    (tmp / "card.json").write_text(json.dumps(card, indent=2, default=str) + "\n")
    old = Path(out) / f".{name}.old"
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)
    return final


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated entry names (default: all)")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "models"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, help="override generator steps (smoke runs)")
    args = parser.parse_args()
    chosen = args.only.split(",") if args.only else list(ENTRIES)
    for name in chosen:
        model, seconds, result = train_entry(name, args.seed, args.steps)
        command = (
            f"python tools/train_zoo.py --only {name}"
            + (f" --seed {args.seed}" if args.seed else "")
            + (f" --steps {args.steps}" if args.steps else "")
        )
        path = write_entry(
            args.out,
            name,
            model,
            seconds,
            result,
            args.seed,
            entry_settings(name, args.steps)["steps"],
            command,
        )
        print(f"wrote {path} in {seconds:.0f} s")
        print(result.table(), flush=True)


if __name__ == "__main__":
    main()
