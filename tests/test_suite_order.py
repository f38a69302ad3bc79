"""The file order the test run schedules by (conftest.LONGEST_FIRST) names files that exist."""

from pathlib import Path

from conftest import LONGEST_FIRST


def test_every_file_in_the_schedule_order_exists():
    here = Path(__file__).parent
    assert [name for name in LONGEST_FIRST if not (here / name).is_file()] == []
    assert len(set(LONGEST_FIRST)) == len(LONGEST_FIRST)
