"""Human-readable renderings of import reports, workspace status and KPIs."""

from __future__ import annotations

from api.cli.output import console, days, money, table
from tools.kpi import KpiReport
from tools.workspace import ImportReport
from tools.workspace.status import WorkspaceStatus

__all__ = ["show_import", "show_kpis", "show_status"]


def show_import(report: ImportReport) -> None:
    console.print(
        table(
            None,
            ["file", "table", "mapping", "read", "new", "updated", "unchanged", "skipped"],
            _import_rows(report),
            numeric={"read", "new", "updated", "unchanged", "skipped"},
        )
    )
    for name, ids in report.created.items():
        shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        console.print(f"created {len(ids)} {name} from references: {shown}")
    if report.policy:
        console.print("policy: policy.yaml validated and stored")
    for problem in report.problems[:20]:
        console.print(_problem_line(problem), markup=False, soft_wrap=True)
    if report.problem_count > 20:
        console.print(
            f"... and {report.problem_count - 20} more problems (use --json for all listed)"
        )
    verdict = {
        "imported": "[green]imported[/] in one transaction",
        "validated": "[cyan]valid[/]: nothing stored (dry run)",
        "failed": "[red]nothing imported[/]: fix the problems above and import again",
    }
    console.print(f"batch {report.batch_id[:8]}: {verdict[report.status]}")


def _import_rows(report: ImportReport) -> list[tuple[str, ...]]:
    """One row per file; bank statements (often one file a day) summed per format and table."""
    rows: list[tuple[str, ...]] = []
    grouped: dict[tuple[str, str], list[int]] = {}
    names: dict[tuple[str, str], set[str]] = {}
    for f in report.files:
        counts = [
            f.rows_read,
            f.inserted,
            f.updated,
            f.unchanged,
            f.blank_rows_skipped + f.invalid_rows_skipped,
        ]
        if f.columns or not f.mapping.startswith(("camt", "mt94", "bai2")):
            rows.append(
                (f.file.rsplit("/", 1)[-1], f.table, f.mapping, *(f"{n:,}" for n in counts))
            )
            continue
        key = (f.mapping, f.table)
        grouped[key] = [a + b for a, b in zip(grouped.get(key, [0] * 5), counts, strict=True)]
        names.setdefault(key, set()).add(f.file)
    for (fmt, name), counts in grouped.items():
        files = names[(fmt, name)]
        label = (
            next(iter(files)).rsplit("/", 1)[-1]
            if len(files) == 1
            else f"{len(files)} statement files"
        )
        rows.append((label, name, fmt, *(f"{n:,}" for n in counts)))
    return rows


def _problem_line(p: dict[str, object]) -> str:
    where = str(p["file"])
    if p.get("row") is not None:
        where += f", row {p['row']}"
    if p.get("column"):
        where += f", column {p['column']!r}"
    text = f"  {where}: {p['message']}"
    if p.get("value") is not None:
        text += f" (got {p['value']!r}"
        text += f"; expected {p['expected']})" if p.get("expected") else ")"
    elif p.get("expected"):
        text += f" (expected {p['expected']})"
    return text


def show_status(status: WorkspaceStatus) -> None:
    console.print(f"[bold]{status.name}[/]  {status.workspace}  (database {status.database})")
    console.print(
        f"data as of {status.as_of or 'n/a'}; reporting currency "
        f"{status.reporting_currency}; {status.imports} import batches"
    )
    rows = [
        (t.table, f"{t.rows:,}", t.first or "", t.last or "", " ".join(t.currencies))
        for t in status.tables
    ]
    console.print(
        table(None, ["table", "rows", "from", "to", "currencies"], rows, numeric={"rows"})
    )
    if status.bank_coverage is not None:
        console.print(f"bank statements cover {status.bank_coverage:.1%} of expected business days")
    if not status.issues:
        console.print("no data-quality issues found")
    for issue in status.issues:
        colour = {"info": "cyan", "warning": "yellow", "error": "red"}[issue.severity]
        console.print(f"[{colour}]{issue.severity}[/] {issue.message}", markup=True)


def show_kpis(report: KpiReport) -> None:
    ccy = report.reporting_currency
    scopes = [report.group, *report.entities]
    metric_rows = [
        ("Cash (latest closing)", *(money(s.cash, ccy) for s in scopes)),
        ("Receivables open", *(money(s.ar_open, ccy) for s in scopes)),
        ("Payables open", *(money(s.ap_open, ccy) for s in scopes)),
        ("Inventory", *(money(s.inventory_value, ccy) for s in scopes)),
        (f"Revenue, last {report.window_days} d", *(money(s.revenue, ccy) for s in scopes)),
        ("DSO", *(days(s.dso) for s in scopes)),
        ("DSO (countback)", *(days(s.dso_countback) for s in scopes)),
        ("DPO", *(days(s.dpo) for s in scopes)),
        ("DIO", *(days(s.dio) for s in scopes)),
        ("Cash conversion cycle", *(days(s.ccc) for s in scopes)),
        ("AR overdue share", *(_pct(s.ar_overdue_share) for s in scopes)),
        ("AR disputed share", *(_pct(s.ar_disputed_share) for s in scopes)),
        ("Credit-line headroom", *(money(s.credit_headroom, ccy) for s in scopes)),
    ]
    names = [s.scope for s in scopes]
    console.print(
        table(
            f"Working capital as of {report.as_of} ({ccy})",
            ["KPI", *names],
            metric_rows,
            numeric=set(names),
        )
    )
    age = [
        (
            bucket,
            money(report.group.ar_ageing[bucket], ccy),
            money(report.group.ap_ageing[bucket], ccy),
        )
        for bucket in report.group.ar_ageing
    ]
    console.print(
        table(
            "Ageing by days past due (group)",
            ["bucket", "receivables", "payables"],
            age,
            numeric={"receivables", "payables"},
        )
    )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"
