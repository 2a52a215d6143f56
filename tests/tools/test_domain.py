"""Payment terms, the policy file and the canonical schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tools.domain import Policy, dump_policy, load_policy, parse_terms
from tools.domain.schemas import TABLES
from tools.errors import ConfigError, DataError


@pytest.mark.parametrize(
    ("text", "net", "pct", "days"),
    [
        ("net 30", 30, 0, 0),
        ("N30", 30, 0, 0),
        ("45", 45, 0, 0),
        ("2/10 net 30", 30, 2, 10),
        ("2% 10 net 30", 30, 2, 10),
        ("1,5/15 n45", 45, 1.5, 15),  # decimal comma
    ],
)
def test_terms(text: str, net: int, pct: float, days: int) -> None:
    terms = parse_terms(text)
    assert (terms.net_days, terms.discount_pct, terms.discount_days) == (net, pct, days)


def test_discount_rate_is_annualised() -> None:
    # 2/10 net 30: 2 % for paying 20 days early is about 37 % a year.
    assert parse_terms("2/10 net 30").implied_annual_rate == pytest.approx(0.3724, abs=1e-3)


@pytest.mark.parametrize("text", ["soon", "2/40 net 30", ""])
def test_bad_terms(text: str) -> None:
    with pytest.raises(ValueError, match="terms"):
        parse_terms(text)


@given(st.integers(0, 120), st.floats(0.1, 5).map(lambda x: round(x, 1)), st.integers(0, 120))
def test_terms_text_round_trips(net: int, pct: float, days: int) -> None:
    days = min(days, net)
    terms = parse_terms(f"{pct}/{days} net {net}")
    assert parse_terms(terms.text) == terms


def test_policy_round_trips_and_picks_approvers(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(dump_policy(Policy()))
    policy = load_policy(path)
    assert policy.required_approvers("payment_run", 50_000) == 1
    assert policy.required_approvers("payment_run", 5_000_000) == 2


def test_policy_errors_name_the_field(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("approval_matrix:\n  - {action: payment_run, up_to: 1000, approvers: 1}\n")
    with pytest.raises(DataError, match="approval_matrix"):
        load_policy(path)
    path.write_text("minimum_cash: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_policy(path)
    with pytest.raises(ConfigError, match="wcm init"):
        load_policy(tmp_path / "missing.yaml")


def test_schema_is_consistent() -> None:
    for table in TABLES.values():
        names = table.names
        assert len(names) == len(set(names)), table.name
        assert set(table.key) <= set(names), table.name
        assert set(table.references.values()) <= set(TABLES), table.name
        for check in table.checks:
            assert {check.left, check.right} <= set(names), table.name
        # parents are declared before children, which the import's write order relies on
        order = list(TABLES)
        for parent in table.references.values():
            assert order.index(parent) < order.index(table.name), table.name
