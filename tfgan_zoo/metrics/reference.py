"""Features of real data, cached on disk and keyed by the protocol.

Evaluating a generator needs the features of a fixed real reference set. They
depend only on the protocol (feature network and its weights, dataset, split,
subset size and seed), so they are computed once and stored as
`<cache>/reference/<dataset>-<split>-<hash of protocol>.npz`. The cache folder
is `$TFGAN_ZOO_CACHE`, else `~/.cache/tfgan_zoo`. Files are written atomically;
a file whose recorded protocol differs from the request is ignored.
"""

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from tfgan_zoo.files import cache_dir
from tfgan_zoo.metrics.fid import GaussianStats, gaussian_stats


@dataclass(frozen=True)
class ReferenceSpec:
    """Which real images: `size` of `split` chosen with `seed` (None: all of it).

    `dataset` is any `--dataset` value (`data.sources`): for a folder or arrays,
    split "train" is all of it; `image_size` and `channels` convert the images as
    training did (None: as stored)."""

    dataset: str = "fashion_mnist"
    split: str = "train"
    size: int | None = 10_000
    seed: int = 0
    image_size: int | None = None
    channels: int | None = None


@dataclass
class Reference:
    protocol: dict
    features: np.ndarray  # float32 [N, D], as the network computed them
    logits: np.ndarray

    @property
    def stats(self) -> GaussianStats:
        return gaussian_stats(self.features)


def reference_images(spec: ReferenceSpec, data_dir=None):
    """(uint8 images, labels or None) of the reference set."""
    from tfgan_zoo.data import load_fashion_mnist, sources

    source = sources.parse(spec.dataset)
    if spec.dataset == "fashion_mnist":
        images, labels = load_fashion_mnist(spec.split, data_dir=data_dir)
        images = sources.fit_array(images, spec.image_size, spec.channels)
    elif source.kind == "built-in":
        raise ValueError(f"{spec.dataset} is not a set of images to measure samples against")
    else:
        if source.kind in ("folder", "arrays") and spec.split != "train":
            raise ValueError(
                f"{spec.dataset} has one split, all of its images: use the "
                f"reference split 'train', not {spec.split!r}"
            )
        if source.kind == "tfds":
            source = sources.DatasetSpec("tfds", source.name, spec.split)
        found = sources.image_set(source, spec.image_size, spec.channels)
        images, labels = np.asarray(found.images), found.labels
    if spec.size is not None and spec.size < len(images):
        keep = np.sort(
            np.random.default_rng(spec.seed).choice(len(images), spec.size, replace=False)
        )
        images = images[keep]
        labels = None if labels is None else labels[keep]
    return images, labels


def reference_protocol(spec: ReferenceSpec) -> dict:
    """The spec as recorded with each metric: sizes only when they were converted
    (so protocols of unconverted data read as before they existed)."""
    return {
        k: v
        for k, v in asdict(spec).items()
        if v is not None or k not in ("image_size", "channels")
    }


def _protocol(network, spec: ReferenceSpec) -> dict:
    return dict(feature_network=network.protocol_id, **reference_protocol(spec))


def _path(directory: Path, protocol: dict) -> Path:
    key = hashlib.sha256(json.dumps(protocol, sort_keys=True).encode()).hexdigest()[:16]
    stem = Path(protocol["dataset"]).name.replace(":", "_")  # a folder's name, tfds_NAME
    return directory / "reference" / f"{stem}-{protocol['split']}-{key}.npz"


def load_reference(
    network, spec: ReferenceSpec = ReferenceSpec(), data_dir=None, cache=None, use_cache=True
) -> Reference:
    """The reference set's features under `network`, from the cache when present."""
    protocol = _protocol(network, spec)
    images = None
    if spec.dataset != "fashion_mnist":  # the user's files may change: key on the pixels
        images, _ = reference_images(spec, data_dir)
        protocol["images_sha256"] = hashlib.sha256(np.ascontiguousarray(images)).hexdigest()
    path = _path(cache_dir(cache), protocol)
    if use_cache and path.exists():
        with np.load(path) as stored:
            if json.loads(str(stored["protocol"])) == protocol:
                return Reference(protocol, stored["features"], stored["logits"])
    if images is None:
        images, _ = reference_images(spec, data_dir)
    features, logits = network.features_and_logits(images)
    reference = Reference(protocol, features.astype(np.float32), logits.astype(np.float32))
    if use_cache:
        _write_atomically(path, reference)
    return reference


def _write_atomically(path: Path, reference: Reference):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp{os.getpid()}.npz")
    try:
        np.savez(
            tmp,
            protocol=json.dumps(reference.protocol, sort_keys=True),
            features=reference.features,
            logits=reference.logits,
        )
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
