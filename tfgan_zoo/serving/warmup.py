"""TF Serving warmup requests: `assets.extra/tf_serving_warmup_requests`.

TF Serving replays these PredictionLog records when it loads a version, so the
first user request does not pay for graph optimisation. One request per
signature and batch size (1 and 8 by default).

The records are written with `tfgan_zoo.serving.protos`, our copy of the TF
Serving messages, so exporting needs no `tensorflow-serving-api`.
"""

from pathlib import Path

import numpy as np
import tensorflow as tf

from tfgan_zoo.serving import protos

WARMUP_FILE = Path("assets.extra") / "tf_serving_warmup_requests"


def example_inputs(model, input_names, batch_size, seed=0) -> dict:
    """Valid numpy inputs for a signature taking `input_names` (z, seed, label, images)."""
    rng = np.random.default_rng(seed)
    makers = {
        "seed": lambda: np.arange(batch_size, dtype=np.int64),
        "z": lambda: rng.standard_normal((batch_size, model.latent_dim)).astype(np.float32),
        "label": lambda: (np.arange(batch_size) % model.num_classes).astype(np.int32),
        "images": lambda: rng.integers(
            0, 256, (batch_size, *getattr(model, "image_shape", model.data_shape)), dtype=np.uint8
        ),
    }
    return {name: makers[name]() for name in input_names}


def write_warmup_requests(export_dir, model, batch_sizes, signatures) -> Path:
    """One request per signature ({name: input names}) and batch size."""
    path = Path(export_dir) / WARMUP_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with tf.io.TFRecordWriter(str(path)) as writer:
        for signature, input_names in signatures.items():
            for batch_size in batch_sizes:
                request = protos.predict_request(
                    signature, example_inputs(model, input_names, batch_size)
                )
                writer.write(protos.prediction_log(request).SerializeToString(deterministic=True))
    return path


def read_warmup_requests(export_dir) -> list:
    """The PredictRequests stored in an export's warmup file."""
    path = Path(export_dir) / WARMUP_FILE
    logs = [
        protos.PredictionLog.FromString(record.numpy())
        for record in tf.data.TFRecordDataset(str(path))
    ]
    return [log.predict_log.request for log in logs]
