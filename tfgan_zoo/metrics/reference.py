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
    """Which real images: `size` of `split` chosen with `seed` (None: all of it)."""
    dataset: str = "fashion_mnist"
    split: str = "train"
    size: int | None = 10_000
    seed: int = 0


@dataclass
class Reference:
    protocol: dict
    features: np.ndarray  # float32 [N, D], as the network computed them
    logits: np.ndarray

    @property
    def stats(self) -> GaussianStats:
        return gaussian_stats(self.features)


def reference_images(spec: ReferenceSpec, data_dir=None):
    """(uint8 images, labels) of the reference set."""
    if spec.dataset != "fashion_mnist":
        raise ValueError(f"unknown reference dataset {spec.dataset!r}; image metrics are "
                         "measured against 'fashion_mnist'")
    from tfgan_zoo.data import load_fashion_mnist
    images, labels = load_fashion_mnist(spec.split, data_dir=data_dir)
    if spec.size is not None and spec.size < len(images):
        keep = np.sort(np.random.default_rng(spec.seed).choice(len(images), spec.size,
                                                               replace=False))
        images, labels = images[keep], labels[keep]
    return images, labels


def _protocol(network, spec: ReferenceSpec) -> dict:
    return dict(feature_network=network.protocol_id, **asdict(spec))


def _path(directory: Path, protocol: dict) -> Path:
    key = hashlib.sha256(json.dumps(protocol, sort_keys=True).encode()).hexdigest()[:16]
    return directory / "reference" / f"{protocol['dataset']}-{protocol['split']}-{key}.npz"


def load_reference(network, spec: ReferenceSpec = ReferenceSpec(), data_dir=None,
                   cache=None, use_cache=True) -> Reference:
    """The reference set's features under `network`, from the cache when present."""
    protocol = _protocol(network, spec)
    path = _path(cache_dir(cache), protocol)
    if use_cache and path.exists():
        with np.load(path) as stored:
            if json.loads(str(stored["protocol"])) == protocol:
                return Reference(protocol, stored["features"], stored["logits"])
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
        np.savez(tmp, protocol=json.dumps(reference.protocol, sort_keys=True),
                 features=reference.features, logits=reference.logits)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
