"""Fine-tuning from a zoo entry: `tfgan-zoo train dcgan --init-from fashion_dcgan`
on a folder of new images learns them faster than the same network from scratch."""

import numpy as np
import pytest
from helpers.learning import learning_seed, record
from PIL import Image

from tfgan_zoo.cli import main
from tfgan_zoo.data import load_fashion_mnist
from tfgan_zoo.metrics.evaluate import evaluate_generator
from tfgan_zoo.metrics.reference import ReferenceSpec
from tfgan_zoo.training import load_run

FOOTWEAR = (5, 7, 9)  # sandals, sneakers, ankle boots
STEPS = 150


def _train(folder, out, seed, *init_from):
    main(
        [
            "train",
            "dcgan",
            "--dataset",
            str(folder),
            "--latent-dim",
            "64",
            "--base-filters",
            "32",  # fashion_dcgan's network, so both runs train the same one
            "--epochs",
            "1",
            "--steps-per-epoch",
            str(STEPS),
            "--seed",
            str(seed),
            "--quiet",
            "--out",
            str(out),
            *init_from,
        ]
    )
    model, _ = load_run(out)
    return model


@pytest.mark.slow
@pytest.mark.learning
def test_fine_tuning_a_zoo_dcgan_beats_training_from_scratch_at_the_same_steps(tmp_path):
    """A folder of 1,000 new 28×28 images (footwear from the Fashion-MNIST test
    split, which no entry trained on); 150 steps of 64 from fashion_dcgan's weights
    against 150 from a fresh init, FID of 1,000 samples against the folder with
    the shipped classifier. Seeds 0-2 (tools/learning_spread.py), from the entry
    of 28,140 steps: fine-tuned FID 255-272, from scratch 589-638, a ratio of
    0.40-0.46 (from 0.1.0's entry of 4,690 steps: 238-251, 600-641, 0.37-0.42).
    Asserted: fine-tuned < 0.6 × scratch."""
    seed = learning_seed()
    images, labels = load_fashion_mnist("test")
    folder = tmp_path / "footwear"
    folder.mkdir()
    for i, image in enumerate(images[np.isin(labels, FOOTWEAR)][:1000]):
        Image.fromarray(image[..., 0]).save(folder / f"{i:04d}.png")
    tuned = _train(folder, tmp_path / "tuned", seed, "--init-from", "fashion_dcgan")
    scratch = _train(folder, tmp_path / "scratch", seed)
    reference = ReferenceSpec(dataset=str(folder), size=None)
    fid_tuned, fid_scratch = (
        evaluate_generator(model, ("fid",), 1000, seed=seed, reference=reference)["fid"]
        for model in (tuned, scratch)
    )
    record(
        fid_tuned=fid_tuned,
        fid_scratch=fid_scratch,
        ratio=fid_tuned / fid_scratch,
        thresholds={"ratio": "< 0.6"},
    )
    assert fid_tuned < 0.6 * fid_scratch
