"""The `train` command: its arguments and what it runs (`tfgan_zoo.training`)."""

import json
import sys
from pathlib import Path

from tfgan_zoo.cli import UsageError, _ints, _jit, _positive


def add_train_arguments(parser):
    from tfgan_zoo.data.sources import PAIR_ORDERS
    from tfgan_zoo.distribute import STRATEGIES
    from tfgan_zoo.engine.precision import PRECISIONS
    from tfgan_zoo.registry import model_names

    parser.add_argument(
        "variant",
        choices=model_names(),
        help="a registered model (`tfgan-zoo list` shows them all)",
    )
    parser.add_argument(
        "--dataset",
        help="a built-in (grid, ring, fashion_mnist; edges, inpaint, superres, "
        "sneaker2boot for translators), a folder of images, "
        "tfds:NAME[/CONFIG][:SPLIT], or an .npz/.npy file; default: the "
        "model's own (fashion_mnist; edges for pix2pix and BicycleGAN, "
        "sneaker2boot for CycleGAN)",
    )
    parser.add_argument(
        "--image-size",
        type=_positive,
        metavar="N",
        help="resize (short side) and centre-crop images to N×N (default: the data's size)",
    )
    parser.add_argument(
        "--channels", type=int, choices=(1, 3), help="1 (grey) or 3 (colour); default: the data's"
    )
    parser.add_argument(
        "--labels",
        choices=("subfolders",),
        help="a folder's first-level subfolders are its classes (conditional models)",
    )
    parser.add_argument(
        "--pairs",
        choices=PAIR_ORDERS,
        help="paired folders: source is the left half (or A/), or the right "
        "(or B/); default left-to-right",
    )
    parser.add_argument(
        "--recipe",
        default="default",
        metavar="BUDGET",
        help="settings from the recipe table (`tfgan-zoo list --recipes`): "
        "default (class defaults, batch 64, 5 epochs), paper, cpu-short, zoo; "
        "the flags below override it",
    )
    parser.add_argument("--out", required=True, type=Path, help="run directory to write")
    parser.add_argument("--data-dir", help="folder of Fashion-MNIST IDX files")
    parser.add_argument("--epochs", type=_positive)
    parser.add_argument("--steps-per-epoch", type=_positive)
    parser.add_argument("--batch-size", type=_positive)
    parser.add_argument("--lr", type=float, help="learning rate of both optimizers")
    parser.add_argument("--d-steps", type=_positive, help="D updates per G update (k)")
    parser.add_argument("--loss", help="adversarial loss (see `tfgan-zoo list`)")
    parser.add_argument("--label-smoothing", type=float)
    parser.add_argument("--latent-dim", type=_positive)
    parser.add_argument(
        "--hidden", type=_ints, help="MLP layer sizes for vector data, e.g. 256,256,256"
    )
    parser.add_argument(
        "--base-filters",
        type=_positive,
        help="conv net width for image data (default: from the image size)",
    )
    parser.add_argument(
        "--jit-compile", type=_jit, default="auto", help="auto (XLA on GPU only), true or false"
    )
    parser.add_argument(
        "--strategy",
        choices=STRATEGIES,
        help="tf.distribute strategy (default: none); --batch-size is then "
        "the global batch. multiworker reads TF_CONFIG",
    )
    parser.add_argument(
        "--cpu-replicas",
        type=_positive,
        help="split the CPU into N logical devices, so --strategy mirrored "
        "has N replicas without GPUs (for trying distribution)",
    )
    parser.add_argument("--tpu", help="TPU name or grpc:// address for --strategy tpu")
    parser.add_argument(
        "--precision",
        choices=PRECISIONS,
        help="float32 (default), mixed_bfloat16 (faster on recent CPUs and "
        "TPUs) or mixed_float16 (GPUs; loss-scaled)",
    )
    parser.add_argument(
        "--steps-per-execution",
        type=_positive,
        help="train steps per tf.function call (fewer Python round trips)",
    )
    parser.add_argument(
        "--metrics-every",
        type=_positive,
        help="measure FID/KID (1,000 samples) every N epochs (image data)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue the run in --out from its newest good checkpoint",
    )
    parser.add_argument(
        "--init-from",
        metavar="ENTRY_OR_RUN",
        help="start from the weights of a zoo entry (or a run directory) of this model and "
        "this data shape: fine-tuning",
    )
    parser.add_argument("--keep-checkpoints", type=_positive, default=3)
    parser.add_argument(
        "--deterministic",
        action="store_true",
        help="TF op determinism: a resumed run matches an uninterrupted one bit for bit (slower)",
    )
    parser.add_argument("--quiet", action="store_true", help="one line per epoch")


def _check_train_flags(args):
    if args.tpu and args.strategy != "tpu":
        raise UsageError("--tpu names the TPU for --strategy tpu; add --strategy tpu")
    if args.cpu_replicas and args.strategy != "mirrored":
        raise UsageError("--cpu-replicas makes replicas for --strategy mirrored; add it")


def cmd_train(args):
    from tfgan_zoo.training import train

    _check_train_flags(args)
    overrides = {
        key: getattr(args, key)
        for key in (
            "epochs",
            "steps_per_epoch",
            "batch_size",
            "lr",
            "d_steps",
            "loss",
            "label_smoothing",
            "latent_dim",
            "hidden",
            "base_filters",
            "jit_compile",
            "metrics_every",
            "strategy",
            "tpu",
            "precision",
            "steps_per_execution",
            "image_size",
            "channels",
            "labels",
            "pairs",
            "init_from",
        )
    }
    if args.cpu_replicas:
        from tfgan_zoo.distribute import split_cpu

        split_cpu(args.cpu_replicas)
    if args.deterministic:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    model, history = train(
        args.variant,
        args.dataset,
        args.out,
        seed=args.seed,
        data_dir=args.data_dir,
        verbose=2 if args.quiet else 1,
        resume=args.resume,
        keep_checkpoints=args.keep_checkpoints,
        recipe=args.recipe,
        **overrides,
    )
    report = getattr(model, "diverged", None)
    if report:
        sys.exit(
            f"error: training diverged ({json.dumps(report)}); the last good checkpoint "
            f"is in {args.out}/checkpoints"
        )
    last = {key: round(float(values[-1]), 4) for key, values in history.items() if values}
    from tfgan_zoo.distribute import is_chief

    where = (
        f"wrote {args.out}"
        if is_chief(model.distribute_strategy)
        else ("trained as a worker (the chief writes the run)")
    )
    print(f"{where}  last epoch: {json.dumps(last)}")
