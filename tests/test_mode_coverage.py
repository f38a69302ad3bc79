import math

import numpy as np
import pytest

from tfgan_zoo.data.mixtures import get_mixture, sample_mixture
from tfgan_zoo.metrics import (
    ModeCoverage,
    evaluate_mixture,
    mode_coverage,
    perfect_high_quality_fraction,
)


def test_perfect_fraction_closed_form():
    assert perfect_high_quality_fraction() == pytest.approx(1 - math.exp(-4.5))
    assert perfect_high_quality_fraction() == pytest.approx(0.98889, abs=1e-5)
    assert perfect_high_quality_fraction(2.0) == pytest.approx(1 - math.exp(-2.0))


@pytest.mark.parametrize(
    "name, num_modes, seed", [("grid", 25, 0), ("grid", 25, 1), ("ring", 8, 0), ("ring", 8, 1)]
)
def test_true_samples_score_perfectly(name, num_modes, seed):
    points, _ = sample_mixture(name, 2500, seed=seed)
    score = evaluate_mixture(points, name)
    assert score.modes_covered == num_modes and score.num_modes == num_modes
    assert score.num_samples == 2500
    assert abs(score.high_quality_fraction - perfect_high_quality_fraction()) < 0.015
    # 2500 samples over at most 25 modes are close to uniform.
    assert 0 <= score.reverse_kl < 0.02


def test_all_samples_at_one_centre():
    grid = get_mixture("grid")
    samples = np.repeat(grid.centres[7:8], 100, axis=0)
    score = mode_coverage(samples, grid.centres, grid.sigma)
    assert score.modes_covered == 1
    assert score.high_quality_fraction == 1.0
    assert score.reverse_kl == pytest.approx(math.log(25), abs=1e-12)


def test_far_samples_cover_nothing():
    ring = get_mixture("ring")
    samples = np.array([[5.0, 5.0], [0.0, 0.0], [0.5, 0.5]])
    score = mode_coverage(samples, ring.centres, ring.sigma)
    assert score.modes_covered == 0
    assert score.high_quality_fraction == 0.0
    assert score.reverse_kl == float("inf")


def test_hand_counted_case():
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    sigma = 0.1
    samples = np.array(
        [
            [0.0, 0.0],
            [0.1, 0.0],
            [0.0, -0.29],  # mode 0, all within 3 sigma = 0.3
            [10.0, 0.2],  # mode 1
            [5.0, 5.0],
            [0.0, 0.31],  # nearest mode 0 but too far: low quality
        ]
    )
    score = mode_coverage(samples, centres, sigma)
    assert score.modes_covered == 2 and score.num_modes == 3 and score.num_samples == 6
    assert score.high_quality_fraction == pytest.approx(4 / 6, abs=1e-15)
    # q = (3/4, 1/4, 0) against uniform 1/3.
    expected_kl = 0.75 * math.log(0.75 * 3) + 0.25 * math.log(0.25 * 3)
    assert score.reverse_kl == pytest.approx(expected_kl, abs=1e-12)


def test_threshold_is_inclusive():
    score = mode_coverage([[0.25, 0.0]], [[0.0, 0.0]], sigma=0.125, threshold=2.0)
    assert score.high_quality_fraction == 1.0 and score.modes_covered == 1
    assert score.reverse_kl == 0.0


def test_as_dict_and_frozen():
    score = mode_coverage([[0.0, 0.0]], [[0.0, 0.0], [1.0, 1.0]], sigma=0.01)
    assert score.as_dict() == {
        "modes_covered": 1,
        "num_modes": 2,
        "high_quality_fraction": 1.0,
        "reverse_kl": pytest.approx(math.log(2)),
        "num_samples": 1,
    }
    with pytest.raises(AttributeError):
        score.modes_covered = 2
    assert isinstance(score, ModeCoverage)


def test_empty_samples_and_bad_shapes():
    score = mode_coverage(np.zeros((0, 2)), [[0.0, 0.0]], 0.1)
    assert (score.modes_covered, score.num_samples, score.reverse_kl) == (0, 0, float("inf"))
    with pytest.raises(ValueError, match="samples"):
        mode_coverage(np.zeros((3, 3)), np.zeros((2, 2)), 0.1)
