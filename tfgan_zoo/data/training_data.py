"""The batches a training run reads: any `--dataset` value (`data.sources`) as a
tf.data pipeline whose epoch e depends only on (seed, e), so resumed runs continue
exactly, plus every example once for the pre-flight check."""

import functools
from dataclasses import dataclass, field

import numpy as np
import tensorflow as tf

from tfgan_zoo import data as data_lib
from tfgan_zoo.data import sources
from tfgan_zoo.data.padding import pad_images
from tfgan_zoo.data.semi import hide_labels, semi_supervised_dataset
from tfgan_zoo.data.translation_tasks import (
    PAIRED_TASKS,
    UNPAIRED_TASKS,
    paired_batches,
    paired_task,
    unpaired_batches,
    unpaired_task,
)

SAMPLE_DATASETS = ("grid", "ring", "fashion_mnist")  # GANs and baselines
TRANSLATION_DATASETS = PAIRED_TASKS + tuple(UNPAIRED_TASKS)  # translators
DATASETS = SAMPLE_DATASETS + TRANSLATION_DATASETS
MIXTURE_POOL = 256_000  # 2D training points drawn once per run; epochs reshuffle them


@dataclass
class TrainingData:
    dataset: tf.data.Dataset
    data_shape: tuple
    num_classes: int | None
    steps_per_epoch: int | None
    mixture: str | None = None
    every_example: tf.data.Dataset | None = None  # all of it once, for the pre-flight check
    # Constructor arguments the data fixes (a re-posing model's landmark channels
    # and identity count); `training.build_model` passes them on.
    model_args: dict = field(default_factory=dict)


def load_training_data(
    name: str,
    batch_size: int,
    labels: bool = False,
    data_dir: str | None = None,
    seed: int = 0,
    steps_per_epoch: int | None = None,
    start_epoch: int = 0,
    power_of_two: bool = False,
    labels_per_class: int | None = None,
    pixels: str = "scaled",
    image_size: int | None = None,
    channels: int | None = None,
    label_source: str | None = None,
    translation: str | None = None,
    pairs: str = "left-to-right",
    episodes: int | None = None,
) -> TrainingData:
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
    intensities (PixelCNN). `episodes=K` asks for re-posing episodes of K
    references (`data.posed_items`): of posed items, or of a folder of videos.
    """
    spec = sources.parse(name)
    if episodes is not None:
        return _episode_data(
            spec,
            episodes,
            batch_size,
            data_dir,
            seed,
            steps_per_epoch,
            start_epoch,
            image_size,
            channels,
        )
    if translation is not None:
        return _translation_data(
            spec,
            translation,
            batch_size,
            data_dir,
            seed,
            steps_per_epoch,
            start_epoch,
            image_size,
            channels,
            pairs,
        )
    if name in ("grid", "ring"):
        points, modes = data_lib.sample_mixture(name, MIXTURE_POOL, seed=seed)
        steps = steps_per_epoch or 500
        ds = data_lib.epoch_batches(
            points.astype(np.float32),
            modes if labels else None,
            batch_size,
            steps,
            seed,
            start_epoch,
        )
        num_classes = len(data_lib.get_mixture(name).centres) if labels else None
        return TrainingData(
            ds,
            (2,),
            num_classes,
            steps,
            mixture=name,
            every_example=_once(points, modes if labels else None, batch_size),
        )
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
        found = _decoded(
            sources.image_set,
            spec,
            image_size,
            channels,
            labels=(label_source or True) if labels else label_source,
            power_of_two=power_of_two,
        )
    return _sample_data(
        found, batch_size, labels, seed, steps_per_epoch, start_epoch, labels_per_class, pixels
    )


@functools.lru_cache(maxsize=2)
def _decoded(load, spec, *args, **kwargs):
    """`load(spec, ...)`, kept for the run (`_train` clears it): a run decodes its
    folder once, also when it builds its pipeline again to resume; what was skipped
    or converted is printed."""
    found = load(spec, *args, **kwargs)
    for note in found.notes if isinstance(found, sources.ImageSet) else found[2]:
        print(f"{spec.name}: {note}")
    return found


def _sample_data(
    found, batch_size, labels, seed, steps_per_epoch, start_epoch, labels_per_class, pixels
):
    images, classes = found.images, found.labels if labels else None
    num_classes = found.num_classes if labels else None
    steps = steps_per_epoch or len(images) // batch_size
    if classes is not None and labels_per_class:
        # A quarter of every batch from the few labelled images (data.semi); the
        # order after a resumed epoch e is drawn again from (seed, e).
        classes = hide_labels(classes, labels_per_class, seed=seed)
        ds = semi_supervised_dataset(
            np.asarray(images),
            classes,
            batch_size,
            max(batch_size // 4, 1),
            seed=seed + 1009 * start_epoch,
        )
        return TrainingData(
            ds,
            tuple(images.shape[1:]),
            num_classes,
            steps,
            every_example=_once(images, classes, batch_size, data_lib.scale_images),
        )
    to_float = data_lib.scale_images if pixels == "scaled" else _uint8_values
    ds = data_lib.epoch_batches(
        images, classes, batch_size, steps, seed, start_epoch, to_float=to_float
    )
    return TrainingData(
        ds,
        tuple(images.shape[1:]),
        num_classes,
        steps,
        every_example=_once(images, classes, batch_size, to_float),
    )


def _uint8_values(images):
    return tf.cast(images, tf.float32)


def _translation_data(
    spec,
    translation,
    batch_size,
    data_dir,
    seed,
    steps_per_epoch,
    start_epoch,
    image_size,
    channels,
    pairs,
):
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
    every_example = (
        tf.data.Dataset.from_tensor_slices((first[:n], second[:n]))
        .batch(batch_size, drop_remainder=True)
        .map(lambda a, b: (data_lib.scale_images(a), data_lib.scale_images(b)))
    )
    return TrainingData(ds, tuple(second.shape[1:]), None, steps, every_example=every_example)


EXAMPLE_EPISODES = 64


def _episode_data(
    spec, k, batch_size, data_dir, seed, steps_per_epoch, start_epoch, image_size, channels
):
    """Episodes of K references and a target: from a folder of videos (one
    subfolder each, with landmarks.npy), else every image an identity in random
    poses (`data.posed_items`); Fashion-MNIST without its held-out classes."""
    from tfgan_zoo.data import posed_items

    if spec.kind == "folder" and posed_items.is_video_folder(spec.name):
        videos = posed_items.video_folder(spec.name, image_size, channels)
        count, shape = len(videos.frames), videos.frames.shape[2:]
        points = videos.landmarks.shape[2]

        def batches(size, epoch):
            return posed_items.video_episodes(videos, k, size, seed, steps_per_epoch, epoch)

    else:
        if spec.kind == "built-in":
            if spec.name != "fashion_mnist":
                raise ValueError(f"{spec.name} is an image-to-image task: it trains translators")
            found, _ = posed_items.fashion_items("train", data_dir=data_dir)
            images = sources.fit_array(found, image_size, channels)
        else:
            images = _decoded(sources.image_set, spec, image_size, channels).images
        identities = posed_items.identities_of(images)
        count, shape, points = len(images), images.shape[1:], posed_items.NUM_KEYPOINTS

        def batches(size, epoch):
            return posed_items.posed_episodes(identities, k, size, seed, steps_per_epoch, epoch)

    steps = steps_per_epoch or max(count // batch_size, 1)
    return TrainingData(
        batches(batch_size, start_epoch),
        tuple(shape),
        None,
        steps,
        # Episodes are drawn, not stored: "every example" is the first 64 of epoch
        # 0 (the pre-flight check reads them, `tfgan-zoo sample` shows them).
        every_example=batches(1, 0).take(EXAMPLE_EPISODES).unbatch().batch(batch_size),
        model_args=dict(landmark_channels=points, num_identities=count),
    )


def _once(features, labels, batch_size, to_float=tf.identity):
    """Every example once, in order, in batches (also from an array kept on disk)."""
    rows = data_lib.row_reader(features)
    labels = None if labels is None else tf.constant(labels)
    ds = tf.data.Dataset.range(len(features)).batch(batch_size, drop_remainder=True)
    if labels is None:
        return ds.map(lambda index: to_float(rows(index)))
    return ds.map(lambda index: (to_float(rows(index)), tf.gather(labels, index)))
