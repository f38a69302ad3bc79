"""Latent-space tools: interpolation paths, latent arithmetic and their image grids.

Every function here is deterministic: latents come from `model.sample_latent`
with a seed built from the `seed` argument alone (not from the model's own
noise seed), so the same seed gives the same latents for every checkpoint of a
model, and perturbations come from `numpy.random.default_rng(seed)`.
"""

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo.engine.noise import draw_seed
from tfgan_zoo.images import image_grid, save_png

# Below this sin(angle) the great circle through z0 and z1 is ill-defined (the
# vectors are (anti)parallel), so slerp falls back to lerp.
_PARALLEL_SIN = 1e-6
METHODS = ("lerp", "slerp")


# ------------------------------------------------------------------ validation
def _vector(z, name) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 1 or z.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D latent vector, found shape {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return z


def _pair(z0, z1):
    z0, z1 = _vector(z0, "z0"), _vector(z1, "z1")
    if z0.shape != z1.shape:
        raise ValueError(f"z0 and z1 must have the same shape, found {z0.shape} and {z1.shape}")
    return z0, z1


def _check_steps(steps) -> int:
    if int(steps) != steps or steps < 2:
        raise ValueError(f"steps must be an integer >= 2 (both endpoints), found {steps!r}")
    return int(steps)


def _latent_group(z, name, latent_dim) -> np.ndarray:
    """[n, D] (or one [D] vector) latents of the model's size, as float64."""
    z = np.asarray(z, dtype=np.float64)
    z = z[None] if z.ndim == 1 else z
    if z.ndim != 2 or len(z) == 0:
        raise ValueError(f"{name} must be [n, D] latents with n >= 1, found shape {z.shape}")
    if latent_dim is not None and z.shape[1] != latent_dim:
        raise ValueError(f"{name} has latent size {z.shape[1]}, the model expects {latent_dim}")
    return z


def _labels(model, labels, count) -> np.ndarray:
    """One label per row for conditional models (default 0..count-1 mod classes), else None."""
    if model.num_classes is None:
        if labels is not None:
            raise ValueError("labels were given, but the model is unconditional")
        return None
    if labels is None:
        return np.arange(count) % model.num_classes
    labels = np.asarray(labels)
    if labels.shape != (count,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"labels must be {count} integers, found shape {labels.shape} and dtype {labels.dtype}"
        )
    if labels.min() < 0 or labels.max() >= model.num_classes:
        raise ValueError(
            f"labels must lie in [0, {model.num_classes}), found {labels.min()}..{labels.max()}"
        )
    return labels


# --------------------------------------------------------------- interpolation
def lerp(z0, z1, steps) -> np.ndarray:
    """`steps` points on the straight line from z0 to z1, as float32 [steps, D]."""
    z0, z1 = _pair(z0, z1)
    t = np.linspace(0.0, 1.0, _check_steps(steps))[:, None]
    path = (1.0 - t) * z0 + t * z1
    path[0], path[-1] = z0, z1  # exact endpoints, whatever the rounding above
    return path.astype(np.float32)


def slerp(z0, z1, steps) -> np.ndarray:
    """`steps` points from z0 to z1 along the great circle, as float32 [steps, D].

    The direction turns at a constant angular rate through the angle between
    z0 and z1 while the norm goes linearly from |z0| to |z1|, so equal-norm
    endpoints give a path of constant norm. Gaussian latents concentrate near a
    sphere; lerp cuts through its inside, where the generator saw few samples.
    (Anti)parallel or zero vectors have no unique great circle: lerp is used.
    """
    z0, z1 = _pair(z0, z1)
    steps = _check_steps(steps)
    n0, n1 = np.linalg.norm(z0), np.linalg.norm(z1)
    if n0 == 0.0 or n1 == 0.0:
        return lerp(z0, z1, steps)
    u0, u1 = z0 / n0, z1 / n1
    omega = np.arccos(np.clip(np.dot(u0, u1), -1.0, 1.0))
    if np.sin(omega) < _PARALLEL_SIN:
        return lerp(z0, z1, steps)
    t = np.linspace(0.0, 1.0, steps)[:, None]
    direction = (np.sin((1.0 - t) * omega) * u0 + np.sin(t * omega) * u1) / np.sin(omega)
    path = direction * ((1.0 - t) * n0 + t * n1)
    path[0], path[-1] = z0, z1
    return path.astype(np.float32)


def _generate(model, z, labels) -> np.ndarray:
    z = tf.constant(np.asarray(z, np.float32))
    if labels is not None:
        labels = tf.constant(np.asarray(labels, np.int32))
    return keras.ops.convert_to_numpy(model.generate(z, labels))


def interpolation_latents(model, pairs=4, seed=0) -> tuple:
    """The (z0, z1) endpoints, each [pairs, D] float32, that `interpolation_grid` uses."""
    if int(pairs) != pairs or pairs < 1:
        raise ValueError(f"pairs must be an integer >= 1, found {pairs!r}")
    # A named draw: never the seed of a training, `sample` or serving draw.
    z = model.sample_latent(2 * int(pairs), draw_seed(int(seed), "interpolation"))
    z = keras.ops.convert_to_numpy(z).astype(np.float32)
    return z[0::2], z[1::2]


def interpolation_grid(model, pairs=4, steps=8, method="slerp", seed=0, labels=None) -> np.ndarray:
    """A uint8 grid of `pairs` rows x `steps` columns of generated images.

    Row i walks from z0[i] (first column) to z1[i] (last column) with `method`
    ("slerp" or "lerp"); endpoints come from `interpolation_latents(model,
    pairs, seed)`. Conditional models keep one label per row: `labels` ([pairs]
    ints), by default 0, 1, ... modulo `num_classes`.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, found {method!r}")
    steps = _check_steps(steps)
    z0, z1 = interpolation_latents(model, pairs, seed)
    labels = _labels(model, labels, len(z0))
    walk = lerp if method == "lerp" else slerp
    paths = np.concatenate([walk(a, b, steps) for a, b in zip(z0, z1)])
    row_labels = None if labels is None else np.repeat(labels, steps)
    return image_grid(_generate(model, paths, row_labels), nrow=steps)


# ------------------------------------------------------------------ arithmetic
def latent_arithmetic(z_a, z_b, z_c) -> np.ndarray:
    """mean(z_a) - mean(z_b) + mean(z_c) as float32 [D]; each group is [n, D] (n may differ).

    Averaging a few latents per concept cancels their idiosyncrasies (Radford et
    al., 2016, "smiling woman - neutral woman + neutral man").
    """
    groups = [
        _latent_group(z, name, None) for z, name in ((z_a, "z_a"), (z_b, "z_b"), (z_c, "z_c"))
    ]
    sizes = {g.shape[1] for g in groups}
    if len(sizes) != 1:
        raise ValueError(
            f"z_a, z_b and z_c must share one latent size, found {[g.shape[1] for g in groups]}"
        )
    a, b, c = (g.mean(axis=0) for g in groups)
    return (a - b + c).astype(np.float32)


def arithmetic_latents(z_a, z_b, z_c, perturbations=7, std=0.25, seed=0) -> np.ndarray:
    """[1 + perturbations, D]: the result latent, then result + N(0, std^2) noise."""
    result = latent_arithmetic(z_a, z_b, z_c)
    noise = np.random.default_rng(seed).normal(0.0, std, (int(perturbations), result.size))
    return np.concatenate([result[None], (result + noise).astype(np.float32)])


def arithmetic_grid(
    model, z_a, z_b, z_c, perturbations=7, std=0.25, seed=0, label=None
) -> np.ndarray:
    """A uint8 grid of four rows, as many columns as the longest row:

      row 0: images of z_a;  row 1: images of z_b;  row 2: images of z_c;
      row 3: the image of mean(z_a) - mean(z_b) + mean(z_c), then `perturbations`
             images of it plus N(0, std^2) noise (seeded by `seed`), to show that
             the result is a region of latent space, not a lucky point.

    Shorter rows are padded with white tiles. Conditional models draw every
    image with `label` (default 0).
    """
    latent_dim = model.latent_dim
    groups = [
        _latent_group(z, name, latent_dim) for z, name in ((z_a, "z_a"), (z_b, "z_b"), (z_c, "z_c"))
    ]
    rows = groups + [arithmetic_latents(*groups, perturbations, std, seed)]
    columns = max(len(r) for r in rows)
    latents = np.concatenate(rows)
    labels = None
    if model.num_classes is not None:
        labels = _labels(model, np.full(len(latents), 0 if label is None else label), len(latents))
    elif label is not None:
        raise ValueError("label was given, but the model is unconditional")
    images = _generate(model, latents, labels)
    if images.ndim != 4:
        raise ValueError(f"the model must generate images [N, H, W, C], found {images.shape}")
    blank = np.ones_like(images[:1])  # +1 is white in the generator's [-1, 1] range
    tiles, start = [], 0
    for r in rows:
        tiles += [images[start : start + len(r)]] + [blank] * (columns - len(r))
        start += len(r)
    return image_grid(np.concatenate(tiles), nrow=columns)


# ------------------------------------------------------------------ traversal
def traversal_latents(latent_dim, dims, values, base=None) -> np.ndarray:
    """[len(dims) * len(values), D]: row i sets coordinate dims[i] of `base`
    (default the prior's mode, 0) to each of `values` in turn."""
    base = (np.zeros(latent_dim) if base is None else _vector(base, "base")).astype(np.float32)
    if base.shape != (latent_dim,):
        raise ValueError(f"base must have shape ({latent_dim},), found {base.shape}")
    dims = [int(d) for d in dims]
    if not dims or min(dims) < 0 or max(dims) >= latent_dim:
        raise ValueError(f"dims must be in [0, {latent_dim}), found {dims}")
    values = np.asarray(values, np.float32)
    out = np.repeat(base[None], len(dims) * len(values), axis=0)
    for i, dim in enumerate(dims):
        out[i * len(values) : (i + 1) * len(values), dim] = values
    return out


def traversal_grid(
    model,
    dims=range(8),
    values=(-3, -2.25, -1.5, -0.75, 0, 0.75, 1.5, 2.25, 3),
    base=None,
    label=None,
) -> np.ndarray:
    """A uint8 grid: one row per latent coordinate in `dims`, sweeping it over
    `values` while the others stay at `base`; shows what each coordinate
    controls (the usual VAE/InfoGAN latent traversal)."""
    dims = [d for d in dims if d < model.latent_dim]
    latents = traversal_latents(model.latent_dim, dims, values, base)
    labels = None
    if model.num_classes is not None:
        labels = _labels(model, np.full(len(latents), 0 if label is None else label), len(latents))
    return image_grid(_generate(model, latents, labels), nrow=len(np.asarray(values)))


# ------------------------------------------------------------------ writers
def write_interpolation(model, path, **kwargs):
    """Save `interpolation_grid(model, **kwargs)` as a PNG at `path`; returns the path."""
    return save_png(interpolation_grid(model, **kwargs), path)


def write_arithmetic(model, path, z_a, z_b, z_c, **kwargs):
    """Save `arithmetic_grid(model, z_a, z_b, z_c, **kwargs)` as a PNG at `path`."""
    return save_png(arithmetic_grid(model, z_a, z_b, z_c, **kwargs), path)
