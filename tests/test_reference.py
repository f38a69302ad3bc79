"""Reference features are cached on disk, keyed by the protocol."""

import numpy as np
import pytest

from tfgan_zoo.metrics.evaluate import evaluate_images
from tfgan_zoo.metrics.reference import ReferenceSpec, load_reference, reference_images


class CountingNetwork:
    """A stand-in feature network: mean brightness per image row, counted calls."""

    def __init__(self, protocol_id="rows-v1"):
        self.protocol_id, self.calls = protocol_id, 0

    def features_and_logits(self, images):
        self.calls += 1
        rows = np.asarray(images, np.float64).mean(axis=(2, 3))
        return rows, rows[:, :10]


SPEC = ReferenceSpec(split="test", size=500, seed=3)


def test_reference_is_computed_once_then_read_from_the_cache(tmp_path):
    network = CountingNetwork()
    first = load_reference(network, SPEC, cache=tmp_path)
    second = load_reference(network, SPEC, cache=tmp_path)
    assert network.calls == 1
    np.testing.assert_array_equal(first.features, second.features)
    assert second.protocol == dict(
        feature_network="rows-v1", dataset="fashion_mnist", split="test", size=500, seed=3
    )
    assert len(list((tmp_path / "reference").glob("*.npz"))) == 1
    assert not list((tmp_path / "reference").glob(".*"))  # no temporary files left


def test_a_different_protocol_is_a_different_cache_entry(tmp_path):
    network = CountingNetwork()
    load_reference(network, SPEC, cache=tmp_path)
    load_reference(network, ReferenceSpec(split="test", size=500, seed=4), cache=tmp_path)
    load_reference(CountingNetwork("rows-v2"), SPEC, cache=tmp_path)
    assert network.calls == 2
    assert len(list((tmp_path / "reference").glob("*.npz"))) == 3


def test_reference_subset_is_seeded_and_sized():
    images, labels = reference_images(SPEC)
    again, _ = reference_images(SPEC)
    assert images.shape == (500, 28, 28, 1) and labels.shape == (500,)
    np.testing.assert_array_equal(images, again)
    other, _ = reference_images(ReferenceSpec(split="test", size=500, seed=4))
    assert not np.array_equal(images, other)


def test_every_value_carries_its_protocol(tmp_path):
    real, _ = reference_images(ReferenceSpec(split="train", size=600, seed=1))
    result = evaluate_images(
        real,
        metrics=("fid", "kid", "pr"),
        feature_network=CountingNetwork(),
        reference=SPEC,
        cache=tmp_path,
        kid_subsets=5,
        kid_subset_size=200,
    )
    names = [m.name for m in result.values]
    assert names == ["fid", "kid", "precision", "recall"]
    for metric in result.values:
        assert metric.protocol["feature_network"] == "rows-v1"
        assert metric.protocol["num_samples"] == 600
        assert metric.protocol["reference"]["size"] == 500
    assert result.as_dict()["kid"]["protocol"]["subsets"] == 5
    # Real vs real is far closer than real vs the same images turned upside down.
    flipped = evaluate_images(
        real[:, ::-1],
        metrics=("fid",),
        feature_network=CountingNetwork(),
        reference=SPEC,
        cache=tmp_path,
    )
    assert result["fid"] < 0.1 * flipped["fid"]


def test_unknown_metrics_and_missing_labels_are_refused(tmp_path):
    images = np.zeros((20, 28, 28, 1), np.uint8)
    with pytest.raises(ValueError, match="unknown metrics"):
        evaluate_images(images, metrics=("fld",), feature_network=CountingNetwork())
    with pytest.raises(ValueError, match="labels"):
        evaluate_images(images, metrics=("cacc",), feature_network=CountingNetwork())
