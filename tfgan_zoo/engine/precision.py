"""Mixed precision: the Keras dtype policy a model's networks are built under.

Keras layers take the global policy when they are created, so a variant built
inside `precision_policy("mixed_bfloat16")` computes in bfloat16 and keeps its
variables in float32. Every network's last layer is pinned to float32, so
losses, penalties and exported images stay float32. Measured on a 2-vCPU Zen 5
CPU (tools/bench_throughput.py): bfloat16 is faster than float32; float16 has no
fast CPU path and is many times slower there (it is meant for GPUs).
"""

import contextlib

import keras

PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")


def check_precision(name):
    if name not in PRECISIONS:
        raise ValueError(f"precision must be one of {list(PRECISIONS)}, got {name!r}.")
    return name


@contextlib.contextmanager
def precision_policy(name):
    """Builds the layers created inside under the dtype policy `name`, then
    restores the previous global policy."""
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(check_precision(name))
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(previous)


def model_precision(model):
    """The policy name `model`'s layers compute under ("float32" if mixed-free)."""
    names = {
        layer.dtype_policy.name
        for layer in model.layers
        if not isinstance(layer, keras.layers.InputLayer)
    }
    mixed = sorted(n for n in names if n.startswith("mixed_"))
    return mixed[0] if mixed else "float32"
