"""Cell parsing across export dialects, with property tests for the number formats."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tools.data.parsing import AmbiguousFormat, parse_bools, parse_dates, parse_numbers
from tools.data.readers import detect_delimiter, detect_encoding


def fmt(value: float, *, decimal: str, thousands: str, style: str) -> str:
    text = f"{abs(value):,.2f}".replace(",", "_").replace(".", decimal).replace("_", thousands)
    if value >= 0:
        return text
    return {"minus": "-" + text, "parens": f"({text})", "trailing": text + "-"}[style]


@given(
    st.lists(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), min_size=1, max_size=20),
    st.sampled_from([(".", ","), (",", "."), (".", ""), (",", " ")]),
    st.sampled_from(["minus", "parens", "trailing"]),
)
def test_numbers_round_trip_in_every_dialect(values, seps, style) -> None:
    decimal, thousands = seps
    cells = pd.Series(
        [fmt(round(v, 2), decimal=decimal, thousands=thousands, style=style) for v in values]
    )
    parsed, bad = parse_numbers(cells, decimal=decimal)
    assert not bad.any()
    assert parsed.round(2).tolist() == pytest.approx([round(v, 2) for v in values], abs=0.005)


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["1.234,56", "7,5"], [1234.56, 7.5]),  # decimal comma detected
        (["1,234.56", "7.5"], [1234.56, 7.5]),  # decimal point with thousands commas
        (["€ 12,50", "1,5"], [12.5, 1.5]),  # currency symbols stripped
        (["USD 3.00", "1,000"], [3.0, 1000.0]),  # currency codes stripped
        (["", "3"], [None, 3.0]),  # empty cells are missing, not zero
    ],
)
def test_number_detection(cells, expected) -> None:
    parsed, bad = parse_numbers(pd.Series(cells))
    assert not bad.any()
    assert [None if pd.isna(v) else v for v in parsed] == expected


@pytest.mark.parametrize(
    ("cells", "first"),
    [
        (["2024-03-31"], "2024-03-31"),  # ISO
        (["31.03.2024", "01.04.2024"], "2024-03-31"),  # German
        (["3/31/2024", "4/1/2024"], "2024-03-31"),  # US month-first
        (["31/03/2024", "01/04/2024"], "2024-03-31"),  # UK day-first
        (["45382"], "2024-03-31"),  # Excel serial day
        (["2024-03-31 00:00:00"], "2024-03-31"),  # Excel cell read as text
    ],
)
def test_date_formats_are_detected(cells, first) -> None:
    parsed, bad = parse_dates(pd.Series(cells))
    assert not bad.any()
    assert parsed.iloc[0] == pd.Timestamp(first)


def test_a_decimal_comma_in_a_decimal_point_column_is_refused() -> None:
    parsed, bad = parse_numbers(pd.Series(["1,234.50", "12,50"]))
    assert parsed.iloc[0] == 1234.5
    assert bad.tolist() == [False, True]


def test_ambiguous_dates_ask_for_a_format() -> None:
    with pytest.raises(AmbiguousFormat, match="date_format"):
        parse_dates(pd.Series(["01/02/2024", "03/04/2024"]))
    parsed, _ = parse_dates(pd.Series(["01/02/2024"]), fmt="%d/%m/%Y")
    assert parsed.iloc[0] == pd.Timestamp("2024-02-01")


def test_bools() -> None:
    flags, bad = parse_bools(pd.Series(["Yes", "no", "X", "", "TRUE", "maybe"]))
    assert flags.tolist() == [True, False, True, False, True, False]
    assert bad.tolist() == [False] * 5 + [True]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xef\xbb\xbfa,b", "utf-8-sig"),
        ("a,é".encode(), "utf-8"),
        ("a,é".encode("latin-1"), "cp1252"),
    ],
)
def test_encoding_detection(data: bytes, expected: str) -> None:
    assert detect_encoding(data[:4096], data) == expected


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1,5;2;3\n", ";"),
        ("a\tb\n1\t2\n", "\t"),
        ("a|b\n1|2\n", "|"),
    ],
)
def test_delimiter_detection(sample: str, expected: str) -> None:
    assert detect_delimiter(sample) == expected
