"""Metrics with the shipped Fashion-MNIST classifier: the real-data floor, a
collapsed generator, and a briefly trained cGAN against an untrained one."""

import numpy as np
import pytest
from helpers.learning import learning_seed, record, seed_everything

from tfgan_zoo.data import image_dataset, load_fashion_mnist
from tfgan_zoo.gans import ConditionalGAN
from tfgan_zoo.metrics.evaluate import evaluate_generator, evaluate_images
from tfgan_zoo.metrics.reference import ReferenceSpec

REFERENCE = ReferenceSpec(split="train", size=5000, seed=0)
SAMPLES = 2000
FAST = dict(reference=REFERENCE, kid_subsets=20, kid_subset_size=500)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def floor(cache):
    test_images, _ = load_fashion_mnist("test")
    return evaluate_images(
        test_images[:SAMPLES], metrics=("fid", "kid", "pr", "is"), cache=cache, **FAST
    )


def test_real_data_floor(floor):
    # Held-out real images against training images: the best a generator can do.
    # (2,000 samples bias FID up: the full 10k test split scores about 0.3.)
    kid = next(m for m in floor.values if m.name == "kid")
    assert floor["fid"] < 2.0
    assert abs(kid.value) < 2 * kid.std  # consistent with 0: KID is unbiased
    assert floor["precision"] > 0.7 and floor["recall"] > 0.7
    assert floor["inception_score"] > 7.0  # 10 balanced, confidently classified classes


def test_padded_samples_are_scored_on_their_centre(floor, cache):
    from tfgan_zoo.data.padding import pad_images

    test_images, _ = load_fashion_mnist("test")
    padded = evaluate_images(
        pad_images(test_images[:SAMPLES], 32),
        metrics=("fid", "kid", "pr", "is"),
        cache=cache,
        **FAST,
    )
    for name in ("fid", "kid", "precision", "recall", "inception_score"):
        assert padded[name] == floor[name]
    assert padded.values[0].protocol["centre_crop"] == 28


def test_one_repeated_image_has_no_recall_and_a_high_fid(floor, cache):
    train_images, _ = load_fashion_mnist("train")
    collapsed = np.repeat(train_images[12345:12346], SAMPLES, axis=0)
    result = evaluate_images(collapsed, metrics=("fid", "pr", "is"), cache=cache, **FAST)
    assert result["recall"] < 0.01
    assert result["fid"] > 50 * max(floor["fid"], 0.1)
    assert result["inception_score"] == pytest.approx(1.0, abs=1e-3)


@pytest.mark.slow
@pytest.mark.learning
def test_brief_cgan_training_beats_an_untrained_generator(cache):
    """One epoch (375 steps of 64) on 24,000 images, 2,000 samples scored.

    Seeds 0-2: FID 712-719 -> 195-217, a ratio of 0.27-0.30; conditional
    accuracy 0.10 (one class for every label) -> 0.62-0.70. Asserted: ratio
    < 0.4; accuracy < 0.3 untrained, > 0.45 trained.
    """
    images, labels = load_fashion_mnist("train")
    seed = seed_everything()
    model = ConditionalGAN(data_shape=(28, 28, 1), latent_dim=32, base_filters=32, seed=seed)
    model.compile()
    metrics = ("fid", "cacc")
    untrained = evaluate_generator(
        model, metrics, SAMPLES, seed=learning_seed(), cache=cache, **FAST
    )
    data = image_dataset(images[:24000], labels[:24000], batch_size=64, seed=seed)
    model.fit(data, epochs=1, verbose=0)  # 375 steps
    trained = evaluate_generator(model, metrics, SAMPLES, seed=learning_seed(), cache=cache, **FAST)
    record(
        fid_untrained=untrained["fid"],
        fid=trained["fid"],
        fid_ratio=trained["fid"] / untrained["fid"],
        accuracy_untrained=untrained["conditional_accuracy"],
        accuracy=trained["conditional_accuracy"],
        thresholds=dict(fid_ratio="< 0.4", accuracy_untrained="< 0.3", accuracy="> 0.45"),
    )
    assert trained["fid"] < 0.4 * untrained["fid"]
    assert untrained["conditional_accuracy"] < 0.3  # chance is 0.1
    assert trained["conditional_accuracy"] > 0.45
