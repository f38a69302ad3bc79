"""Test set-up: quiet TensorFlow, and two logical CPUs for tf.distribute tests.

Logical devices must be configured before TensorFlow initialises its runtime,
so this runs at import time, before any test module touches a tensor.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402

_cpus = tf.config.list_physical_devices("CPU")
tf.config.set_logical_device_configuration(_cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2)


import gc  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def _free_graphs_between_modules():
    """Drop each module's models and traced functions once it is done: a heap
    grown by hundreds of traced functions made later tests several times slower."""
    yield
    import keras

    keras.backend.clear_session()
    gc.collect()
