"""tf.distribute strategies by name, and a loopback multi-worker launcher.

The engine is written for any strategy (see `tfgan_zoo.engine.gan`): optimizers
are built in `compile` (call it inside `strategy.scope()`), hand-written losses
are divided by the replica count, each replica draws its own noise, and logs
take the shape a multi-worker step needs. So the same script runs on one CPU,
several GPUs (mirrored), several machines (multiworker: only `TF_CONFIG`
differs between them) or a TPU:

    strategy = make_strategy("mirrored")
    with strategy.scope():
        gan = DCGAN(seed=0)
        gan.compile()
    gan.fit(shard_by_data(dataset), epochs=5)   # `dataset` batched by the GLOBAL batch
"""

import json
import os
import socket
import subprocess
import sys
import tempfile

import tensorflow as tf

from tfgan_zoo.engine.replicas import in_multi_worker_mode  # noqa: F401 (re-exported)

STRATEGIES = ("default", "mirrored", "multiworker", "tpu")


class StrategyError(ValueError):
    """A strategy that cannot be made here (unknown name, no TF_CONFIG, no TPU)."""


def split_cpu(replicas):
    """Splits the first CPU into `replicas` logical devices, so `mirrored` can
    run several replicas on a machine without GPUs (for trying distribution,
    not for speed). Must run before TensorFlow initialises its runtime."""
    cpus = tf.config.list_physical_devices("CPU")
    try:
        tf.config.set_logical_device_configuration(
            cpus[0], [tf.config.LogicalDeviceConfiguration()] * int(replicas)
        )
    except RuntimeError as error:
        raise RuntimeError(
            "split_cpu must run before TensorFlow creates a tensor or lists logical devices"
        ) from error


def make_strategy(name="default", tpu=None):
    """The strategy called `name`:

    default      no distribution (one device)
    mirrored     one replica per GPU; without GPUs, one per logical CPU
    multiworker  MultiWorkerMirroredStrategy; the cluster comes from `TF_CONFIG`
    tpu          TPUStrategy on the TPU `tpu` (name or grpc address; None: local/env)
    """
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        devices = gpus or tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy([d.name for d in devices])
    if name == "multiworker":
        if "TF_CONFIG" not in os.environ:
            raise StrategyError(
                "--strategy multiworker needs TF_CONFIG (cluster and task) in the "
                "environment of every worker; see docs/scale.md."
            )
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "tpu":
        try:
            resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu)
            tf.config.experimental_connect_to_cluster(resolver)
            tf.tpu.experimental.initialize_tpu_system(resolver)
        except (ValueError, tf.errors.OpError, RuntimeError) as error:
            raise StrategyError(
                f"no TPU could be reached ({error}); --strategy tpu needs a "
                "TPU VM or a TPU address in --tpu"
            ) from error
        return tf.distribute.TPUStrategy(resolver)
    raise StrategyError(f"strategy must be one of {list(STRATEGIES)}, got {name!r}.")


def is_chief(strategy=None):
    """Whether this process writes the run's files: always, except on the
    non-chief workers of a multi-worker cluster."""
    strategy = strategy or tf.distribute.get_strategy()
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not in_multi_worker_mode(strategy):
        return True
    task_type, task_id = resolver.task_type, resolver.task_id
    return task_type == "chief" or (
        task_type == "worker" and task_id == 0 and "chief" not in resolver.cluster_spec().as_dict()
    )


def shard_by_data(dataset):
    """`dataset` with auto-sharding by element. Every worker builds the same
    dataset of global batches, and each takes its part of every batch; the
    default (by file) fails for in-memory data."""
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def local_cluster(num_workers):
    """`TF_CONFIG` values (JSON) for `num_workers` workers on loopback ports."""
    workers = [f"127.0.0.1:{_free_port()}" for _ in range(num_workers)]
    return [
        json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": i}})
        for i in range(num_workers)
    ]


class WorkerError(RuntimeError):
    pass


def run_local_workers(argv, num_workers=2, timeout=300, env=None):
    """Runs `argv` (a command list) as `num_workers` processes of one loopback
    cluster, each with its own `TF_CONFIG`; returns their stdout texts in task
    order. A failing or hung worker stops them all and raises `WorkerError`
    with its exit code and the end of its stderr."""
    procs, logs = [], []
    for config in local_cluster(num_workers):
        worker_env = dict(os.environ if env is None else env, TF_CONFIG=config)
        # Files, not pipes: a worker blocked on a full pipe would stall the
        # collective the others wait in.
        out, err = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")
        logs.append((out, err))
        procs.append(subprocess.Popen(argv, env=worker_env, stdout=out, stderr=err, text=True))
    try:
        for index, proc in enumerate(procs):
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired as error:
                raise WorkerError(f"worker {index} did not finish in {timeout} s") from error
            if proc.returncode != 0:
                raise WorkerError(
                    f"worker {index} exited with {proc.returncode}:\n"
                    + _read(logs[index][1])[-3000:]
                )
        return [_read(out) for out, _ in logs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        for out, err in logs:
            out.close()
            err.close()


def _read(file):
    file.seek(0)
    return file.read()


def main(argv=None):
    """`python -m tfgan_zoo.distribute N COMMAND...`: run COMMAND as an N-worker
    loopback cluster (e.g. `tfgan-zoo train ... --strategy multiworker`)."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2 or not argv[0].isdigit():
        sys.exit("usage: python -m tfgan_zoo.distribute NUM_WORKERS COMMAND [ARGS...]")
    for index, out in enumerate(run_local_workers(argv[1:], int(argv[0]), timeout=None)):
        print(f"--- worker {index} ---\n{out}", end="")


if __name__ == "__main__":
    main()
