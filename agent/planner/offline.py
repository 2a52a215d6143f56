"""The offline planner: intent routing on packaged MiniLM embeddings plus slot filling.

No key, no network, deterministic. A question is split into clauses at strong
connectors ("... and tell me if ..."); each clause is compared with labelled example
utterances (English and Chinese) by cosine similarity, with a small boost for
unambiguous finance terms; every clause that clears the threshold adds a tool call.
Follow-ups ("and if the top customer pays 30 days late?") inherit the previous turn's
horizon and entity. Too-weak or too-close scores ask a clarifying question.
"""

from __future__ import annotations

import re
import threading
from typing import Any, ClassVar

import numpy as np

from agent.planner.base import Plan, PlannedCall, Turn, detect_language
from agent.planner.examples import EXAMPLES
from agent.planner.recipients import recipients
from agent.planner.slots import MasterData, Slots, extract_slots
from agent.prompts import CLARIFY, DECLINE, EXECUTE_REFUSAL
from agent.results import ToolResult

__all__ = ["IntentRouter", "OfflinePlanner"]

_SPLIT = re.compile(
    r"\s*(?:,?\s+and\s+(?:then\s+|also\s+)?(?=tell|show|check|let|what|whether|if|run|see|give|list|how|plan|optimi[sz]e|propose|search|find|explain|predict|forecast|compare|detect|are|is|do|will|when)"
    r"|;\s*|\.\s+(?=[A-Z])|\?\s*(?=\S)|，?\s*(?:并且|然后|同时|再|并)\s*(?=[\u4e00-\u9fff])|；)",
    re.IGNORECASE,
)
_FOLLOW = re.compile(
    r"^\s*(and|but|also|what about|how about|and if|what if|then|same for"
    r"|那|那么|如果|要是|假如|换成)",
    re.I,
)
_BOOST: dict[str, tuple[str, ...]] = {
    "kpi_report": (
        "周转",
        "指标",
        r"\bdso\b",
        r"\bdpo\b",
        r"\bdio\b",
        r"\bccc\b",
        "conversion cycle",
        "周转天数",
        "转换周期",
        r"\bkpis?\b",
        "ageing",
        "aging",
    ),
    "liquidity_risk": (
        "流动性",
        "breach",
        "minimum cash",
        "below the minimum",
        "floor",
        "跌破",
        "最低现金",
        "run out of cash",
        "shortfall",
    ),
    "run_scenario": (
        "what if",
        "what happens if",
        r"\bif\b.*\blate\b",
        "scenario",
        "simulate",
        "如果",
        "假设",
        "假如",
    ),
    "stress_test": (r"\bstr?e?ss", "压力测试", "压力情景"),
    "detect_anomalies": (
        "anomal",
        "duplicate",
        "unusual",
        "suspicious",
        "异常",
        "重复付款",
        "可疑",
    ),
    "search_knowledge": ("policy", "procedure", "playbook", "rule", "政策", "规定", "制度"),
    "search_decisions": ("decided", "decision", "决策"),
    "list_proposals": (
        "proposal",
        "awaiting approval",
        "pending approval",
        "提议",
        "待审批",
        "待批准",
    ),
    "execute_request": (
        r"\bapprove\b",
        "execute",
        "skip the approval",
        "without approval",
        "already approved",
        "批准",
        "执行",
        "不用审批",
    ),
    "explain_variance": (
        "variance",
        "versus actual",
        "vs actual",
        "than forecast",
        "差异",
        "比预测",
    ),
    "plan_collections": ("dunning", "chase", "collect", "催收", "催款"),
    "review_credit_limits": ("credit limit", "信用额度"),
    "plan_inventory": ("inventory", "stock", "purchase plan", "reorder", "库存", "采购"),
    "plan_investments": (
        "invest",
        "deposit",
        "money market",
        "idle cash",
        "surplus cash",
        "投资",
        "定期",
        "闲置资金",
    ),
    "optimize_payments": (
        "pay early",
        "early payment",
        "payment run",
        "discount",
        "pay our suppliers",
        "付款批次",
        "折扣",
        "供应商付款",
    ),
    "forecast_cash": (
        "forecast",
        "outlook",
        "cash balance",
        "cash position",
        "at the end of",
        "预测",
        "现金流",
        "现金情况",
        "现金余额",
        "现金有多少",
    ),
    "weekly_report": (
        r"weekly\b.*\b(report|summary)",
        r"\breport\b.*\bthis week",
        r"week'?s (treasury |cash )?report",
        "周报",
        "每周报告",
    ),
    "predict_customer_payments": (
        "when will",
        "pay its",
        "payment date",
        "付款日期",
        "什么时候会付款",
    ),
}
_WEIGHT = {"search_knowledge": 1.6, "execute_request": 1.0, "weekly_report": 1.5}
THRESHOLD = 0.45
MARGIN = 0.02


def _cued(intent: str, text: str) -> bool:
    """Whether ``text`` holds one of the intent's unambiguous cue words."""
    low = text.lower()
    return any(re.search(c, low) for c in _BOOST[intent])


class IntentRouter:
    """Nearest labelled examples by cosine similarity of MiniLM sentence embeddings."""

    _lock = threading.Lock()
    _cache: ClassVar[dict[str, tuple[Any, np.ndarray, list[str]]]] = {}

    def __init__(self, model_name: str = "all-MiniLM-L6-v2") -> None:
        with self._lock:
            if model_name not in self._cache:
                from knowledge.embeddings import load_sentence_model

                self.model = load_sentence_model(model_name)
                labels = [i for i, texts in EXAMPLES.items() for _ in texts]
                texts = [t for ts in EXAMPLES.values() for t in ts]
                self._cache[model_name] = (self.model, self._encode(texts), labels)
        self.model, self.vectors, self.labels = self._cache[model_name]
        self.intents = list(EXAMPLES)

    def _encode(self, texts: list[str]) -> np.ndarray:
        # One thread: a short sentence encodes in milliseconds, and on a busy machine
        # torch's thread pool costs far more than it saves.
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return np.asarray(self.model.encode(texts, normalize_embeddings=True, batch_size=64))
        finally:
            torch.set_num_threads(threads)

    def scores(self, texts: list[str]) -> list[dict[str, float]]:
        """Per text: each intent's best example similarity plus keyword boosts."""
        q = self._encode(texts)
        sims = q @ self.vectors.T
        out = []
        for text, row in zip(texts, sims, strict=True):
            best: dict[str, float] = {}
            for label, value in zip(self.labels, row, strict=True):
                best[label] = max(best.get(label, -1.0), float(value))
            # The packaged MiniLM is an English model: Chinese leans more on the cues.
            boost = 0.25 if detect_language(text) == "zh" else 0.12
            for intent in _BOOST:
                if _cued(intent, text):
                    best[intent] = best.get(intent, 0.0) + boost * _WEIGHT.get(intent, 1.0)
            out.append(best)
        return out


def master_from_tables(tables: dict[str, Any]) -> MasterData:
    """Names and the largest counterparties from the workspace's master data and ledgers."""
    ent = tables.get("entities")
    cust = tables.get("customers")
    supp = tables.get("suppliers")
    ar = tables.get("ar_invoices")
    ap = tables.get("ap_bills")
    top_c = top_s = None
    if ar is not None and not ar.empty and "open_amount" in ar:
        top_c = str(ar.groupby("customer_id")["open_amount"].sum().idxmax())
    if ap is not None and not ap.empty and "open_amount" in ap:
        top_s = str(ap.groupby("supplier_id")["open_amount"].sum().idxmax())
    return MasterData(
        entities={} if ent is None else dict(zip(ent["entity_id"], ent["name"], strict=False)),
        entity_countries={}
        if ent is None
        else dict(zip(ent["entity_id"], ent["country"], strict=False)),
        customers={}
        if cust is None
        else dict(zip(cust["customer_id"], cust["name"], strict=False)),
        suppliers={}
        if supp is None
        else dict(zip(supp["supplier_id"], supp["name"], strict=False)),
        top_customer=top_c,
        top_supplier=top_s,
    )


class OfflinePlanner:
    """Plans tool calls without a language model."""

    name = "offline"

    def __init__(self, master: MasterData, router: IntentRouter | None = None) -> None:
        self.master = master
        self.router = router or IntentRouter()

    def plan(
        self, question: str, *, language: str, history: list[Turn], results: list[ToolResult]
    ) -> Plan:
        if results:  # tools ran: the offline plan is one step, so answer now
            return Plan(kind="answer")
        clauses = [c for c in _SPLIT.split(question.strip()) if c and len(c.strip()) > 1] or [
            question
        ]
        scored = self.router.scores([question, *clauses] if len(clauses) > 1 else [question])
        whole = scored[0]
        ranked = sorted(whole.items(), key=lambda kv: -kv[1])
        top, top_score = ranked[0]
        previous = history[-1] if history else None
        follow = bool(previous and previous.calls and _FOLLOW.search(question))
        if top == "out_of_scope" and top_score >= THRESHOLD:
            return Plan(kind="decline", message=DECLINE[language], reason="out_of_scope")
        # "Send the report to the CFO" reads like "the CFO approved, send it" to the
        # embeddings; with no approve/execute wording it is a report to propose sending.
        if (
            top == "execute_request"
            and _cued("weekly_report", question)
            and not _cued("execute_request", question)
        ):
            top, top_score = "weekly_report", whole["weekly_report"]
            ranked = [(top, top_score), *(kv for kv in ranked if kv[0] != top)]
        if top == "execute_request" and top_score >= THRESHOLD:
            return Plan(kind="decline", message=EXECUTE_REFUSAL[language], reason="execute_request")
        runner_up, second = next(
            ((k, v) for k, v in ranked[1:] if k not in ("out_of_scope", "execute_request")),
            (top, 0.0),
        )
        if (
            not follow
            and len(clauses) == 1
            and top_score < 0.62
            and top_score - second < MARGIN
            and runner_up != top
        ):
            return Plan(kind="clarify", message=CLARIFY[language], reason=f"{top} or {runner_up}")
        intents: list[str] = []
        for clause_scores in scored[1:] if len(clauses) > 1 else scored:
            best, value = max(
                (
                    (k, v)
                    for k, v in clause_scores.items()
                    if k not in ("out_of_scope", "execute_request")
                ),
                key=lambda kv: kv[1],
            )
            if value >= THRESHOLD and best not in intents:
                intents.append(best)
        if not intents:
            if follow and previous is not None:
                intents = [c.name for c in previous.calls]
            elif top_score >= THRESHOLD - 0.05 and top not in ("out_of_scope", "execute_request"):
                intents = [top]
            else:
                return Plan(
                    kind="clarify", message=CLARIFY[language], reason=f"low score {top_score:.2f}"
                )
        slots = extract_slots(question, self.master)
        calls = tuple(
            PlannedCall(name=i, args=self._args(i, slots, question, previous if follow else None))
            for i in intents
        )
        return Plan(kind="tools", calls=calls)

    def _args(self, intent: str, s: Slots, question: str, previous: Turn | None) -> dict[str, Any]:
        inherited: dict[str, Any] = {}
        if previous is not None:
            for call in previous.calls:
                for key in ("horizon_days", "entity", "currency"):
                    if key in call.args and call.args[key] is not None:
                        inherited.setdefault(key, call.args[key])
        horizon = s.horizon_days or inherited.get("horizon_days") or 91
        entity = s.entity or inherited.get("entity")
        currency = s.currency
        if intent in (
            "forecast_cash",
            "liquidity_risk",
            "early_warnings",
            "optimize_payments",
            "optimize_working_capital",
        ):
            args: dict[str, Any] = {"horizon_days": horizon}
            if entity:
                args["entity"] = entity
            if currency or inherited.get("currency"):
                args["currency"] = currency or inherited.get("currency")
            return args
        if intent in ("predict_customer_payments", "plan_collections", "review_credit_limits"):
            args = {"horizon_days": horizon}
            if s.customer_id:
                args["customer_id"] = s.customer_id
            if s.top_n:
                args["top_n"] = s.top_n
            return args
        if intent == "kpi_report":
            args = {}
            if entity:
                args["entity"] = entity
            if s.dates:
                args["as_of"] = s.dates[0].isoformat()
            m = re.search(r"\b(dso|dpo|dio|ccc)\b", question.lower())
            if m:
                args["metric"] = m.group(1)
            return args
        if intent == "detect_anomalies":
            return {"days": s.horizon_days or 30}
        if intent == "run_scenario":
            return {"scenario": self._scenario(s, question), "horizon_days": horizon}
        if intent == "stress_test":
            return {"horizon_days": horizon, **({"severity": s.severity} if s.severity else {})}
        if intent == "plan_investments":
            args = {"horizon_days": horizon}
            if s.amounts:
                args["amount"] = s.amounts[0][0]
                if s.amounts[0][1]:
                    args["currency"] = s.amounts[0][1]
            elif currency:
                args["currency"] = currency
            return args
        if intent == "plan_inventory":
            args = {}
            if s.amounts:
                args["budget"] = s.amounts[0][0]
            return args
        if intent in ("search_knowledge", "search_decisions"):
            return {"query": question.strip()}
        if intent == "explain_variance":
            return {"weeks": max(1, (s.horizon_days or 28) // 7)}
        if intent == "weekly_report":
            args = {"pdf": True} if re.search(r"\bpdf\b", question, re.I) else {}
            to = recipients(question)
            return {**args, "send_to": to} if to else args
        if intent == "list_proposals":
            low = question.lower()
            for status in ("pending", "approved", "executed", "rejected", "expired"):
                if status in low:
                    return {"status": status}
            return {"status": "pending"} if re.search("待审批|待批准|waiting", question) else {}
        return {}

    def _scenario(self, s: Slots, question: str) -> str:
        """Scenario text in the form the scenario parser reads."""
        low = question.lower()
        pct = s.percents[0] if s.percents else None
        span = f" for {s.span_days} days" if s.span_days else ""
        if s.days_late and s.customer_id:
            return f"customer {s.customer_id} pays {s.days_late} days late"
        if s.days_late:
            return f"collections -{pct or 100:g}% for {s.days_late} days"
        if s.supplier_id and re.search("prepay|upfront|in advance|预付", low + question):
            return f"supplier {s.supplier_id} demands prepayment"
        if re.search(r"credit (line|facility)|信贷额度|授信", low + question):
            return f"credit line cut {pct or 50:g}%"
        for word, ccy in (
            ("euro", "EUR"),
            ("eur", "EUR"),
            ("欧元", "EUR"),
            ("dollar", "USD"),
            ("美元", "USD"),
            ("fx", "fx"),
        ):
            if word in low and pct is not None:
                sign = "+" if re.search("rise|strengthen|up|升值", low + question) else "-"
                return f"{ccy} {sign}{pct:g}%"
        if pct is not None and re.search(r"sales|revenue|销售|收入", low + question):
            return f"sales -{pct:g}%{span}"
        if pct is not None:
            return f"collections -{pct:g}%{span}"
        return "collections -15% for 42 days"
