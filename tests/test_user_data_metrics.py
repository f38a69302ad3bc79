"""Metrics on the user's own data: a feature classifier trained by `tfgan-zoo
features train`, FID against a folder, and what `eval` reports without one."""

import json

import numpy as np
import pytest
from helpers.cli import user_error
from helpers.learning import learning_seed, record
from helpers.pictures import coloured_items
from PIL import Image

from tfgan_zoo.cli import main
from tfgan_zoo.data.pipeline import scale_images
from tfgan_zoo.metrics import get_feature_network
from tfgan_zoo.metrics.classifier import CARD_FILE, WEIGHTS_FILE
from tfgan_zoo.metrics.evaluate import evaluate_images
from tfgan_zoo.metrics.reference import ReferenceSpec

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def labelled_folder(tmp_path_factory):
    """600 coloured Fashion-MNIST items at 16×16, in class folders named by class."""
    root = tmp_path_factory.mktemp("labelled")
    images, labels = coloured_items(600, side=16)
    for i, (image, label) in enumerate(zip(images, labels)):
        (root / f"class_{label}").mkdir(exist_ok=True)
        Image.fromarray(image).save(root / f"class_{label}" / f"{i:04d}.png")
    return root, images, labels


@pytest.fixture(scope="module")
def classifier(labelled_folder, tmp_path_factory):
    root, _, _ = labelled_folder
    out = tmp_path_factory.mktemp("classifier") / "net"
    main(
        [
            "features",
            "train",
            "--dataset",
            str(root),
            "--labels",
            "subfolders",
            "--epochs",
            "8",
            "--seed",
            str(learning_seed()),
            "--out",
            str(out),
        ]
    )
    return out


@pytest.mark.learning
def test_a_trained_classifier_has_a_card_and_beats_chance(classifier):
    """Held-out accuracy 0.72 / 0.63 / 0.68 at seeds 0 / 1 / 2 (10 classes of items
    in random colours, 540 training images, 60 held out; chance 0.11)."""
    card = json.loads((classifier / CARD_FILE).read_text())
    assert card["input_shape"] == [16, 16, 3] and card["num_classes"] == 10
    assert card["held_out_images"] == 60 and card["train_images"] == 540
    record(accuracy=card["held_out_accuracy"], thresholds={"accuracy": "> 0.25"})
    assert card["chance_accuracy"] < 0.15 and card["held_out_accuracy"] > 0.25
    assert card["training"]["command"].startswith("tfgan-zoo ")
    network = get_feature_network(str(classifier))
    assert network.protocol_id == f"classifier-{card['sha256'][:12]}"
    assert network.accepts((16, 16, 3)) and not network.accepts((8, 8, 3))


@pytest.mark.learning
def test_fid_against_the_folder_is_low_for_its_images_and_high_for_noise(
    labelled_folder, classifier
):
    """Against the folder, 300 of its own images score FID 0.13-0.18 and 300 noise
    images 45-58 over seeds 0-2 (ratio > 240)."""
    root, images, _ = labelled_folder
    reference = ReferenceSpec(dataset=str(root), size=None)
    network = str(classifier)
    real = evaluate_images(
        images[:300], metrics=("fid",), feature_network=network, reference=reference
    )["fid"]
    noise = np.random.default_rng(0).integers(0, 256, (300, 16, 16, 3), dtype=np.uint8)
    fake = evaluate_images(noise, metrics=("fid",), feature_network=network, reference=reference)[
        "fid"
    ]
    record(real=real, noise=fake, thresholds={"noise/real": "> 10"})
    assert fake > 10 * real


def test_a_tampered_classifier_is_refused(classifier, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(classifier, copy)
    with open(copy / WEIGHTS_FILE, "r+b") as f:
        f.seek(-16, 2)
        f.write(b"\0" * 16)
    with pytest.raises(ValueError, match="does not match its card"):
        get_feature_network(str(copy))


def test_eval_uses_the_classifier_and_says_what_it_cannot_measure(
    labelled_folder, classifier, tmp_path, capsys
):
    root, _, _ = labelled_folder
    run = tmp_path / "run"
    main(
        [
            "train",
            "dcgan",
            "--dataset",
            str(root),
            "--epochs",
            "1",
            "--steps-per-epoch",
            "2",
            "--batch-size",
            "8",
            "--jit-compile",
            "false",
            "--quiet",
            "--out",
            str(run),
        ]
    )
    main(
        [
            "eval",
            str(run),
            "--feature-network",
            str(classifier),
            "--num-samples",
            "200",
            "--metrics",
            "fid,kid",
        ]
    )
    metrics = json.loads((run / "eval.json").read_text())["metrics"]
    assert metrics["fid"]["protocol"]["feature_network"].startswith("classifier-")
    assert metrics["fid"]["protocol"]["reference"]["dataset"] == str(root)
    assert metrics["fid"]["value"] > 0
    # Without a feature network: one line says so, and pixel memorization is reported.
    capsys.readouterr()
    main(["eval", str(run), "--num-samples", "100", "--json", str(tmp_path / "plain.json")])
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("note: no feature network fits these 16×16×3")
    report = json.loads((tmp_path / "plain.json").read_text())
    assert report["memorization"]["num_generated"] == 100
    assert (tmp_path / "eval_samples.png").exists()
    user_error(
        capsys,
        [
            "features",
            "train",
            "--dataset",
            str(root),
            "--labels",
            "subfolders",
            "--out",
            str(classifier),
        ],
        "already holds a classifier",
    )
    user_error(
        capsys,
        ["features", "train", "--dataset", "ring", "--out", str(tmp_path / "x")],
        "ring has no class labels",
    )


def test_scale_of_the_reference_matches_training(labelled_folder):
    """The reference is converted as training converted the data (here to 8×8 grey)."""
    from tfgan_zoo.metrics.reference import reference_images

    root, images, _ = labelled_folder
    found, labels = reference_images(
        ReferenceSpec(dataset=str(root), size=50, image_size=8, channels=1)
    )
    assert found.shape == (50, 8, 8, 1) and labels is None  # a reference needs no labels
    assert abs(float(scale_images(found).mean()) - float(scale_images(images).mean())) < 0.1


@pytest.mark.learning
def test_dcgan_trained_from_the_cli_on_a_64_pixel_colour_folder_improves_fid(tmp_path):
    """DCGAN (base_filters 16; four stages at 64×64, 4×4×128 → 64×64×3; Adam 5e-4)
    trained by `tfgan-zoo train` for 1,000 steps of 32 on 2,000 Fashion-MNIST items
    drawn at 64×64 in random colours (PNG and JPEG), measured with a classifier
    that `tfgan-zoo features train` fitted on the same folder (2 epochs, held-out
    accuracy ~0.65): 1,000 samples' FID falls from the untrained generator's by a
    factor of 22.0 / 9.6 / 9.1 at seeds 0 / 1 / 2 on an AMD EPYC (FID 52-78
    untrained, 2.4-8.1 trained). Asserted: > 3.5, above the 3x the project asks
    for. 600 steps were too few to hold on every machine: 5.34 / 5.50 / 5.19 on an
    Intel Xeon but 3.21 / 2.90 / 6.02 on the AMD EPYC (800 steps: 7.16 / 4.76 /
    5.60); the run is still taking off there. With the two-stage nets of before
    (16×16 first map), 900 steps gave 2.6 and 1.9 at seeds 1 and 2: shapes need
    the deeper G's whole-image first map."""
    from tfgan_zoo.gans import DCGAN
    from tfgan_zoo.metrics.evaluate import evaluate_generator
    from tfgan_zoo.training import load_run

    seed = learning_seed()
    root = tmp_path / "items"
    images, labels = coloured_items(2000, side=64, seed=seed)
    for i, (image, label) in enumerate(zip(images, labels)):
        (root / f"class_{label}").mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(
            root / f"class_{label}" / f"{i:04d}.{'png' if i % 2 else 'jpg'}"
        )
    main(
        [
            "features",
            "train",
            "--dataset",
            str(root),
            "--labels",
            "subfolders",
            "--epochs",
            "2",
            "--seed",
            str(seed),
            "--out",
            str(tmp_path / "net"),
        ]
    )
    run = tmp_path / "run"
    main(
        [
            "train",
            "dcgan",
            "--dataset",
            str(root),
            "--base-filters",
            "16",
            "--batch-size",
            "32",
            "--lr",
            "5e-4",
            "--epochs",
            "1",
            "--steps-per-epoch",
            "1000",
            "--seed",
            str(seed),
            "--quiet",
            "--out",
            str(run),
        ]
    )
    trained, _ = load_run(run)
    untrained = DCGAN(image_shape=(64, 64, 3), base_filters=16, seed=seed)
    reference = ReferenceSpec(dataset=str(root), size=None)
    fids = [
        evaluate_generator(
            model,
            ("fid",),
            1000,
            seed=seed,
            reference=reference,
            feature_network=str(tmp_path / "net"),
        )["fid"]
        for model in (untrained, trained)
    ]
    record(
        fid_untrained=fids[0],
        fid_trained=fids[1],
        ratio=fids[0] / fids[1],
        thresholds={"ratio": "> 3.5"},
    )
    assert fids[0] / fids[1] > 3.5
