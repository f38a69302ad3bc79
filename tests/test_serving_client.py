"""The serving client against loopback stand-ins of the model server's REST and
gRPC front ends, which apply TF Serving's rules to a loaded export."""

import json
import threading
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.gans import ConditionalGAN
from tfgan_zoo.serving import export_generator, protos
from tfgan_zoo.serving.client import GeneratorClient
from tfgan_zoo.serving.rest import RestRequestError, handle_grpc_request, handle_rest_request


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    gan = ConditionalGAN(latent_dim=8, base_filters=8, seed=3)
    return tf.saved_model.load(str(export_generator(gan, tmp_path_factory.mktemp("m") / "gan")))


@pytest.fixture(scope="module")
def rest_port(model):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            assert self.path == "/v1/models/gan:predict"
            body = self.rfile.read(int(self.headers["Content-Length"]))
            try:
                status, reply = 200, handle_rest_request(model, body)
            except RestRequestError as error:
                status, reply = 400, {"error": str(error)}
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


@pytest.fixture(scope="module")
def grpc_port(model):
    service, method = protos.PREDICT_METHOD.strip("/").split("/")
    predict = grpc.unary_unary_rpc_method_handler(
        lambda request, context: handle_grpc_request(model, request),
        request_deserializer=protos.PredictRequest.FromString,
        response_serializer=protos.PredictResponse.SerializeToString,
    )
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers(
        [grpc.method_handlers_generic_handler(service, {method: predict})]
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield port
    server.stop(None)


def test_rest_and_grpc_clients_get_the_signature_outputs(model, rest_port, grpc_port):
    client = GeneratorClient("127.0.0.1", model="gan", rest_port=rest_port, grpc_port=grpc_port)
    seeds, labels = [11, 12, 13], [0, 5, 9]
    expected = model.signatures["sample"](
        seed=tf.constant(seeds, tf.int64), label=tf.constant(labels)
    )["images"].numpy()
    for style in ("instances", "inputs"):
        rest = client.predict_rest("sample", {"seed": seeds, "label": labels}, style=style)
        assert rest["images"].dtype == np.uint8
        np.testing.assert_array_equal(rest["images"], expected)
    np.testing.assert_array_equal(
        client.predict_grpc("sample", {"seed": seeds, "label": labels})["images"], expected
    )
    pngs = client.predict_rest("png", {"z": np.zeros((2, 8)), "label": [1, 2]})["images_bytes"]
    assert all(p[:4] == b"\x89PNG" for p in pngs)


def test_rest_client_sees_a_bad_request_as_http_400(rest_port):
    import urllib.error

    client = GeneratorClient("127.0.0.1", model="gan", rest_port=rest_port)
    with pytest.raises(urllib.error.HTTPError) as caught:
        client.predict_rest("generate", {"z": np.zeros((1, 5)), "label": [0]})
    assert caught.value.code == 400
    assert "expected shape [None, 8]" in json.loads(caught.value.read())["error"]
