"""Record golden bytes of TF Serving messages built with the real tensorflow-serving-api.

    pip download --no-deps -d /tmp/tfs_whl "tensorflow-serving-api>=2.21,<2.22"
    pip install --no-deps --target /tmp/tfs /tmp/tfs_whl/*.whl
    PYTHONPATH=/tmp/tfs python tools/make_serving_golden.py

tests/test_serving.py checks that `tfgan_zoo.serving.protos` writes the same bytes
as tests/data/serving_golden/<name>.bin, and, when the real package can be
imported, compares with `real_messages()` directly.
"""

import sys
from pathlib import Path

import numpy as np

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "data" / "serving_golden"
INPUTS = {
    "z": np.linspace(-1.5, 2.0, 8, dtype=np.float32).reshape(2, 4),
    "label": np.array([3, 9], np.int32),
    "seed": np.array([7, 2**40 + 1], np.int64),
    "images": np.arange(18, dtype=np.uint8).reshape(2, 3, 3, 1) * 14,
}
WARMUP = dict(signature="generate", model_name="generator", inputs=("z", "label"))
REQUEST = dict(
    signature="sample",
    model_name="fashion_cgan",
    version=3,
    inputs=("z", "label", "seed", "images"),
)
RESPONSE_OUTPUTS = ("images",)


def real_request(signature, model_name, inputs, version=None):
    """A real PredictRequest with {name: array} `inputs` (ImportError without the package)."""
    import tensorflow as tf
    from tensorflow_serving.apis import predict_pb2

    message = predict_pb2.PredictRequest()
    message.model_spec.name, message.model_spec.signature_name = model_name, signature
    if version is not None:
        message.model_spec.version.value = version
    for name, value in inputs.items():
        message.inputs[name].CopyFrom(tf.make_tensor_proto(value))
    return message


def pick(names) -> dict:
    return {name: INPUTS[name] for name in names}


def real_messages() -> dict:
    """{golden name: message} from the real classes."""
    import tensorflow as tf
    from tensorflow_serving.apis import predict_pb2, prediction_log_pb2

    warm, sample = dict(WARMUP), dict(REQUEST)
    warm_request = real_request(inputs=pick(warm.pop("inputs")), **warm)
    request = real_request(inputs=pick(sample.pop("inputs")), **sample)
    response = predict_pb2.PredictResponse()
    response.model_spec.CopyFrom(request.model_spec)
    for name, value in pick(RESPONSE_OUTPUTS).items():
        response.outputs[name].CopyFrom(tf.make_tensor_proto(value))
    log = prediction_log_pb2.PredictionLog(
        predict_log=prediction_log_pb2.PredictLog(request=warm_request)
    )
    return {"prediction_log": log, "predict_request": request, "predict_response": response}


def main():
    try:
        messages = real_messages()
    except ImportError:
        sys.exit("needs tensorflow-serving-api on PYTHONPATH: see this script's docstring")
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for name, message in messages.items():
        data = message.SerializeToString(deterministic=True)
        (GOLDEN / f"{name}.bin").write_bytes(data)
        print(f"wrote {GOLDEN / name}.bin ({len(data)} bytes)")


if __name__ == "__main__":
    main()
