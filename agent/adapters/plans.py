"""Adapters for the optimizers (which propose actions), the knowledge base and proposals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from agent.adapters.common import adapter, fig, require
from agent.results import Figure, ToolResult
from agent.session import ToolSession

__all__: list[str] = []


def _proposals(result: Any) -> tuple[dict[str, Any], ...]:
    return tuple(p.model_dump(mode="json") for p in getattr(result, "proposals", ()) or ())


def _plan_result(
    name: str, head: str, head_zh: str, figures: list[Figure | None], result: Any, **kw: Any
) -> ToolResult:
    return ToolResult(
        call_id="",
        name=name,
        headline=head,
        headline_zh=head_zh,
        figures=tuple(f for f in figures if f is not None),
        proposals=_proposals(result),
        **kw,
    )


@adapter("optimize_payments")
def optimize_payments(
    s: ToolSession, horizon_days: int = 91, entity: str | None = None, currency: str | None = None
) -> ToolResult:
    optimize = require("tools.optimization", "optimize_payments")
    t = s.tables()
    plan = optimize(
        s.forecast(horizon_days).outlook,
        None,
        t["suppliers"],
        s.policy(),
        rates=t["interest_rates"],
        credit=t["credit_facilities"],
    )
    if entity:
        plan = plan.model_copy(
            update={"proposals": tuple(p for p in plan.proposals if p.entity_id == entity.upper())}
        )
    ccy = s.ws.reporting_currency
    value = sum(p.value for p in plan.proposals)
    total = sum(p.amount_reporting for p in plan.proposals)
    return _plan_result(
        "optimize_payments",
        f"Supplier payment plan ({plan.status})",
        f"供应商付款计划（{plan.status}）",
        [
            fig("runs", "Payment runs proposed", "建议的付款批次", len(plan.proposals), "count"),
            fig("paid", "Amount in the proposed runs", "建议付款金额", total, "money", ccy),
            fig(
                "value",
                "Value created (discounts less fees)",
                "创造的价值（折扣减费用）",
                value,
                "money",
                ccy,
            ),
        ],
        plan,
        data={
            "status": plan.status,
            "objective": {k: round(v, 2) for k, v in plan.objective.items()},
        },
    )


@adapter("plan_investments")
def plan_investments(
    s: ToolSession, amount: float | None = None, currency: str | None = None, horizon_days: int = 91
) -> ToolResult:
    optimize = require("tools.optimization", "optimize_investments")
    t = s.tables()
    plan = optimize(
        s.forecast(horizon_days).outlook,
        s.policy(),
        rates=t["interest_rates"],
        credit=t["credit_facilities"],
        bank_accounts=t["bank_accounts"],
    )
    ccy = s.ws.reporting_currency
    placed = sum(p.amount_reporting for p in plan.proposals)
    return _plan_result(
        "plan_investments",
        f"Investment ladder for idle cash ({plan.status})",
        f"闲置资金投资阶梯（{plan.status}）",
        [
            fig(
                "orders",
                "Investment orders proposed",
                "建议的投资指令",
                len(plan.proposals),
                "count",
            ),
            fig("placed", "Amount to place", "投资金额", placed, "money", ccy),
            fig(
                "yield",
                "Expected interest",
                "预期利息",
                sum(p.value for p in plan.proposals),
                "money",
                ccy,
            ),
        ],
        plan,
        data={"status": plan.status, "requested_amount": amount},
    )


@adapter("optimize_working_capital")
def optimize_working_capital(
    s: ToolSession, horizon_days: int = 91, entity: str | None = None, currency: str | None = None
) -> ToolResult:
    optimize = require("tools.optimization", "optimize_working_capital")
    t = s.tables()
    plan = optimize(
        s.forecast(horizon_days).outlook,
        None,
        t["suppliers"],
        s.policy(),
        rates=t["interest_rates"],
        credit=t["credit_facilities"],
        bank_accounts=t["bank_accounts"],
    )
    ccy = s.ws.reporting_currency
    return _plan_result(
        "optimize_working_capital",
        f"Joint working-capital plan ({plan.status})",
        f"营运资本联合方案（{plan.status}）",
        [
            fig("actions", "Actions proposed", "建议的操作", len(plan.proposals), "count"),
            fig(
                "value",
                "Value created",
                "创造的价值",
                sum(p.value for p in plan.proposals),
                "money",
                ccy,
            ),
        ],
        plan,
        data={"status": plan.status},
        charts=({"kind": "pareto", "title": "Working-capital Pareto frontier"},),
    )


@adapter("plan_collections")
def plan_collections(
    s: ToolSession, customer_id: str | None = None, horizon_days: int = 91, top_n: int = 10
) -> ToolResult:
    fn = require("tools.optimization.receivables", "collections_worklist")
    return _generic("plan_collections", fn(s.tables()["ar_invoices"], as_of=s.as_of()))


@adapter("review_credit_limits")
def review_credit_limits(
    s: ToolSession, customer_id: str | None = None, horizon_days: int = 91, top_n: int = 10
) -> ToolResult:
    fn = require("tools.optimization.credit", "credit_limits")
    t = s.tables()
    return _generic(
        "review_credit_limits", fn(t["customers"], t["ar_invoices"], s.policy(), as_of=s.as_of())
    )


@adapter("plan_inventory")
def plan_inventory(
    s: ToolSession, budget: float | None = None, sku: str | None = None
) -> ToolResult:
    fn = require("tools.optimization.inventory", "optimize_purchases")
    t = s.tables()
    plan = fn(
        s.forecast(91).outlook,
        t["inventory_items"],
        t["inventory_demand"],
        suppliers=t["suppliers"],
        purchase_orders=t["purchase_orders"],
    )
    return _generic("plan_inventory", plan)


@adapter("explain_variance")
def explain_variance(s: ToolSession, weeks: int = 4) -> ToolResult:
    fn = require("tools.monitoring", "explain_variance")
    asof = require("tools.data.asof", "tables_as_of")
    build = require("tools.forecasting", "build_outlook")
    tables = s.tables()
    end = s.as_of()
    start = end - timedelta(days=7 * max(1, min(weeks, 12)) - 1)
    origin = start - timedelta(days=1)
    then = build(asof(tables, origin), s.policy(), as_of=origin, horizon_days=91, n_paths=200)
    report = fn(then, tables, start=start, end=end)
    ccy = report.reporting_currency
    figures = [
        fig("forecast", "Forecast net cash flow", "预测净现金流", report.forecast, "money", ccy),
        fig("actual", "Actual net cash flow", "实际净现金流", report.actual, "money", ccy),
        fig("variance", "Variance", "差异", report.variance, "money", ccy),
    ]
    figures += [
        fig(f"driver_{i}", d.explanation, d.explanation, d.amount, "money", ccy)
        for i, d in enumerate(report.drivers[:3], start=1)
    ]
    return _plan_result(
        "explain_variance",
        report.summary,
        report.summary,
        figures,
        report,
        data={"by_component": report.by_component, "by_category": report.by_category},
    )


def _generic(name: str, result: Any) -> ToolResult:
    return _plan_result(
        name,
        name.replace("_", " ").capitalize(),
        name,
        [
            fig(
                "proposals",
                "Actions proposed",
                "建议的操作",
                len(getattr(result, "proposals", ())),
                "count",
            )
        ],
        result,
    )


def _search(s: ToolSession, query: str, collection: str | None, name: str) -> ToolResult:
    store_cls, search, filters_cls = (
        require("knowledge.store", "KnowledgeStore"),
        require("knowledge.retrieval", "search"),
        require("knowledge.models", "SearchFilters"),
    )
    from tools.settings import Settings

    store = store_cls.open(Settings(workspace=s.ws.root))
    filters = filters_cls(collections=(collection,)) if collection else None
    result = search(store, query, k=3, filters=filters)
    citations = tuple(
        {
            "title": h.title,
            "section": h.section,
            "version": h.version,
            "source": h.source,
            "chunk_id": h.chunk_id,
            "citation": h.citation,
            "snippet": h.snippet,
            "suspicious": h.suspicious,
        }
        for h in result.hits
    )
    return ToolResult(
        call_id="",
        name=name,
        headline=f"{len(citations)} passage(s) found for '{query}'",
        headline_zh=f"找到 {len(citations)} 段相关内容：“{query}”",
        figures=(),
        citations=citations,
        data={"query": query},
    )


@adapter("search_knowledge")
def search_knowledge(s: ToolSession, query: str) -> ToolResult:
    return _search(s, query, None, "search_knowledge")


@adapter("search_decisions")
def search_decisions(s: ToolSession, query: str) -> ToolResult:
    return _search(s, query, "decisions", "search_decisions")


@adapter("list_proposals")
def list_proposals(s: ToolSession, status: str | None = None) -> ToolResult:
    from agent.ledger import Ledger

    records = Ledger.for_workspace(s.ws).list(status=status, limit=20)
    open_ = [r for r in records if r.status in ("pending", "approved")]
    return ToolResult(
        call_id="",
        name="list_proposals",
        headline=f"{len(records)} proposal(s)" + (f" with status {status}" if status else ""),
        headline_zh=f"共 {len(records)} 项提议",
        figures=tuple(
            f
            for f in (
                fig("proposals", "Proposals", "提议数", len(records), "count"),
                fig("open", "Awaiting a decision", "待决定", len(open_), "count"),
            )
            if f
        ),
        data={"proposals": [r.summary() for r in records]},
    )
