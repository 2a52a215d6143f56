"""Bank statements (camt.052/053/054, MT940/MT942, BAI2, zips of them) read into one
canonical model, checked, and turned into the ledger's bank tables."""

from tools.bank.balances import check_balances
from tools.bank.detect import detect_format
from tools.bank.export import to_frames, to_json
from tools.bank.models import Entry, ParsedFile, Statement
from tools.bank.parse import parse_statement_file

__all__ = [
    "Entry",
    "ParsedFile",
    "Statement",
    "check_balances",
    "detect_format",
    "parse_statement_file",
    "to_frames",
    "to_json",
]
