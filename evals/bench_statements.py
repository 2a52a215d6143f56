"""Statement-parsing throughput and peak memory on large camt.053 and MT940 files.

``python -m evals.bench_statements [--entries N] [--json]`` writes a seeded camt.053.001.08
and a seeded MT940 file of N entries each (default 100,000; 100 daily statements of one
account, SEPA-style details), parses each with ``parse_statement_file`` and, as same-run
baselines, parses the XML with ``lxml.etree.parse`` alone and splits the MT940 into lines
(the least any parser must do). MT940 is also read with the built-in reader alone, next to
the default (the ``mt-940`` library with our reader as fallback). Each measurement runs in
its own process so its peak RSS is its own; ``import_rss_mb`` is the RSS before reading.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from evals.common import emit, peak_rss_mb, run_child

__all__ = ["main", "write_camt053", "write_mt940"]

_STATEMENTS = 100
_IBAN = "DE89370400440532013000"
_START = date(2024, 1, 1)


def _lines(entries: int, seed: int) -> Iterator[tuple[int, Decimal, str, str]]:
    """(statement number, signed amount, counterparty, reference) per entry."""
    rng = random.Random(seed)
    for i in range(entries):
        cents = int(rng.lognormvariate(9, 1.5)) + 1
        amount = Decimal(cents).scaleb(-2) * (1 if rng.random() < 0.45 else -1)
        yield i * _STATEMENTS // entries, amount, f"Company {rng.randrange(5000)}", f"INV-{i:07d}"


def _by_statement(entries: int, seed: int) -> list[list[tuple[Decimal, str, str]]]:
    days: list[list[tuple[Decimal, str, str]]] = [[] for _ in range(_STATEMENTS)]
    for day, amount, name, ref in _lines(entries, seed):
        days[day].append((amount, name, ref))
    return days


def write_camt053(path: Path, entries: int, *, seed: int = 0) -> None:
    """A camt.053.001.08 file: 100 statements, ``entries`` entries in all."""
    balance = Decimal("1000000.00")
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">\n'
            "<BkToCstmrStmt><GrpHdr><MsgId>BENCH</MsgId>"
            "<CreDtTm>2024-06-01T06:00:00</CreDtTm></GrpHdr>\n"
        )
        for n, lines in enumerate(_by_statement(entries, seed)):
            day = _START + timedelta(days=n)
            closing = balance + sum((a for a, _, _ in lines), Decimal(0))
            out.write(f"<Stmt><Id>S{n}</Id><Acct><Id><IBAN>{_IBAN}</IBAN></Id></Acct>\n")
            for code, value in (("OPBD", balance), ("CLBD", closing)):
                sign = "CRDT" if value >= 0 else "DBIT"
                out.write(
                    f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
                    f'<Amt Ccy="EUR">{abs(value)}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'
                    f"<Dt><Dt>{day}</Dt></Dt></Bal>\n"
                )
            for amount, name, ref in lines:
                credit = amount >= 0
                party = "Dbtr" if credit else "Cdtr"
                out.write(
                    f'<Ntry><Amt Ccy="EUR">{abs(amount)}</Amt>'
                    f"<CdtDbtInd>{'CRDT' if credit else 'DBIT'}</CdtDbtInd>"
                    f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{day}</Dt></BookgDt>"
                    f"<ValDt><Dt>{day}</Dt></ValDt><AcctSvcrRef>B{ref}</AcctSvcrRef>"
                    "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd>"
                    "</Fmly></Domn></BkTxCd><NtryDtls><TxDtls>"
                    f"<Refs><EndToEndId>{ref}</EndToEndId></Refs>"
                    f"<RltdPties><{party}><Pty><Nm>{name}</Nm></Pty></{party}>"
                    f"<{party}Acct><Id><IBAN>FR1420041010050500013M02606</IBAN></Id>"
                    f"</{party}Acct></RltdPties>"
                    f"<RmtInf><Ustrd>Payment {ref} thank you</Ustrd></RmtInf>"
                    "</TxDtls></NtryDtls></Ntry>\n"
                )
            out.write("</Stmt>\n")
            balance = closing
        out.write("</BkToCstmrStmt></Document>\n")


def _mt_amount(value: Decimal) -> str:
    return f"{abs(value):.2f}".replace(".", ",")


def write_mt940(path: Path, entries: int, *, seed: int = 0) -> None:
    """An MT940 file of 100 daily statements with ING-style structured :86: fields."""
    balance = Decimal("1000000.00")
    with path.open("w", encoding="utf-8") as out:
        for n, lines in enumerate(_by_statement(entries, seed)):
            day = _START + timedelta(days=n)
            stamp = f"{day:%y%m%d}"
            closing = balance + sum((a for a, _, _ in lines), Decimal(0))
            mark = "C" if balance >= 0 else "D"
            out.write(
                f":20:STMT{n:05d}\r\n:25:{_IBAN}\r\n:28C:{n + 1}/1\r\n"
                f":60F:{mark}{stamp}EUR{_mt_amount(balance)}\r\n"
            )
            for amount, name, ref in lines:
                dc = "C" if amount >= 0 else "D"
                out.write(
                    f":61:{stamp}{day:%m%d}{dc}{_mt_amount(amount)}NTRF{ref}//B{ref}\r\n"
                    f":86:/EREF/{ref}//CNTP/FR1420041010050500013M02606/BNPAFRPP/{name}///"
                    f"REMI/USTD//Payment {ref} thank you/\r\n"
                )
            mark = "C" if closing >= 0 else "D"
            out.write(f":62F:{mark}{stamp}EUR{_mt_amount(closing)}\r\n-\r\n")
            balance = closing


def _parse(path: Path) -> int:
    from tools.bank import parse_statement_file

    parsed = parse_statement_file(path.read_bytes(), path.name)
    assert not parsed.warnings, parsed.warnings[:3]
    return sum(len(s.entries) for s in parsed.statements)


def _builtin(path: Path) -> int:
    from tools.bank.mt940 import parse_mt940

    parsed = parse_mt940(path.read_bytes(), path.name, engine="builtin")
    return sum(len(s.entries) for s in parsed.statements)


def _lxml(path: Path) -> int:
    from lxml import etree

    tree = etree.parse(str(path))
    return len(tree.getroot().findall(".//{*}Ntry"))


def _split(path: Path) -> int:
    lines = path.read_bytes().decode("utf-8").splitlines()
    return sum(line.startswith(":61:") for line in lines)


# method -> (file kind, function)
_METHODS: dict[str, tuple[str, Callable[[Path], int]]] = {
    "parse_statement_file/camt053": ("camt053", _parse),
    "lxml_etree_parse/camt053": ("camt053", _lxml),
    "parse_statement_file/mt940": ("mt940", _parse),
    "builtin_mt940_reader/mt940": ("mt940", _builtin),
    "line_split/mt940": ("mt940", _split),
}


def _child(method: str, path: str) -> None:
    function = _METHODS[method][1]
    if function in (_parse, _builtin):
        import tools.bank  # noqa: F401 - imports count as set-up, not reading
    else:
        import lxml.etree  # noqa: F401
    before = peak_rss_mb()
    start = time.perf_counter()
    count = function(Path(path))
    seconds = time.perf_counter() - start
    result = {"seconds": seconds, "entries": count, "import_rss_mb": before}
    result["peak_rss_mb"] = peak_rss_mb()
    sys.stdout.write(json.dumps(result))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        files = {"camt053": Path(tmp) / "bench.camt053.xml", "mt940": Path(tmp) / "bench.sta"}
        print(f"writing {args.entries:,} entries per format", file=sys.stderr)
        write_camt053(files["camt053"], args.entries)
        write_mt940(files["mt940"], args.entries)
        sizes = {kind: path.stat().st_size / 1e6 for kind, path in files.items()}
        for method, (kind, _) in _METHODS.items():
            print(f"running {method}", file=sys.stderr)
            res = run_child("evals.bench_statements", method, str(files[kind]))
            if res["entries"] != args.entries:
                raise RuntimeError(f"{method} read {res['entries']} of {args.entries} entries")
            res["entries_per_second"] = args.entries / res["seconds"]
            res["mb_per_second"] = sizes[kind] / res["seconds"]
            results[method] = {k: round(v, 4) for k, v in res.items()}
    for kind, baseline in (("camt053", "lxml_etree_parse"), ("mt940", "line_split")):
        ours = results[f"parse_statement_file/{kind}"]
        ours[f"time_ratio_to_{baseline}"] = round(
            ours["seconds"] / results[f"{baseline}/{kind}"]["seconds"], 2
        )
    # the primary method's figures under its own name, as the evals contract asks
    results["parse_statement_file"] = {
        f"{kind}_{metric}": value
        for kind in ("camt053", "mt940")
        for metric, value in results[f"parse_statement_file/{kind}"].items()
    }
    doc = {
        "dataset": (
            f"synthetic, seed 0: {args.entries} entries in 100 statements as camt.053.001.08 "
            f"({sizes['camt053']:.1f} MB) and MT940 ({sizes['mt940']:.1f} MB)"
        ),
        "primary": "parse_statement_file",
        "results": results,
    }
    emit(
        doc,
        as_json=args.json,
        lines=(
            f"{method:30s} {res['entries_per_second']:>10,.0f} entries/s "
            f"{res['seconds']:>7.2f} s {res['peak_rss_mb']:>7,.0f} MB peak RSS"
            for method, res in results.items()
            if "/" in method
        ),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
