"""The model contract (tests/helpers/contract.py) for every registered baseline."""

import pytest
from helpers.contract import check_contract, models_of

pytestmark = pytest.mark.slow  # a CLI training run, an export and a fresh process per model


@pytest.mark.parametrize("name", models_of("baseline"))
def test_baseline_keeps_the_model_contract(name, tmp_path):
    check_contract(name, tmp_path)
