"""Test set-up: quiet TensorFlow, and two logical CPUs for tf.distribute tests.

Logical devices must be configured before TensorFlow initialises its runtime,
so this runs at import time, before any test module touches a tensor.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402

_cpus = tf.config.list_physical_devices("CPU")
tf.config.set_logical_device_configuration(_cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2)

# Under pytest-xdist each worker is its own TensorFlow process, and each would
# size its op thread pool to every core. Two workers on two cores then run four
# busy threads that wait on each other inside every op: the same files took
# 174 s with that and 123 s with one thread a worker. So the cores are shared out.
_workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
if _workers > 1:
    _cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    tf.config.threading.set_intra_op_parallelism_threads(max(1, (_cores or 1) // _workers))


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


# The files that take longest, longest first (wall seconds per file under
# `python -m pytest -n 2 --dist loadfile --durations=0`). With --dist loadfile a
# worker takes the next file when it runs low, so a long file left to the end
# runs alone while the other worker idles. pytest-xdist orders files by their
# number of tests (`--loadscope-reorder`), which put files of a few long learning
# runs last; this order replaces it. The other files follow in their own order.
LONGEST_FIRST = (
    "test_semi_stylegan.py",
    "test_distribute.py",
    "test_user_data_metrics.py",
    "test_learning.py",
    "test_talking_heads.py",
    "test_biggan.py",
    "test_cli_data.py",
    "test_contract_gans_0.py",
    "test_translation.py",
    "test_vae_autoencoder.py",
    "test_stylegan.py",
    "test_zoo_entries.py",
    "test_progan.py",
    "test_loss_family.py",
    "test_contract_baselines.py",
    "test_engine.py",
    "test_contract_gans_2.py",
    "test_reliability.py",
    "test_contract_gans_1.py",
    "test_contract_translators.py",
    "test_metrics_fashion.py",
    "test_pixelcnn.py",
    "test_sngan.py",
    "test_cli_distribute.py",
    "test_precision.py",
    "test_cli_eval.py",
    "test_cli.py",
    "test_progan_levels.py",
    "test_serving.py",
    "test_zoo_finetune.py",
)


def pytest_configure(config):
    if hasattr(config.option, "loadscopereorder"):  # pytest-xdist's own file order
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable within a file
