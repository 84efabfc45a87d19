"""``--html FILE``: one self-contained HTML file (inline CSS, JS and SVG charts; no network).

Templates live in ``reports/`` and render with jinja2 autoescaping. Corpus text reaches the page in two
ways only: autoescaped template variables, and one JSON blob in a ``<script type="application/json">``
whose ``<``, ``>``, ``&``, U+2028 and U+2029 are escaped; the page's script puts it in the DOM with
``textContent``, never ``innerHTML``. A Content-Security-Policy allows only the report's own script (by
hash), inline styles and ``data:`` images, so nothing can load from or talk to the network.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import TYPE_CHECKING, Any, TextIO

import jinja2
import pandas as pd
from markupsafe import Markup

from qc.paths import reports_dir
from qc.render import charts
from qc.render.json import report_dict
from qc.render.model import ReportModel, report_model

if TYPE_CHECKING:
    from qc.api import CheckResult

#: Longest match / message / context kept per embedded finding (the JSON report has them whole).
MAX_FIELD = 300
EMBED_COLUMNS = ["doc_id", "rule", "family", "severity", "field", "start", "end", "match", "message",
                 "source_path", "source_line", "site", "before", "after", "doc", "new", "locator"]


def script_json(value: Any) -> Markup:
    """JSON that is safe inside a ``<script>`` element: no ``</script>``, no ``<!--``, no line separators."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                          ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return Markup(text)


def _cut(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_FIELD:
        return value[:MAX_FIELD] + "…"
    return value


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


def page_data(result: CheckResult, model: ReportModel) -> dict[str, Any]:
    """The JSON the page's script reads: embedded findings (capped per rule), documents, rule metadata."""
    excerpts = result.excerpts
    documents: dict[str, Any] = {}
    doc_keys: dict[tuple[str, int], str] = {}
    kept_ranges: dict[str, list[tuple[int, int]]] = {}
    if excerpts is not None:
        for (doc_path, doc_line), kept in excerpts.documents.items():
            key = f"d{len(doc_keys)}"
            doc_keys[(doc_path, doc_line)] = key
            documents[key] = {"doc_id": kept.doc_id, "site": kept.site, "title": kept.title, "url": kept.url,
                              "source": f"{doc_path}:{doc_line}", "pieces": [list(p) for p in kept.pieces],
                              "truncated": kept.truncated, "spans": []}
            kept_ranges[key] = [(offset, offset + len(piece)) for offset, piece in kept.pieces]
    columns = ["source_path", "source_line", "rule", "start", "end", "severity", "field"]
    for chunk in result.store.chunks(columns) if documents else ():
        spans = chunk[chunk["start"].notna() & (chunk["field"] == "text")]
        for path, span_line, rule, start, end, severity in zip(
                spans["source_path"].tolist(), spans["source_line"].tolist(), spans["rule"].tolist(),
                spans["start"].tolist(), spans["end"].tolist(), spans["severity"].tolist(), strict=True):
            doc_key = doc_keys.get((str(path), int(span_line)))
            if doc_key is not None and any(lo <= int(start) and int(end) <= hi for lo, hi in kept_ranges[doc_key]):
                documents[doc_key]["spans"].append([int(start), int(end), str(rule), str(severity)])
    rows = []
    embedded = model.embedded
    # With a baseline each finding is new or known; without one, every finding counts as new.
    is_new = (result.baseline.is_new.loc[embedded.index].tolist() if result.baseline is not None
              else [True] * len(embedded))
    for record, new in zip(embedded.itertuples(index=False), is_new, strict=True):
        line = None if pd.isna(record.source_line) else int(record.source_line)
        doc = doc_keys.get((str(record.source_path), line)) if line is not None else None
        rows.append([_cut(_plain(record.doc_id)), record.rule, record.family, record.severity,
                     _plain(record.field), _plain(record.start), _plain(record.end), _cut(record.match),
                     _cut(record.message), record.source_path, line, _plain(record.site),
                     _cut(_plain(record.before)), _cut(_plain(record.after)), doc, bool(new),
                     str(getattr(record, "locator", "line"))])
    counts = {r["code"]: r["findings"] for r in result.summary.rules}
    shown = embedded["rule"].value_counts().to_dict() if not embedded.empty else {}
    rules = {code: {"name": info["name"], "family": info["family"], "severity": info["severity"],
                    "summary": info["summary"], "findings": counts.get(code, 0), "embedded": int(shown.get(code, 0)),
                    "url": info.get("url")}
             for code, info in model.rule_info.items() if counts.get(code, 0) or code in shown}
    return {"columns": EMBED_COLUMNS, "findings": rows, "documents": documents, "rules": rules,
            "embed_cap": model.embed_cap, "baseline": result.baseline is not None}


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(reports_dir())), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render(result: CheckResult, out: TextIO) -> None:
    """Write the self-contained HTML report."""
    model = report_model(result)
    folder = reports_dir()
    script = (folder / "report.js").read_text(encoding="utf-8")
    style = (folder / "report.css").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    csp = (f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; "
           "base-uri 'none'; form-action 'none'")
    chart_list = [
        ("families", "Documents hit by family", charts.families_chart(result.summary.families)),
        ("rules", "Documents hit by rule", charts.rules_chart(result.summary.rules)),
        ("sites", "Worst sites", charts.sites_chart(model)),
        ("dates", "posted_at against captured_at",
         charts.dates_chart(result.excerpts.dates) if result.excerpts is not None else None),
        ("histogram", "Findings per document", charts.histogram_chart(model.histogram)),
    ]
    report = report_dict(result, with_findings=False)
    template = _environment().get_template("report.html.j2")
    html = template.render(
        result=result, summary=result.summary, gate=result.gate, model=model, csp=csp,
        style=Markup(style),
        script=Markup(script),
        charts=[(key, title, uri) for key, title, uri in chart_list if uri],
        data=script_json(page_data(result, model)), summary_json=script_json(report),
        baseline=result.baseline,
    )
    out.write(html)
