"""TF Serving's REST predict rules, so the contract is testable without a server.

  request   {"signature_name": S, "instances": [...]}   row format, or
            {"signature_name": S, "inputs": ...}        columnar format
  row       one list entry per example: the bare value when the signature has
            one input, else {input name: value}; entries are stacked into a batch
  columnar  the batched value (one input) or {input name: batched value}
  binary    string inputs may be {"b64": "..."}; outputs whose name ends in
            "_bytes" come back as {"b64": "..."}
  response  row requests get {"predictions": [...]} (bare values when the
            signature has one output); columnar get {"outputs": ...}

`handle_rest_request` applies these rules to a loaded SavedModel the way the
server does; `handle_grpc_request` does the same for a PredictRequest proto.
"""

import base64
import json

import numpy as np
import tensorflow as tf

from tfgan_zoo.serving import protos


class RestRequestError(ValueError):
    """A request TF Serving would reject (HTTP 400), with its reason."""


def _decode_value(value, dtype):
    if isinstance(value, dict):
        if set(value) != {"b64"}:
            raise RestRequestError(
                f"an object value must be {{'b64': ...}}, found keys {sorted(value)}"
            )
        return base64.b64decode(value["b64"])
    if isinstance(value, list):
        return [_decode_value(v, dtype) for v in value]
    return value


def _to_array(value, spec, name):
    value = _decode_value(value, spec.dtype)
    try:
        array = np.array(
            value, dtype=object if spec.dtype == tf.string else spec.dtype.as_numpy_dtype
        )
    except (TypeError, ValueError) as error:
        raise RestRequestError(
            f"input {name!r}: cannot convert to {spec.dtype.name}: {error}"
        ) from error
    if not spec.shape.is_compatible_with(array.shape):
        raise RestRequestError(
            f"input {name!r}: expected shape {spec.shape.as_list()} "
            f"(None: any), found {list(array.shape)}"
        )
    return array


def input_specs(signature) -> dict:
    return dict(signature.structured_input_signature[1])


def parse_rest_request(body, signature) -> tuple:
    """(inputs {name: array}, "row" or "columnar") for `signature`."""
    body = json.loads(body) if isinstance(body, (str, bytes)) else body
    specs = input_specs(signature)
    if ("instances" in body) == ("inputs" in body):
        raise RestRequestError(
            'a request has exactly one of "instances" (row format) and "inputs" (columnar format)'
        )
    if "instances" in body:
        rows = body["instances"]
        if not isinstance(rows, list) or not rows:
            raise RestRequestError('"instances" must be a non-empty list')
        if len(specs) == 1 and not all(isinstance(r, dict) and set(r) == set(specs) for r in rows):
            rows = [{next(iter(specs)): r} for r in rows]
        for row in rows:
            if not isinstance(row, dict) or set(row) != set(specs):
                raise RestRequestError(f"every instance needs exactly the inputs {sorted(specs)}")
        columns = {name: [row[name] for row in rows] for name in specs}
        style = "row"
    else:
        columns = body["inputs"]
        if not isinstance(columns, dict) or set(columns) != set(specs):
            if len(specs) != 1:
                raise RestRequestError(f'"inputs" must name the inputs {sorted(specs)}')
            columns = {next(iter(specs)): columns}
        style = "columnar"
    return {name: _to_array(columns[name], specs[name], name) for name in specs}, style


def _encode(name, array):
    if name.endswith("_bytes"):
        flat = [{"b64": base64.b64encode(v).decode("ascii")} for v in array.reshape(-1)]
        return np.array(flat, dtype=object).reshape(array.shape).tolist()
    return array.tolist()


def encode_rest_response(outputs, style) -> dict:
    outputs = {name: np.asarray(value) for name, value in outputs.items()}
    if style == "columnar":
        encoded = {name: _encode(name, value) for name, value in outputs.items()}
        return {"outputs": next(iter(encoded.values())) if len(encoded) == 1 else encoded}
    count = len(next(iter(outputs.values())))
    rows = [
        {name: _encode(name, value[i : i + 1])[0] for name, value in outputs.items()}
        for i in range(count)
    ]
    return {"predictions": [next(iter(r.values())) if len(r) == 1 else r for r in rows]}


def handle_rest_request(loaded, body, default_signature="serving_default") -> dict:
    """What `POST /v1/models/<name>:predict` returns for `body` on `loaded`."""
    body = json.loads(body) if isinstance(body, (str, bytes)) else body
    name = body.get("signature_name", default_signature)
    if name not in loaded.signatures:
        raise RestRequestError(f"unknown signature {name!r}; have {sorted(loaded.signatures)}")
    signature = loaded.signatures[name]
    inputs, style = parse_rest_request(body, signature)
    outputs = signature(
        **{k: tf.constant(v, dtype=input_specs(signature)[k].dtype) for k, v in inputs.items()}
    )
    return encode_rest_response({k: v.numpy() for k, v in outputs.items()}, style)


def handle_grpc_request(loaded, request):
    """The PredictResponse the server's gRPC Predict returns for `request` (a
    PredictRequest of `tfgan_zoo.serving.protos` or of tensorflow-serving-api)."""
    name = request.model_spec.signature_name or "serving_default"
    signature = loaded.signatures[name]
    specs = input_specs(signature)
    if set(request.inputs) != set(specs):
        raise RestRequestError(
            f"signature {name!r} takes inputs {sorted(specs)}, request has {sorted(request.inputs)}"
        )
    inputs = protos.tensor_map_to_numpy(request.inputs)
    for key, value in inputs.items():
        if value.dtype != specs[key].dtype.as_numpy_dtype:
            raise RestRequestError(
                f"input {key!r}: expected {specs[key].dtype.name}, found {value.dtype}"
            )
    outputs = signature(**{k: tf.constant(v) for k, v in inputs.items()})
    return protos.predict_response({k: v.numpy() for k, v in outputs.items()}, request.model_spec)
