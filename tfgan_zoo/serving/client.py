"""A small client for an exported generator behind `tensorflow_model_server`.

    client = GeneratorClient("localhost", model="fashion_dcgan")
    images = client.predict_rest("sample", {"seed": [1, 2, 3]})["images"]   # uint8
    images = client.predict_grpc("generate", {"z": z})["images"]

REST bodies use the row ("instances") format by default; `*_bytes` outputs are
base64-decoded back to bytes. gRPC needs only `grpcio`, which TensorFlow
installs: the messages come from `tfgan_zoo.serving.protos`, and the call goes
through grpc's generic API, so `tensorflow-serving-api` is not needed.
"""

import base64
import json
import urllib.request

import numpy as np

INPUT_DTYPES = {"z": np.float32, "seed": np.int64, "label": np.int32}
OUTPUT_DTYPES = {"images": np.uint8}


def _arrays(inputs) -> dict:
    return {name: np.asarray(value, INPUT_DTYPES.get(name)) for name, value in inputs.items()}


def rest_body(signature, inputs, style="instances") -> dict:
    """The JSON body of a predict request (row "instances" or columnar "inputs")."""
    arrays = _arrays(inputs)
    if style == "inputs":
        return {
            "signature_name": signature,
            "inputs": {name: value.tolist() for name, value in arrays.items()},
        }
    count = len(next(iter(arrays.values())))
    return {
        "signature_name": signature,
        "instances": [
            {name: value[i].tolist() for name, value in arrays.items()} for i in range(count)
        ],
    }


def _decode(name, value):
    if name.endswith("_bytes"):
        return np.array([base64.b64decode(v["b64"]) for v in value], dtype=object)
    return np.asarray(value, OUTPUT_DTYPES.get(name))


def decode_rest_response(response, output_names) -> dict:
    """{output name: numpy array} from a predict response body.

    The server drops the name when a signature has one output, so the caller
    says which outputs the signature has (`signature_outputs`).
    """
    single = len(output_names) == 1
    if "outputs" in response:
        outputs = response["outputs"]
        if single and not (isinstance(outputs, dict) and set(outputs) == set(output_names)):
            outputs = {output_names[0]: outputs}
        return {name: _decode(name, value) for name, value in outputs.items()}
    rows = response["predictions"]
    if single:
        return {output_names[0]: _decode(output_names[0], rows)}
    return {name: _decode(name, [row[name] for row in rows]) for name in output_names}


def grpc_request(signature, inputs, model="generator", version=None):
    from tfgan_zoo.serving import protos

    return protos.predict_request(signature, _arrays(inputs), model, version)


def decode_grpc_response(response) -> dict:
    from tfgan_zoo.serving import protos

    return protos.tensor_map_to_numpy(response.outputs)


def _grpc():
    try:
        import grpc
    except ImportError as error:
        raise ImportError("the gRPC client needs grpcio: pip install grpcio") from error
    return grpc


class GeneratorClient:
    def __init__(
        self, host="localhost", model="generator", rest_port=8501, grpc_port=8500, timeout=30.0
    ):
        self.host, self.model = host, model
        self.rest_port, self.grpc_port, self.timeout = rest_port, grpc_port, timeout

    def rest_url(self, version=None) -> str:
        path = f"/v1/models/{self.model}" + ("" if version is None else f"/versions/{version}")
        return f"http://{self.host}:{self.rest_port}{path}:predict"

    def predict_rest(self, signature, inputs, version=None, style="instances") -> dict:
        body = json.dumps(rest_body(signature, inputs, style)).encode()
        request = urllib.request.Request(
            self.rest_url(version), data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as reply:
            return decode_rest_response(json.loads(reply.read()), signature_outputs(signature))

    def predict_grpc(self, signature, inputs, version=None) -> dict:
        from tfgan_zoo.serving import protos

        grpc = _grpc()
        with grpc.insecure_channel(f"{self.host}:{self.grpc_port}") as channel:
            predict = channel.unary_unary(
                protos.PREDICT_METHOD,
                request_serializer=protos.PredictRequest.SerializeToString,
                response_deserializer=protos.PredictResponse.FromString,
            )
            reply = predict(
                grpc_request(signature, inputs, self.model, version), timeout=self.timeout
            )
        return decode_grpc_response(reply)


def signature_outputs(signature) -> tuple:
    """Output names of the exported signatures (one output each)."""
    return ("images_bytes",) if signature == "png" else ("images",)
