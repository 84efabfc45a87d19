"""Quality of the cut: how much article text ``qc fix``'s strip keeps and how much chrome it removes.

    PYTHONPATH=$PWD .venv/bin/python bench/cut_quality.py ../shared/corpus/real-dev.jsonl \
        --labels ../shared/corpus/real-dev.labels.jsonl [--format json] [--select CODES] [--ignore CODES]

Runs ``qc fix`` on the corpus into a temporary folder (the command itself: every rule, each rule's
effective action, cleaned records re-checked until nothing is left to cut; a dropped record counts as
every line cut), and scores the cleaned texts on the gold/naive pairs of the labels
file (:mod:`qc.fixing.quality`), overall and per source. The same pairs cleaned by C4's line filter (and
by C4 with full-width CJK sentence ends) are the baseline. Also prints the seconds the fix took.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from qc.fixing.quality import QualityReport, c4_clean, cleaned_texts, load_pairs, measure


def fixed_texts(corpus: Path, config: dict[str, Any]) -> tuple[dict[str, str], float]:
    """Run ``qc fix`` on ``corpus`` into a temporary folder (exactly what the command does: every rule,
    actions by family and rule, cleaned records re-checked until nothing is left to cut) and return the
    cleaned text of each record by id (dropped records are absent), and the seconds the fix took."""
    from qc.api import fix

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "fixed"
        began = time.perf_counter()
        fix(corpus, out, config)
        seconds = time.perf_counter() - began
        return cleaned_texts(out / corpus.name), seconds


def run(corpus: Path, labels: Path, select: list[str] | None = None,
        ignore: list[str] | None = None) -> tuple[dict[str, QualityReport], float]:
    """The reports of ``qc fix`` and of the C4 baselines, and the seconds the fix took."""
    texts, pairs = load_pairs(corpus, labels)
    config: dict[str, Any] = {}
    if select:
        config["select"] = select
    if ignore:
        config["ignore"] = ignore
    cleaned, seconds = fixed_texts(corpus, config)
    reports = {
        "qc fix": measure(texts, pairs, lambda doc_id: cleaned.get(doc_id, "")),
        "C4 line filter": measure(texts, pairs, lambda doc_id: c4_clean(texts[doc_id])),
        "C4 line filter + CJK sentence ends": measure(texts, pairs, lambda doc_id: c4_clean(texts[doc_id], cjk=True)),
        "C4 line + page rules": measure(texts, pairs, lambda doc_id: c4_clean(texts[doc_id], page_rules=True)),
    }
    return reports, seconds


def table(reports: dict[str, QualityReport]) -> str:
    """One Markdown table: method, source, pairs, kept, kept of all gold, removed, gold kept."""
    lines = ["| method | source | pairs | kept | kept (of all gold) | removed | gold kept |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for method, report in reports.items():
        for source, figures in report.as_dict().items():
            lines.append(f"| {method} | {source} | {figures['pairs']} | {figures['kept']:.3f} | "
                         f"{figures['kept_of_all_gold']:.3f} | {figures['removed']:.3f} | {figures['gold_kept']:.3f} |")
    return "\n".join(lines)


def main() -> int:
    """Print the figures as a Markdown table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--labels", type=Path, required=True)
    parser.add_argument("--format", choices=["markdown", "json"], default="markdown")
    parser.add_argument("--select", help="comma-separated rule selectors (default: every rule)")
    parser.add_argument("--ignore", help="comma-separated rule selectors to leave out")
    args = parser.parse_args()
    reports, seconds = run(args.corpus, args.labels, args.select.split(",") if args.select else None,
                           args.ignore.split(",") if args.ignore else None)
    if args.format == "json":
        print(json.dumps({"fix_seconds": round(seconds, 2),
                          "methods": {name: report.as_dict() for name, report in reports.items()}}, indent=2))
    else:
        pairs = reports["qc fix"].naive["all"]
        print(f"{pairs.pairs} gold/naive pairs; {pairs.gold_coverage:.1%} of the gold line characters are naive "
              f"lines (the kept denominator); qc fix took {seconds:.1f} s\n")
        print(table(reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
