"""Does the generator just memorize? Nearest-training-neighbour distances.

A generator that copies its training set produces samples much closer to some
training image than unseen real images are. `memorization_report` measures the
distance from each generated sample to its nearest training image and compares
it with the same distance for held-out real images (the test split), which are
the reference for "new images from the data distribution".
"""

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np

from tfgan_zoo.data.pipeline import scale_images, unscale_images
from tfgan_zoo.images import image_grid, save_png

QUANTILES = (("min", 0.0), ("p5", 5.0), ("p25", 25.0), ("p50", 50.0), ("p75", 75.0), ("p95", 95.0))
COPY_PERCENTILE = 1.0  # a sample is a "copy" if closer than 1% of held-out images
# Reference rows compared with one query chunk at a time: bounds the distance
# matrix (batch_size x this) and the float64 copy of the reference.
_REFERENCE_CHUNK = 8192


def _flat(x, name) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim < 1 or len(x) == 0:
        raise ValueError(f"{name} is empty; it needs at least one sample")
    return x.reshape(len(x), -1)


def nearest_neighbours(queries, reference, batch_size=1024) -> tuple:
    """Exact Euclidean nearest neighbour in `reference` of every row of `queries`.

    Samples are flattened. Returns (indices int64 [N], distances float64 [N]).
    Squared distances use ||a||^2 - 2ab + ||b||^2 (one matrix product per chunk,
    clamped at 0); the winner's distance is then recomputed as ||a - b|| because
    the expansion loses precision by cancellation (a copy would get ~1e-7, not 0).
    """
    queries, reference = _flat(queries, "queries"), _flat(reference, "reference")
    if queries.shape[1] != reference.shape[1]:
        raise ValueError(
            f"queries and reference samples differ in size: "
            f"{queries.shape[1]} vs {reference.shape[1]} values"
        )
    if int(batch_size) < 1:
        raise ValueError(f"batch_size must be >= 1, found {batch_size}")
    batch_size = int(batch_size)
    best_index = np.zeros(len(queries), np.int64)
    best_sq = np.full(len(queries), np.inf)
    for r0 in range(0, len(reference), _REFERENCE_CHUNK):
        ref = reference[r0 : r0 + _REFERENCE_CHUNK].astype(np.float64)
        ref_sq = np.einsum("ij,ij->i", ref, ref)
        for q0 in range(0, len(queries), batch_size):
            q = queries[q0 : q0 + batch_size].astype(np.float64)
            sq = np.einsum("ij,ij->i", q, q)[:, None] - 2.0 * (q @ ref.T) + ref_sq[None]
            np.maximum(sq, 0.0, out=sq)
            arg = sq.argmin(axis=1)
            found = sq[np.arange(len(q)), arg]
            better = found < best_sq[q0 : q0 + len(q)]  # strict: ties keep the lower index
            best_sq[q0 : q0 + len(q)][better] = found[better]
            best_index[q0 : q0 + len(q)][better] = arg[better] + r0
    diff = queries.astype(np.float64) - reference[best_index].astype(np.float64)
    return best_index, np.sqrt(np.einsum("ij,ij->i", diff, diff))


@dataclass(frozen=True)
class SpaceReport:
    """Nearest-training-image distances in one space ("pixel" or "feature")."""

    space: str
    generated_quantiles: dict
    heldout_quantiles: dict
    median_ratio: float  # median(generated) / median(held-out)
    copy_threshold: float  # the COPY_PERCENTILE-th percentile of held-out distances
    copy_rate: float  # share of generated samples closer than copy_threshold
    generated_nearest: np.ndarray  # int64 [N_generated] training indices
    heldout_nearest: np.ndarray  # int64 [N_heldout]
    generated_distances: np.ndarray
    heldout_distances: np.ndarray

    def as_dict(self) -> dict:
        return dict(
            space=self.space,
            generated_quantiles=self.generated_quantiles,
            heldout_quantiles=self.heldout_quantiles,
            median_ratio=_json_float(self.median_ratio),
            copy_threshold=self.copy_threshold,
            copy_rate=self.copy_rate,
            generated_nearest=self.generated_nearest.tolist(),
            heldout_nearest=self.heldout_nearest.tolist(),
        )


@dataclass(frozen=True)
class MemorizationReport:
    """Read it as: generated samples should be about as far from the training
    set as held-out real images are, so `median_ratio` near 1 and `copy_rate`
    near COPY_PERCENTILE / 100. `median_ratio` << 1 with a high `copy_rate`
    means the generator reproduces training images (memorization); a ratio
    well above 1 means samples are far from all real images (poor quality, not
    memorization). Pixel distances are blind to small shifts; a feature space
    (`feature_fn`) makes the comparison semantic."""

    num_generated: int
    num_train: int
    num_heldout: int
    pixel: SpaceReport
    feature: Optional[SpaceReport] = None

    def spaces(self) -> list:
        return [s for s in (self.pixel, self.feature) if s is not None]

    def as_dict(self) -> dict:
        """A JSON-serializable dict (non-finite ratios become None)."""
        return dict(
            num_generated=self.num_generated,
            num_train=self.num_train,
            num_heldout=self.num_heldout,
            pixel=self.pixel.as_dict(),
            feature=None if self.feature is None else self.feature.as_dict(),
        )

    def summary(self) -> str:
        """A small text table of distance quantiles, median ratio and copy rate."""
        names = [name for name, _ in QUANTILES]
        lines = [f"{'space':<8} {'set':<10}" + "".join(f"{n:>9}" for n in names)]
        for s in self.spaces():
            for label, q in (
                ("generated", s.generated_quantiles),
                ("held-out", s.heldout_quantiles),
            ):
                lines.append(f"{s.space:<8} {label:<10}" + "".join(f"{q[n]:9.3f}" for n in names))
            lines.append(
                f"{s.space:<8} median ratio {s.median_ratio:.3f}, copy rate "
                f"{s.copy_rate:.3f} (closer than {s.copy_threshold:.3f})"
            )
        return "\n".join(lines)


def _json_float(value) -> Optional[float]:
    return float(value) if math.isfinite(value) else None


def _quantiles(distances) -> dict:
    return {name: float(np.percentile(distances, q)) for name, q in QUANTILES}


def _space_report(space, generated, train, heldout, batch_size) -> SpaceReport:
    gen_index, gen_dist = nearest_neighbours(generated, train, batch_size)
    held_index, held_dist = nearest_neighbours(heldout, train, batch_size)
    gen_median, held_median = float(np.median(gen_dist)), float(np.median(held_dist))
    # A zero held-out median means held-out images duplicate training ones: no reference.
    ratio = gen_median / held_median if held_median > 0 else (math.inf if gen_median else math.nan)
    threshold = float(np.percentile(held_dist, COPY_PERCENTILE))
    return SpaceReport(
        space,
        _quantiles(gen_dist),
        _quantiles(held_dist),
        ratio,
        threshold,
        float(np.mean(gen_dist < threshold)),
        gen_index,
        held_index,
        gen_dist,
        held_dist,
    )


def _as_float_images(images, name) -> np.ndarray:
    """uint8 pixels are scaled to [-1, 1]; float images are taken as already in [-1, 1]."""
    images = np.asarray(images)
    if images.ndim < 2 or len(images) == 0:
        raise ValueError(f"{name} is empty or not a batch of samples (shape {images.shape})")
    return scale_images(images) if images.dtype == np.uint8 else images.astype(np.float32)


def _check_same_shape(**sets):
    shapes = {name: x.shape[1:] for name, x in sets.items()}
    if len(set(shapes.values())) != 1:
        raise ValueError(f"all sets must hold samples of one shape, found {shapes}")


def _features(feature_fn, images, batch_size, name) -> np.ndarray:
    parts = [
        np.asarray(feature_fn(images[i : i + batch_size]))
        for i in range(0, len(images), batch_size)
    ]
    features = np.concatenate([p.reshape(len(p), -1) for p in parts])
    if len(features) != len(images):
        raise ValueError(
            f"feature_fn returned {len(features)} rows for {len(images)} {name} images"
        )
    return features


def memorization_report(
    generated, train, heldout, feature_fn=None, batch_size=1024
) -> MemorizationReport:
    """Nearest-training-image distances of `generated` vs `heldout` samples.

    Images (uint8, or float in [-1, 1]) are compared flattened in [-1, 1] pixel
    space and, if `feature_fn` (float32 images in [-1, 1] -> [n, D] features,
    called on `batch_size` images at a time) is given, in its feature space.
    See `MemorizationReport` for how to read the result.
    """
    sets = {
        name: _as_float_images(x, name)
        for name, x in (("generated", generated), ("train", train), ("heldout", heldout))
    }
    _check_same_shape(**sets)
    pixel = _space_report("pixel", sets["generated"], sets["train"], sets["heldout"], batch_size)
    feature = None
    if feature_fn is not None:
        feats = {name: _features(feature_fn, x, batch_size, name) for name, x in sets.items()}
        _check_same_shape(**feats)
        feature = _space_report(
            "feature", feats["generated"], feats["train"], feats["heldout"], batch_size
        )
    return MemorizationReport(
        len(sets["generated"]), len(sets["train"]), len(sets["heldout"]), pixel, feature
    )


# ------------------------------------------------------------------ picture
def _uint8(images, name) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim != 4 or len(images) == 0:
        raise ValueError(f"{name} must be non-empty images [N, H, W, C], found {images.shape}")
    return images if images.dtype == np.uint8 else unscale_images(images)


def nearest_grid(generated, train, indices, columns=4) -> np.ndarray:
    """A uint8 image showing each generated sample beside its nearest training image(s).

    `indices` is [N] (one neighbour each) or [N, k] training indices, e.g. a
    report's `pixel.generated_nearest`. Every sample and its k neighbours form
    one group, a row of 1 + k tiles (sample first) framed by BORDER pixels;
    `columns` groups go side by side, so groups are 2 * BORDER apart and tiles
    within a group BORDER apart.
    """
    generated, train = _uint8(generated, "generated"), _uint8(train, "train")
    _check_same_shape(generated=generated, train=train)
    indices = np.asarray(indices)
    indices = indices[:, None] if indices.ndim == 1 else indices
    if indices.ndim != 2 or len(indices) != len(generated) or indices.shape[1] == 0:
        raise ValueError(
            f"indices must be [N] or [N, k] with N = {len(generated)} generated "
            f"samples, found shape {indices.shape}"
        )
    if (
        not np.issubdtype(indices.dtype, np.integer)
        or indices.min() < 0
        or indices.max() >= len(train)
    ):
        raise ValueError(f"indices must be integers in [0, {len(train)}) (training images)")
    if int(columns) < 1:
        raise ValueError(f"columns must be >= 1, found {columns}")
    groups = [
        image_grid(np.concatenate([sample[None], train[row]]), nrow=1 + indices.shape[1])
        for sample, row in zip(generated, indices)
    ]
    return image_grid(np.stack(groups), nrow=int(columns))


def write_nearest(generated, train, indices, path, columns=4):
    """Save `nearest_grid(generated, train, indices, columns)` as a PNG at `path`."""
    return save_png(nearest_grid(generated, train, indices, columns), path)
