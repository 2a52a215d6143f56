"""Deterministic rendering of a chart to PNG or SVG bytes.

Charts are drawn on a plain ``Figure`` (no pyplot state) with the Agg backend. SVG output
keeps text as ``<text>`` elements (searchable, accessible) and uses a fixed id salt and no
date stamp, so the same data gives the same bytes.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Any, Literal

import matplotlib

matplotlib.use("Agg")

from matplotlib import rc_context
from matplotlib.figure import Figure

__all__ = ["MEDIA_TYPES", "ChartFormat", "render"]

ChartFormat = Literal["png", "svg"]
MEDIA_TYPES: dict[str, str] = {"png": "image/png", "svg": "image/svg+xml"}

# matplotlib's rc settings are process-wide: one chart is drawn at a time so that
# concurrent requests never see each other's settings.
_RENDER_LOCK = threading.Lock()
_RC: dict[str, Any] = {
    "svg.hashsalt": "wcm-charts",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}


def render(
    draw: Callable[[Figure], None],
    fmt: ChartFormat,
    *,
    width: float = 8.0,
    height: float = 4.0,
) -> bytes:
    """Draw on a new ``width`` x ``height`` inch figure and return it as PNG or SVG bytes.

    Raises:
        ValueError: ``fmt`` is neither ``png`` nor ``svg``.
    """
    if fmt not in MEDIA_TYPES:
        raise ValueError(f"chart format {fmt!r}: expected 'png' or 'svg'")
    metadata: dict[str, str | None] = (
        {"Date": None, "Creator": "wcm"} if fmt == "svg" else {"Software": "wcm"}
    )
    buffer = io.BytesIO()
    with _RENDER_LOCK, rc_context(_RC):  # type: ignore[arg-type]
        fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
        draw(fig)
        fig.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()
