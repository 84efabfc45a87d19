"""Charts for the HTML report, drawn by matplotlib as SVG and inlined as ``data:`` image URIs.

An SVG inside ``<img>`` cannot run script or reach the network, and its ids cannot clash with the page's,
so corpus text in labels (site names) stays inert. Mathtext is off: a ``$`` in a site name is just a
character.
"""

from __future__ import annotations

import base64
import io
import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from qc.render.model import ReportModel

PALETTE = {"error": "#c62828", "warning": "#ef8f00", "info": "#1e88e5"}
FAMILY_COLORS = ["#5e35b1", "#00897b", "#e53935", "#3949ab", "#6d4c41", "#8e24aa", "#43a047"]
RC: dict[Any, Any] = {
    "svg.fonttype": "none",  # text stays text: small files, the browser picks CJK fonts
    "svg.hashsalt": "corpus-qc",  # stable output for identical input
    "text.parse_math": False,
    "font.size": 11,  # charts are scaled to a card's width: smaller type is unreadable at 1400 px
    "font.family": ["DejaVu Sans", "Noto Sans CJK SC", "sans-serif"],
    "axes.spines.top": False,
    "axes.spines.right": False,
}


@contextmanager
def _quiet() -> Iterator[None]:
    # Missing CJK glyphs in the layout font only affect label widths; the browser renders the text.
    logger = logging.getLogger("matplotlib.font_manager")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), matplotlib.rc_context(RC):
            warnings.simplefilter("ignore", UserWarning)
            yield
    finally:
        logger.setLevel(level)


class Chart(NamedTuple):
    """An inlined SVG chart and its natural size in CSS pixels: the page shows it at that size, or smaller
    only when its card is narrower, so its type is as large as it was drawn (never scaled down to fit a
    grid cell: that is what made the labels unreadable)."""

    uri: str
    width: int
    height: int


_SVG_SIZE = re.compile(rb'<svg[^>]*?width="([\d.]+)pt" height="([\d.]+)pt"')


def _uri(fig: Figure) -> Chart:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buffer.getvalue()
    size = _SVG_SIZE.search(svg)
    width, height = (float(size.group(1)), float(size.group(2))) if size else (600.0, 400.0)
    return Chart("data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii"),
                 round(width * 4 / 3), round(height * 4 / 3))  # 1 pt = 4/3 CSS px


def _count(count: object, word: str) -> str:
    """``1 doc``, ``2 docs``."""
    return f"{count} {word}" + ("" if str(count) == "1" else "s")


def _label(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _barh(labels: list[str], values: list[int], colors: list[str], title: str, xlabel: str,
          notes: list[str] | None = None) -> Chart:
    with _quiet():
        fig = Figure(figsize=(6.0, max(1.6, 0.32 * len(labels) + 0.9)))
        ax = fig.add_subplot()
        positions = list(range(len(labels)))[::-1]
        ax.barh(positions, values, color=colors)
        ax.set_yticks(positions, [_label(lbl) for lbl in labels])
        ax.set_title(title, loc="left", fontweight="bold")
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        notes = notes or [str(v) for v in values]
        for pos, value, note in zip(positions, values, notes, strict=True):
            ax.annotate(note, (value, pos), xytext=(3, 0), textcoords="offset points", va="center", fontsize=10)
        ax.margins(x=0.25)
        return _uri(fig)


def families_chart(families: list[dict[str, object]]) -> Chart | None:
    """Documents hit per family."""
    rows = [f for f in families if int(str(f["documents"])) > 0]
    if not rows:
        return None
    colors = [FAMILY_COLORS[i % len(FAMILY_COLORS)] for i in range(len(rows))]
    return _barh([str(f["family"]) for f in rows], [int(str(f["documents"])) for f in rows], colors,
                 "Findings by family (bars: documents hit)", "documents",
                 [f"{_count(f['documents'], 'doc')} · {_count(f['findings'], 'finding')}" for f in rows])


def rules_chart(rules: list[dict[str, object]], top: int = 15) -> Chart | None:
    """Documents hit per rule, coloured by severity."""
    hit = sorted((r for r in rules if int(str(r["findings"])) > 0), key=lambda r: -int(str(r["documents"])))
    rows = hit[:top]
    if not rows:
        return None
    shown = f"top {len(rows)} of {len(hit)} rules" if len(hit) > len(rows) else f"{len(rows)} rules"
    return _barh([f"{r['code']} {r['name']}" for r in rows], [int(str(r["documents"])) for r in rows],
                 [PALETTE.get(str(r["severity"]), "#777") for r in rows],
                 f"Findings by rule, {shown} (bars: documents hit; colour: severity)", "documents",
                 [f"{r['documents']} · {r['findings']}" for r in rows])


def sites_chart(model: ReportModel) -> Chart | None:
    """The sites with the most documents hit."""
    if not model.sites:
        return None
    return _barh([s.site for s in model.sites], [s.documents for s in model.sites],
                 ["#6d4c41"] * len(model.sites), "Worst sites", "documents with findings",
                 [f"{_count(s.documents, 'doc')} · {_count(s.findings, 'finding')}" for s in model.sites])


def histogram_chart(histogram: list[tuple[str, int]]) -> Chart | None:
    """How many documents have 0, 1, 2, … findings."""
    if not any(count for _, count in histogram):
        return None
    with _quiet():
        fig = Figure(figsize=(6.0, 2.6))
        ax = fig.add_subplot()
        labels = [label for label, _ in histogram]
        counts = [count for _, count in histogram]
        ax.bar(labels, counts, color=["#9e9e9e", *["#3949ab"] * (len(labels) - 1)])
        ax.set_title("Findings per document", loc="left", fontweight="bold")
        ax.set_xlabel("findings in the document")
        ax.set_ylabel("documents")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        for i, count in enumerate(counts):
            if count:
                ax.annotate(str(count), (i, count), xytext=(0, 2), textcoords="offset points", ha="center",
                            fontsize=10)
        return _uri(fig)


def dates_chart(points: list[tuple[object, object, bool]]) -> Chart | None:
    """posted_at against captured_at: posts above the diagonal were 'posted' after they were captured."""
    import pandas as pd

    if not points:
        return None
    frame = pd.DataFrame(points, columns=["posted", "captured", "flagged"])
    frame["posted"] = pd.to_datetime(frame["posted"], utc=True, errors="coerce")
    frame["captured"] = pd.to_datetime(frame["captured"], utc=True, errors="coerce")
    frame = frame.dropna(subset=["posted", "captured"])
    if frame.empty:
        return None
    with _quiet():
        fig = Figure(figsize=(5.2, 3.4))  # narrower plot: the legend beside it still fits a card
        ax = fig.add_subplot()
        ok = frame[~frame["flagged"]]
        bad = frame[frame["flagged"]]
        ax.scatter(ok["captured"].dt.tz_localize(None), ok["posted"].dt.tz_localize(None), s=10,
                   color="#3949ab", alpha=0.6, label="no date finding")
        if not bad.empty:
            ax.scatter(bad["captured"].dt.tz_localize(None), bad["posted"].dt.tz_localize(None), s=18,
                       color="#c62828", marker="x", label="date finding")
        low = min(frame["posted"].min(), frame["captured"].min()).tz_localize(None)
        high = max(frame["posted"].max(), frame["captured"].max()).tz_localize(None)
        ax.plot([low, high], [low, high], color="#999", linewidth=0.8, linestyle="--", label="posted = captured")
        ax.set_title("posted_at against captured_at", loc="left", fontweight="bold")
        ax.set_xlabel("captured_at")
        ax.set_ylabel("posted_at")
        # The legend sits outside the axes so it can never hide an outlier such as a 1970 date.
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)
        fig.autofmt_xdate()
        return _uri(fig)
