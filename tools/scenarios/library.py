"""The standard stress library: moderate and severe scenarios every company is tested on.

Written as data (scenario text in the parser's words), so a reader can check each one and
a company can keep its own list in the same shape.
"""

from __future__ import annotations

from typing import Literal

from tools.scenarios.parse import parse_scenario
from tools.scenarios.spec import Scenario

__all__ = ["STANDARD_LIBRARY", "STANDARD_SPECS", "standard_library"]

# (name, severity, scenario text)
STANDARD_SPECS: tuple[tuple[str, Literal["moderate", "severe"], str], ...] = (
    ("collections slow down", "moderate", "collections -10% for 8 weeks"),
    ("revenue dip", "moderate", "revenue -10%"),
    ("supplier costs up", "moderate", "supplier payments +10%"),
    ("reporting currency strengthens", "moderate", "fx -5%"),
    ("bank trims credit", "moderate", "credit line cut 25%"),
    ("collections freeze", "severe", "collections -25% for 13 weeks"),
    ("revenue collapse", "severe", "revenue -30%"),
    ("currency shock", "severe", "fx -15%"),
    ("credit withdrawn", "severe", "credit line cut 100%"),
    (
        "combined downturn",
        "severe",
        "revenue -20% and collections -15% for 6 weeks and credit line cut 50% and fx -10%",
    ),
)


def standard_library() -> tuple[Scenario, ...]:
    """The library's scenarios, parsed and validated."""
    out = []
    for name, severity, text in STANDARD_SPECS:
        parsed = parse_scenario(text, name=name)
        out.append(Scenario(name=name, severity=severity, parts=parsed.parts, text=text))
    return tuple(out)


STANDARD_LIBRARY: tuple[Scenario, ...] = standard_library()
