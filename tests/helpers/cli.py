"""Runs the command line and checks a user error: exit code 2 and one line on stderr;
runs tf.functions eagerly for a while."""

import contextlib
import re

import pytest
import tensorflow as tf

from tfgan_zoo.cli import main


def user_error(capsys, argv, match) -> str:
    """Runs `tfgan-zoo argv`, expects a user error whose one stderr line matches
    the regular expression `match`, and returns that line."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    assert exit_info.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("tfgan-zoo: error: "), lines[0]
    assert re.search(match, lines[0]), lines[0]
    return lines[0]


@contextlib.contextmanager
def untraced(enabled=True):
    """tf.functions run eagerly inside (when `enabled`). A two-step CLI run's time
    is mostly tracing its train step, and each registered model's CLI run is
    traced, exported and checked by tests/test_contract_*.py: runs that check
    what the data and the flags make of a model need not trace it again."""
    tf.config.run_functions_eagerly(enabled)
    try:
        yield
    finally:
        tf.config.run_functions_eagerly(False)
