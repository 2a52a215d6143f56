"""Duplicate, out-of-order and missing statements are reported at import."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tools.workspace import Workspace, import_files


def mt940(number: int, day: int, opening: str, amount: str, closing: str, ident: str = "") -> str:
    """A one-line MT940 statement for 2024-03-DAY."""
    return (
        f":20:{ident or f'STMT-{number}'}\n"
        ":25:DE89370400440532013000\n"
        f":28C:{number:05d}/001\n"
        f":60F:C2403{day - 1:02d}EUR{opening}\n"
        f":61:2403{day:02d}03{day:02d}C{amount}NTRFREF{number}\n"
        f":86:Receipt {number}\n"
        f":62F:C2403{day:02d}EUR{closing}\n"
        "-\n"
    )


def _import(ws: Workspace, write: Callable[..., Path], name: str, text: str) -> list[str]:
    report = import_files(ws, [write(name, text)], user="test", defaults={"entity_id": "E1"})
    assert report.ok, report.problems
    return report.warnings


def test_resent_statement_is_named_and_kept_once(ws: Workspace, write: Callable[..., Path]) -> None:
    first = mt940(12, 4, "100,00", "10,00", "110,00")
    assert _import(ws, write, "a.sta", first) == []
    again = _import(ws, write, "b.sta", first)
    assert any("already imported from" in w and "STMT-12" in w for w in again)
    assert ws.counts()["bank_transactions"] == 1


def test_gap_in_numbers_is_reported(ws: Workspace, write: Callable[..., Path]) -> None:
    _import(ws, write, "a.sta", mt940(12, 4, "100,00", "10,00", "110,00"))
    warnings = _import(ws, write, "c.sta", mt940(15, 7, "110,00", "5,00", "115,00"))
    assert any("statement number(s) 13 to 14 missing" in w for w in warnings)


def test_older_statement_after_newer_is_out_of_order(
    ws: Workspace, write: Callable[..., Path]
) -> None:
    _import(ws, write, "b.sta", mt940(13, 5, "110,00", "1,00", "111,00"))
    warnings = _import(ws, write, "a.sta", mt940(12, 4, "100,00", "10,00", "110,00"))
    assert any("arrived after statements up to 2024-03-05" in w for w in warnings)
    assert not any("missing" in w for w in warnings)


def test_consecutive_statements_raise_nothing(ws: Workspace, write: Callable[..., Path]) -> None:
    _import(ws, write, "a.sta", mt940(12, 4, "100,00", "10,00", "110,00"))
    assert _import(ws, write, "b.sta", mt940(13, 5, "110,00", "1,00", "111,00")) == []


def test_dry_run_records_nothing(ws: Workspace, write: Callable[..., Path]) -> None:
    path = write("a.sta", mt940(12, 4, "100,00", "10,00", "110,00"))
    import_files(ws, [path], user="test", dry_run=True, defaults={"entity_id": "E1"})
    assert _import(ws, write, "a2.sta", mt940(12, 4, "100,00", "10,00", "110,00")) == []
