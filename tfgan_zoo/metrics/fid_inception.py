"""The FID Inception network: the 2015-12-05 Inception graph FID was defined with.

Published FIDs (Heusel et al. 2017 and most papers since) use the frozen TensorFlow
graph `classify_image_graph_def.pb` from `inception-2015-12-05.tgz`: 2048-d
features from its `pool_3` layer and, for the Inception Score, logits from the
`softmax/logits/MatMul` weights (no bias, as in the IS authors' code). Keras'
ImageNet InceptionV3 (`inception_v3`) is another network with other weights, and
its FIDs are not comparable with published numbers; this graph's are.

The graph is read from a local file (never downloaded). Images in [-1, 1] are fed
to its `ExpandDims:0` tensor as [N, H, W, 3] floats in [0, 255]; the graph resizes
them to 299×299 and normalises them itself, so nothing else is done here.
"""

import functools
from pathlib import Path

import tensorflow as tf

INPUT_TENSOR = "ExpandDims:0"
FEATURE_TENSOR = "pool_3:0"
LOGITS_MATMUL = "softmax/logits/MatMul"
GRAPH_ENV_VAR = "TFGAN_ZOO_FID_INCEPTION_GRAPH"
GRAPH_FILE = "classify_image_graph_def.pb"


class FIDInceptionGraph:
    """Callable like a Keras model: `(images in [-1, 1], training=False)` ->
    (features [N, 2048], logits [N, 1008]) from the frozen graph."""

    def __init__(self, graph_def, source="graph"):
        try:
            weights_name = _node(graph_def, LOGITS_MATMUL).input[1]
            # Only what the features and the weights need: the graph's own logits
            # path reshapes pool_3 to a batch of 1, which a batch cannot pass.
            needed = tf.compat.v1.graph_util.extract_sub_graph(
                graph_def, [FEATURE_TENSOR.split(":")[0], weights_name.split(":")[0]]
            )
        except (KeyError, AssertionError, IndexError) as error:
            raise self._not_the_graph(source, error) from None

        def imported(images):
            features, weights = tf.graph_util.import_graph_def(
                needed,
                input_map={INPUT_TENSOR: images},
                return_elements=[FEATURE_TENSOR, _tensor_name(weights_name)],
                name="fid_inception",
            )
            features = tf.reshape(features, [-1, features.shape[-1]])
            return features, tf.matmul(features, weights)

        try:
            self._function = tf.compat.v1.wrap_function(
                imported, [tf.TensorSpec([None, None, None, 3], tf.float32)]
            )
        except (ValueError, KeyError) as error:
            raise self._not_the_graph(source, error) from None
        features, logits = self._function.structured_outputs
        self.feature_dim = int(features.shape[-1])
        self.num_classes = int(logits.shape[-1])

    @staticmethod
    def _not_the_graph(source, error):
        return ValueError(
            f"{source} is not the FID Inception graph: it needs the tensors {INPUT_TENSOR} and "
            f"{FEATURE_TENSOR} and the op {LOGITS_MATMUL} ({error})"
        )

    def __call__(self, images, training=False):
        pixels = (tf.cast(images, tf.float32) + 1.0) * 127.5
        pixels = tf.broadcast_to(pixels, tf.concat([tf.shape(pixels)[:3], [3]], axis=0))
        return self._function(pixels)


def _node(graph_def, name):
    for node in graph_def.node:
        if node.name == name:
            return node
    raise KeyError(f"no node {name!r}")


def _tensor_name(name):
    return name if ":" in name else f"{name}:0"


def read_graph_def(path):
    graph_def = tf.compat.v1.GraphDef()
    try:
        graph_def.ParseFromString(Path(path).read_bytes())
    except Exception:  # protobuf's DecodeError is not exported under a stable name
        raise ValueError(
            f"{path} is not a TensorFlow GraphDef (.pb) file; the FID "
            f"Inception graph is {GRAPH_FILE} from inception-2015-12-05.tgz"
        ) from None
    return graph_def


@functools.lru_cache(maxsize=2)
def load_graph(path, sha):
    """The graph at `path` (cached per file version, keyed by its sha256)."""
    return FIDInceptionGraph(read_graph_def(path), source=path)
