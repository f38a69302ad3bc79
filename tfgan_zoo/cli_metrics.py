"""The `eval` and `features` commands: measuring samples, on any data.

A run is measured against its own training data, converted as training converted
it. Fashion-MNIST runs use the shipped classifier; other data use the FID Inception
graph (a local file), Keras' InceptionV3, or a classifier trained on the data by
`tfgan-zoo features train`. When no feature network fits, `eval` says so in one
line and reports what needs none: pixel-space memorization and a sample grid.
"""

import os
import shlex
import sys
from pathlib import Path

from tfgan_zoo.cli import UsageError, _positive, _write_json

# The environment variable each Inception network reads its file from when
# `eval --inception-weights` does not give it (tfgan_zoo.metrics.features).
INCEPTION_FILE_VARS = {
    "fid_inception": "TFGAN_ZOO_FID_INCEPTION_GRAPH",
    "inception_v3": "TFGAN_ZOO_INCEPTION_WEIGHTS",
}


def cmd_eval(args):
    from tfgan_zoo.metrics.evaluate import evaluate_generator
    from tfgan_zoo.training import load_source

    model, record = load_source(args.run_dir)
    own_protocol = (args.metrics, args.feature_network, args.inception_weights) == (None,) * 3
    if "zoo" in record and own_protocol:
        return _eval_entry(model, record, args)
    if model.maps_inputs:
        return _eval_mapping(model, record, args)
    dataset = record.get("dataset")
    metrics = None if args.metrics is None else tuple(args.metrics.split(","))
    if len(model.data_shape) == 1:
        result = evaluate_generator(
            model, metrics, args.num_samples or 2500, args.seed, mixture=args.mixture or dataset
        )
    else:
        if args.inception_weights and args.feature_network not in INCEPTION_FILE_VARS:
            raise UsageError(
                "--inception-weights needs --feature-network fid_inception or inception_v3"
            )
        reference = _reference_of(record, args)
        network = _feature_network_for(
            model, reference, args.feature_network, args.inception_weights
        )
        if network is None:
            return _eval_without_features(model, reference, args)
        result = evaluate_generator(
            model,
            metrics,
            args.num_samples or 10_000,
            args.seed,
            feature_network=network,
            reference=reference,
            data_dir=args.data_dir,
        )
    print(result.table())
    if "zoo" in record and args.json is None:
        print("(zoo entry: pass --json to keep the results)")
        return
    out = args.json or Path(args.run_dir) / "eval.json"
    _write_json(out, dict(source=str(args.run_dir), metrics=result.as_dict()))
    print(f"wrote {out}")


def _eval_entry(model, record, args):
    """A zoo entry measured by its card's protocol (`metrics.entry_scores`), each
    number beside the card's and whether it is within the card's tolerance."""
    from tfgan_zoo.metrics.entry_scores import TOLERANCE, measure, within_tolerance

    card = record["card"]
    reproduce = card.get("reproduce", {})
    n = args.num_samples or reproduce.get("num_samples") or 10_000
    result = measure(
        model, record["variant"], record["dataset"], n, args.seed, data_dir=args.data_dir
    )
    tolerance = reproduce.get("tolerance", TOLERANCE)
    print(f"| metric | now | card | within tolerance ({tolerance}) |")
    print("|---|---|---|---|")
    for metric in result.values:
        stated = card.get("metrics", {}).get(metric.name, {}).get("value")
        close = stated is not None and within_tolerance(metric.value, stated, tolerance)
        shown = "-" if stated is None else f"{stated:.4g}"
        print(f"| {metric.name} | {metric.value:.4g} | {shown} | {'yes' if close else 'no'} |")
    if args.json is None:
        print("(zoo entry: pass --json to keep the results)")
        return
    _write_json(args.json, dict(source=str(args.run_dir), metrics=result.as_dict()))
    print(f"wrote {args.json}")


def _reference_of(record, args):
    """The real images a run is measured against: its own training data, converted
    as training converted it."""
    from tfgan_zoo.metrics.reference import ReferenceSpec

    settings = record.get("settings") or {}
    return ReferenceSpec(
        dataset=record.get("dataset") or "fashion_mnist",
        split=args.reference_split,
        size=args.reference_size or None,
        image_size=settings.get("image_size"),
        channels=settings.get("channels"),
    )


def _feature_network_for(model, reference, name, weights=None):
    """The feature network `name` (None: Fashion-MNIST's classifier for its data,
    else the FID Inception graph when $TFGAN_ZOO_FID_INCEPTION_GRAPH names one), with
    `weights` (an Inception file), or None with a one-line note when none fits the
    model's images."""
    from tfgan_zoo.metrics.features import get_feature_network

    if name is None and reference.dataset == "fashion_mnist":
        name = "fashion_mnist"
    elif name is None and os.environ.get(INCEPTION_FILE_VARS["fid_inception"]):
        name = "fid_inception"
    network = None if name is None else get_feature_network(name, weights=weights)
    shape = "×".join(map(str, model.data_shape))
    if network is not None and network.accepts(model.data_shape):
        return network
    why = (
        f"{network.name} takes {'×'.join(map(str, network.input_shape))} images"
        if network is not None
        else "none was given"
    )
    print(
        f"note: no feature network fits these {shape} images ({why}): FID, KID, "
        "precision/recall and IS need --feature-network fid_inception with "
        "--inception-weights, or a classifier from `tfgan-zoo features train`; "
        "reporting what needs none",
        file=sys.stderr,
    )
    return None


def _eval_without_features(model, reference, args):
    """Pixel-space memorization against the training data (a seeded tenth of it
    held out) and a grid of samples, written beside the run."""
    from tfgan_zoo.callbacks import write_samples
    from tfgan_zoo.metrics.classifier import held_out_split
    from tfgan_zoo.metrics.evaluate import generate
    from tfgan_zoo.metrics.memorization import memorization_report
    from tfgan_zoo.metrics.reference import reference_images

    real, _ = reference_images(reference, args.data_dir)
    train_index, held_index = held_out_split(len(real), 0.1, reference.seed)
    generated, _ = generate(model, min(args.num_samples or 1000, 1000), args.seed)
    report = memorization_report(generated, real[train_index], real[held_index])
    print(report.summary())
    folder = Path(args.json).parent if args.json else Path(args.run_dir)
    grid = write_samples(model, folder / "eval_samples.png", n=64, seed=args.seed)
    out = args.json or Path(args.run_dir) / "eval.json"
    _write_json(
        out, dict(source=str(args.run_dir), memorization=report.as_dict(), samples=str(grid))
    )
    print(f"wrote {out} and {grid}")


def _eval_mapping(model, record, args):
    """Translators and autoencoders: outputs for the run's own inputs (its first
    --num-samples examples, default 1,000). A paired translator is scored against
    its targets (L1 on [-1, 1], PSNR, SSIM; beside the identity map's L1), an
    autoencoder against its inputs, CycleGAN, which has no targets, by its cycle
    A -> B -> A; and a grid of inputs beside their outputs."""
    import numpy as np

    from tfgan_zoo.callbacks import write_samples
    from tfgan_zoo.metrics.translation_scores import l1_error, paired_report
    from tfgan_zoo.training import run_examples, translation_kind

    n = args.num_samples or 1000
    inputs = run_examples(record, n)
    kind = translation_kind(record["variant"])
    if kind == "paired":
        report = paired_report(model.translate(inputs[0]), inputs[1])
        report["identity_l1"] = l1_error(inputs[0], inputs[1])
    elif kind == "unpaired":
        cycled = model.translate(model.translate(inputs[0], direction="ab"), direction="ba")
        report = dict(cycle_l1=l1_error(cycled, inputs[0]))
    else:
        report = paired_report(np.asarray(model(inputs[0])), inputs[0])
    report["num_examples"] = len(inputs[0])
    print(
        "  ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in report.items())
    )
    folder = Path(args.json).parent if args.json else Path(args.run_dir)
    first = tuple(x[:8] for x in inputs)
    grid = write_samples(model, folder / "eval_samples.png", n=16, seed=args.seed, inputs=first)
    out = args.json or Path(args.run_dir) / "eval.json"
    _write_json(out, dict(source=str(args.run_dir), outputs=report, samples=str(grid)))
    print(f"wrote {out} and {grid}")


def cmd_features(args):
    """Trains a feature classifier on labelled data (`metrics.classifier`)."""
    from tfgan_zoo.data import load_fashion_mnist, sources
    from tfgan_zoo.metrics.classifier import CARD_FILE, train_classifier

    if (Path(args.out) / CARD_FILE).exists():
        raise FileExistsError(f"{args.out} already holds a classifier; choose another --out")
    spec = sources.parse(args.dataset)
    if args.dataset == "fashion_mnist":
        images, labels = load_fashion_mnist("train", data_dir=args.data_dir)
        images = sources.fit_array(images, args.image_size, args.channels)
        found = sources.ImageSet(images, labels, tuple(str(i) for i in range(10)))
    elif spec.kind == "built-in":
        raise UsageError(f"{args.dataset} has no class labels to train a classifier on")
    else:
        found = sources.image_set(spec, args.image_size, args.channels, labels=args.labels or True)
    card = train_classifier(
        found.images,
        found.labels,
        found.class_names,
        args.out,
        epochs=args.epochs,
        batch_size=args.batch_size,
        seed=args.seed,
        held_out=args.held_out,
        source=dict(dataset=args.dataset, image_size=args.image_size, channels=args.channels),
        command="tfgan-zoo " + shlex.join(sys.argv[1:]),
    )
    print(
        f"wrote {args.out}: held-out accuracy {card['held_out_accuracy']:.3f} on "
        f"{card['held_out_images']} images (chance {card['chance_accuracy']:.3f}); use it "
        f"with `tfgan-zoo eval RUN --feature-network {args.out}`"
    )


def add_eval_parser(sub):
    evaluate = sub.add_parser(
        "eval",
        help="measure a run's samples (FID, KID, precision/"
        "recall, IS, conditional accuracy; mode coverage in 2D)",
    )
    evaluate.add_argument("run_dir", metavar="RUN_DIR_OR_ZOO_NAME")
    evaluate.add_argument(
        "--metrics",
        help="comma-separated: fid,kid,pr,is,cacc (images) or "
        "modes (2D); default fid,kid,pr (+cacc if conditional)",
    )
    evaluate.add_argument(
        "--num-samples",
        type=_positive,
        help="default 10,000 images or 2,500 points (the card protocols)",
    )
    evaluate.add_argument("--seed", type=int, default=0, help="latent seed of the samples")
    evaluate.add_argument(
        "--feature-network",
        metavar="NETWORK",
        help="fashion_mnist (default for Fashion-MNIST runs), fid_inception "
        "(the 2015-12-05 graph published FIDs use; the default when "
        "$TFGAN_ZOO_FID_INCEPTION_GRAPH is set), inception_v3 (Keras' "
        "ImageNet weights; FIDs not comparable with published ones), or a "
        "folder from `tfgan-zoo features train`",
    )
    evaluate.add_argument(
        "--inception-weights",
        help="local file of the Inception network: "
        "classify_image_graph_def.pb (fid_inception) or InceptionV3's .h5",
    )
    evaluate.add_argument("--reference-split", default="train", choices=("train", "test"))
    evaluate.add_argument(
        "--reference-size",
        type=int,
        default=10_000,
        help="real images in the reference set (0: the whole split)",
    )
    evaluate.add_argument(
        "--mixture", choices=("grid", "ring"), help="2D mixture (default: the run's training data)"
    )
    evaluate.add_argument("--data-dir", help="folder of Fashion-MNIST IDX files")
    evaluate.add_argument(
        "--json", type=Path, help="where to write results (default RUN_DIR/eval.json)"
    )
    evaluate.set_defaults(func=cmd_eval)


def add_features_parser(sub):
    features = sub.add_parser(
        "features",
        help="train a feature network on your labelled images, for FID/KID/PR/IS on them",
    )
    actions = features.add_subparsers(dest="action", required=True)
    train = actions.add_parser(
        "train", help="train a classifier; its held-out accuracy goes in its card"
    )
    train.add_argument(
        "--dataset",
        required=True,
        help="labelled images: a folder with class subfolders (--labels "
        "subfolders), tfds:NAME, an .npz with labels, or fashion_mnist",
    )
    train.add_argument("--out", required=True, type=Path, help="folder to write")
    train.add_argument(
        "--image-size",
        type=_positive,
        metavar="N",
        help="the size the GANs to measure make (default: the data's)",
    )
    train.add_argument("--channels", type=int, choices=(1, 3))
    train.add_argument("--labels", choices=("subfolders",))
    train.add_argument("--epochs", type=_positive, default=10)
    train.add_argument("--batch-size", type=_positive, default=64)
    train.add_argument(
        "--held-out",
        type=float,
        default=0.1,
        help="share of the images held out to measure accuracy",
    )
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--data-dir", help="folder of Fashion-MNIST IDX files")
    train.set_defaults(func=cmd_features)
