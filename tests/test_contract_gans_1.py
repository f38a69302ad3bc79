"""The model contract (tests/helpers/contract.py) for one third of the registered
GANs (three files, so the checks spread over test workers)."""

import pytest
from helpers.contract import check_contract, models_of

pytestmark = pytest.mark.slow  # a CLI training run, an export and a fresh process per model


@pytest.mark.parametrize("name", models_of("gan", part=1, parts=3))
def test_gan_keeps_the_model_contract(name, tmp_path):
    check_contract(name, tmp_path)
