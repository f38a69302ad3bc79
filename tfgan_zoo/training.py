"""Training runs: data + variant + `fit` + run directory, as the CLI uses them.

A run directory holds:
  run.json                  what was trained, how, and the per-epoch history
  model.keras               the final GAN (networks and both optimizers)
  checkpoints/              epoch_NNNN.keras (newest 3) and index.json with their sha256
  samples/epoch_NNN.png     samples from one fixed latent seed after each epoch
  logs/                     TensorBoard events: the sample grids, and FID/KID when
                            `metrics_every` is set (image data)
"""
import functools
import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

import tfgan_zoo
from tfgan_zoo import callbacks as cb
from tfgan_zoo import checkpoints
from tfgan_zoo.files import write_text_atomically
from tfgan_zoo import data as data_lib
from tfgan_zoo import distribute
from tfgan_zoo import recipes
from tfgan_zoo.data import sources
from tfgan_zoo.data.padding import pad_images
from tfgan_zoo.data.semi import hide_labels, semi_supervised_dataset
from tfgan_zoo.data.translation_tasks import (PAIRED_TASKS, UNPAIRED_TASKS, paired_batches,
                                              paired_task, unpaired_batches, unpaired_task)
from tfgan_zoo.engine.precision import precision_policy
from tfgan_zoo.registry import get_model, kind_of
from tfgan_zoo.schedules import learning_rate_schedule

SAMPLE_DATASETS = ("grid", "ring", "fashion_mnist")  # GANs and baselines
TRANSLATION_DATASETS = PAIRED_TASKS + tuple(UNPAIRED_TASKS)  # translators
DATASETS = SAMPLE_DATASETS + TRANSLATION_DATASETS
MIXTURE_POOL = 256_000  # 2D training points drawn once per run; epochs reshuffle them

MODEL_KEYS = ("latent_dim", "hidden", "base_filters", "data_scale")
# How a run executes; what it trains with (batch, epochs, model and compile
# arguments) comes from `tfgan_zoo.recipes`.
TRAIN_DEFAULTS = dict(lr=None, metrics_every=None, strategy="default", precision="float32",
                      steps_per_execution=1)


@dataclass
class TrainingData:
    dataset: tf.data.Dataset
    data_shape: tuple
    num_classes: int | None
    steps_per_epoch: int | None
    mixture: str | None = None
    every_example: tf.data.Dataset | None = None  # all of it once, for the pre-flight check


def load_training_data(name, batch_size, labels=False, data_dir=None, seed=0,
                       steps_per_epoch=None, start_epoch=0, power_of_two=False,
                       labels_per_class=None, pixels="scaled", image_size=None, channels=None,
                       label_source=None, translation=None, pairs="left-to-right"):
    """A batched training dataset from a `--dataset` value (`data.sources`): a
    built-in ('grid', 'ring', 'fashion_mnist', or an image-to-image task of
    `data.translation_tasks`), a folder of images, tfds:NAME[/CONFIG][:SPLIT] or an
    .npz/.npy file.

    `translation` ("paired" or "unpaired") asks for (source, target) pairs or (a, b)
    batches of two domains, for translators. Epoch e's batches depend only on
    (seed, e) (`data.epoch_batches`), so a run resumed at `start_epoch` sees the
    batches an uninterrupted run would. `image_size` and `channels` resize and
    convert images (default: the data's own); `label_source="subfolders"` makes a
    folder's class subfolders its labels. With `power_of_two`, images are padded
    (built-ins) or sized (other data) to a power-of-two side for models that grow
    by doubling; with `labels_per_class`, all other labels are -1 and a quarter of
    every batch is labelled (semi-supervised models, `tfgan_zoo.data.semi`).
    `pixels="uint8"` keeps 0..255 values (as float32) for models that read
    intensities (PixelCNN).
    """
    spec = sources.parse(name)
    if translation is not None:
        return _translation_data(spec, translation, batch_size, data_dir, seed,
                                 steps_per_epoch, start_epoch, image_size, channels, pairs)
    if name in ("grid", "ring"):
        points, modes = data_lib.sample_mixture(name, MIXTURE_POOL, seed=seed)
        steps = steps_per_epoch or 500
        ds = data_lib.epoch_batches(points.astype(np.float32), modes if labels else None,
                                    batch_size, steps, seed, start_epoch)
        num_classes = len(data_lib.get_mixture(name).centres) if labels else None
        return TrainingData(ds, (2,), num_classes, steps, mixture=name,
                            every_example=_once(points, modes if labels else None, batch_size))
    if name == "fashion_mnist":
        images, classes = data_lib.load_fashion_mnist("train", data_dir=data_dir)
        sources.checked_side(image_size, power_of_two)
        images = sources.fit_array(images, image_size, channels)
        if power_of_two:
            images = pad_images(images, 1 << (max(images.shape[1:3]) - 1).bit_length())
        found = sources.ImageSet(images, classes, tuple(str(i) for i in range(10)))
    elif spec.kind == "built-in":
        raise ValueError(f"{name} is an image-to-image task: it trains translators")
    else:
        found = _decoded(sources.image_set, spec, image_size, channels,
                         labels=(label_source or True) if labels else label_source,
                         power_of_two=power_of_two)
    return _sample_data(found, batch_size, labels, seed, steps_per_epoch, start_epoch,
                        labels_per_class, pixels)


@functools.lru_cache(maxsize=2)
def _decoded(load, spec, *args, **kwargs):
    """`load(spec, ...)`, kept for the run (`_train` clears it): a run decodes its
    folder once, also when it builds its pipeline again to resume; what was skipped
    or converted is printed."""
    found = load(spec, *args, **kwargs)
    for note in (found.notes if isinstance(found, sources.ImageSet) else found[2]):
        print(f"{spec.name}: {note}")
    return found


def _sample_data(found, batch_size, labels, seed, steps_per_epoch, start_epoch,
                 labels_per_class, pixels):
    images, classes = found.images, found.labels if labels else None
    num_classes = found.num_classes if labels else None
    steps = steps_per_epoch or len(images) // batch_size
    if classes is not None and labels_per_class:
        # A quarter of every batch from the few labelled images (data.semi); the
        # order after a resumed epoch e is drawn again from (seed, e).
        classes = hide_labels(classes, labels_per_class, seed=seed)
        ds = semi_supervised_dataset(np.asarray(images), classes, batch_size,
                                     max(batch_size // 4, 1), seed=seed + 1009 * start_epoch)
        return TrainingData(ds, tuple(images.shape[1:]), num_classes, steps,
                            every_example=_once(images, classes, batch_size,
                                                data_lib.scale_images))
    to_float = data_lib.scale_images if pixels == "scaled" else _uint8_values
    ds = data_lib.epoch_batches(images, classes, batch_size, steps, seed, start_epoch,
                                to_float=to_float)
    return TrainingData(ds, tuple(images.shape[1:]), num_classes, steps,
                        every_example=_once(images, classes, batch_size, to_float))


def _uint8_values(images):
    return tf.cast(images, tf.float32)


def _translation_data(spec, translation, batch_size, data_dir, seed, steps_per_epoch,
                      start_epoch, image_size, channels, pairs):
    if spec.kind == "built-in":
        task = spec.name
        if translation == "paired":
            first, second, _ = paired_task(task, "train", data_dir=data_dir)
        else:
            first, second, _ = unpaired_task(task, "train", data_dir=data_dir)
        first, second = (sources.fit_array(x, image_size, channels) for x in (first, second))
    elif translation == "paired":
        first, second, _ = _decoded(sources.image_pairs, spec, image_size, channels, pairs)
    else:
        first, second, _ = _decoded(sources.image_domains, spec, image_size, channels)
    batches = paired_batches if translation == "paired" else unpaired_batches
    steps = steps_per_epoch or min(len(first), len(second)) // batch_size
    ds = batches(first, second, batch_size, steps, seed, start_epoch)
    n = min(len(first), len(second))
    every_example = tf.data.Dataset.from_tensor_slices((first[:n], second[:n])).batch(
        batch_size, drop_remainder=True).map(
            lambda a, b: (data_lib.scale_images(a), data_lib.scale_images(b)))
    return TrainingData(ds, tuple(second.shape[1:]), None, steps, every_example=every_example)


def default_dataset(variant):
    """The built-in dataset `variant` trains on when none is named."""
    return get_model(variant).default_dataset


def translation_kind(variant):
    """"paired" or "unpaired" for a translator (what its data must be), else None."""
    cls = get_model(variant)
    if kind_of(cls) != "translator":
        return None
    return "unpaired" if cls.default_dataset in UNPAIRED_TASKS else "paired"


def check_dataset(variant, dataset):
    """A ValueError when `dataset` is not data `variant` can learn from: translators
    learn from image pairs or two domains, the others from samples."""
    spec = sources.parse(dataset)
    translation = translation_kind(variant)
    if spec.kind != "built-in":
        if translation == "paired" and spec.kind != "folder":
            raise ValueError(f"{variant} trains on aligned (source, target) pairs: a folder "
                             "of side-by-side pairs or of A/ and B/ subfolders")
        if translation == "unpaired" and spec.kind not in ("folder", "tfds"):
            raise ValueError(f"{variant} trains on two domains of images: a folder with two "
                             "subfolders, or tfds:cycle_gan/NAME")
        return
    if translation is None:
        fits, what = SAMPLE_DATASETS, "a dataset of samples"
    elif translation == "unpaired":  # any two sets of images will do
        fits, what = TRANSLATION_DATASETS, "two domains of images"
    else:
        fits, what = PAIRED_TASKS, "aligned (source, target) pairs"
    if dataset not in fits:
        raise ValueError(f"{variant} trains on {what} ({', '.join(fits)}), not {dataset!r}")


def _once(features, labels, batch_size, to_float=tf.identity):
    """Every example once, in order, in batches (also from an array kept on disk)."""
    rows = data_lib.row_reader(features)
    labels = None if labels is None else tf.constant(labels)
    ds = tf.data.Dataset.range(len(features)).batch(batch_size, drop_remainder=True)
    if labels is None:
        return ds.map(lambda index: to_float(rows(index)))
    return ds.map(lambda index: (to_float(rows(index)), tf.gather(labels, index)))


def resolve_settings(variant, dataset, overrides, recipe="default"):
    """TRAIN_DEFAULTS, the layered recipe (variant, dataset, budget `recipe`:
    `tfgan_zoo.recipes.resolve`), then the user's non-None values. The recipe's
    model and compile arguments are kept as data under "model" and "compile";
    the flat MODEL_KEYS and lr/loss/d_steps/label_smoothing override them."""
    row = recipes.resolve(variant, dataset, recipe)
    settings = dict(TRAIN_DEFAULTS, recipe=recipe, model=dict(row.model),
                    compile=dict(row.compile), batch_size=row.batch_size, epochs=row.epochs,
                    steps_per_epoch=row.steps_per_epoch, schedule=row.schedule)
    settings.update({k: v for k, v in overrides.items() if v is not None})
    return settings


def build_model(variant, data, seed, settings):
    cls = get_model(variant)
    model_args = dict(settings.get("model") or {})  # runs recorded before recipes have none
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
    for key, updates in (("g_optimizer", generator_steps),
                         ("d_optimizer", generator_steps * args["d_steps"])):
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
    model.compile(**compile_args_for(model, settings, generator_steps),
                  jit_compile=settings.get("jit_compile", "auto"),
                  steps_per_execution=settings.get("steps_per_execution", 1))


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
        raise FileExistsError(f"{out} already holds a run; pass resume=True (--resume) to "
                              "continue it, or choose another output directory")
    keras.utils.set_random_seed(seed)  # initial weights follow the run's seed too
    data = data_shape_fn()
    with precision_policy(settings.get("precision", "float32")):
        model = build_model(variant, data, seed, settings)
    compile_model(model, settings, settings["epochs"] * data.steps_per_epoch)
    return model, 0


def train(variant, dataset=None, out=None, seed=0, data_dir=None, verbose=1, resume=False,
          keep_checkpoints=3, recipe="default", **overrides):
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
        settings = {k: (tuple(v) if isinstance(v, list) else v)
                    for k, v in stored["settings"].items()}
    else:
        settings = resolve_settings(variant, dataset, overrides, recipe)
    strategy = distribute.make_strategy(settings.get("strategy", "default"),
                                        tpu=settings.get("tpu"))
    if not distribute.is_chief(strategy):
        # Every worker runs the same steps; only the chief keeps what they write.
        # A resumed worker reads the chief's checkpoints (a shared filesystem).
        with tempfile.TemporaryDirectory() as scratch:
            return _train(variant, dataset, Path(scratch) / "run", seed, data_dir, verbose,
                          resume_from=out if resume else None, keep_checkpoints=1,
                          settings=settings, strategy=strategy)
    return _train(variant, dataset, out, seed, data_dir, verbose, out if resume else None,
                  keep_checkpoints, settings, strategy)


def _train(variant, dataset, out, seed, data_dir, verbose, resume_from, keep_checkpoints,
           settings, strategy):
    cls = get_model(variant)
    check_dataset(variant, dataset)
    _decoded.cache_clear()  # a run decodes its data once, and each run afresh
    translation = translation_kind(variant)
    conditional = cls.conditional and translation is None
    record_path = out / "run.json"

    def data_for(start_epoch):
        return load_training_data(
            dataset, settings["batch_size"], labels=conditional, data_dir=data_dir,
            seed=seed, steps_per_epoch=settings["steps_per_epoch"], start_epoch=start_epoch,
            power_of_two=cls.power_of_two_sides, labels_per_class=cls.labels_per_class,
            pixels=cls.training_pixels, image_size=settings.get("image_size"),
            channels=settings.get("channels"), label_source=settings.get("labels"),
            translation=translation, pairs=settings.get("pairs") or "left-to-right")

    with strategy.scope():  # variables and optimizer slots are created per replica
        model, start_epoch = _start(variant, dataset, out, seed, settings,
                                    lambda: data_for(0), resume_from)
    data = data_for(start_epoch)
    if distribute.in_multi_worker_mode(strategy):
        data.dataset = distribute.shard_by_data(data.dataset)
    # Check the data before anything is written, so a refusal leaves no run behind.
    model.validate_data(data.every_example)
    record = dict(variant=variant, dataset=dataset, seed=seed, data_dir=data_dir,
                  settings={k: (list(v) if isinstance(v, tuple) else v)
                            for k, v in settings.items()},
                  model_config=model.get_config(), tfgan_zoo_version=tfgan_zoo.__version__,
                  status="running", resumed_from_epoch=start_epoch or None)
    out.mkdir(parents=True, exist_ok=True)
    _write_record(record_path, record)
    logs = out / "logs"
    guard = cb.DivergenceGuard(out / "checkpoints")
    preview_inputs = next(iter(data.every_example))
    callbacks = [guard, cb.SampleWriter(out / "samples", mixture=data.mixture, log_dir=logs,
                                        inputs=preview_inputs),
                 cb.RunCheckpoint(out / "checkpoints", keep=keep_checkpoints)]
    if data.mixture is not None and not conditional:
        callbacks.insert(1, cb.ModeCoverageMonitor(data.mixture))
    if data.mixture is None and settings.get("metrics_every"):
        callbacks.insert(1, cb.MetricMonitor(every=settings["metrics_every"], log_dir=logs,
                                             data_dir=data_dir))
    started = time.time()
    history = model.fit(data.dataset, initial_epoch=start_epoch, epochs=settings["epochs"],
                        steps_per_epoch=data.steps_per_epoch, callbacks=callbacks,
                        verbose=verbose, validate_data=False).history
    record.update(train_seconds=round(time.time() - started, 1),
                  history={k: [float(np.asarray(v)) for v in vals]
                           for k, vals in history.items()})
    if guard.report is not None:
        record.update(status="diverged", diverged=guard.report)
    else:
        checkpoints.save_atomically(model, out / "model.keras")
        record.update(status="finished")
    _write_record(record_path, record)
    return model, history


def _write_record(path, record):
    write_text_atomically(path, json.dumps(record, indent=2, default=str))


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
    record = dict(zoo=item.name, variant=item.variant, dataset=item.config.get("dataset"),
                  seed=item.config.get("model", {}).get("seed"), card=item.card)
    return model, record
