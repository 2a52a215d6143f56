"""The weekly report as a PDF: the same Markdown and charts, laid out on A4 pages.

Drawn with matplotlib's PDF backend (no system libraries): headings, paragraphs, bullet
lists, tables set in a monospaced font and the PNG charts the Markdown links to. Fonts
are embedded as TrueType so the text can be searched and copied.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.image import imread

from tools.monitoring.report import WeeklyReport
from tools.workspace.workspace import write_atomic

__all__ = ["markdown_pdf", "write_report_pdf"]

PAGE = (8.27, 11.69)  # A4, inches
MARGIN = 0.7
WIDTH = PAGE[0] - 2 * MARGIN
MAX_CHART_HEIGHT = 4.2
_IMAGE = re.compile(r"^!\[(?P<alt>[^\]]*)\]\((?P<src>[^)]+)\)\s*$")
_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


@dataclass(frozen=True)
class _Text:
    text: str
    size: float
    bold: bool = False
    mono: bool = False
    indent: float = 0.0
    space_before: float = 0.0


@dataclass(frozen=True)
class _Keep:
    """Start a new page unless ``height`` inches still fit (keeps a table together)."""

    height: float


@dataclass(frozen=True)
class _Image:
    pixels: np.ndarray
    alt: str


def _plain(text: str) -> str:
    """Inline Markdown (bold, code) as the words it marks."""
    return text.replace("**", "").replace("`", "")


def _wrap(text: str, size: float, indent: float = 0.0) -> list[str]:
    chars = max(20, int((WIDTH - indent) * 72 / (0.52 * size)))
    return textwrap.wrap(text, chars) or [""]


def _table(rows: list[str]) -> list[_Text]:
    cells = [
        [_plain(c.strip()) for c in r.strip().strip("|").split("|")]
        for r in rows
        if not _SEPARATOR.match(r)
    ]
    n = max(len(r) for r in cells)
    cells = [r + [""] * (n - len(r)) for r in cells]
    widths = [max(len(r[i]) for r in cells) for i in range(n)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    size = min(8.0, WIDTH * 72 / (0.6 * max(len(x) for x in lines)))
    out = [_Text(lines[0], size, bold=True, mono=True, space_before=0.05)]
    return out + [_Text(line, size, mono=True) for line in lines[1:]]


def _blocks(markdown: str, base: Path) -> Iterator[_Text | _Image | _Keep]:
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        i += 1
        if not line.strip():
            yield _Text("", 4.0)
        elif line.startswith("# "):
            yield _Text(_plain(line[2:]), 16.0, bold=True)
        elif line.startswith("## "):
            yield _Keep(1.2)  # a heading does not end a page
            yield _Text(_plain(line[3:]), 12.5, bold=True, space_before=0.12)
        elif m := _IMAGE.match(line):
            source = base / m.group("src")
            if source.is_file():
                pixels = imread(source)
                if pixels.ndim == 3 and pixels.shape[2] == 4:  # charts are opaque: no mask
                    pixels = pixels[..., :3]
                yield _Image(pixels, m.group("alt"))
            else:
                yield _Text(f"[chart not found: {m.group('src')}]", 9.0)
        elif line.lstrip().startswith("|"):
            rows = [line]
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                rows.append(lines[i].rstrip())
                i += 1
            table = _table(rows)
            yield _Keep(sum(t.size * 1.45 / 72 + t.space_before for t in table))
            yield from table
        elif line.startswith("- "):
            wrapped = _wrap(_plain(line[2:]), 9.5, indent=0.2)
            yield _Text("\u2022 " + wrapped[0], 9.5, indent=0.05)
            for rest in wrapped[1:]:
                yield _Text(rest, 9.5, indent=0.2)
        else:
            for part in _wrap(_plain(line), 9.5):
                yield _Text(part, 9.5)


class _Pages:
    """A cursor over A4 pages: blocks go down the page and start a new one when full."""

    def __init__(self, pdf: PdfPages, title: str) -> None:
        self.pdf = pdf
        self.title = title
        self.count = 0
        self.fig: Figure | None = None
        self.y = 0.0

    def _new(self) -> Figure:
        self.close()
        self.count += 1
        self.fig = Figure(figsize=PAGE)
        self.fig.text(
            MARGIN / PAGE[0],
            0.4 / PAGE[1],
            f"{self.title}  \u2014  page {self.count}",
            fontsize=7,
            color="0.4",
        )
        self.y = PAGE[1] - MARGIN
        return self.fig

    def _room(self, height: float) -> Figure:
        if self.fig is None or self.y - height < MARGIN:
            return self._new()
        return self.fig

    def keep(self, block: _Keep) -> None:
        if self.fig is not None and block.height < PAGE[1] - 2 * MARGIN:
            self._room(block.height)

    def text(self, block: _Text) -> None:
        height = block.size * 1.45 / 72 + block.space_before
        fig = self._room(height)
        self.y -= height
        if block.text:
            fig.text(
                (MARGIN + block.indent) / PAGE[0],
                self.y / PAGE[1],
                block.text,
                fontsize=block.size,
                fontweight="bold" if block.bold else "normal",
                family="monospace" if block.mono else "sans-serif",
                va="baseline",
            )

    def image(self, block: _Image) -> None:
        h, w = block.pixels.shape[:2]
        width = min(WIDTH, MAX_CHART_HEIGHT * w / h)
        height = width * h / w
        caption = 8.5 * 1.6 / 72
        fig = self._room(height + caption + 0.1)
        self.y -= caption
        fig.text(MARGIN / PAGE[0], self.y / PAGE[1], block.alt, fontsize=8.5, color="0.3")
        self.y -= height + 0.1
        ax = fig.add_axes((MARGIN / PAGE[0], self.y / PAGE[1], width / PAGE[0], height / PAGE[1]))
        ax.imshow(block.pixels, interpolation="antialiased")
        ax.set_axis_off()

    def close(self) -> None:
        if self.fig is not None:
            self.pdf.savefig(self.fig)
            self.fig = None


def markdown_pdf(markdown: str, *, base: Path, title: str) -> bytes:
    """The Markdown report as PDF bytes; images are read relative to ``base``.

    Args:
        markdown: the report text (headings, paragraphs, ``- `` bullets, pipe tables,
            ``![alt](file.png)`` images).
        base: the folder the image links are relative to.
        title: the document title (PDF metadata and every page's footer).

    Returns:
        The PDF document; no creation date is stored, so the same input gives the same bytes.
    """
    buffer = io.BytesIO()
    with (
        matplotlib.rc_context({"pdf.fonttype": 42, "font.family": "DejaVu Sans"}),
        PdfPages(
            buffer,
            metadata={"Title": title, "Creator": "wcm weekly report", "CreationDate": None},
        ) as pdf,
    ):
        pages = _Pages(pdf, title)
        for block in _blocks(markdown, base):
            if isinstance(block, _Image):
                pages.image(block)
            elif isinstance(block, _Keep):
                pages.keep(block)
            else:
                pages.text(block)
        if pages.count == 0:
            pages.text(_Text(title, 16.0, bold=True))
        pages.close()
    return buffer.getvalue()


def write_report_pdf(report: WeeklyReport, *, out: Path | None = None) -> WeeklyReport:
    """Render ``report`` to PDF beside its Markdown (or at ``out``); the report, with its
    ``pdf`` path set, is returned."""
    target = out or report.path.with_suffix(".pdf")
    body = markdown_pdf(report.markdown, base=report.path.parent, title=report.title)
    write_atomic(target, body)
    return report.model_copy(update={"pdf": target})
