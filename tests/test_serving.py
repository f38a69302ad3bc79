"""Exported generators: the TF Serving contract, checked without a server."""

import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from helpers.cli import user_error
from helpers.pixels import assert_pixels_of

from tfgan_zoo.cli import main
from tfgan_zoo.gans import DCGAN, ConditionalGAN
from tfgan_zoo.serving import client as client_lib
from tfgan_zoo.serving import (
    export_generator,
    exporter,
    generate_uint8,
    latents_for_seeds,
    next_version,
    protos,
    warmup,
)
from tfgan_zoo.serving.rest import RestRequestError, handle_grpc_request, handle_rest_request
from tfgan_zoo.serving.signatures import generator_output

LATENT = 16
GOLDEN = Path(__file__).parent / "data" / "serving_golden"


@pytest.fixture(scope="module")
def dcgan():
    return DCGAN(latent_dim=LATENT, base_filters=8, seed=0)


@pytest.fixture(scope="module")
def cgan():
    return ConditionalGAN(latent_dim=LATENT, base_filters=8, seed=1)


@pytest.fixture(scope="module")
def exported(tmp_path_factory, dcgan, cgan):
    base = tmp_path_factory.mktemp("serving")
    return {
        "dcgan": export_generator(dcgan, base / "dcgan"),
        "cgan": export_generator(cgan, base / "cgan"),
    }


@pytest.fixture(scope="module")
def loaded(exported):
    return {name: tf.saved_model.load(str(path)) for name, path in exported.items()}


def _z(n, seed=0):
    return np.random.default_rng(seed).standard_normal((n, LATENT)).astype(np.float32)


@pytest.mark.slow
def test_fresh_process_returns_the_same_pixels(exported, dcgan, cgan, tmp_path):
    z1, z64 = _z(1, 1), _z(64, 2)
    labels = (np.arange(64) % 10).astype(np.int32)
    np.savez(tmp_path / "inputs.npz", z1=z1, z64=z64, labels=labels)
    script = textwrap.dedent(f"""
        import numpy as np, tensorflow as tf
        inputs = np.load("{tmp_path}/inputs.npz")
        d = tf.saved_model.load("{exported["dcgan"]}").signatures
        c = tf.saved_model.load("{exported["cgan"]}").signatures
        seeds = tf.constant([7, 8, 9], tf.int64)
        np.savez("{tmp_path}/out.npz",
                 d1=d["generate"](z=tf.constant(inputs["z1"]))["images"].numpy(),
                 d64=d["serving_default"](z=tf.constant(inputs["z64"]))["images"].numpy(),
                 c64=c["generate"](z=tf.constant(inputs["z64"]),
                                   label=tf.constant(inputs["labels"]))["images"].numpy(),
                 s_a=d["sample"](seed=seeds)["images"].numpy(),
                 s_b=d["sample"](seed=seeds)["images"].numpy())
    """)
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True)
    out = np.load(tmp_path / "out.npz")
    assert out["d64"].dtype == np.uint8 and out["d64"].shape == (64, 28, 28, 1)
    assert_pixels_of(out["d1"], generator_output(dcgan.generator, z1))
    assert_pixels_of(out["d64"], generator_output(dcgan.generator, z64))
    assert_pixels_of(out["c64"], generator_output(cgan.generator, z64, labels))
    np.testing.assert_array_equal(out["s_a"], out["s_b"])
    assert_pixels_of(
        out["s_a"], generator_output(dcgan.generator, latents_for_seeds([7, 8, 9], LATENT))
    )
    assert len({image.tobytes() for image in out["d64"]}) == 64  # z matters


def test_sample_depends_on_each_seed_only(loaded):
    sample = loaded["dcgan"].signatures["sample"]
    both = sample(seed=tf.constant([5, 6], tf.int64))["images"].numpy()
    alone = sample(seed=tf.constant([6], tf.int64))["images"].numpy()
    np.testing.assert_array_equal(both[1], alone[0])
    assert not np.array_equal(both[0], both[1])


def test_png_signature_encodes_the_generate_pixels(loaded):
    sigs, z, labels = loaded["cgan"].signatures, _z(3), tf.constant([0, 4, 9], tf.int32)
    pngs = sigs["png"](z=tf.constant(z), label=labels)["images_bytes"].numpy()
    pixels = sigs["generate"](z=tf.constant(z), label=labels)["images"].numpy()
    assert pngs.shape == (3,)
    for data, image in zip(pngs, pixels):
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        np.testing.assert_array_equal(tf.io.decode_png(data).numpy(), image)


def _show(path):
    return subprocess.run(
        ["saved_model_cli", "show", "--dir", str(path), "--all"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_saved_model_cli_shows_the_documented_signatures(exported):
    text = _show(exported["cgan"])
    for name in ("generate", "sample", "png", "serving_default"):
        assert f"signature_def['{name}']" in text
    assert "float16" not in text.lower() and "bfloat16" not in text.lower()
    blocks = {b.split("']")[0]: b for b in text.split("signature_def['")[1:]}
    assert "DT_FLOAT" in blocks["generate"] and f"shape: (-1, {LATENT})" in blocks["generate"]
    assert "DT_UINT8" in blocks["generate"] and "shape: (-1, 28, 28, 1)" in blocks["generate"]
    assert "DT_INT32" in blocks["generate"]  # label
    assert "DT_INT64" in blocks["sample"] and "inputs['seed']" in blocks["sample"]
    assert "DT_STRING" in blocks["png"] and "outputs['images_bytes']" in blocks["png"]
    assert blocks["serving_default"].count("inputs['") == 2


@pytest.mark.slow
def test_saved_model_cli_runs_every_signature(exported, tmp_path):
    np.save(tmp_path / "z.npy", _z(2))
    np.save(tmp_path / "seed.npy", np.array([1, 2], np.int64))
    np.save(tmp_path / "label.npy", np.array([3, 4], np.int32))
    for signature, first in (("generate", "z"), ("sample", "seed"), ("png", "z")):
        out = tmp_path / signature
        subprocess.run(
            [
                "saved_model_cli",
                "run",
                "--dir",
                str(exported["cgan"]),
                "--tag_set",
                "serve",
                "--signature_def",
                signature,
                "--inputs",
                f"{first}={tmp_path / first}.npy;label={tmp_path}/label.npy",
                "--outdir",
                str(out),
            ],
            check=True,
            capture_output=True,
        )
        name = "images_bytes" if signature == "png" else "images"
        assert len(np.load(out / f"{name}.npy", allow_pickle=True)) == 2


def test_warmup_requests_are_valid_for_the_signatures(exported, loaded):
    requests = warmup.read_warmup_requests(exported["cgan"])
    assert sorted(
        (r.model_spec.signature_name, protos.to_numpy(r.inputs["label"]).shape[0]) for r in requests
    ) == sorted((s, b) for s in ("generate", "sample", "png") for b in (1, 8))
    for request in requests:
        response = handle_grpc_request(loaded["cgan"], request)
        (output,) = response.outputs.values()
        assert protos.to_numpy(output).shape[0] == len(protos.to_numpy(request.inputs["label"]))


def _golden_cases():
    """tools/make_serving_golden.py: the golden inputs, and builders using the real classes."""
    path = Path(__file__).resolve().parents[1] / "tools" / "make_serving_golden.py"
    spec = importlib.util.spec_from_file_location("make_serving_golden", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _our_messages(cases) -> dict:
    warm, sample = dict(cases.WARMUP), dict(cases.REQUEST)
    request = protos.predict_request(inputs=cases.pick(sample.pop("inputs")), **sample)
    return {
        "prediction_log": protos.prediction_log(
            protos.predict_request(inputs=cases.pick(warm.pop("inputs")), **warm)
        ),
        "predict_request": request,
        "predict_response": protos.predict_response(
            cases.pick(cases.RESPONSE_OUTPUTS), request.model_spec
        ),
    }


def test_messages_match_bytes_recorded_from_tensorflow_serving():
    cases = _golden_cases()
    ours = _our_messages(cases)
    assert sorted(ours) == sorted(path.stem for path in GOLDEN.glob("*.bin"))
    for name, message in ours.items():
        golden = (GOLDEN / f"{name}.bin").read_bytes()
        assert message.SerializeToString(deterministic=True) == golden, name
        assert type(message).FromString(golden) == message
    request = protos.PredictRequest.FromString((GOLDEN / "predict_request.bin").read_bytes())
    assert request.model_spec.version.value == 3
    for name, value in protos.tensor_map_to_numpy(request.inputs).items():
        assert value.dtype == cases.INPUTS[name].dtype
        np.testing.assert_array_equal(value, cases.INPUTS[name])


def test_messages_match_the_real_tensorflow_serving_classes(exported, loaded):
    pytest.importorskip("tensorflow_serving")
    from tensorflow_serving.apis import predict_pb2, prediction_log_pb2

    cases = _golden_cases()
    real = cases.real_messages()
    for name, message in _our_messages(cases).items():
        data = message.SerializeToString(deterministic=True)
        assert data == real[name].SerializeToString(deterministic=True), name
        assert type(real[name]).FromString(data) == real[name]
    # Each warmup record of an export is what the real classes write for its request.
    path = exported["cgan"] / warmup.WARMUP_FILE
    for record in tf.data.TFRecordDataset(str(path)):
        request = prediction_log_pb2.PredictionLog.FromString(record.numpy()).predict_log.request
        rebuilt = cases.real_request(
            request.model_spec.signature_name,
            request.model_spec.name,
            protos.tensor_map_to_numpy(request.inputs),
        )
        log = prediction_log_pb2.PredictionLog(
            predict_log=prediction_log_pb2.PredictLog(request=rebuilt)
        )
        assert log.SerializeToString(deterministic=True) == record.numpy()
    (output,) = handle_grpc_request(loaded["cgan"], rebuilt).outputs.values()  # a real request
    assert protos.to_numpy(output).shape[0] == len(protos.to_numpy(rebuilt.inputs["label"]))
    # The fields the zoo does not set still travel both ways.
    ours = protos.PredictRequest(
        model_spec=protos.ModelSpec(name="m", version_label="stable"), output_filter=["images"]
    )
    theirs = predict_pb2.PredictRequest.FromString(ours.SerializeToString())
    assert theirs.model_spec.WhichOneof("version_choice") == "version_label"
    assert list(theirs.output_filter) == ["images"]
    assert protos.PredictRequest.FromString(theirs.SerializeToString()) == ours


@pytest.mark.parametrize("style", ["instances", "inputs"])
def test_rest_json_round_trip(loaded, style):
    model = loaded["cgan"]
    z, labels = _z(2), [1, 7]
    direct = model.signatures["generate"](z=tf.constant(z), label=tf.constant(labels))
    body = json.loads(
        json.dumps(client_lib.rest_body("generate", {"z": z, "label": labels}, style))
    )
    response = json.loads(json.dumps(handle_rest_request(model, body)))
    assert set(response) == {"predictions" if style == "instances" else "outputs"}
    images = client_lib.decode_rest_response(response, ("images",))["images"]
    np.testing.assert_array_equal(images, direct["images"].numpy())
    # PNG bytes travel as {"b64": ...} and decode to the same pixels.
    body = client_lib.rest_body("png", {"z": z, "label": labels}, style)
    response = json.loads(json.dumps(handle_rest_request(model, body)))
    first = response["predictions"][0] if style == "instances" else response["outputs"][0]
    assert set(first) == {"b64"}
    pngs = client_lib.decode_rest_response(response, ("images_bytes",))["images_bytes"]
    np.testing.assert_array_equal(tf.io.decode_png(pngs[1]).numpy(), images[1])


def test_rest_row_format_with_a_single_input_takes_bare_values(loaded):
    response = handle_rest_request(
        loaded["dcgan"], {"signature_name": "sample", "instances": [3, 4]}
    )
    assert np.asarray(response["predictions"]).shape == (2, 28, 28, 1)


def test_bad_requests_get_clear_errors(loaded):
    dcgan, cgan = loaded["dcgan"], loaded["cgan"]
    with pytest.raises(RestRequestError, match=r"input 'z': expected shape \[None, 16\]"):
        handle_rest_request(dcgan, {"instances": [[0.0] * 7]})
    with pytest.raises(RestRequestError, match="exactly one of"):
        handle_rest_request(dcgan, {"instances": [[0.0] * 16], "inputs": [[0.0] * 16]})
    with pytest.raises(RestRequestError, match="unknown signature"):
        handle_rest_request(dcgan, {"signature_name": "translate", "instances": [1]})
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"z must have shape \[batch, 16\]"):
        dcgan.signatures["generate"](z=tf.zeros([1, 7]))
    with pytest.raises((TypeError, tf.errors.InvalidArgumentError), match="int64"):
        dcgan.signatures["sample"](seed=tf.constant([1.5]))
    request = protos.predict_request("sample", {"seed": np.array([1.0], np.float32)})
    with pytest.raises(RestRequestError, match="expected int64"):
        handle_grpc_request(dcgan, request)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"label must be in \[0, 10\)"):
        cgan.signatures["generate"](z=tf.constant(_z(2)), label=tf.constant([3, 10]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="z must be finite"):
        dcgan.signatures["generate"](z=tf.fill([1, LATENT], np.nan))


def test_versions_count_up_and_are_never_overwritten(tmp_path, dcgan):
    base = tmp_path / "model"
    assert export_generator(dcgan, base).name == "1"
    assert export_generator(dcgan, base).name == "2"
    assert next_version(base) == 3
    with pytest.raises(FileExistsError, match="never overwritten"):
        export_generator(dcgan, base, version=2)
    assert export_generator(dcgan, base, version=10).name == "10"
    assert sorted(p.name for p in base.iterdir()) == ["1", "10", "2"]


def test_an_interrupted_export_leaves_no_version(tmp_path, dcgan, monkeypatch):
    def fail(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(warmup, "write_warmup_requests", fail)
    with pytest.raises(KeyboardInterrupt):
        export_generator(dcgan, tmp_path / "model")
    assert list((tmp_path / "model").iterdir()) == []


def test_model_card_describes_the_export(exported):
    card = json.loads((exported["cgan"] / exporter.CARD_NAME).read_text())
    assert card["variant"] == "ConditionalGAN" and card["latent_dim"] == LATENT
    assert card["labels"] == list(range(10)) and card["data_shape"] == [28, 28, 1]
    assert set(card["signatures"]) == {"generate", "sample", "png", "serving_default"}
    assert card["tfgan_zoo_version"]


def test_point_models_are_refused(tmp_path):
    from tfgan_zoo.gans import VanillaGAN

    with pytest.raises(ValueError, match="only image generators"):
        export_generator(VanillaGAN(latent_dim=2), tmp_path / "points")
    assert not (tmp_path / "points").exists()


@pytest.mark.slow
def test_cli_export_writes_the_next_version_with_the_run_record(tmp_path, capsys):
    run = tmp_path / "run"
    main(
        [
            "train",
            "dcgan",
            "--epochs",
            "1",
            "--steps-per-epoch",
            "2",
            "--batch-size",
            "8",
            "--base-filters",
            "8",
            "--latent-dim",
            "8",
            "--out",
            str(run),
            "--quiet",
        ]
    )
    main(["export", str(run), "--to", str(tmp_path / "serve")])
    main(["export", str(run), "--to", str(tmp_path / "serve")])
    card = json.loads((tmp_path / "serve" / "2" / "model_card.json").read_text())
    assert card["training"]["variant"] == "dcgan" and card["source"] == str(run)
    user_error(
        capsys,
        ["export", str(run), "--to", str(tmp_path / "serve"), "--version", "1"],
        "never overwritten",
    )


def test_a_model_serves_the_endpoints_it_declares(tmp_path):
    """The exporter asks the model what to serve: a subclass that adds a signature
    gets it exported, next to the ones it inherits, with no change to the exporter."""
    import keras

    class MeanImageDCGAN(DCGAN):
        def serving_endpoints(self):
            def mean_image(seed):
                z = latents_for_seeds(seed, self.latent_dim)
                return {
                    "images": generate_uint8(
                        self.generator, keras.ops.mean(z, axis=0, keepdims=True)
                    )
                }

            return {
                **super().serving_endpoints(),
                "mean_image": (mean_image, [tf.TensorSpec([None], tf.int64, name="seed")]),
            }

    model = MeanImageDCGAN(image_shape=(28, 28, 1), latent_dim=8, base_filters=8, seed=0)
    path = export_generator(model, tmp_path / "mean")
    loaded = tf.saved_model.load(str(path))
    assert {"generate", "sample", "png", "mean_image", "serving_default"} <= set(loaded.signatures)
    seeds = tf.constant([3, 4, 5], tf.int64)
    z = latents_for_seeds(seeds, 8)
    got = loaded.signatures["mean_image"](seed=seeds)["images"]
    assert_pixels_of(
        got, generator_output(model.generator, tf.reduce_mean(z, axis=0, keepdims=True))
    )
    with pytest.raises(ValueError, match="declares no serving endpoints"):
        export_generator(object(), tmp_path / "nothing")
