"""Where the running code sits in a tf.distribute strategy, and cross-replica reductions."""

import tensorflow as tf


def replica_context():
    """(replica id, replica count) of the code running now; (0, 1) without a strategy."""
    ctx = tf.distribute.get_replica_context()
    if ctx is None:  # cross-replica context: not inside train_step
        return 0, tf.distribute.get_strategy().num_replicas_in_sync
    return ctx.replica_id_in_sync_group, ctx.num_replicas_in_sync


def all_reduce(reduce_op, value):
    """`value` reduced over the replicas of a step (`tf.distribute.ReduceOp`);
    unchanged when there is a single replica."""
    ctx = tf.distribute.get_replica_context()
    if ctx is None or ctx.num_replicas_in_sync == 1:
        return value
    return ctx.all_reduce(reduce_op, value)


def in_multi_worker_mode(strategy=None):
    """Whether `strategy` (default: the current one) all-reduces across worker processes."""
    strategy = strategy or tf.distribute.get_strategy()
    extended = getattr(strategy, "extended", None)
    return bool(getattr(extended, "_in_multi_worker_mode", lambda: False)())


def step_logs(metrics):
    """`{name: result}` for a train/test step's return value.

    Keras reduces the logs of a multi-worker step with a mean over axis 0, which
    fails on scalars; there each value is returned as a shape-[1] tensor (the
    mean over that axis gives the scalar back).
    """
    logs = {m.name: m.result() for m in metrics}
    if in_multi_worker_mode():
        logs = {name: tf.reshape(value, [1]) for name, value in logs.items()}
    return logs
