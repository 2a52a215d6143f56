"""Early warnings over successive runs: raise an alarm once the risk is confirmed, keep it
open while it lasts, report a position that runs at its floor on its credit line once.

``early_warnings`` judges one assessment. A treasurer running it every morning wants more:
a breach probability that pokes above the warning threshold on one run and falls back on
the next is noise, not news; a position that lives on its revolver should be said once,
not every day; and an alarm that is already open should read as "still open", not "new".
``watch`` carries a small ``WatchState`` from one run to the next and decides:

- **critical** alerts (the floor cannot be held even by drawing the available committed
  credit, with more than ``critical_probability``) open an episode at once;
- **warning** alerts open one after ``confirm`` consecutive runs above the warning
  threshold; at once when the breach is closer than ``urgent_days`` business days (there
  is no time to wait for confirmation), when its probability is above the policy's
  ``critical_probability`` (a breach more likely than not is no threshold noise, even when
  the credit line would cover it), or when a counterparty warning backs it (alerts with
  ``data["evidence"] == "counterparty"``: customers that stopped paying, suppliers that
  switched to prepayment; that behaviour is observed in the ledger over weeks, not a
  forecast that may not repeat, and waiting a run for the forecast to learn it is the lag the
  check exists to avoid); until then they are reported as ``info`` with status ``pending``.
  Why an episode opened is kept in ``data["opened_by"]``: critical, near, likely,
  counterparty or confirmed;
- an open episode stays open (status ``ongoing``; ``escalated`` when it becomes more
  severe) until ``clear`` consecutive runs have no warning. Raising takes ``confirm`` runs,
  closing ``clear``: with the defaults (2 and 1, chosen on simulator development seeds
  100-127, not on the seeds the evaluation reports) an alarm needs confirming but closes
  as soon as a run no longer sees the risk; a longer ``clear`` keeps alarms open through
  a quiet run, which on those seeds only added false alarms;
- a **structural** position (at its floor from the first days, covered by its undrawn
  committed line) is reported once as information (status ``structural``) and then kept
  quiet until that changes.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.risk.alerts import RANK, Alert, EarlyWarning, Severity

__all__ = ["ScopeWatch", "WatchState", "watch"]

WatchStatus = Literal["clear", "pending", "active", "structural"]


class ScopeWatch(BaseModel):
    """What the last runs said about one scope."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scope: str
    status: WatchStatus = "clear"
    severity: Severity | None = None
    opened: date | None = Field(default=None, description="Run date the open episode began")
    streak: int = Field(default=0, description="Consecutive runs with a warning or worse")
    quiet: int = Field(default=0, description="Consecutive runs without, while open")
    structural_since: date | None = None
    opened_by: str | None = Field(
        default=None,
        description="Why the open episode opened: critical, near, likely, counterparty, confirmed",
    )


class WatchState(BaseModel):
    """The watch carried from one early-warning run to the next (store it as JSON)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    as_of: date
    scopes: tuple[ScopeWatch, ...] = ()
    before: tuple[ScopeWatch, ...] = Field(
        default=(), description="The scopes as they were before the run of ``as_of``"
    )

    def get(self, scope: str) -> ScopeWatch:
        return next((s for s in self.scopes if s.scope == scope), ScopeWatch(scope=scope))


def _strongest(alerts: list[Alert]) -> Alert | None:
    """The most severe of a scope's alerts, carrying the other alerts' causes with it (the
    forecast's own view, customers that stopped paying, suppliers asking for prepayment)."""
    if not alerts:
        return None
    top = max(alerts, key=lambda a: (RANK[a.severity], a.probability or 0.0))
    others = [a.cause for a in alerts if a is not top]
    if not others:
        return top
    return top.model_copy(update={"data": {**top.data, "other_causes": others}})


def _with(
    alert: Alert,
    severity: Severity,
    status: str,
    note: str,
    opened: date | None,
    opened_by: str | None = None,
) -> Alert:
    data = {**alert.data, "status": status, "episode_opened": opened}
    if opened_by is not None:
        data["opened_by"] = opened_by
    noted = status in ("pending", "closed") or note == "easing"
    title = f"{alert.title} ({note})" if noted else alert.title
    return alert.model_copy(update={"severity": severity, "title": title, "data": data})


def _opened_by(
    alert: Alert, streak: int, soonest: int | None, observed: bool, rules: tuple[int, int, float]
) -> str | None:
    """Why a serious alert opens an episode on this run, or None to wait for confirmation."""
    confirm, urgent_days, strong = rules
    if alert.severity == "critical":
        return "critical"
    if soonest is not None and soonest < urgent_days:
        return "near"
    if (alert.probability or 0.0) > strong:
        return "likely"
    if observed:
        return "counterparty"
    return "confirmed" if streak >= confirm else None


def _step(
    prev: ScopeWatch,
    alert: Alert | None,
    as_of: date,
    *,
    soonest: int | None,
    observed: bool,
    confirm: int,
    clear: int,
    urgent_days: int,
    strong: float,
) -> tuple[ScopeWatch, Alert | None]:
    serious = alert is not None and alert.severity in ("warning", "critical")
    structural = alert is not None and bool(alert.data.get("structural"))
    streak = prev.streak + 1 if serious else 0
    if prev.status == "active":
        if serious and alert is not None:
            rank_up = RANK[alert.severity] > RANK[prev.severity or "info"]
            severity = alert.severity if rank_up else prev.severity or alert.severity
            state = prev.model_copy(update={"streak": streak, "quiet": 0, "severity": severity})
            status = "escalated" if rank_up else "ongoing"
            return state, _with(alert, severity, status, status, prev.opened, prev.opened_by)
        quiet = prev.quiet + 1
        if quiet < clear:
            state = prev.model_copy(update={"streak": 0, "quiet": quiet})
            kept = alert if alert is not None else None
            if kept is None:
                return state, None
            sev = prev.severity or "warning"
            return state, _with(kept, sev, "ongoing", "easing", prev.opened, prev.opened_by)
        closed = _with(alert, "info", "closed", "risk receded", None) if alert else None
        return ScopeWatch(scope=prev.scope), closed
    if serious and alert is not None:
        why = _opened_by(alert, streak, soonest, observed, (confirm, urgent_days, strong))
        if why is not None:
            state = ScopeWatch(
                scope=prev.scope,
                status="active",
                severity=alert.severity,
                opened=as_of,
                streak=streak,
                opened_by=why,
            )
            return state, _with(alert, alert.severity, "new", "new", as_of, why)
        state = ScopeWatch(scope=prev.scope, status="pending", streak=streak)
        return state, _with(alert, "info", "pending", "to be confirmed by the next run", None)
    if structural and alert is not None:
        since = prev.structural_since or as_of
        state = ScopeWatch(scope=prev.scope, status="structural", structural_since=since)
        if prev.status == "structural":
            return state, None  # said once; nothing new
        return state, _with(alert, "info", "structural", "structural", None)
    shown = _with(alert, alert.severity, "info", "info", None) if alert else None
    return ScopeWatch(scope=prev.scope), shown


def watch(
    current: EarlyWarning,
    previous: WatchState | None = None,
    *,
    confirm: int = 2,
    clear: int = 1,
    urgent_days: int = 5,
) -> tuple[EarlyWarning, WatchState]:
    """This run's alerts in the light of the previous runs, and the state for the next run.

    Args:
        current: this run's alerts (``early_warnings`` plus any counterparty warnings
            appended); several alerts on one scope are merged, the most severe leading; a
            counterparty warning among them opens the episode without confirmation.
        previous: the state the last run returned (None on the first run). A rerun on the
            same ``as_of`` starts again from the state before that day, so running the
            daily job twice does not confirm a warning.
        confirm: consecutive runs above the warning threshold before a warning opens.
        clear: consecutive runs without a warning before an open episode closes.
        urgent_days: a warning whose breach (the soonest of the scope's warnings) is closer
            than this (business days) opens at once.

    Raises:
        ValueError: ``previous`` is from a later day, or ``confirm``/``clear`` below 1.

    Returns:
        The alerts to show (each liquidity alert with ``data["status"]``: new, ongoing,
        escalated, pending, structural, closed or info) and the state to pass to the next
        run.
    """
    if confirm < 1 or clear < 1:
        raise ValueError("confirm and clear count runs: use 1 or more")
    if previous is not None and current.as_of < previous.as_of:
        raise ValueError(
            f"early warnings as of {current.as_of} come after a run as of {previous.as_of}; "
            "pass the state of an earlier run (or None to start afresh)"
        )
    if previous is None:
        prev = WatchState(as_of=current.as_of)
    elif current.as_of == previous.as_of:
        # the same day run again (a rerun of the daily job) is not a second confirmation
        prev = WatchState(as_of=current.as_of, scopes=previous.before)
    else:
        prev = previous
    by_scope: dict[str, list[Alert]] = {}
    others: list[Alert] = []
    for a in current.alerts:
        (by_scope.setdefault(a.scope, []) if a.kind == "liquidity" else others).append(a)
    names = sorted({*by_scope, *(s.scope for s in prev.scopes)})
    shown: list[Alert] = []
    states: list[ScopeWatch] = []
    for name in names:
        mine = by_scope.get(name, [])
        serious = [a for a in mine if a.severity in ("warning", "critical")]
        leads = [a.lead_time_days for a in serious if a.lead_time_days is not None]
        state, alert = _step(
            prev.get(name),
            _strongest(mine),
            current.as_of,
            soonest=min(leads, default=None),
            observed=any(a.data.get("evidence") == "counterparty" for a in serious),
            confirm=confirm,
            clear=clear,
            urgent_days=urgent_days,
            strong=current.thresholds.get("critical_probability", 0.5),
        )
        if state.status != "clear" or state.streak:
            states.append(state)
        if alert is not None:
            shown.append(alert)
    shown.sort(key=lambda a: (-RANK[a.severity], a.lead_time_days or 0))
    out = current.model_copy(
        update={
            "alerts": (*shown, *others),
            "thresholds": {
                **current.thresholds,
                "confirm_runs": float(confirm),
                "clear_runs": float(clear),
                "urgent_days": float(urgent_days),
            },
        }
    )
    return out, WatchState(as_of=current.as_of, scopes=tuple(states), before=prev.scopes)
