"""One worker of the loopback multi-worker test (tests/test_multiworker.py).

Trains the distributed-test MLP GAN for 3 steps on global batches of 32 under
MultiWorkerMirroredStrategy, once per objective and once as a conditional GAN,
and saves the final weights and logged losses to OUT_DIR/worker_<index>.npz.
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from tfgan_zoo.distribute import make_strategy, shard_by_data  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))
from helpers.distributed_setup import (  # noqa: E402
    OBJECTIVES,
    build,
    build_conditional,
    conditional_step_data,
    step_data,
)


def main(out_dir):
    index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
    strategy = make_strategy("multiworker")
    arrays = {}
    # Every objective on points, then a conditional model on (points, labels).
    for objective in sorted(OBJECTIVES) + ["conditional"]:
        with strategy.scope():
            model = build_conditional() if objective == "conditional" else build(objective)
        data = conditional_step_data() if objective == "conditional" else step_data()
        history = model.fit(shard_by_data(data), epochs=1, verbose=0).history
        for i, v in enumerate(model.generator.weights + model.discriminator.weights):
            arrays[f"{objective}/w{i}"] = v.numpy()
        for key, values in history.items():
            arrays[f"{objective}/{key}"] = np.asarray(values, np.float64)
        arrays[f"{objective}/replicas"] = np.asarray(strategy.num_replicas_in_sync)
    np.savez(os.path.join(out_dir, f"worker_{index}.npz"), **arrays)


if __name__ == "__main__":
    main(sys.argv[1])
