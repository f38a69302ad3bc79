"""The few TF Serving messages an export and its gRPC client need, without
`tensorflow-serving-api`.

That package declares a dependency on the full `tensorflow` distribution, which
would install beside `tensorflow-cpu`. The messages below copy the field numbers
and types of TF Serving 2.21's `model.proto`, `predict.proto` and
`prediction_log.proto` (fields we never set are left out; a parser keeps them
as unknown fields), so the bytes on the wire and in warmup files are the same
(tests/test_serving.py compares them with bytes from the real classes).

They live in a private descriptor pool, so they never clash with the real
protos when those are installed. Their TensorProto is that pool's class, not
`tf.make_tensor_proto`'s: `tensor_proto` and `to_numpy` move tensors across as
bytes.
"""

import numpy as np
import tensorflow as tf
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, wrappers_pb2
from tensorflow.core.framework import tensor_pb2

PREDICT_METHOD = "/tensorflow.serving.PredictionService/Predict"

_F = descriptor_pb2.FieldDescriptorProto
_OPTIONAL, _REPEATED = _F.LABEL_OPTIONAL, _F.LABEL_REPEATED


def _field(name, number, kind, type_name=None, label=_OPTIONAL, oneof=None):
    field = _F(name=name, number=number, type=kind, label=label)
    if type_name:
        field.type_name = type_name
    if oneof is not None:
        field.oneof_index = oneof
    return field


def _message(name, fields, oneofs=(), nested=()):
    return descriptor_pb2.DescriptorProto(
        name=name,
        field=fields,
        nested_type=nested,
        oneof_decl=[descriptor_pb2.OneofDescriptorProto(name=o) for o in oneofs],
    )


def _tensor_map(owner, name, number):
    """A map<string, tensorflow.TensorProto> field and its entry type."""
    entry = name.capitalize() + "Entry"
    nested = _message(
        entry,
        [
            _field("key", 1, _F.TYPE_STRING),
            _field("value", 2, _F.TYPE_MESSAGE, ".tensorflow.TensorProto"),
        ],
    )
    nested.options.map_entry = True
    return (
        _field(
            name, number, _F.TYPE_MESSAGE, f".tensorflow.serving.{owner}.{entry}", label=_REPEATED
        ),
        nested,
    )


def _serving_file():
    spec = ".tensorflow.serving.ModelSpec"
    inputs, inputs_entry = _tensor_map("PredictRequest", "inputs", 2)
    outputs, outputs_entry = _tensor_map("PredictResponse", "outputs", 1)
    return descriptor_pb2.FileDescriptorProto(
        name="tfgan_zoo/serving/tf_serving_subset.proto",
        package="tensorflow.serving",
        syntax="proto3",
        dependency=[tensor_pb2.DESCRIPTOR.name, wrappers_pb2.DESCRIPTOR.name],
        message_type=[
            _message(
                "ModelSpec",
                [
                    _field("name", 1, _F.TYPE_STRING),
                    _field("version", 2, _F.TYPE_MESSAGE, ".google.protobuf.Int64Value", oneof=0),
                    _field("version_label", 4, _F.TYPE_STRING, oneof=0),
                    _field("signature_name", 3, _F.TYPE_STRING),
                ],
                oneofs=["version_choice"],
            ),
            _message(
                "PredictRequest",
                [
                    _field("model_spec", 1, _F.TYPE_MESSAGE, spec),
                    inputs,
                    _field("output_filter", 3, _F.TYPE_STRING, label=_REPEATED),
                ],
                nested=[inputs_entry],
            ),
            _message(
                "PredictResponse",
                [_field("model_spec", 2, _F.TYPE_MESSAGE, spec), outputs],
                nested=[outputs_entry],
            ),
            _message(
                "PredictLog",
                [
                    _field("request", 1, _F.TYPE_MESSAGE, ".tensorflow.serving.PredictRequest"),
                    _field("response", 2, _F.TYPE_MESSAGE, ".tensorflow.serving.PredictResponse"),
                ],
            ),
            # log_metadata (1) and the other log kinds are left out.
            _message(
                "PredictionLog",
                [
                    _field(
                        "predict_log", 6, _F.TYPE_MESSAGE, ".tensorflow.serving.PredictLog", oneof=0
                    )
                ],
                oneofs=["log_type"],
            ),
        ],
    )


def _add(pool, file, added):
    """Add `file` (a generated module's FileDescriptor) after what it imports."""
    for dependency in file.dependencies:
        _add(pool, dependency, added)
    if file.name not in added:
        proto = descriptor_pb2.FileDescriptorProto()
        file.CopyToProto(proto)
        pool.Add(proto)
        added.add(file.name)


def _build():
    pool, added = descriptor_pool.DescriptorPool(), set()
    for file in (tensor_pb2.DESCRIPTOR, wrappers_pb2.DESCRIPTOR):
        _add(pool, file, added)
    pool.Add(_serving_file())
    return {
        name: message_factory.GetMessageClass(pool.FindMessageTypeByName(full))
        for name, full in (
            ("TensorProto", "tensorflow.TensorProto"),
            *(
                (n, "tensorflow.serving." + n)
                for n in (
                    "ModelSpec",
                    "PredictRequest",
                    "PredictResponse",
                    "PredictLog",
                    "PredictionLog",
                )
            ),
        )
    }


_CLASSES = _build()
TensorProto = _CLASSES["TensorProto"]
ModelSpec = _CLASSES["ModelSpec"]
PredictRequest = _CLASSES["PredictRequest"]
PredictResponse = _CLASSES["PredictResponse"]
PredictLog = _CLASSES["PredictLog"]
PredictionLog = _CLASSES["PredictionLog"]


def tensor_proto(value):
    """This pool's TensorProto for an array (as `tf.make_tensor_proto` writes it)."""
    return TensorProto.FromString(tf.make_tensor_proto(value).SerializeToString())


def to_numpy(proto) -> np.ndarray:
    """The array in a TensorProto of any pool."""
    return tf.make_ndarray(tensor_pb2.TensorProto.FromString(proto.SerializeToString()))


def tensor_map_to_numpy(tensors) -> dict:
    """{name: array} from a request's `inputs` or a response's `outputs`."""
    return {name: to_numpy(proto) for name, proto in tensors.items()}


def model_spec(model_name="generator", signature="serving_default", version=None):
    spec = ModelSpec(name=model_name, signature_name=signature)
    if version is not None:
        spec.version.value = int(version)
    return spec


def predict_request(signature, inputs, model_name="generator", version=None):
    """A PredictRequest for `signature` with {input name: array} `inputs`."""
    request = PredictRequest(model_spec=model_spec(model_name, signature, version))
    for name, value in inputs.items():
        request.inputs[name].CopyFrom(tensor_proto(value))
    return request


def predict_response(outputs, spec=None):
    """A PredictResponse with {output name: array} `outputs` and the request's ModelSpec
    (of any pool)."""
    response = PredictResponse()
    if spec is not None:
        response.model_spec.MergeFromString(spec.SerializeToString())
    for name, value in outputs.items():
        response.outputs[name].CopyFrom(tensor_proto(value))
    return response


def prediction_log(request):
    """The PredictionLog record TF Serving replays as a warmup request."""
    return PredictionLog(predict_log=PredictLog(request=request))
