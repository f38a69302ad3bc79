"""(Re)train the zoo's entries from a clean checkout and rewrite their folders.

Every entry trains through the same path as `tfgan-zoo train MODEL --dataset
DATA --recipe zoo` (its settings are the `zoo` rows of tfgan_zoo/recipes.py),
in a run directory under --runs, so a killed run resumes where it stopped. It
is then measured by `tfgan_zoo.metrics.entry_scores` (what `tfgan-zoo eval NAME`
runs), checked against its quality bar, and written to models/<name>/
(config.json, card.json, weight files with sha256), replacing the old folder only
once the new one is complete.

    python tools/train_zoo.py                      # every entry
    python tools/train_zoo.py --only fashion_dcgan # one
    python tools/train_zoo.py --list               # names, models, bars
"""

import argparse
import json
import os
import platform
import shutil
import sys
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

import tfgan_zoo  # noqa: E402
from tfgan_zoo import training  # noqa: E402
from tfgan_zoo.engine import GAN  # noqa: E402
from tfgan_zoo.metrics.entry_scores import TOLERANCE, measure  # noqa: E402
from tfgan_zoo.zoo import bar_report, built, sha256_file  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
FASHION = dict(
    dataset="Fashion-MNIST",
    split="train (60,000 images, 28x28 grayscale)",
    licence="MIT (Zalando Research)",
    source="Debian package dataset-fashion-mnist, or tensorflow-datasets",
)
EDGES = dict(
    FASHION,
    dataset="edges: Sobel edge magnitude of a Fashion-MNIST item -> the item",
    source="tfgan_zoo.data.translation_tasks on Fashion-MNIST",
)
SNEAKER2BOOT = dict(
    FASHION,
    dataset="sneaker2boot: Fashion-MNIST sneakers (class 7) <-> ankle boots (class 9), unpaired",
    split="train (6,000 images of each class)",
    source="tfgan_zoo.data.translation_tasks on Fashion-MNIST",
)
GRID = dict(
    dataset="2D grid of 25 Gaussians at {-4,-2,0,2,4}^2, sigma 0.05",
    split="points drawn with the training seed",
    licence="synthetic",
    source="tfgan_zoo.data.sample_mixture('grid')",
)
RING = dict(GRID, dataset="2D ring of 8 Gaussians, radius 2", source="sample_mixture('ring')")
POSED = dict(
    FASHION,
    dataset="posed items: each Fashion-MNIST item an identity in random affine poses, "
    "5 keypoints rasterised as landmark images",
    split="train without ankle boots (54,000 identities); episodes of 8 references + 1 target",
    source="tfgan_zoo.data.posed_items on Fashion-MNIST",
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


def _entry(model, dataset, description, data=FASHION, bars=None, samples=10_000):
    return dict(
        model=model,
        dataset=dataset,
        description=description,
        data=data,
        bars=bars or {},
        samples=samples,
    )


UNCONDITIONAL_BAR = {"fid": ("<=", 40.0)}
# name -> what it trains (the `zoo` recipe row of model on dataset), what its
# card says, and its quality bar: metric -> (comparison, target).
ENTRIES = {
    "ring_vanilla": _entry(
        "vanilla",
        "ring",
        "The original GAN (Goodfellow et al. 2014), MLPs, on the 8-mode ring",
        RING,
        {"modes_covered": (">=", 8)},
        2500,
    ),
    "grid_pacgan": _entry(
        "standard",
        "grid",
        "PacGAN2 (non-saturating loss, D on pairs) on the 25-mode 2D grid",
        GRID,
        {"modes_covered": (">=", 25)},
        2500,
    ),
    "fashion_dcgan": _entry(
        "dcgan",
        "fashion_mnist",
        "DCGAN (Radford et al. 2015) on Fashion-MNIST",
        bars=UNCONDITIONAL_BAR,
    ),
    "fashion_cgan": _entry(
        "cgan",
        "fashion_mnist",
        "Class-conditional GAN (Mirza & Osindero 2014) on Fashion-MNIST",
        bars={"conditional_accuracy": (">=", 0.90), "fid": ("<=", 30.0)},
    ),
    "fashion_wgan": _entry(
        "wgan",
        "fashion_mnist",
        "WGAN (Arjovsky et al. 2017), weight clipping, n_critic 5",
    ),
    "fashion_wgan_gp": _entry(
        "wgan_gp",
        "fashion_mnist",
        "WGAN-GP (Gulrajani et al. 2017) on Fashion-MNIST, n_critic 5, lambda 10",
    ),
    "fashion_lsgan": _entry(
        "lsgan",
        "fashion_mnist",
        "LSGAN (Mao et al. 2017), least-squares loss, on Fashion-MNIST",
    ),
    "fashion_dragan": _entry(
        "dragan",
        "fashion_mnist",
        "DRAGAN (Kodali et al. 2017), gradient penalty around the data",
    ),
    "fashion_sngan": _entry(
        "sngan",
        "fashion_mnist",
        "SNGAN (Miyato et al. 2018), hinge loss, spectrally normalised D",
    ),
    "fashion_began": _entry(
        "began",
        "fashion_mnist",
        "BEGAN (Berthelot et al. 2017), autoencoder D with equilibrium k",
    ),
    "fashion_infogan": _entry(
        "infogan",
        "fashion_mnist",
        "InfoGAN (Chen et al. 2016), 10-way categorical code",
        bars={"code_class_purity_min": (">=", 0.70)},
    ),
    "fashion_biggan": _entry(
        "biggan",
        "fashion_mnist",
        "BigGAN (Brock et al. 2019), class-conditional BN, projection D, EMA generator",
        bars={"conditional_accuracy": (">=", 0.90)},
    ),
    "fashion_progan": _entry(
        "progan",
        "fashion_mnist",
        "ProGAN (Karras et al. 2018), grown 4x4 -> 32x32 with fade-in",
    ),
    "fashion_stylegan": _entry(
        "stylegan",
        "fashion_mnist",
        "StyleGAN (Karras et al. 2019), mapping net and AdaIN styles",
        bars=UNCONDITIONAL_BAR,
    ),
    "fashion_info_stylegan": _entry(
        "info_stylegan",
        "fashion_mnist",
        "Info-StyleGAN (Nie et al. 2020), unsupervised factor codes",
    ),
    "fashion_semi_stylegan": _entry(
        "semi_stylegan",
        "fashion_mnist",
        "Semi-StyleGAN (Nie et al. 2020), codes tied to classes by 10 labels per class",
        bars={"class_is_code": (">=", 0.90)},
    ),
    "edges_pix2pix": _entry(
        "pix2pix",
        "edges",
        "pix2pix (Isola et al. 2017): edge map -> Fashion-MNIST item",
        EDGES,
        {"l1": ("<=", 0.12), "item_kept": (">=", 0.85)},
        1000,
    ),
    "edges_bicyclegan": _entry(
        "bicyclegan",
        "edges",
        "BicycleGAN (Zhu et al. 2017): edge map -> many items",
        EDGES,
        samples=1000,
    ),
    "sneaker2boot_cyclegan": _entry(
        "cyclegan",
        "sneaker2boot",
        "CycleGAN (Zhu et al. 2017): sneakers <-> ankle boots, unpaired",
        SNEAKER2BOOT,
        {"domain_accuracy_ab": (">=", 0.90), "domain_accuracy_ba": (">=", 0.90)},
        1000,
    ),
    "fashion_talking_heads": _entry(
        "talking_heads",
        "fashion_mnist",
        "Few-shot talking heads (Zakharov et al. 2019): K posed references + a target "
        "landmark image -> that item in that pose",
        POSED,
        {"ssim_k8_tuned": (">=", 0.70), "class_kept_k8_tuned": (">=", 0.85)},
        48,  # unseen items scored (on 24, one item was 4 points of class kept)
    ),
    "fashion_autoencoder": _entry(
        "autoencoder",
        "fashion_mnist",
        "Convolutional autoencoder, a reconstruction baseline",
        samples=1000,
    ),
    "fashion_vae": _entry(
        "vae",
        "fashion_mnist",
        "VAE (Kingma & Welling 2014) on Fashion-MNIST, a non-adversarial baseline",
    ),
    "fashion_pixelcnn": _entry(
        "pixelcnn",
        "fashion_mnist",
        "PixelCNN (van den Oord et al. 2016) on Fashion-MNIST, 8 grey levels",
        samples=2000,  # sequential sampling is slow: a smaller metric budget
    ),
}


def train_entry(name, seed, runs, **overrides):
    """(model, run record) of entry `name`: its run under `runs`, resumed when a
    previous attempt stopped part way, reused when it finished."""
    spec = ENTRIES[name]
    run_dir = Path(runs) / name
    record_path = run_dir / "run.json"
    record = json.loads(record_path.read_text()) if record_path.exists() else {}
    if record.get("status") != "finished":
        training.train(
            spec["model"],
            spec["dataset"],
            out=run_dir,
            seed=seed,
            recipe="zoo",
            verbose=2,
            resume=record_path.exists(),
            **overrides,
        )
    return training.load_run(run_dir)


def rescored_entry(name, out):
    """(model, run record) of the shipped entry `name`, to re-measure it: the record
    holds what its card says of its training, under today's recipe settings."""
    from tfgan_zoo import zoo

    spec = ENTRIES[name]
    item = zoo.entry(name, out)
    trained = item.card["training"]
    settings = training.resolve_settings(spec["model"], spec["dataset"], {}, "zoo")
    record = dict(
        settings=json.loads(json.dumps(settings, default=str)),
        train_seconds=trained["seconds"],
        compile=trained["compile"],
        seed=trained.get("seed", 0),
        trained_by=dict(
            tfgan_zoo=trained.get("tfgan_zoo"),
            command=trained.get("command"),
            note="trained by the tfgan_zoo version named here with these settings, "
            "re-measured by `python tools/train_zoo.py --rescore`",
        ),
    )
    return zoo.load(name, directory=out), record


def _network(model, part):
    """What a weights file holds. A compiled model's save_weights also stores its
    optimizer state (2 Adam moments: 3x the size), so a whole-model entry saves a
    copy without optimizers."""
    if part != "model":
        return getattr(model, part)
    copy = _fresh_copy(model)
    copy.set_weights(model.get_weights())
    # GAN.compile builds both optimizers; the copy only saves, so it drops them.
    for attribute, value in list(vars(copy).items()):
        if isinstance(value, keras.optimizers.Optimizer):
            setattr(copy, attribute, None)
    return copy


def _fresh_copy(model):
    """A new model of the same config, built, and compiled as the zoo loader compiles
    a GAN (its EMA copies are made by compile)."""
    copy = built(type(model).from_config(model.get_config()))
    if isinstance(model, GAN):
        copy.compile(**saved_compile(model))
    return copy


def saved_compile(model):
    """The compile arguments a whole-model file needs to load: the EMA settings."""
    config = model.get_compile_config() or {}
    return {k: config[k] for k in ("ema_decay", "ema_start") if config.get(k) not in (None, "none")}


def _files(model):
    """{part: network to save}: generator and discriminator when those hold every
    weight, else the whole model (baselines; models with EMA copies or extra nets)."""
    whole = _network(model, "model")
    if getattr(model, "generator", None) is not None and hasattr(model, "discriminator"):
        counted = model.generator.count_params() + model.discriminator.count_params()
        if counted == whole.count_params():
            return dict(generator=model.generator, discriminator=model.discriminator)
    return dict(model=whole)


def _constructor_arguments(model):
    """The model's config without Keras' layer bookkeeping (name, dtype policy),
    which a zoo config, holding plain values only, leaves to the defaults."""
    return {k: v for k, v in model.get_config().items() if k not in ("name", "trainable", "dtype")}


def write_entry(out, name, model, record, result, seed, num_samples):
    spec = ENTRIES[name]
    final = Path(out) / name
    tmp = Path(out) / f".{name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    files = {}
    for part, network in _files(model).items():
        network.save_weights(tmp / f"{part}.weights.h5")
        files[part] = dict(
            path=f"{part}.weights.h5", sha256=sha256_file(tmp / f"{part}.weights.h5")
        )
    labels = CLASS_NAMES if getattr(model, "num_classes", None) == 10 else None
    config = dict(
        name=name,
        description=spec["description"],
        variant=spec["model"],
        model=_constructor_arguments(model),
        dataset=spec["dataset"],
        labels=labels,
        files=files,
    )
    if "model" in files and isinstance(model, GAN):
        config["compile"] = saved_compile(model)
    settings = record["settings"]
    metrics = result.as_dict()
    card = dict(
        name=name,
        description=spec["description"],
        data=spec["data"],
        training=dict(
            command=f"python tools/train_zoo.py --only {name}"
            + (f" --seed {seed}" if seed else ""),
            cli=f"tfgan-zoo train {spec['model']} --dataset {spec['dataset']} --recipe zoo "
            f"--seed {seed} --out runs/zoo/{name}",
            seed=seed,
            generator_steps=settings["epochs"] * settings["steps_per_epoch"],
            batch_size=settings["batch_size"],
            d_steps=getattr(model, "d_steps", None),
            settings={k: v for k, v in settings.items() if k not in ("compile",)},
            # A re-measured entry keeps the compile it was trained with (its record's).
            compile=record.get("compile") or model.get_compile_config(),
            seconds=record.get("train_seconds"),
            **({"trained_by": record["trained_by"]} if "trained_by" in record else {}),
            hardware=f"{os.cpu_count()} vCPU {platform.machine()}, no GPU",
            tensorflow=tf.__version__,
            keras=keras.__version__,
            tfgan_zoo=tfgan_zoo.__version__,
        ),
        metrics=metrics,
        bars=bar_report(spec["bars"], metrics),
        reproduce=dict(
            command=f"tfgan-zoo eval {name}", num_samples=num_samples, tolerance=TOLERANCE
        ),
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


def repack_entry(out, name):
    """Rewrites a shipped whole-model weights file through `_network` (no optimizer
    state), after checking that every weight loads back bit-identical; updates the
    hashes in config.json and card.json. Returns (old, new) sizes in bytes."""
    import numpy as np

    from tfgan_zoo import zoo

    item = zoo.entry(name, out)
    if "model" not in item.config["files"]:
        return None
    model = zoo.load(name, directory=out)
    if not isinstance(model, GAN):  # only GAN.compile builds optimizers
        return None
    path = item.folder / item.config["files"]["model"]["path"]
    tmp = path.with_name(".repacked.weights.h5")
    _network(model, "model").save_weights(tmp)
    again = _fresh_copy(model)
    with warnings.catch_warnings():  # the file holds no optimizer state, by design
        warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
        again.load_weights(tmp)
    if not all(np.array_equal(a, b) for a, b in zip(model.get_weights(), again.get_weights())):
        tmp.unlink()
        raise RuntimeError(f"{name}: the repacked file does not hold the same weights")
    old_size, old_sha = path.stat().st_size, item.config["files"]["model"]["sha256"]
    os.replace(tmp, path)
    new_sha = sha256_file(path)
    for file_name in ("config.json", "card.json"):
        text = (item.folder / file_name).read_text()
        (item.folder / file_name).write_text(text.replace(old_sha, new_sha))
    return old_size, path.stat().st_size


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated entry names (default: all)")
    parser.add_argument("--out", default=str(REPO / "models"))
    parser.add_argument("--runs", default=str(REPO / "runs" / "zoo"), help="run directories")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--list", action="store_true", help="print the entries and exit")
    parser.add_argument("--epochs", type=int, help="override the recipe (smoke runs)")
    parser.add_argument("--steps-per-epoch", type=int, help="override the recipe (smoke runs)")
    parser.add_argument("--samples", type=int, help="override the metric samples (smoke runs)")
    parser.add_argument(
        "--rescore",
        action="store_true",
        help="re-measure the shipped entries and rewrite their cards, keeping their weights",
    )
    parser.add_argument(
        "--repack",
        action="store_true",
        help="rewrite the shipped whole-model weight files without optimizer state",
    )
    args = parser.parse_args()
    if args.repack:
        for name in args.only.split(",") if args.only else list(ENTRIES):
            sizes = repack_entry(args.out, name)
            if sizes:
                print(f"{name}: {sizes[0] / 1e6:.2f} MB -> {sizes[1] / 1e6:.2f} MB")
        return
    if args.list:
        for name, spec in ENTRIES.items():
            print(f"{name:<24} {spec['model']:<14} {spec['dataset']:<14} {spec['bars']}")
        return
    chosen = args.only.split(",") if args.only else list(ENTRIES)
    unknown = [name for name in chosen if name not in ENTRIES]
    if unknown:
        sys.exit(f"unknown entries {unknown}; see --list")
    for name in chosen:
        spec = ENTRIES[name]
        if args.rescore:
            model, record = rescored_entry(name, args.out)
            num_samples = spec["samples"]
            result = measure(model, spec["model"], spec["dataset"], num_samples, seed=0)
            path = write_entry(args.out, name, model, record, result, record["seed"], num_samples)
            print(f"re-measured {path}")
            print(result.table(), flush=True)
            continue
        model, record = train_entry(
            name, args.seed, args.runs, epochs=args.epochs, steps_per_epoch=args.steps_per_epoch
        )
        num_samples = args.samples or spec["samples"]
        result = measure(model, spec["model"], spec["dataset"], num_samples, seed=0)
        path = write_entry(args.out, name, model, record, result, args.seed, num_samples)
        print(f"wrote {path} ({record.get('train_seconds')} s of training)")
        print(result.table(), flush=True)


if __name__ == "__main__":
    main()
