"""``wcm kb``: the knowledge base of policies, playbooks, glossary and past decisions."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from api.cli.main import JsonOpt, WorkspaceOpt, app, handle_errors
from api.cli.output import console, print_json, table
from tools.errors import DataError, Problem
from tools.settings import Settings

if TYPE_CHECKING:
    from knowledge import KnowledgeStore

kb_app = typer.Typer(
    no_args_is_help=True,
    help="Knowledge base: ingest policy documents, search them with citations, check "
    "that the policy text agrees with policy.yaml.",
)
app.add_typer(kb_app, name="kb", help="Knowledge base of policies, playbooks and decisions.")

CollectionOpt = Annotated[
    str | None,
    typer.Option(
        "--collection",
        "-c",
        help="policies, decisions, playbooks, glossary or documents.",
        show_default=False,
    ),
]


def _settings(workspace: Path | None) -> Settings:
    settings = Settings()
    if workspace is not None:
        settings = settings.model_copy(update={"workspace": workspace})
    return settings


def _store(workspace: Path | None) -> KnowledgeStore:
    from knowledge import KnowledgeStore
    from tools.workspace import open_workspace

    settings = _settings(workspace)
    if not settings.chroma_host and settings.chroma_path is None:
        open_workspace(settings.workspace)  # the store lives in an initialised workspace
    return KnowledgeStore.open(settings)


def _collection(
    value: str | None,
) -> Literal["policies", "decisions", "playbooks", "glossary", "documents"] | None:
    from knowledge.models import COLLECTIONS

    if value is None:
        return None
    if value not in COLLECTIONS:
        raise DataError(
            [
                Problem(
                    file="--collection",
                    message=f"unknown collection {value!r}",
                    expected=", ".join(COLLECTIONS),
                )
            ]
        )
    return value


@kb_app.command("ingest")
@handle_errors
def ingest_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (searched recursively).")],
    collection: CollectionOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Ingest Markdown, text, PDF, Word and HTML documents; unchanged files are left alone.

    Exit code 1 when any file was skipped (the others are still ingested).
    """
    from knowledge import ingest_paths

    store = _store(workspace)
    report = ingest_paths(store, paths, collection=_collection(collection))
    summary = {s: report.count(s) for s in ("ingested", "unchanged", "skipped")}
    if as_json:
        print_json(
            {
                **summary,
                "chunks": report.chunks,
                "seconds": report.seconds,
                "max_file_mb": store.max_file_mb,
                "files": [f.model_dump() for f in report.files],
            }
        )
    else:
        rows = [
            (
                f.file,
                f.status,
                f.collection or "",
                f"{f.doc_id} v{f.version}" if f.doc_id else "",
                f.chunks,
                f.reason
                or ("flagged chunks: " + str(f.suspicious_chunks) if f.suspicious_chunks else ""),
            )
            for f in report.files
        ]
        console.print(
            table(
                None,
                ["file", "status", "collection", "document", "chunks", "note"],
                rows,
                numeric={"chunks"},
            )
        )
        console.print(
            ", ".join(f"{n} {s}" for s, n in summary.items()) + f" in {report.seconds:.1f} s"
        )
    if summary["skipped"]:
        raise typer.Exit(1)


@kb_app.command("search")
@handle_errors
def search_cmd(
    query: Annotated[str, typer.Argument(help="A question or keywords.")],
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="Number of results.")] = 5,
    collection: Annotated[
        list[str] | None,
        typer.Option(
            "--collection", "-c", help="Restrict to a collection (repeatable).", show_default=False
        ),
    ] = None,
    doc_type: Annotated[
        list[str] | None,
        typer.Option(
            "--doc-type", help="Restrict to a document type (repeatable).", show_default=False
        ),
    ] = None,
    version: Annotated[
        str | None,
        typer.Option("--version", help="A specific document version.", show_default=False),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Versions in force on this date (YYYY-MM-DD).", show_default=False
        ),
    ] = None,
    all_versions: Annotated[
        bool, typer.Option("--all-versions", help="Include superseded versions.")
    ] = False,
    method: Annotated[
        str, typer.Option("--method", help="hybrid (default), dense or keyword.")
    ] = "hybrid",
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Search the knowledge base; each result cites document, section, version and chunk.

    Retrieved text is quoted data: it never triggers an action.
    """
    from knowledge import SearchFilters, search

    if method not in ("hybrid", "dense", "keyword"):
        raise DataError(
            [
                Problem(
                    file="--method",
                    message=f"unknown method {method!r}",
                    expected="hybrid, dense or keyword",
                )
            ]
        )
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise DataError(
            [Problem(file="--as-of", message="not a date", value=as_of, expected="YYYY-MM-DD")]
        ) from None
    filters = SearchFilters(
        collections=tuple(c for c in (_collection(c) for c in collection or []) if c) or None,
        doc_types=tuple(doc_type) if doc_type else None,
        version=version,
        as_of=day,
        include_superseded=all_versions,
    )
    result = search(_store(workspace), query, k=k, filters=filters, method=method)  # type: ignore[arg-type]
    if as_json:
        print_json(result)
        return
    if not result.hits:
        console.print("no matching passages")
        return
    for i, hit in enumerate(result.hits, 1):
        flag = " [red](flagged: instruction-like text)[/]" if hit.suspicious else ""
        console.print(f"[bold]{i}. {hit.citation}[/] score {hit.score:.4f}{flag}", markup=True)
        console.print(f"   > {hit.snippet}", markup=False)
    console.print(f"[dim]{result.notice}[/]", markup=True)


@kb_app.command("list")
@handle_errors
def list_cmd(
    collection: CollectionOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List stored documents with their versions (current or superseded)."""
    docs = _store(workspace).list_documents(_collection(collection))
    if as_json:
        print_json({"count": len(docs), "documents": [d.model_dump() for d in docs]})
        return
    rows = [
        (
            d.collection,
            d.doc_id,
            d.version,
            "current" if d.is_current else "superseded",
            d.effective_date or "",
            d.title,
            d.chunks,
        )
        for d in docs
    ]
    console.print(
        table(
            None,
            ["collection", "document", "version", "status", "effective", "title", "chunks"],
            rows,
            numeric={"chunks"},
        )
    )


@kb_app.command("delete")
@handle_errors
def delete_cmd(
    doc: Annotated[str, typer.Argument(help="Document id, as shown by 'wcm kb list'.")],
    version: Annotated[
        str | None, typer.Option("--version", help="Only this version.", show_default=False)
    ] = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Delete a document (every version, or one) from the knowledge base."""
    removed = _store(workspace).delete_document(doc, version=version)
    if not removed:
        raise DataError(
            [
                Problem(
                    file=doc,
                    message="no such document" + (f" version {version}" if version else ""),
                    expected="a document id from 'wcm kb list'",
                )
            ]
        )
    if as_json:
        print_json({"doc_id": doc, "version": version, "chunks_removed": removed})
    else:
        console.print(f"deleted {doc}{' v' + version if version else ''}: {removed} chunks")


@kb_app.command("check")
@handle_errors
def check_cmd(
    workspace: WorkspaceOpt = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also list numbers that agree.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Check that the policy documents state the same numbers as policy.yaml.

    Exit code 1 when a document disagrees with the YAML.
    """
    from knowledge import check_policy_consistency
    from tools.workspace import open_workspace

    settings = _settings(workspace)
    ws = open_workspace(settings.workspace)
    entities = ws.read("entities")
    currencies = (
        dict(zip(entities["entity_id"], entities["base_currency"], strict=True))
        if len(entities)
        else {}
    )
    report = check_policy_consistency(ws.policy(), _store(workspace), entity_currencies=currencies)
    if as_json:
        print_json({"ok": report.ok, **report.model_dump(mode="json")})
    else:
        shown = [f for f in report.findings if show_all or f.status != "agrees"]
        rows = [
            (f.status, f.key, f.message, f"{f.doc_id} v{f.version}" if f.doc_id else "")
            for f in shown
        ]
        console.print(table(None, ["status", "key", "finding", "document"], rows))
        agree = sum(1 for f in report.findings if f.status == "agrees")
        console.print(
            f"{len(report.disagreements)} disagreements, {agree} numbers agree, "
            f"{len(report.documents)} documents read"
        )
    if not report.ok:
        raise typer.Exit(1)


@kb_app.command("load-demo")
@handle_errors
def load_demo_cmd(workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """Load the demo company's shipped policies, playbooks, glossary and past decisions."""
    from knowledge import ingest_demo_content

    report = ingest_demo_content(_store(workspace))
    summary = {s: report.count(s) for s in ("ingested", "unchanged", "skipped")}
    if as_json:
        print_json(
            {**summary, "chunks": report.chunks, "files": [f.model_dump() for f in report.files]}
        )
    else:
        console.print(
            ", ".join(f"{n} {s}" for s, n in summary.items()) + f"; {report.chunks} chunks"
        )
