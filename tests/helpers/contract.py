"""What every registered model promises, checked from its name alone.

`check_contract(name, tmp_path)`:
  - `tfgan-zoo train NAME` for 2 steps on its default dataset (builds the model
    from the data's shape, compiles it with its defaults and fits it);
  - `get_config` -> `from_config` gives the same config;
  - the `.keras` file the run wrote loads, saves and loads again to equal outputs;
  - the same seed gives the same preview images (samples, or outputs for fixed
    inputs), and for a GAN another seed gives other samples;
  - `tfgan-zoo export` writes a SavedModel whose every signature, called with
    the same inputs in a Python process that never imports tfgan_zoo
    (`helpers.saved_model_process`), returns what the model's own serving
    functions return in this process.
"""

import json

import keras
import numpy as np
import tensorflow as tf

from helpers.pixels import assert_same_pixels
from helpers.saved_model_process import signature_outputs
from tfgan_zoo import training
from tfgan_zoo.cli import main
from tfgan_zoo.registry import registered
from tfgan_zoo.serving.exporter import existing_versions

# A batch of 10 divides by every model's D steps (1, 2 or 5).
TRAIN_ARGS = ["--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "10", "--quiet"]
REQUEST_ROWS = 2


def models_of(kind, part=None, parts=1):
    """Registered names of `kind`, optionally the `part`-th of `parts` slices (so
    one kind's checks can spread over several test files)."""
    names = list(registered(kind))
    return names if part is None else names[part::parts]


def request_for(specs, num_classes, rng):
    """Inputs for a signature, one per input spec."""
    inputs = {}
    for spec in specs:
        shape = [REQUEST_ROWS if d is None else d for d in spec.shape]
        if spec.dtype == tf.uint8:
            value = rng.integers(0, 256, shape).astype(np.uint8)
        elif spec.dtype.is_floating and spec.name in ("truncation", "psi"):
            value = rng.uniform(0.5, 1.0, shape).astype(spec.dtype.as_numpy_dtype)
        elif spec.dtype.is_floating:
            value = rng.standard_normal(shape).astype(spec.dtype.as_numpy_dtype)
        elif "label" in spec.name:
            value = np.arange(np.prod(shape)).reshape(shape) % (num_classes or 1)
        else:
            value = np.arange(np.prod(shape)).reshape(shape) + 7  # seeds
        inputs[spec.name] = tf.constant(value, spec.dtype)
    return inputs


def as_arrays(result):
    if isinstance(result, dict):
        return {k: np.asarray(v) for k, v in result.items()}
    return {"output": np.asarray(result)}


def assert_same(a, b, what):
    for key in a:
        if a[key].dtype.kind in "SO":  # encoded images (png): the same pixels
            assert a[key].shape == b[key].shape, (what, key)
            for ours, theirs in zip(a[key].ravel(), b[key].ravel()):
                assert_same_pixels(_png(theirs), _png(ours), f"{what}: {key}")
        elif a[key].dtype == np.uint8:
            assert_same_pixels(b[key], a[key], f"{what}: {key}")
        else:
            np.testing.assert_allclose(
                np.asarray(a[key], np.float64),
                np.asarray(b[key], np.float64),
                atol=1e-5,
                err_msg=f"{what}: {key}",
            )


def _png(data):
    return tf.io.decode_png(data).numpy()


def check_contract(name, tmp_path):
    run = tmp_path / "run"
    main(["train", name, "--out", str(run), *TRAIN_ARGS])
    record = json.loads((run / "run.json").read_text())
    assert record["status"] == "finished" and record["variant"] == name
    model, _ = training.load_run(run)
    assert type(model) is registered()[name].cls
    cls = type(model)
    data = training.load_training_data(
        record["dataset"],
        8,
        labels=False,
        steps_per_epoch=1,
        pixels=cls.training_pixels,
        power_of_two=cls.power_of_two_sides,
        translation=training.translation_kind(name),
        episodes=training.episode_references(name),
    )
    inputs = next(iter(data.every_example))
    images = inputs[0] if isinstance(inputs, tuple) else inputs

    preview = np.asarray(model.preview_images(4, 1, inputs))
    assert np.isfinite(preview).all() and preview.shape[1:] == tuple(images.shape[1:])
    np.testing.assert_array_equal(preview, np.asarray(model.preview_images(4, 1, inputs)))
    if registered()[name].kind == "gan":  # a sampler: another seed, other samples
        assert np.abs(preview - np.asarray(model.preview_images(4, 2, inputs))).max() > 1e-3

    config = model.get_config()
    rebuilt = type(model).from_config(config)
    assert rebuilt.get_config() == config
    # Keras loads a .keras file through from_config and then the weights: the
    # round trip below checks that the rebuilt model, given the weights, agrees.
    assert type(rebuilt) is cls

    path = tmp_path / "again.keras"
    model.save(path)
    again = keras.saving.load_model(path)
    assert_same(as_arrays(preview), as_arrays(again.preview_images(4, 1, inputs)), ".keras")

    base = tmp_path / "served"
    main(["export", str(run), "--to", str(base)])
    export_dir = base / str(existing_versions(base)[-1])
    rng = np.random.default_rng(0)
    endpoints = model.serving_endpoints()
    requests = {
        sig: request_for(specs, model.num_classes, rng) for sig, (fn, specs) in endpoints.items()
    }
    in_process = {sig: as_arrays(endpoints[sig][0](*requests[sig].values())) for sig in endpoints}
    fresh = signature_outputs(
        export_dir,
        {name: {k: v.numpy() for k, v in inputs.items()} for name, inputs in requests.items()},
        tmp_path,
    )
    for sig in endpoints:
        ours, theirs = in_process[sig], fresh[sig]
        if list(ours) == ["output"]:
            assert len(theirs) == 1, (sig, list(theirs))
            theirs = {"output": next(iter(theirs.values()))}
        assert_same(ours, theirs, f"signature {sig}")
    return model
