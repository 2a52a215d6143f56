"""Policy text against policy numbers: where the documents and ``policy.yaml`` disagree.

The YAML drives the tools; the documents explain it to people. A document that says
"minimum cash USD 2,000,000 for US01" while the YAML says 1,250,000 misleads whoever
reads it, so each stated number is compared with the YAML and reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from knowledge.policy_claims import Claim, extract_claims
from knowledge.store import KnowledgeStore
from tools.domain.policy import Policy

__all__ = [
    "ConsistencyFinding",
    "ConsistencyReport",
    "check_policy_consistency",
    "check_texts",
]

Status = Literal["agrees", "disagrees", "not_documented"]


class ConsistencyFinding(BaseModel):
    """One policy number: what the YAML says, what a document says, and whether they agree."""

    model_config = ConfigDict(frozen=True)

    key: str
    status: Status
    message: str
    yaml_value: float | None = None
    text_value: float | None = None
    unit: str = ""
    doc_id: str | None = None
    title: str | None = None
    version: str | None = None
    section: str | None = None
    chunk_id: str | None = None
    statement: str | None = None


class ConsistencyReport(BaseModel):
    """Every number checked, with the documents read; ``ok`` when nothing disagrees."""

    model_config = ConfigDict(frozen=True)

    policy_version: str
    documents: tuple[str, ...]
    findings: tuple[ConsistencyFinding, ...]

    @property
    def disagreements(self) -> tuple[ConsistencyFinding, ...]:
        return tuple(f for f in self.findings if f.status == "disagrees")

    @property
    def ok(self) -> bool:
        return not self.disagreements


def _lookup(policy: Policy, key: str) -> Any:
    node: Any = policy.model_dump()
    parts = key.split(".")
    if parts[:2] == ["investment", "counterparty_limits"]:
        return node["investment"]["counterparty_limits"].get(".".join(parts[2:]))
    for part in parts:
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "none"
    if unit == "share":
        return f"{value * 100:g}%"
    if unit == "percent":
        return f"{value:g}%"
    if unit == "approvers":
        return f"{value:g} approver{'' if value == 1 else 's'}"
    if unit == "days":
        return f"{value:g} days"
    return f"{value:,.0f} {unit}".strip()


def _plain(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"


def _expected_currency(key: str, policy: Policy, currencies: Mapping[str, str]) -> str | None:
    if key == "minimum_cash.group" or ".counterparty_limits." in key or key.endswith("max_amount"):
        return policy.reporting_currency
    if key.startswith("minimum_cash.accounts."):
        return key.rsplit("-", 1)[-1]
    if key.startswith("minimum_cash.entities."):
        return currencies.get(key.rsplit(".", 1)[-1])
    return None


def _judge(policy: Policy, claim: Claim, currencies: Mapping[str, str]) -> tuple[Status, str, Any]:
    if claim.unit == "approvers":
        action = claim.action or "*"
        probes: list[float] = {
            "le": [claim.threshold or 0.0],
            "gt": [(claim.threshold or 0.0) + 0.01],
        }.get(claim.bound or "", [0.01, 1e15])
        try:
            needed = {policy.required_approvers(action, p) for p in probes}
        except ValueError:
            return "disagrees", f"the YAML approval matrix has no rule for {action}", None
        yaml_n = needed.pop() if len(needed) == 1 else None
        text = "at any amount"
        if claim.bound in ("le", "gt") and claim.threshold is not None:
            word = "up to" if claim.bound == "le" else "above"
            text = f"{word} {claim.threshold:,.0f} {policy.reporting_currency}"
        said = _fmt(claim.value, "approvers")
        if yaml_n == claim.value:
            return "agrees", f"{action} {text}: {said} in both", yaml_n
        required = "a varying number" if yaml_n is None else _fmt(yaml_n, "approvers")
        return (
            "disagrees",
            f"{action} {text}: document says {said}, YAML requires {required}",
            yaml_n,
        )
    yaml_value = _lookup(policy, claim.key)
    label = claim.key
    if yaml_value is None:
        return (
            "disagrees",
            f"{label}: document states {_fmt(claim.value, claim.unit)}, the YAML has no such limit",
            None,
        )
    expected = _expected_currency(claim.key, policy, currencies)
    if claim.currency and expected and claim.currency != expected:
        return (
            "disagrees",
            f"{label}: document states {claim.currency}, the YAML amount is in {expected}",
            yaml_value,
        )
    if claim.value is not None and abs(float(yaml_value) - claim.value) <= 1e-6 * max(
        1, abs(claim.value)
    ):
        return "agrees", f"{label}: {_fmt(claim.value, claim.unit)} in both", yaml_value
    unit = claim.unit if claim.unit not in ("", "USD", "EUR", "GBP") else (expected or claim.unit)
    return (
        "disagrees",
        f"{label}: document says {_fmt(claim.value, claim.unit)}, "
        f"YAML says {_fmt(float(yaml_value), unit)}",
        yaml_value,
    )


def _yaml_keys(policy: Policy) -> dict[str, float]:
    keys: dict[str, float] = {"minimum_cash.group": policy.minimum_cash.group}
    keys |= {f"minimum_cash.entities.{k}": v for k, v in policy.minimum_cash.entities.items()}
    keys |= {f"minimum_cash.accounts.{k}": v for k, v in policy.minimum_cash.accounts.items()}
    inv = policy.investment
    keys |= {f"investment.counterparty_limits.{k}": v for k, v in inv.counterparty_limits.items()}
    for name, lim in inv.instruments.items():
        keys[f"investment.instruments.{name}.max_share"] = lim.max_share
        if lim.max_amount is not None:
            keys[f"investment.instruments.{name}.max_amount"] = lim.max_amount
    keys["investment.max_tenor_days"] = inv.max_tenor_days
    keys["investment.confidence"] = inv.confidence
    keys["credit.max_limit_change_pct"] = policy.credit.max_limit_change_pct
    keys["credit.review_days"] = policy.credit.review_days
    ew = policy.early_warning
    keys["early_warning.warning_probability"] = ew.warning_probability
    keys["early_warning.critical_probability"] = ew.critical_probability
    keys["early_warning.horizon_days"] = ew.horizon_days
    for rule in policy.approval_matrix:
        keys[f"approval_matrix.{rule.action}.{rule.up_to or 'above'}"] = rule.approvers
    return keys


def _documented(key: str, claims: list[tuple[Claim, dict[str, Any]]]) -> bool:
    if not key.startswith("approval_matrix."):
        return any(c.key == key for c, _ in claims)
    _, action, bound = key.split(".", 2)
    for c, _ in claims:
        if c.action != action:
            continue
        if bound == "above" and c.bound in ("gt", "any"):
            return True
        if bound != "above" and c.bound == "le" and c.threshold == float(bound):
            return True
    return False


def check_policy_consistency(
    policy: Policy,
    store: KnowledgeStore,
    *,
    entity_currencies: Mapping[str, str] | None = None,
    collections: tuple[str, ...] = ("policies", "playbooks"),
) -> ConsistencyReport:
    """Compare the numbers stated in the current policy documents and playbooks with the
    policy YAML; every YAML number no document states is listed as ``not_documented``.

    Args:
        entity_currencies: entity -> currency, to check the currency of entity floors.
        collections: where to read statements; superseded versions are never read.
    """
    chunks: list[tuple[str, str, Mapping[str, Any]]] = []
    for name in collections:
        got = store.collection(name).get(
            where={"is_current": True}, include=["documents", "metadatas"]
        )
        for cid, doc, meta in zip(
            got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True
        ):
            chunks.append((cid, str(doc)[int(str(meta.get("header_chars", 0))) :], meta))
    return check_texts(policy, chunks, entity_currencies=entity_currencies)


def check_texts(
    policy: Policy,
    chunks: Iterable[tuple[str, str, Mapping[str, Any]]],
    *,
    entity_currencies: Mapping[str, str] | None = None,
) -> ConsistencyReport:
    """The consistency check over ``(chunk id, text, metadata)`` triples; the metadata
    names ``doc_id`` and ``version`` and may give ``title`` and ``section``."""
    banks = list(policy.investment.counterparty_limits)
    claims: list[tuple[Claim, dict[str, Any]]] = []
    seen: set[tuple[Any, ...]] = set()
    docs: set[str] = set()
    for cid, body, meta in chunks:
        docs.add(f"{meta['doc_id']}@{meta['version']}")
        for claim in extract_claims(body, section=str(meta.get("section", "")), banks=banks):
            mark = (claim.key, claim.value, claim.bound, claim.threshold, meta["doc_id"])
            if mark not in seen:
                seen.add(mark)
                claims.append((claim, {**meta, "chunk_id": cid}))
    findings = []
    for claim, meta in claims:
        status, message, yaml_value = _judge(policy, claim, entity_currencies or {})
        findings.append(
            ConsistencyFinding(
                key=claim.key,
                status=status,
                message=message,
                yaml_value=None if yaml_value is None else float(yaml_value),
                text_value=claim.value,
                unit=claim.unit,
                doc_id=str(meta["doc_id"]),
                title=str(meta.get("title", "")),
                version=str(meta.get("version", "")),
                section=str(meta.get("section", "")),
                chunk_id=str(meta["chunk_id"]),
                statement=claim.statement[:400],
            )
        )
    for key, value in _yaml_keys(policy).items():
        if not _documented(key, claims):
            findings.append(
                ConsistencyFinding(
                    key=key,
                    status="not_documented",
                    message=f"{key} = {_plain(value)} in the YAML; no current document states it",
                    yaml_value=float(value),
                )
            )
    order = {"disagrees": 0, "agrees": 1, "not_documented": 2}
    findings.sort(key=lambda f: (order[f.status], f.key))
    return ConsistencyReport(
        policy_version=policy.version, documents=tuple(sorted(docs)), findings=tuple(findings)
    )
