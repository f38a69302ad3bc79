"""2D Gaussian-mixture benchmarks for mode collapse (ring of 8, grid of 25).

Centres and widths follow the usual papers (VEEGAN, PacGAN): ring radius 1,
sigma 0.01; grid {-4, -2, 0, 2, 4}^2, sigma 0.05.
"""

from dataclasses import dataclass

import numpy as np


def ring_centres(num_modes=8, radius=1.0) -> np.ndarray:
    """float64 [num_modes, 2] at angles 2*pi*k/num_modes, k = 0..num_modes-1.

    Not `linspace(0, 2*pi, num_modes)`, which would place the last centre on the first.
    """
    angles = 2.0 * np.pi * np.arange(num_modes) / num_modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def grid_centres() -> np.ndarray:
    """float64 [25, 2]: {-4, -2, 0, 2, 4}^2 in row-major order, x outer and y inner.

    Mode k is at (x, y) = (-4 + 2 * (k // 5), -4 + 2 * (k % 5)).
    """
    values = np.arange(-4.0, 5.0, 2.0)
    xs, ys = np.meshgrid(values, values, indexing="ij")
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


@dataclass(frozen=True)
class Mixture:
    """An isotropic Gaussian mixture with equal weights."""

    name: str
    centres: np.ndarray  # float64 [num_modes, 2]
    sigma: float

    @property
    def num_modes(self) -> int:
        return len(self.centres)


MIXTURES = {
    "ring": Mixture("ring", ring_centres(), 0.01),
    "grid": Mixture("grid", grid_centres(), 0.05),
}


def get_mixture(name: str) -> Mixture:
    if name not in MIXTURES:
        raise ValueError(f"unknown mixture {name!r}; expected one of {sorted(MIXTURES)}")
    return MIXTURES[name]


def sample_mixture(name: str, n: int, seed=0):
    """Return `(points float32 [n, 2], mode_labels int64 [n])`, modes chosen uniformly."""
    mixture = get_mixture(name)
    rng = np.random.default_rng(seed)
    modes = rng.integers(0, mixture.num_modes, size=n, dtype=np.int64)
    points = mixture.centres[modes] + mixture.sigma * rng.standard_normal((n, 2))
    return points.astype(np.float32), modes
