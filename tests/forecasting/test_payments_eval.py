"""The payment-model evaluation end to end (slow: fits on real and simulated ledgers)."""

from __future__ import annotations

import pytest

from evals.payments import _ibm, _simulator, evaluate
from tests.conftest import SHARED_DATA

IBM = SHARED_DATA / "ibm_accounts_receivable"


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.skipif(not IBM.exists(), reason="../shared/data is not present")
def test_ibm_model_beats_customer_mean_by_a_quarter() -> None:
    invoices, customers = _ibm(SHARED_DATA)
    doc = evaluate(invoices, customers, simulator=False)
    res = doc["results"]
    assert doc["n_test"] == 635
    assert res["model"]["mae_days"] <= 0.75 * res["customer_mean"]["mae_days"]
    assert res["model"]["auc_late"] > res["customer_mean"]["auc_late"]


@pytest.mark.slow
def test_simulator_model_beats_baselines() -> None:
    invoices, customers = _simulator(3)
    res = evaluate(invoices, customers, simulator=True)["results"]
    assert res["model"]["mae_days"] < res["customer_mean"]["mae_days"] < res["due_date"]["mae_days"]
    assert res["model"]["auc_late"] > 0.8
    assert 0.6 < res["model"]["coverage_80"] < 0.95
