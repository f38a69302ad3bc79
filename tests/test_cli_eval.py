"""`tfgan-zoo eval`, `sample --interpolate/--nearest`, and metrics during training."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from helpers.cli import user_error
from PIL import Image
from tensorflow.core.util import event_pb2

from tfgan_zoo.cli import main
from tfgan_zoo.metrics.evaluate import evaluate_generator
from tfgan_zoo.metrics.reference import ReferenceSpec

pytestmark = pytest.mark.slow  # end-to-end runs in fresh processes or trained fixtures


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    path = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TFGAN_ZOO_CACHE", str(path))
        yield path


@pytest.fixture(scope="module")
def cgan_run(tmp_path_factory, cache):
    out = tmp_path_factory.mktemp("runs") / "cgan"
    main(
        [
            "train",
            "cgan",
            "--dataset",
            "fashion_mnist",
            "--epochs",
            "2",
            "--steps-per-epoch",
            "5",
            "--batch-size",
            "16",
            "--base-filters",
            "8",
            "--metrics-every",
            "1",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    return out


def _events(log_dir):
    found = {}
    for path in sorted(log_dir.glob("events.out.tfevents.*")):
        for record in tf.data.TFRecordDataset(str(path)):
            event = event_pb2.Event.FromString(record.numpy())
            for value in event.summary.value:
                found.setdefault(value.tag, []).append((event.step, value))
    return found


def test_training_logs_fid_kid_to_history_and_tensorboard(cgan_run):
    record = json.loads((cgan_run / "run.json").read_text())
    assert len(record["history"]["fid"]) == 2 and len(record["history"]["kid"]) == 2
    assert all(value > 0 for value in record["history"]["fid"])
    events = _events(cgan_run / "logs")
    assert [step for step, _ in events["metrics/fid"]] == [1, 2]
    logged = tf.make_ndarray(events["metrics/fid"][-1][1].tensor)
    assert float(logged) == pytest.approx(record["history"]["fid"][-1], rel=1e-5)
    # The sample grid goes to TensorBoard as the same picture as the PNG.
    step, image = events["samples"][-1]
    png = np.asarray(Image.open(cgan_run / "samples" / "epoch_002.png"))
    width, height, encoded = tf.make_ndarray(image.tensor)
    decoded = tf.io.decode_png(encoded).numpy()
    assert (int(width), int(height)) == (png.shape[1], png.shape[0])
    assert step == 2
    np.testing.assert_array_equal(decoded.reshape(png.shape), png)


def test_eval_writes_values_with_their_protocol(cgan_run, tmp_path):
    out = tmp_path / "eval.json"
    main(
        [
            "eval",
            str(cgan_run),
            "--metrics",
            "fid,cacc",
            "--num-samples",
            "500",
            "--reference-size",
            "2000",
            "--seed",
            "3",
            "--json",
            str(out),
        ]
    )
    written = json.loads(out.read_text())["metrics"]
    assert written["fid"]["protocol"]["reference"] == dict(
        dataset="fashion_mnist", split="train", size=2000, seed=0
    )
    assert written["fid"]["protocol"]["feature_network"].startswith("fashion_mnist-")
    assert written["conditional_accuracy"]["protocol"]["num_samples"] == 500
    # The same numbers as the library call with that protocol.
    model = keras.models.load_model(cgan_run / "model.keras")
    again = evaluate_generator(
        model, ("fid", "cacc"), 500, seed=3, reference=ReferenceSpec(size=2000)
    )
    assert written["fid"]["value"] == pytest.approx(again["fid"], rel=1e-9)
    assert written["conditional_accuracy"]["value"] == again["conditional_accuracy"]


def test_eval_of_a_point_model_reports_mode_coverage(tmp_path, capsys):
    run = tmp_path / "ring"
    main(
        [
            "train",
            "vanilla",
            "--dataset",
            "ring",
            "--epochs",
            "1",
            "--steps-per-epoch",
            "20",
            "--out",
            str(run),
            "--quiet",
        ]
    )
    main(["eval", str(run), "--num-samples", "2500"])
    written = json.loads((run / "eval.json").read_text())["metrics"]
    assert written["modes_covered"]["protocol"]["mixture"] == "ring"
    assert 0 <= written["modes_covered"]["value"] <= 8
    user_error(capsys, ["eval", str(run), "--metrics", "fid"], "unknown metrics")


def test_sample_interpolate_and_nearest(cgan_run, tmp_path):
    main(
        [
            "sample",
            str(cgan_run),
            "--interpolate",
            "slerp",
            "--pairs",
            "3",
            "--steps",
            "5",
            "--out",
            str(tmp_path / "walk.png"),
        ]
    )
    walk = np.asarray(Image.open(tmp_path / "walk.png"))
    assert walk.shape[:2] == (3 * 28 + 4 * 2, 5 * 28 + 6 * 2)
    main(
        [
            "sample",
            str(cgan_run),
            "--nearest",
            "pixel",
            "--n",
            "8",
            "--out",
            str(tmp_path / "nearest.png"),
        ]
    )
    report = json.loads((tmp_path / "nearest.json").read_text())
    assert report["num_generated"] == 8 and report["num_train"] == 60000
    pixel = report["pixel"]
    assert pixel["generated_quantiles"]["min"] > 0  # an untrained G copies nothing
    assert Image.open(tmp_path / "nearest.png").size[0] > 4 * 28
