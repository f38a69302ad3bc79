"""The model contract (tests/helpers/contract.py) for every registered translator."""

import pytest

pytestmark = pytest.mark.slow  # a CLI training run, an export and a fresh process per model

from helpers.contract import check_contract, models_of


@pytest.mark.parametrize("name", models_of("translator"))
def test_translator_keeps_the_model_contract(name, tmp_path):
    check_contract(name, tmp_path)
