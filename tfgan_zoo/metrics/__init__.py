"""Sample-quality metrics."""
from tfgan_zoo.metrics.mode_coverage import (ModeCoverage, evaluate_mixture, mode_coverage,
                                             perfect_high_quality_fraction)

__all__ = ["ModeCoverage", "evaluate_mixture", "mode_coverage", "perfect_high_quality_fraction"]
