"""Two worker processes on loopback ports (MultiWorkerMirroredStrategy via TF_CONFIG).

Both workers must end with identical weights, and those weights and the logged
losses must equal a single-process run over the same global batches (with the
noise the two replicas draw).
"""

import os
import sys

import numpy as np
import pytest
from helpers.distributed_setup import (
    OBJECTIVES,
    TwoReplicaNoiseConditionalGAN,
    TwoReplicaNoiseGAN,
    build,
    build_conditional,
    conditional_step_data,
    step_data,
)

from tfgan_zoo.distribute import WorkerError, local_cluster, run_local_workers

pytestmark = pytest.mark.slow  # end-to-end runs in fresh processes or trained fixtures

HELPER = os.path.join(os.path.dirname(__file__), "helpers", "multiworker_step.py")


@pytest.fixture(scope="module")
def worker_results(tmp_path_factory):
    out = tmp_path_factory.mktemp("multiworker")
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([os.path.dirname(os.path.dirname(__file__))] + sys.path),
    )
    run_local_workers([sys.executable, HELPER, str(out)], num_workers=2, timeout=240, env=env)
    return [dict(np.load(out / f"worker_{i}.npz")) for i in range(2)]


def test_workers_end_with_identical_weights(worker_results):
    first, second = worker_results
    assert first.keys() == second.keys()
    for objective in [*OBJECTIVES, "conditional"]:
        assert int(first[f"{objective}/replicas"]) == 2
        keys = [k for k in first if k.startswith(f"{objective}/w")]
        assert len(keys) >= 12  # at least 3 dense layers x (kernel, bias) in G and D
        for key in keys:
            np.testing.assert_array_equal(first[key], second[key])


@pytest.mark.parametrize("objective", sorted(OBJECTIVES) + ["conditional"])
def test_multiworker_matches_single_process(worker_results, objective):
    if objective == "conditional":  # (points, labels) batches
        reference = build_conditional(TwoReplicaNoiseConditionalGAN, run_eagerly=True)
        history = reference.fit(conditional_step_data(), epochs=1, verbose=0).history
    else:  # eagerly: the same ops as a traced step, without tracing one per objective
        reference = build(objective, TwoReplicaNoiseGAN, run_eagerly=True)
        history = reference.fit(step_data(), epochs=1, verbose=0).history
    worker = worker_results[0]
    single = reference.generator.weights + reference.discriminator.weights
    diff = max(np.abs(v.numpy() - worker[f"{objective}/w{i}"]).max() for i, v in enumerate(single))
    assert diff < 1e-5
    for key in ("d_loss", "g_loss", "d_real", "d_fake"):
        np.testing.assert_allclose(
            worker[f"{objective}/{key}"], history[key], rtol=1e-4, atol=1e-5, err_msg=key
        )


def test_local_cluster_gives_each_worker_its_task():
    import json

    configs = [json.loads(c) for c in local_cluster(3)]
    workers = configs[0]["cluster"]["worker"]
    assert len(set(workers)) == 3 and all(w.startswith("127.0.0.1:") for w in workers)
    assert [c["task"] for c in configs] == [{"type": "worker", "index": i} for i in range(3)]
    assert all(c["cluster"] == configs[0]["cluster"] for c in configs)


def test_a_failing_worker_is_reported_with_its_stderr():
    code = "import sys; sys.stderr.write('boom from worker'); sys.exit(3)"
    with pytest.raises(WorkerError, match="exited with 3:\n.*boom from worker"):
        run_local_workers([sys.executable, "-c", code], num_workers=2, timeout=60)
