"""Mode coverage of 2D samples against a Gaussian mixture (VEEGAN/PacGAN protocol).

A sample is high quality if it lies within `threshold * sigma` of its nearest
centre; a mode is covered if at least one high-quality sample is nearest to it.
"""

import math
from dataclasses import asdict, dataclass

import numpy as np

from tfgan_zoo.data.mixtures import get_mixture


@dataclass(frozen=True)
class ModeCoverage:
    modes_covered: int
    num_modes: int
    high_quality_fraction: float
    # KL(q || uniform) for q the mode histogram of high-quality samples; inf if there are none.
    reverse_kl: float
    num_samples: int

    def as_dict(self) -> dict:
        return asdict(self)


def perfect_high_quality_fraction(threshold=3.0) -> float:
    """P(|x - mu| <= threshold * sigma) for a 2D isotropic Gaussian: the score of a perfect generator."""
    return 1.0 - math.exp(-(threshold**2) / 2.0)


def mode_coverage(samples, centres, sigma, threshold=3.0) -> ModeCoverage:
    """Score `samples` [N, 2] against mixture `centres` [M, 2] of width `sigma`."""
    samples = np.asarray(samples, dtype=np.float64)
    centres = np.asarray(centres, dtype=np.float64)
    if samples.ndim != 2 or centres.ndim != 2 or samples.shape[1] != centres.shape[1]:
        raise ValueError(
            f"expected samples [N, D] and centres [M, D], found {samples.shape} and {centres.shape}"
        )
    num_modes = len(centres)
    num_samples = len(samples)
    if num_samples == 0:
        return ModeCoverage(0, num_modes, 0.0, float("inf"), 0)

    distances = np.linalg.norm(samples[:, None, :] - centres[None, :, :], axis=-1)
    nearest = distances.argmin(axis=1)
    high_quality = distances[np.arange(num_samples), nearest] <= threshold * sigma
    counts = np.bincount(nearest[high_quality], minlength=num_modes)

    num_hq = int(counts.sum())
    if num_hq == 0:
        reverse_kl = float("inf")
    else:
        # KL(q || p) sums over q > 0 only, so empty modes need no epsilon.
        q = counts[counts > 0] / num_hq
        reverse_kl = float(np.sum(q * np.log(q * num_modes)))
    return ModeCoverage(
        modes_covered=int(np.count_nonzero(counts)),
        num_modes=num_modes,
        high_quality_fraction=num_hq / num_samples,
        reverse_kl=reverse_kl,
        num_samples=num_samples,
    )


def evaluate_mixture(samples, name: str, threshold=3.0) -> ModeCoverage:
    """`mode_coverage` against the named mixture from `tfgan_zoo.data.mixtures`."""
    mixture = get_mixture(name)
    return mode_coverage(samples, mixture.centres, mixture.sigma, threshold)
