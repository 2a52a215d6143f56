"""Adapters for the read-only analyses: status, forecast, payments, KPIs, risk, scenarios."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from agent.adapters.common import adapter, fig, require
from agent.results import Figure, ToolResult
from agent.session import ToolSession

__all__: list[str] = []


def _figs(*items: Figure | None) -> tuple[Figure, ...]:
    return tuple(f for f in items if f is not None)


def _result(
    name: str, headline: str, headline_zh: str, *figures: Figure | None, **kw: Any
) -> ToolResult:
    return ToolResult(
        call_id="",
        name=name,
        headline=headline,
        headline_zh=headline_zh,
        figures=_figs(*figures),
        **kw,
    )


@adapter("data_status")
def data_status(s: ToolSession) -> ToolResult:
    workspace_status = require("tools.workspace.status", "workspace_status")
    st = workspace_status(s.ws)
    data = st.model_dump(mode="json")
    rows = sum(t.get("rows", 0) for t in data.get("tables", []) if isinstance(t, dict))
    issues = len(data.get("issues", []))
    figures = [
        fig("as_of", "Data as of", "数据截至", str(st.as_of) if st.as_of else None, "date"),
        fig("rows", "Rows stored", "已存储行数", rows, "count"),
        fig("issues", "Data issues found", "发现的数据问题", issues, "count"),
    ]
    accounts: list[dict[str, object]] = []
    if st.as_of is not None:
        data_completeness = require("tools.workspace.completeness", "data_completeness")
        comp = data_completeness(s.ws, as_of=st.as_of)
        figures.append(
            fig(
                "bank_completeness", "Bank data completeness", "银行数据完整度", comp.score, "ratio"
            )
        )
        keep = {"account_id", "last", "expected_days", "days_with_statement", "gaps"}
        keep |= {"balance_breaks", "missing_statement_numbers", "score"}
        worst = sorted(comp.accounts, key=lambda a: a.score)[:3]
        accounts = [a.model_dump(mode="json", include=keep) for a in worst]
    return _result(
        "data_status",
        "Workspace data status",
        "工作区数据状态",
        *figures,
        data={
            "as_of": str(st.as_of),
            "issues": [str(i) for i in data.get("issues", [])][:5],
            "least_complete_bank_accounts": accounts,
        },
    )


def _scope(weekly: pd.DataFrame, entity: str | None, currency: str | None) -> pd.DataFrame:
    keys = weekly["key"].astype(str)
    mask = pd.Series(True, index=weekly.index)
    if entity:
        mask &= keys.str.startswith(f"{entity.upper()}/")
    if currency:
        mask &= keys.str.endswith(f"/{currency.upper()}")
    return weekly.loc[mask]


@adapter("forecast_cash")
def forecast_cash(
    s: ToolSession, horizon_days: int = 91, entity: str | None = None, currency: str | None = None
) -> ToolResult:
    fc = s.forecast(horizon_days)
    o = fc.outlook
    weeks = max(1, -(-int(horizon_days) // 7))
    weekly = _scope(fc.weekly(), entity, currency)
    weekly = weekly.loc[weekly["week"] <= weeks]
    if weekly.empty:
        raise ValueError(f"no cash position matches entity={entity!r} currency={currency!r}")
    rate = {p.key: p.fx_to_reporting for p in o.positions}
    ccy = o.reporting_currency
    last = weekly.loc[weekly["week"] == weekly["week"].max()]
    closing = float((last["closing_mean"] * last["key"].map(rate)).sum())
    lo = float((last["closing_lo_95"] * last["key"].map(rate)).sum())
    hi = float((last["closing_hi_95"] * last["key"].map(rate)).sum())
    by_week = (
        weekly.assign(rep=weekly["closing_mean"] * weekly["key"].map(rate))
        .groupby("week_ending")["rep"]
        .sum()
    )
    low_date = by_week.idxmin()
    opening = sum(p.opening * p.fx_to_reporting for p in o.positions if p.key in set(weekly["key"]))
    end = o.as_of + timedelta(days=int(horizon_days))
    positions = [
        {
            "position": str(r.key),
            "closing_mean": round(float(r.closing_mean), 2),
            "closing_lo_95": round(float(r.closing_lo_95), 2),
            "minimum": float(r.minimum),
        }
        for r in last.itertuples()
    ]
    scope = entity or "group"
    return _result(
        "forecast_cash",
        f"Cash forecast for {scope}, {weeks} weeks from {o.as_of} ({ccy})",
        f"{scope} 现金预测，自 {o.as_of} 起 {weeks} 周（{ccy}）",
        fig("opening", "Cash today", "当前现金", opening, "money", ccy),
        fig("closing", f"Expected cash on {end}", f"{end} 预计现金", closing, "money", ccy),
        fig("closing_lo95", "95% band, low", "95% 区间下限", lo, "money", ccy),
        fig("closing_hi95", "95% band, high", "95% 区间上限", hi, "money", ccy),
        fig(
            "lowest",
            "Lowest expected week-end cash",
            "预计最低周末现金",
            float(by_week.min()),
            "money",
            ccy,
        ),
        fig(
            "lowest_date",
            "Lowest point on",
            "最低点日期",
            str(pd.Timestamp(str(low_date)).date()),
            "date",
        ),
        data={"positions": positions, "horizon_days": int(horizon_days), "as_of": str(o.as_of)},
        charts=(
            {
                "kind": "fan",
                "title": f"Cash forecast, {scope}",
                "positions": sorted(set(weekly["key"])),
            },
        ),
    )


@adapter("predict_customer_payments")
def predict_customer_payments(
    s: ToolSession, customer_id: str | None = None, horizon_days: int = 91, top_n: int = 10
) -> ToolResult:
    rec = s.forecast(horizon_days).receivables
    if rec is None or rec.empty:
        raise ValueError("no open customer invoices to predict")
    frame = rec.copy()
    if customer_id:
        frame = frame.loc[frame["customer_id"].astype(str) == customer_id]
        if frame.empty:
            raise ValueError(f"customer {customer_id} has no open invoices")
    amount_col = "open_amount" if "open_amount" in frame else "amount"
    frame = frame.sort_values(amount_col, ascending=False)
    names = s.names("customers", "customer_id")
    date_col = next(
        (c for c in ("expected_date", "expected_pay_date", "pay_date") if c in frame), None
    )
    prob_col = next(
        (c for c in ("p_in_horizon", "probability", "prob_in_horizon") if c in frame), None
    )
    rows = []
    for r in frame.head(top_n).to_dict("records"):
        rows.append(
            {
                "invoice_id": str(r.get("invoice_id")),
                "customer": names.get(str(r.get("customer_id")), str(r.get("customer_id"))),
                "open_amount": round(float(r[amount_col]), 2),
                "currency": r.get("currency"),
                "expected_date": str(pd.Timestamp(r[date_col]).date())
                if date_col and pd.notna(r.get(date_col))
                else None,
                "probability_in_horizon": round(float(r[prob_col]), 3) if prob_col else None,
            }
        )
    total = float(frame[amount_col].sum())
    who = names.get(customer_id, customer_id) if customer_id else "all customers"
    expected = float((frame[amount_col] * frame[prob_col]).sum()) if prob_col else None
    return _result(
        "predict_customer_payments",
        f"Open invoices of {who}: expected payment dates",
        f"{who} 未付发票的预计付款日期",
        fig("open_invoices", "Open invoices", "未付发票数", len(frame), "count"),
        fig("open_amount", "Open amount (invoice currencies summed)", "未付金额", total, "money"),
        fig(
            "expected_in_horizon",
            "Expected to be paid within the horizon",
            "预计期内回款",
            expected,
            "money",
        ),
        data={"invoices": rows},
    )


@adapter("kpi_report")
def kpi_report(
    s: ToolSession, entity: str | None = None, as_of: str | None = None, metric: str | None = None
) -> ToolResult:
    working_capital_kpis = require("tools.kpi", "working_capital_kpis")
    when = pd.Timestamp(as_of).date() if as_of else s.as_of()
    report = working_capital_kpis(
        s.tables(), as_of=when, reporting_currency=s.ws.reporting_currency
    )
    k = report.group
    if entity:
        k = next((e for e in report.entities if e.scope.upper() == entity.upper()), k)
    ccy = report.reporting_currency
    return _result(
        "kpi_report",
        f"Working-capital KPIs, {k.scope}, as of {when} (last {report.window_days} days)",
        f"{k.scope} 营运资本指标，截至 {when}（近 {report.window_days} 天）",
        fig("dso", "DSO", "应收账款周转天数 DSO", k.dso, "days"),
        fig("dpo", "DPO", "应付账款周转天数 DPO", k.dpo, "days"),
        fig("dio", "DIO", "存货周转天数 DIO", k.dio, "days"),
        fig("ccc", "Cash conversion cycle", "现金转换周期", k.ccc, "days"),
        fig("ar_open", "Receivables open", "应收余额", k.ar_open, "money", ccy),
        fig("ap_open", "Payables open", "应付余额", k.ap_open, "money", ccy),
        fig(
            "ar_overdue",
            "Receivables overdue",
            "逾期应收占比",
            None if k.ar_overdue_share is None else 100 * k.ar_overdue_share,
            "percent",
        ),
        data={"metric": metric, "scope": k.scope, "as_of": str(when)},
        charts=({"kind": "ccc_trend", "title": "Cash conversion cycle"},),
    )


def _risk(s: ToolSession, horizon_days: int) -> Any:
    liquidity_risk = require("tools.risk", "liquidity_risk")
    return liquidity_risk(s.forecast(horizon_days).outlook, s.policy(), horizon_days=horizon_days)


@adapter("liquidity_risk")
def liquidity_risk(
    s: ToolSession, horizon_days: int = 91, entity: str | None = None, currency: str | None = None
) -> ToolResult:
    lr = _risk(s, horizon_days)
    scopes = list(lr.policy_scopes) or [lr.group]
    if entity:
        scopes = [sc for sc in scopes if sc.scope.upper().startswith(entity.upper())] or scopes
    worst = max(scopes, key=lambda sc: sc.horizon_breach_probability)
    first = min((sc.first_breach_date for sc in scopes if sc.first_breach_date), default=None)
    return _result(
        "liquidity_risk",
        f"Minimum-cash breach risk over {horizon_days} days from {lr.as_of}",
        f"自 {lr.as_of} 起 {horizon_days} 天内低于最低现金的风险",
        fig(
            "breach_probability",
            f"Probability of a breach ({worst.scope})",
            f"跌破最低现金的概率（{worst.scope}）",
            100 * worst.horizon_breach_probability,
            "percent",
        ),
        fig(
            "breach_with_credit",
            "Probability with the credit line drawn",
            "动用信贷额度后的概率",
            100 * worst.horizon_breach_probability_with_credit,
            "percent",
        ),
        fig(
            "minimum",
            f"Minimum cash ({worst.scope})",
            f"最低现金（{worst.scope}）",
            worst.minimum,
            "money",
            worst.currency,
        ),
        fig(
            "shortfall",
            "Expected shortfall",
            "预期缺口",
            worst.expected_shortfall,
            "money",
            worst.currency,
        ),
        fig(
            "first_breach",
            "First likely breach",
            "首次可能跌破日期",
            str(first) if first else "none expected",
            "date",
        ),
        data={
            "scopes": [
                {
                    "scope": sc.scope,
                    "p": round(sc.horizon_breach_probability, 4),
                    "minimum": sc.minimum,
                }
                for sc in scopes
            ]
        },
        charts=({"kind": "cash_position", "title": "Cash position with breach markers"},),
    )


@adapter("early_warnings")
def early_warnings(
    s: ToolSession, horizon_days: int = 91, entity: str | None = None, currency: str | None = None
) -> ToolResult:
    warn = require("tools.risk", "early_warnings")
    ew = warn(_risk(s, horizon_days))
    alerts = list(ew.alerts)
    serious = [a for a in alerts if a.severity in ("warning", "critical")]
    lead = min((a.lead_time_days for a in serious if a.lead_time_days is not None), default=None)
    return _result(
        "early_warnings",
        f"Early warnings as of {ew.as_of}",
        f"截至 {ew.as_of} 的预警",
        fig("alerts", "Alerts", "预警数", len(alerts), "count"),
        fig("serious", "Warnings or critical alerts", "警告或严重预警", len(serious), "count"),
        fig(
            "lead_time", "Shortest lead time (business days)", "最短提前期（工作日）", lead, "count"
        ),
        data={
            "alerts": [
                {"severity": a.severity, "title": a.title, "cause": a.cause} for a in alerts[:5]
            ]
        },
    )


@adapter("detect_anomalies")
def detect_anomalies(s: ToolSession, days: int = 30) -> ToolResult:
    bank_anomalies = require("tools.risk", "bank_anomalies")
    report = bank_anomalies(s.tables(), since=s.as_of() - timedelta(days=days))
    items = list(report.anomalies) if hasattr(report, "anomalies") else []
    total = float(np.sum([abs(a.amount) for a in items])) if items else 0.0
    return _result(
        "detect_anomalies",
        f"Unusual bank flows in the last {days} days",
        f"近 {days} 天的异常银行流水",
        fig("anomalies", "Anomalies found", "发现的异常", len(items), "count"),
        fig("amount", "Amount involved (currencies summed)", "涉及金额", total, "money"),
        data={
            "anomalies": [
                {
                    "kind": a.kind,
                    "severity": a.severity,
                    "counterparty": a.counterparty,
                    "amount": a.amount,
                    "currency": a.currency,
                }
                for a in items[:8]
            ]
        },
    )


@adapter("run_scenario")
def run_scenario(s: ToolSession, scenario: str, horizon_days: int = 91) -> ToolResult:
    parse_scenario, compare, receipts_from = require(
        "tools.scenarios", "parse_scenario", "compare_scenarios", "expected_receipts_from"
    )
    fc = s.forecast(horizon_days)
    sc = parse_scenario(scenario)
    cmp = compare(fc.outlook, s.policy(), [sc], expected_receipts=receipts_from(fc.receivables))
    base, shocked = cmp.results[0], cmp.results[-1]
    ccy = cmp.reporting_currency
    return _result(
        "run_scenario",
        f"Scenario '{scenario}' against the baseline",
        f"情景“{scenario}”与基准对比",
        fig(
            "breach_base",
            "Breach probability, baseline",
            "基准情景跌破概率",
            100 * base.breach_probability,
            "percent",
        ),
        fig(
            "breach_scenario",
            "Breach probability, scenario",
            "该情景跌破概率",
            100 * shocked.breach_probability,
            "percent",
        ),
        fig(
            "low_base",
            "Lowest cash (5% quantile), baseline",
            "基准最低现金（5% 分位）",
            base.group_min_balance_q05,
            "money",
            ccy,
        ),
        fig(
            "low_scenario",
            "Lowest cash (5% quantile), scenario",
            "情景最低现金（5% 分位）",
            shocked.group_min_balance_q05,
            "money",
            ccy,
        ),
        fig(
            "impact",
            "Change in lowest cash",
            "最低现金变化",
            shocked.group_min_balance_q05 - base.group_min_balance_q05,
            "money",
            ccy,
        ),
        data={"scenario": scenario, "parts": [p.model_dump(mode="json") for p in sc.parts]},
    )


@adapter("stress_test")
def stress_test(s: ToolSession, severity: str | None = None, horizon_days: int = 91) -> ToolResult:
    stress, receipts_from = require("tools.scenarios", "stress_test", "expected_receipts_from")
    fc = s.forecast(horizon_days)
    cmp = stress(
        fc.outlook, s.policy(), severity=severity, expected_receipts=receipts_from(fc.receivables)
    )
    worst = max(cmp.results, key=lambda r: r.breach_probability)
    ccy = cmp.reporting_currency
    return _result(
        "stress_test",
        f"Stress test: {len(cmp.results) - 1} scenarios against the baseline",
        f"压力测试：{len(cmp.results) - 1} 个情景与基准对比",
        fig("scenarios", "Scenarios run", "情景数", len(cmp.results) - 1, "count"),
        fig("worst", "Worst scenario", "最差情景", worst.name, "text"),
        fig(
            "worst_breach",
            "Its breach probability",
            "其跌破概率",
            100 * worst.breach_probability,
            "percent",
        ),
        fig(
            "worst_low",
            "Its lowest cash (5% quantile)",
            "其最低现金（5% 分位）",
            worst.group_min_balance_q05,
            "money",
            ccy,
        ),
        data={
            "results": [{"name": r.name, "p": round(r.breach_probability, 4)} for r in cmp.results]
        },
    )
