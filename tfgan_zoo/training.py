"""Training runs: data + variant + `fit` + run directory, as the CLI uses them.

A run directory holds:
  run.json                  what was trained, how, and the per-epoch history
  model.keras               the final GAN (networks and both optimizers)
  checkpoints/              epoch_NNNN.keras (newest 3) and index.json with their sha256
  samples/epoch_NNN.png     samples from one fixed latent seed after each epoch
  logs/                     TensorBoard events: the sample grids, and FID/KID when
                            `metrics_every` is set (image data)
"""

import inspect
import json
import tempfile
import time
from pathlib import Path

import keras
import numpy as np

import tfgan_zoo
from tfgan_zoo import callbacks as cb
from tfgan_zoo import checkpoints, distribute, recipes
from tfgan_zoo.data import sources
from tfgan_zoo.data.training_data import (  # noqa: F401  (public here too, as before)
    DATASETS,
    MIXTURE_POOL,
    SAMPLE_DATASETS,
    TRANSLATION_DATASETS,
    TrainingData,
    _decoded,
    load_training_data,
)
from tfgan_zoo.data.translation_tasks import PAIRED_TASKS, UNPAIRED_TASKS
from tfgan_zoo.engine.ema import network_weights
from tfgan_zoo.engine.precision import precision_policy
from tfgan_zoo.files import write_text_atomically
from tfgan_zoo.registry import get_model, kind_of
from tfgan_zoo.schedules import learning_rate_schedule

MODEL_KEYS = ("latent_dim", "hidden", "base_filters", "data_scale")
# How a run executes; what it trains with (batch, epochs, model and compile
# arguments) comes from `tfgan_zoo.recipes`.
TRAIN_DEFAULTS = dict(
    lr=None, metrics_every=None, strategy="default", precision="float32", steps_per_execution=1
)


def default_dataset(variant):
    """The built-in dataset `variant` trains on when none is named."""
    return get_model(variant).default_dataset


def translation_kind(variant):
    """ "paired" or "unpaired" for a translator (what its data must be), else None."""
    cls = get_model(variant)
    if kind_of(cls) != "translator":
        return None
    return "unpaired" if cls.default_dataset in UNPAIRED_TASKS else "paired"


def episode_references(variant, settings=None):
    """K, the references per episode, for a re-posing model (its recipe's or
    class default `references`), else None: other models read no episodes."""
    cls = get_model(variant)
    if kind_of(cls) != "reenactor":
        return None
    chosen = ((settings or {}).get("model") or {}).get("references")
    return int(chosen or inspect.signature(cls.__init__).parameters["references"].default)


def check_dataset(variant, dataset):
    """A ValueError when `dataset` is not data `variant` can learn from: translators
    learn from image pairs or two domains, the others from samples."""
    spec = sources.parse(dataset)
    translation = translation_kind(variant)
    if episode_references(variant) is not None:
        if spec.kind == "built-in" and dataset != "fashion_mnist":
            raise ValueError(
                f"{variant} trains on identities in several poses: fashion_mnist (each "
                "item posed at random), a folder of images, or a folder of videos with "
                f"landmarks.npy; not {dataset!r}"
            )
        return
    if spec.kind != "built-in":
        if translation == "paired" and spec.kind != "folder":
            raise ValueError(
                f"{variant} trains on aligned (source, target) pairs: a folder "
                "of side-by-side pairs or of A/ and B/ subfolders"
            )
        if translation == "unpaired" and spec.kind not in ("folder", "tfds"):
            raise ValueError(
                f"{variant} trains on two domains of images: a folder with two "
                "subfolders, or tfds:cycle_gan/NAME"
            )
        return
    if translation is None:
        fits, what = SAMPLE_DATASETS, "a dataset of samples"
    elif translation == "unpaired":  # any two sets of images will do
        fits, what = TRANSLATION_DATASETS, "two domains of images"
    else:
        fits, what = PAIRED_TASKS, "aligned (source, target) pairs"
    if dataset not in fits:
        raise ValueError(f"{variant} trains on {what} ({', '.join(fits)}), not {dataset!r}")


def resolve_settings(variant, dataset, overrides, recipe="default"):
    """TRAIN_DEFAULTS, the layered recipe (variant, dataset, budget `recipe`:
    `tfgan_zoo.recipes.resolve`), then the user's non-None values. The recipe's
    model and compile arguments are kept as data under "model" and "compile";
    the flat MODEL_KEYS and lr/loss/d_steps/label_smoothing override them."""
    row = recipes.resolve(variant, dataset, recipe)
    settings = dict(
        TRAIN_DEFAULTS,
        recipe=recipe,
        model=dict(row.model),
        compile=dict(row.compile),
        batch_size=row.batch_size,
        epochs=row.epochs,
        steps_per_epoch=row.steps_per_epoch,
        schedule=row.schedule,
    )
    settings.update({k: v for k, v in overrides.items() if v is not None})
    if overrides.get("batch_size") is None and not any(
        r.batch_size for r in recipes.rows(variant, dataset, recipe)
    ):
        # BASE's batch is per D step: a model making k D steps per G step reads k of them.
        settings["batch_size"] = row.batch_size * d_steps_of(variant, settings)
    return settings


def d_steps_of(variant, settings):
    """D updates per G update: the flag, else the recipe's, else the class default."""
    cls = get_model(variant)
    defaults = cls.default_compile_args() if hasattr(cls, "default_compile_args") else {}
    return int(
        settings.get("d_steps")
        or (settings.get("compile") or {}).get("d_steps")
        or defaults.get("d_steps", 1)
    )


def build_model(variant, data, seed, settings):
    cls = get_model(variant)
    model_args = dict(getattr(data, "model_args", {}))  # what the data fixes (re-posing)
    model_args.update(settings.get("model") or {})  # runs recorded before recipes have none
    model_args.update({k: settings[k] for k in MODEL_KEYS if k in settings})
    return cls.for_data(data.data_shape, data.num_classes, seed=seed, **model_args)


def with_learning_rate(compile_args, generator_steps, rate=None, cosine=False, schedule=None):
    """`compile_args` with both optimizers rebuilt at learning rate `rate` (None:
    keep theirs) under the schedule `schedule` (`tfgan_zoo.schedules`: "cosine",
    a linear decay, or None; `cosine=True` is "cosine") over the run: D makes
    `d_steps` updates per generator step. Used by the yardstick, the zoo (where
    the late small steps sharpen the modes) and recipes that name a schedule."""
    schedule = "cosine" if cosine else schedule
    args = dict(compile_args)
    for key, updates in (
        ("g_optimizer", generator_steps),
        ("d_optimizer", generator_steps * args["d_steps"]),
    ):
        config = args[key].get_config()
        value = config["learning_rate"] if rate is None else rate
        value = learning_rate_schedule(schedule, value, updates)
        args[key] = type(args[key]).from_config(dict(config, learning_rate=value))
    return args


def compile_args_for(model, settings, generator_steps=None):
    """The compile kwargs of a run: the class defaults under the recipe's compile
    data, then the flat overrides that apply to the model (a baseline has one
    `optimizer` and no adversarial loss or D steps); the recipe's schedule
    ("cosine", a linear decay) spreads the rates over `generator_steps`."""
    defaults = recipes.compile_args(type(model), settings.get("compile"))
    for key in ("g_optimizer", "d_optimizer", "optimizer"):
        if key in defaults and settings.get("lr") is not None:
            defaults[key].learning_rate = settings["lr"]
    for key in ("loss", "d_steps", "label_smoothing"):
        if key in defaults and settings.get(key) is not None:
            defaults[key] = settings[key]
    if settings.get("schedule") and generator_steps:
        defaults = with_learning_rate(defaults, generator_steps, schedule=settings["schedule"])
    return defaults


def compile_model(model, settings, generator_steps=None):
    """Compiles `model` with `compile_args_for(model, settings, generator_steps)`."""
    model.compile(
        **compile_args_for(model, settings, generator_steps),
        jit_compile=settings.get("jit_compile", "auto"),
        steps_per_execution=settings.get("steps_per_execution", 1),
    )


def _start(variant, dataset, out, seed, settings, data_shape_fn, resume_from):
    """(model, first epoch): the newest good checkpoint in `resume_from` (a run
    directory) when resuming, else a new model."""
    if resume_from is not None:
        checkpoint_dir = Path(resume_from) / "checkpoints"
        model, epoch = checkpoints.latest_good_checkpoint(checkpoint_dir)
        if model is not None:
            print(f"resuming {resume_from} after epoch {epoch}")
            return model, epoch
        print(f"no checkpoint in {checkpoint_dir}; starting from scratch")
    elif checkpoints.read_manifest(out / "checkpoints") or (out / "model.keras").exists():
        raise FileExistsError(
            f"{out} already holds a run; pass resume=True (--resume) to "
            "continue it, or choose another output directory"
        )
    keras.utils.set_random_seed(seed)  # initial weights follow the run's seed too
    data = data_shape_fn()
    with precision_policy(settings.get("precision", "float32")):
        if settings.get("init_from"):
            model = initial_model(variant, data, settings["init_from"])
        else:
            model = build_model(variant, data, seed, settings)
    compile_model(model, settings, settings["epochs"] * data.steps_per_epoch)
    return model, 0


def initial_model(variant, data, source):
    """A copy of the zoo entry or run `source` (its architecture and its networks'
    weights, `engine.ema.network_weights`), to fine-tune on `data`: it must be a `variant`
    of the data's shape and classes."""
    trained, _ = load_source(source)
    cls = get_model(variant)
    if type(trained) is not cls:
        raise ValueError(
            f"--init-from {source} is a {type(trained).__name__}, not a {cls.__name__}"
        )
    if tuple(trained.data_shape) != tuple(data.data_shape):
        raise ValueError(
            f"--init-from {source} makes {'×'.join(map(str, trained.data_shape))} samples; "
            f"this data is {'×'.join(map(str, data.data_shape))} (use --image-size/--channels)"
        )
    if getattr(trained, "num_classes", None) != data.num_classes and cls.conditional:
        raise ValueError(
            f"--init-from {source} has {trained.num_classes} classes; this data has "
            f"{data.num_classes}"
        )
    model = cls.from_config(trained.get_config())
    model.set_weights(network_weights(trained))
    return model


def train(
    variant,
    dataset=None,
    out=None,
    seed=0,
    data_dir=None,
    verbose=1,
    resume=False,
    keep_checkpoints=3,
    recipe="default",
    **overrides,
):
    """Trains `variant` on `dataset`, writing a run directory at `out`.

    `recipe` names the budget of `tfgan_zoo.recipes` whose rows set the batch,
    length, model and compile arguments ("default": the class defaults).
    `overrides` (None means "default"): epochs, steps_per_epoch, batch_size, lr,
    d_steps, loss, label_smoothing, jit_compile, latent_dim, hidden (vector data),
    base_filters (images), metrics_every (FID/KID on 1,000 samples every N epochs, for
    image data), strategy (a name in `distribute.STRATEGIES`; batch_size is then
    the global batch), precision ("float32", "mixed_bfloat16", "mixed_float16"),
    steps_per_execution. Under a multi-worker strategy only the chief writes
    `out`; the other workers write to a temporary folder. With `resume`, training
    continues from the newest good checkpoint in `out` and ends exactly as an uninterrupted run would (noise
    and data order are functions of the seed and the step). A non-finite loss
    stops the run and rolls back to the last good checkpoint; the record then
    holds a `diverged` report and no model.keras is written.
    Returns (model, history dict).
    """
    if out is None:
        raise ValueError("train needs `out`, the run directory to write")
    out = Path(out)
    dataset = dataset or default_dataset(variant)
    record_path = out / "run.json"
    if resume and record_path.exists():  # the run's own settings, not today's defaults
        stored = json.loads(record_path.read_text())
        seed, data_dir = stored["seed"], stored.get("data_dir")
        settings = {
            k: (tuple(v) if isinstance(v, list) else v) for k, v in stored["settings"].items()
        }
    else:
        settings = resolve_settings(variant, dataset, overrides, recipe)
    strategy = distribute.make_strategy(
        settings.get("strategy", "default"), tpu=settings.get("tpu")
    )
    if not distribute.is_chief(strategy):
        # Every worker runs the same steps; only the chief keeps what they write.
        # A resumed worker reads the chief's checkpoints (a shared filesystem).
        with tempfile.TemporaryDirectory() as scratch:
            return _train(
                variant,
                dataset,
                Path(scratch) / "run",
                seed,
                data_dir,
                verbose,
                resume_from=out if resume else None,
                keep_checkpoints=1,
                settings=settings,
                strategy=strategy,
            )
    return _train(
        variant,
        dataset,
        out,
        seed,
        data_dir,
        verbose,
        out if resume else None,
        keep_checkpoints,
        settings,
        strategy,
    )


def _train(
    variant,
    dataset,
    out,
    seed,
    data_dir,
    verbose,
    resume_from,
    keep_checkpoints,
    settings,
    strategy,
):
    cls = get_model(variant)
    check_dataset(variant, dataset)
    _decoded.cache_clear()  # a run decodes its data once, and each run afresh
    conditional = cls.conditional and translation_kind(variant) is None
    record_path = out / "run.json"

    def data_for(start_epoch):
        return run_data(variant, dataset, settings, seed, data_dir, start_epoch)

    with strategy.scope():  # variables and optimizer slots are created per replica
        model, start_epoch = _start(
            variant, dataset, out, seed, settings, lambda: data_for(0), resume_from
        )
    data = data_for(start_epoch)
    if distribute.in_multi_worker_mode(strategy):
        data.dataset = distribute.shard_by_data(data.dataset)
    # Check the data before anything is written, so a refusal leaves no run behind.
    model.validate_data(data.every_example)
    record = dict(
        variant=variant,
        dataset=dataset,
        seed=seed,
        data_dir=data_dir,
        settings={k: (list(v) if isinstance(v, tuple) else v) for k, v in settings.items()},
        model_config=model.get_config(),
        tfgan_zoo_version=tfgan_zoo.__version__,
        status="running",
        resumed_from_epoch=start_epoch or None,
    )
    out.mkdir(parents=True, exist_ok=True)
    _write_record(record_path, record)
    logs = out / "logs"
    guard = cb.DivergenceGuard(out / "checkpoints")
    preview_inputs = next(iter(data.every_example))
    callbacks = [
        guard,
        cb.SampleWriter(out / "samples", mixture=data.mixture, log_dir=logs, inputs=preview_inputs),
        cb.RunCheckpoint(out / "checkpoints", keep=keep_checkpoints),
    ]
    if data.mixture is not None and not conditional:
        callbacks.insert(1, cb.ModeCoverageMonitor(data.mixture))
    if data.mixture is None and settings.get("metrics_every"):
        callbacks.insert(
            1, cb.MetricMonitor(every=settings["metrics_every"], log_dir=logs, data_dir=data_dir)
        )
    started = time.time()
    history = model.fit(
        data.dataset,
        initial_epoch=start_epoch,
        epochs=settings["epochs"],
        steps_per_epoch=data.steps_per_epoch,
        callbacks=callbacks,
        verbose=verbose,
        validate_data=False,
    ).history
    record.update(
        train_seconds=round(time.time() - started, 1),
        history={k: [float(np.asarray(v)) for v in vals] for k, vals in history.items()},
    )
    if guard.report is not None:
        record.update(status="diverged", diverged=guard.report)
    else:
        checkpoints.save_atomically(model, out / "model.keras")
        record.update(status="finished")
    _write_record(record_path, record)
    return model, history


def _write_record(path, record):
    write_text_atomically(path, json.dumps(record, indent=2, default=str))


def run_data(variant, dataset, settings, seed=0, data_dir=None, start_epoch=0, batch_size=None):
    """The batches a run of `variant` with these settings reads from epoch
    `start_epoch` (batch `batch_size`, default the run's)."""
    cls = get_model(variant)
    translation = translation_kind(variant)
    return load_training_data(
        dataset,
        batch_size or settings["batch_size"],
        labels=cls.conditional and translation is None,
        data_dir=data_dir,
        seed=seed,
        steps_per_epoch=settings.get("steps_per_epoch"),
        start_epoch=start_epoch,
        power_of_two=cls.power_of_two_sides,
        labels_per_class=cls.labels_per_class,
        pixels=cls.training_pixels,
        image_size=settings.get("image_size"),
        channels=settings.get("channels"),
        label_source=settings.get("labels"),
        translation=translation,
        pairs=settings.get("pairs") or "left-to-right",
        episodes=episode_references(variant, settings),
    )


def run_examples(record, n):
    """The first `n` examples of the data a run record (or a zoo entry's) trained
    on, in order, as a tuple of arrays: (images,), (images, labels), (source,
    target) or (a, b). Read in batches of one, since a small folder has fewer
    examples than a training batch."""
    data = run_data(
        record["variant"],
        record["dataset"],
        record.get("settings") or {},
        seed=record.get("seed") or 0,
        data_dir=record.get("data_dir"),
        batch_size=1,
    )
    parts = []
    for batch in data.every_example.unbatch().take(n).batch(256):
        parts.append([np.asarray(x) for x in (batch if isinstance(batch, tuple) else (batch,))])
    return tuple(np.concatenate(column) for column in zip(*parts))


def load_run(run_dir):
    """(GAN, run record) of a run directory: the final model, else the newest
    good checkpoint."""
    run_dir = Path(run_dir)
    record_path = run_dir / "run.json"
    record = json.loads(record_path.read_text()) if record_path.exists() else {}
    if (run_dir / "model.keras").exists():
        return checkpoints.load_checkpoint(run_dir / "model.keras"), record
    model, _ = checkpoints.latest_good_checkpoint(run_dir / "checkpoints")
    if model is None:
        raise FileNotFoundError(f"{run_dir} holds no model.keras and no usable checkpoint.")
    return model, record


def load_source(source):
    """(GAN, record) from a run directory, or from a zoo entry by name.

    A zoo entry's record holds its config, card and `zoo` name, in the same
    keys a run's record uses where they overlap (variant, dataset, seed).
    """
    if Path(source).exists():
        return load_run(source)
    from tfgan_zoo import zoo

    item = zoo.entry(str(source))
    model = zoo.load(item.name)
    record = dict(
        zoo=item.name,
        variant=item.variant,
        dataset=item.config.get("dataset"),
        seed=item.config.get("model", {}).get("seed"),
        card=item.card,
    )
    return model, record
