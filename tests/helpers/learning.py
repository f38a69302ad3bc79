"""One seed and one record for every learning test.

A learning test asserts what training achieves (FID falls, accuracy above
chance, modes covered...). Its thresholds are checked over several seeds by
tools/learning_spread.py, which runs the learning tests once per seed with

  TFGAN_ZOO_TEST_SEED      the seed of the run (default 0): `learning_seed()`
  TFGAN_ZOO_LEARNING_LOG   a file each test appends its asserted numbers to
                           (`record`); without it recording does nothing.

Every seed a learning test uses is `learning_seed(offset)`: the global Keras
seed, the model's `seed=`, dataset shuffling and the evaluation samples, each
at a fixed offset from the run's seed, so seed 0 is the run the docstrings'
first numbers come from.
"""

import json
import os

SEED_VARIABLE = "TFGAN_ZOO_TEST_SEED"
LOG_VARIABLE = "TFGAN_ZOO_LEARNING_LOG"


def learning_seed(offset=0):
    """The run's seed (TFGAN_ZOO_TEST_SEED, default 0) plus `offset`."""
    return int(os.environ.get(SEED_VARIABLE, "0")) + offset


def seed_everything(offset=0):
    """keras.utils.set_random_seed(learning_seed(offset)); returns that seed."""
    import keras

    seed = learning_seed(offset)
    keras.utils.set_random_seed(seed)
    return seed


def current_test():
    """The running test's node id (tests/test_x.py::test_y[param])."""
    return os.environ.get("PYTEST_CURRENT_TEST", "unknown").rsplit(" (", 1)[0]


def record(test_name=None, *, thresholds=None, **numbers):
    """Append {test, seed, numbers, thresholds} as one JSON line to the file
    named by TFGAN_ZOO_LEARNING_LOG; a no-op when it is unset.

    Call it before asserting, so a failing seed is recorded too. `thresholds`
    maps a metric to the bound asserted on it, as text ("< 0.5", "> 0.2").
    """
    path = os.environ.get(LOG_VARIABLE)
    if not path:
        return
    line = dict(
        test=test_name or current_test(),
        seed=learning_seed(),
        numbers={name: float(value) for name, value in numbers.items()},
        thresholds=dict(thresholds or {}),
    )
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps(line) + "\n")
