"""The model contract (tests/helpers/contract.py) for every registered re-posing model."""

import pytest

pytestmark = pytest.mark.slow  # a CLI training run, an export and a fresh process per model

from helpers.contract import check_contract, models_of


@pytest.mark.parametrize("name", models_of("reenactor"))
def test_reenactor_keeps_the_model_contract(name, tmp_path):
    check_contract(name, tmp_path)
