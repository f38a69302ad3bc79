"""Sample-quality metrics: FID, KID, IS, precision/recall, conditional accuracy,
2D mode coverage, and the memorization check."""

from tfgan_zoo.metrics.evaluate import Evaluation, MetricValue, evaluate_generator, evaluate_images
from tfgan_zoo.metrics.features import FEATURE_NETWORKS, FeatureNetwork, get_feature_network
from tfgan_zoo.metrics.fid import fid, frechet_distance, gaussian_stats
from tfgan_zoo.metrics.inception_score import conditional_accuracy, inception_score
from tfgan_zoo.metrics.kid import kid
from tfgan_zoo.metrics.memorization import memorization_report, nearest_neighbours
from tfgan_zoo.metrics.mode_coverage import (
    ModeCoverage,
    evaluate_mixture,
    mode_coverage,
    perfect_high_quality_fraction,
)
from tfgan_zoo.metrics.precision_recall import precision_recall
from tfgan_zoo.metrics.reference import ReferenceSpec, load_reference

__all__ = [
    "Evaluation",
    "MetricValue",
    "evaluate_generator",
    "evaluate_images",
    "FEATURE_NETWORKS",
    "FeatureNetwork",
    "get_feature_network",
    "fid",
    "frechet_distance",
    "gaussian_stats",
    "conditional_accuracy",
    "inception_score",
    "kid",
    "memorization_report",
    "nearest_neighbours",
    "ModeCoverage",
    "evaluate_mixture",
    "mode_coverage",
    "perfect_high_quality_fraction",
    "precision_recall",
    "ReferenceSpec",
    "load_reference",
]
