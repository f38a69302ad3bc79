"""`tfgan-zoo`: train, sample, eval, export, list and demo from the command line.

A user error (a bad flag, path or name, a missing optional package, data that do
not fit the model) prints one line, `tfgan-zoo: error: ...`, and exits with 2;
`--debug` shows the traceback instead. Anything else is a bug and keeps its
traceback.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np


class UsageError(Exception):
    """A mistake in the command line itself, reported in one line."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one line (not usage + error)."""

    def error(self, message):
        raise UsageError(f"{message} (see `{self.prog} --help`)")


# Errors that mean the input was wrong, not the program: the library raises
# ValueError subclasses for bad names, data and settings, and ImportError with an
# install hint for a missing optional package.
USER_ERRORS = (UsageError, ValueError, OSError, ImportError)


def _jit(value):
    return {"auto": "auto", "true": True, "false": False}[value.lower()]


def _ints(value):
    return tuple(_positive(v) for v in value.split(","))


def _positive(value):
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, found {value}")
    return number


def cmd_sample(args):
    from tfgan_zoo.callbacks import write_samples
    from tfgan_zoo.training import load_source, run_examples

    model, record = load_source(args.run_dir)
    if args.label is not None and model.num_classes is None:
        raise UsageError("--label is for conditional models; this one is unconditional.")
    if args.label is not None and not 0 <= args.label < model.num_classes:
        raise UsageError(f"--label must be in [0, {model.num_classes}).")
    if (args.interpolate or args.nearest or args.traverse) and len(model.data_shape) != 3:
        raise UsageError("--interpolate, --traverse and --nearest are for image models.")
    if args.traverse:
        from tfgan_zoo.images import save_png
        from tfgan_zoo.latent import traversal_grid

        path = save_png(traversal_grid(model, dims=range(args.pairs), label=args.label), args.out)
    elif args.interpolate:
        from tfgan_zoo.latent import write_interpolation

        labels = None if args.label is None else [args.label] * args.pairs
        path = write_interpolation(
            model,
            args.out,
            pairs=args.pairs,
            steps=args.steps,
            method=args.interpolate,
            seed=args.seed,
            labels=labels,
        )
    elif args.nearest:
        path = _write_nearest(model, args)
    elif model.maps_inputs:  # a translator or autoencoder shows outputs for its data
        path = write_samples(
            model,
            args.out,
            n=args.n or 16,
            seed=args.seed,
            inputs=run_examples(record, max((args.n or 16) // 2, 1)),
        )
    else:
        mixture = record.get("dataset") if record.get("dataset") in ("grid", "ring") else None
        path = write_samples(
            model, args.out, n=args.n, seed=args.seed, labels=args.label, mixture=mixture
        )
    print(f"wrote {path}")


def _write_nearest(model, args):
    """Samples beside their nearest training images, and the distance report
    (generated vs held-out test images) as text and JSON."""
    from tfgan_zoo.data import load_fashion_mnist
    from tfgan_zoo.metrics.memorization import memorization_report, write_nearest

    n = args.n or 32
    labels = (
        None
        if model.num_classes is None
        else (
            np.full(n, args.label) if args.label is not None else np.arange(n) % model.num_classes
        )
    )
    generated = model.sample(n, labels=labels, seed=args.seed)
    train, _ = load_fashion_mnist("train", data_dir=args.data_dir)
    heldout, _ = load_fashion_mnist("test", data_dir=args.data_dir)
    feature_fn = None
    if args.nearest == "feature":
        from tfgan_zoo.metrics.features import get_feature_network

        feature_fn = get_feature_network("fashion_mnist").features
    report = memorization_report(generated, train, heldout[:n], feature_fn=feature_fn)
    space = report.feature if args.nearest == "feature" else report.pixel
    print(report.summary())
    _write_json(Path(args.out).with_suffix(".json"), report.as_dict())
    return write_nearest(generated, train, space.generated_nearest, args.out)


def _write_json(path, payload):
    from tfgan_zoo.files import write_text_atomically

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(path, json.dumps(payload, indent=2))


def cmd_export(args):
    from tfgan_zoo.serving import export_generator
    from tfgan_zoo.training import load_source

    model, record = load_source(args.run_dir)
    card = dict(
        training={
            k: record[k]
            for k in ("variant", "dataset", "seed", "settings", "train_seconds")
            if k in record
        }
    )
    eval_path = Path(args.run_dir) / "eval.json"
    if "zoo" in record:
        card.update(
            zoo=record["zoo"],
            training=record["card"].get("training", {}),
            metrics=record["card"].get("metrics", {}),
        )
    elif eval_path.exists():
        card["metrics"] = json.loads(eval_path.read_text()).get("metrics", {})
    path = export_generator(
        model, args.to, version=args.version, card=dict(card, source=str(args.run_dir))
    )
    signatures = json.loads((path / "model_card.json").read_text())["signatures"]
    print(f"wrote {path} (signatures: {', '.join(signatures)})")


def cmd_list(args):
    if args.recipes:
        from tfgan_zoo.recipes import table

        print("recipes (tfgan-zoo train MODEL --recipe BUDGET; budget, model, dataset):")
        print("\n".join(table()))
        return
    from tfgan_zoo.engine import LOSSES
    from tfgan_zoo.registry import KINDS, registered

    headings = dict(
        gan="GAN variants (tfgan-zoo train NAME)",
        translator="image-to-image translators",
        baseline="non-adversarial baselines",
        reenactor="few-shot re-posing (references + target landmarks -> image)",
    )
    for kind in KINDS:
        print(f"{headings[kind]}:")
        for name, entry in registered(kind).items():
            print(f"  {name:<14} {entry.description}")
    print("losses:  " + ", ".join(sorted(LOSSES)))
    print(
        "datasets: grid, ring (2D Gaussian mixtures, built in), fashion_mnist (local IDX "
        "files or tensorflow-datasets); edges, inpaint, superres, sneaker2boot (translation "
        "tasks); or your own: a folder of images, tfds:NAME[/CONFIG][:SPLIT], an .npz/.npy "
        "file (see docs/data.md); talking_heads poses each item or image at random, or "
        "reads a folder of videos with landmarks.npy"
    )
    from tfgan_zoo import zoo

    print("pretrained zoo (tfgan_zoo.zoo.load(NAME); tfgan-zoo sample|eval|export NAME):")
    for item in zoo.entries():
        missed = item.bars_missed
        print(
            f"  {item.name:<22} {item.variant:<13} {item.size_bytes / 1e6:5.1f} MB  "
            f"{_headline(item.metrics)}"
            + (f"  misses its bar: {'; '.join(missed)}" if missed else "")
        )


def _headline(metrics):
    """The card's key numbers in one short string."""
    keys = (
        "fid",
        "conditional_accuracy",
        "code_class_purity_min",
        "class_is_code",
        "modes_covered",
        "high_quality",
        "l1",
        "item_kept",
        "domain_accuracy_ab",
        "domain_accuracy_ba",
        "ssim",
        "bits_per_dim",
        "ssim_k8_tuned",
        "class_kept_k8_tuned",
        "class_agreement_k8_tuned",
    )
    parts = [f"{k}={metrics[k]['value']:.3g}" for k in keys if k in metrics]
    return " ".join(parts) or "(no metrics)"


def cmd_demo(args):
    """Trains a 2D-grid GAN (no download needed) and, when its files are present,
    a DCGAN on Fashion-MNIST; writes their sample images under --out."""
    from tfgan_zoo.callbacks import coverage_summary
    from tfgan_zoo.data import fashion_mnist
    from tfgan_zoo.training import train

    _, history = train("vanilla", "grid", args.out / "grid_vanilla", verbose=2)
    print("2D grid, mode coverage of 2,500 samples:", json.dumps(coverage_summary(history)))
    if fashion_mnist.is_available(args.data_dir):
        train(
            "dcgan",
            "fashion_mnist",
            args.out / "fashion_dcgan",
            data_dir=args.data_dir,
            epochs=args.fashion_epochs,
            verbose=2,
        )
    else:
        print(
            "Fashion-MNIST files not found (apt-get install dataset-fashion-mnist, or "
            "--data-dir); skipped the DCGAN part."
        )
    print(f"sample images: {args.out}/*/samples/")


def build_parser():
    parser = _Parser(prog="tfgan-zoo", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--debug",
        action="store_true",
        help="on an error, show the traceback (may also follow the command)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    from tfgan_zoo import cli_metrics, cli_train  # their commands import from this module

    train_parser = sub.add_parser("train", help="train a variant, writing a run directory")
    cli_train.add_train_arguments(train_parser)
    train_parser.set_defaults(func=cli_train.cmd_train)

    sample = sub.add_parser("sample", help="write a PNG of samples from a run directory")
    sample.add_argument("run_dir", metavar="RUN_DIR_OR_ZOO_NAME")
    sample.add_argument(
        "--n",
        type=_positive,
        help="samples (default 64 images or 2,500 points); a translator "
        "or autoencoder shows rows of n / 2 of its run's inputs, their outputs "
        "(and their targets, for a paired translator)",
    )
    sample.add_argument("--out", type=Path, default=Path("samples.png"))
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--label", type=int, help="class to generate (conditional models)")
    sample.add_argument(
        "--interpolate",
        choices=("slerp", "lerp"),
        help="write latent interpolations instead: --pairs rows of --steps",
    )
    sample.add_argument(
        "--traverse",
        action="store_true",
        help="write latent traversals instead: one row per coordinate "
        "(the first --pairs), swept over [-3, 3]",
    )
    sample.add_argument("--pairs", type=_positive, default=4)
    sample.add_argument("--steps", type=_positive, default=8)
    sample.add_argument(
        "--nearest",
        choices=("pixel", "feature"),
        help="write samples beside their nearest training images, and a "
        "distance report against held-out test images (OUT with .json)",
    )
    sample.add_argument("--data-dir", help="folder of Fashion-MNIST IDX files")
    sample.set_defaults(func=cmd_sample)

    cli_metrics.add_eval_parser(sub)
    cli_metrics.add_features_parser(sub)

    export = sub.add_parser(
        "export", help="export a run's generator as a TF Serving model version (BASE/<version>/)"
    )
    export.add_argument("run_dir", metavar="RUN_DIR_OR_ZOO_NAME")
    export.add_argument("--to", required=True, type=Path, help="model base path")
    export.add_argument("--version", type=_positive, help="default: one more than the highest")
    export.set_defaults(func=cmd_export)

    listing = sub.add_parser("list", help="list variants, losses and datasets")
    listing.add_argument(
        "--recipes", action="store_true", help="print the recipe table instead (tfgan_zoo.recipes)"
    )
    listing.set_defaults(func=cmd_list)

    demo = sub.add_parser("demo", help="train the built-in demo models and write samples")
    demo.add_argument("--out", type=Path, default=Path("runs/demo"))
    demo.add_argument("--data-dir")
    demo.add_argument("--fashion-epochs", type=_positive, default=1)
    demo.set_defaults(func=cmd_demo)
    return parser


def one_line(error) -> str:
    """The error's message on one line (KeyError quotes dropped)."""
    message = error.args[0] if isinstance(error, KeyError) and error.args else str(error)
    return " ".join(str(message).split()) or type(error).__name__


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in argv
    argv = [arg for arg in argv if arg != "--debug"]
    try:
        args = build_parser().parse_args(argv)
        args.func(args)
    except USER_ERRORS as error:
        if debug:
            raise
        print(f"tfgan-zoo: error: {one_line(error)}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
