"""Evaluate images or a generator: every number is stored with its protocol.

A metric value means little without how it was measured (feature network and
weights, how many samples, against which real images), so each result carries
that protocol and two results with different protocols are not comparable.
"""

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tfgan_zoo.data.padding import crop_images
from tfgan_zoo.metrics.fid import fid
from tfgan_zoo.metrics.inception_score import conditional_accuracy, inception_score
from tfgan_zoo.metrics.kid import kid
from tfgan_zoo.metrics.mode_coverage import evaluate_mixture
from tfgan_zoo.metrics.precision_recall import precision_recall
from tfgan_zoo.metrics.reference import ReferenceSpec, load_reference, reference_protocol

IMAGE_METRICS = ("fid", "kid", "pr", "is", "cacc")
POINT_METRICS = ("modes",)
DEFAULT_METRICS = ("fid", "kid", "pr")


@dataclass
class MetricValue:
    name: str
    value: float
    std: float | None = None
    protocol: dict = field(default_factory=dict)


@dataclass
class Evaluation:
    values: list

    def __getitem__(self, name) -> float:
        for metric in self.values:
            if metric.name == name:
                return metric.value
        raise KeyError(f"{name!r} was not measured; have {[m.name for m in self.values]}")

    def as_dict(self) -> dict:
        return {m.name: {k: v for k, v in asdict(m).items() if k != "name"} for m in self.values}

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2)

    def table(self) -> str:
        lines = ["| metric | value | ± | samples | reference |", "|---|---|---|---|---|"]
        for m in self.values:
            ref = m.protocol.get("reference")
            ref = "-" if ref is None else f"{ref['dataset']}/{ref['split']} ({ref['size']})"
            std = "" if m.std is None else f"{m.std:.4g}"
            lines.append(
                f"| {m.name} | {m.value:.4g} | {std} | "
                f"{m.protocol.get('num_samples', '-')} | {ref} |"
            )
        return "\n".join(lines)


def _check_metrics(metrics, known):
    unknown = [m for m in metrics if m not in known]
    if unknown:
        raise ValueError(f"unknown metrics {unknown}; choose from {list(known)}")


def evaluate_images(
    images: np.ndarray,
    labels: np.ndarray | None = None,
    metrics: Sequence[str] = DEFAULT_METRICS,
    feature_network: Any = "fashion_mnist",
    reference: ReferenceSpec = ReferenceSpec(),
    data_dir: str | None = None,
    cache: str | Path | None = None,
    seed: int = 0,
    kid_subsets: int = 100,
    kid_subset_size: int = 1000,
    pr_k: int = 3,
    is_splits: int = 10,
) -> Evaluation:
    """Metrics of generated (or any) images against the real reference set.

    `images`: uint8 or [-1, 1] float [N, 28, 28, 1] (larger ones, e.g. 32×32 samples,
    are centre-cropped to the network's input); `labels`: the class each
    image was generated for (needed by "cacc", conditional accuracy).
    `feature_network`: a name in `features.FEATURE_NETWORKS` or any object with
    `protocol_id` and `features_and_logits(images)` (your own network).
    """
    from tfgan_zoo.metrics.features import get_feature_network

    metrics = tuple(metrics)
    _check_metrics(metrics, IMAGE_METRICS)
    if "cacc" in metrics and labels is None:
        raise ValueError(
            "conditional accuracy ('cacc') needs the labels the images were generated for"
        )
    network = (
        feature_network
        if hasattr(feature_network, "features_and_logits")
        else get_feature_network(feature_network)
    )
    images, cropped = _fit_to_network(images, network)
    features, logits = network.features_and_logits(images)
    base = dict(feature_network=network.protocol_id, num_samples=len(features))
    if cropped:
        base["centre_crop"] = cropped
    needs_reference = any(m in metrics for m in ("fid", "kid", "pr"))
    ref = load_reference(network, reference, data_dir, cache) if needs_reference else None
    with_ref = dict(base, reference=reference_protocol(reference))
    values = []
    real = None if ref is None else ref.features
    for name in metrics:
        if name == "fid":
            values.append(MetricValue("fid", fid(features, real), None, with_ref))
        elif name == "kid":
            mean, std = kid(features, real, kid_subsets, kid_subset_size, seed)
            values.append(
                MetricValue(
                    "kid",
                    mean,
                    std,
                    dict(
                        with_ref, subsets=kid_subsets, subset_size=kid_subset_size, kernel="cubic"
                    ),
                )
            )
        elif name == "pr":
            precision, recall = precision_recall(real, features, pr_k)
            protocol = dict(with_ref, k=pr_k)
            values += [
                MetricValue("precision", precision, None, protocol),
                MetricValue("recall", recall, None, protocol),
            ]
        elif name == "is":
            mean, std = inception_score(logits, is_splits)
            values.append(MetricValue("inception_score", mean, std, dict(base, splits=is_splits)))
        elif name == "cacc":
            values.append(
                MetricValue(
                    "conditional_accuracy", conditional_accuracy(logits, labels), None, base
                )
            )
    return Evaluation(values)


def _fit_to_network(images, network):
    """Images larger than a fixed-size network's input (32×32 samples of a
    progressive model, the 28×28 classifier) are centre-cropped to it; returns
    (images, crop side or None)."""
    expected = getattr(network, "input_shape", None)
    shape = np.shape(images)
    if (
        expected
        and len(shape) == 4
        and shape[3] == expected[2]
        and shape[1] >= expected[0]
        and shape[2] >= expected[1]
        and shape[1:3] != tuple(expected[:2])
    ):
        return crop_images(np.asarray(images), expected[0]), int(expected[0])
    return images, None


def generate(model, num_samples, seed=0):
    """(samples, labels): class-balanced labels for a conditional model, else None."""
    labels = None
    if model.num_classes is not None:
        labels = np.arange(num_samples) % model.num_classes
    return model.sample(num_samples, labels=labels, seed=seed), labels


def evaluate_generator(
    model: Any,
    metrics: Sequence[str] | None = None,
    num_samples: int = 10_000,
    seed: int = 0,
    mixture: str | None = None,
    **kwargs: Any,
) -> Evaluation:
    """Samples `num_samples` from `model` (latent seed `seed`) and evaluates them.

    2D point models are scored by mode coverage of `mixture` ('grid' or 'ring');
    image models by `metrics` (see `evaluate_images`; "cacc" is added for
    conditional models by default).
    """
    samples, labels = generate(model, num_samples, seed)
    if samples.ndim == 2:
        if mixture is None:
            raise ValueError(
                "a 2D point model is scored on a mixture: pass mixture='grid' or 'ring'"
            )
        _check_metrics(metrics or POINT_METRICS, POINT_METRICS)
        score = evaluate_mixture(samples, mixture)
        protocol = dict(mixture=mixture, num_samples=num_samples, seed=seed, rule="3 sigma")
        return Evaluation(
            [
                MetricValue("modes_covered", score.modes_covered, None, protocol),
                MetricValue("high_quality", score.high_quality_fraction, None, protocol),
                MetricValue("reverse_kl", score.reverse_kl, None, protocol),
            ]
        )
    if metrics is None:
        metrics = DEFAULT_METRICS + (("cacc",) if labels is not None else ())
    return evaluate_images(samples, labels, metrics, seed=seed, **kwargs)
