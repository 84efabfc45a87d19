"""Break a family's document-level scores down by source, by language group and by rule.

    PYTHONPATH=$PWD .venv/bin/python bench/accuracy_breakdown.py ../shared/corpus/real-dev.jsonl \
        --labels ../shared/corpus/real-dev.labels.jsonl --family boilerplate [--holdout dragnet,trafilatura]

The labels file's ``source`` key (when present) groups records by the benchmark they came from; the
corpus's ``lang`` field groups them into en, zh, de and other. ``--holdout`` reports the named sources
apart from the rest, for a tune-on-some, check-on-others discipline. ``--misses`` lists every false
positive and false negative with the rules that fired (``--rule CODE`` narrows the per-source table to
one rule). Only warning and error findings count, as in ``qc eval``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path

import qc

VERDICT = {"warning", "error"}


def lang_group(lang: str | None) -> str:
    """en, zh, de or other."""
    return lang if lang in {"en", "zh", "de"} else "other"


def site_half(site: str) -> str:
    """A stable split of sites into halves: "tune" or "held-out" (md5 of the site name, even or odd)."""
    return "tune" if hashlib.md5(site.encode("utf-8")).digest()[0] % 2 == 0 else "held-out"


def score(truth: set[str], flagged: set[str], docs: set[str]) -> dict[str, float]:
    """Counts and rates of ``flagged`` against ``truth`` over ``docs``."""
    t, f = truth & docs, flagged & docs
    tp, fp, fn = len(t & f), len(f - t), len(t - f)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"n": len(docs), "tp": tp, "fp": fp, "fn": fn, "p": p, "r": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def row(name: str, s: dict[str, float]) -> str:
    """One Markdown table row."""
    return (f"| {name} | {s['n']} | {s['tp']} | {s['fp']} | {s['fn']} | {s['p']:.3f} | {s['r']:.3f} | "
            f"**{s['f1']:.3f}** |")


HEADER = "| {} | docs | tp | fp | fn | precision | recall | F1 |\n|---|---:|---:|---:|---:|---:|---:|---:|"


def main() -> int:
    """Print the tables."""
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--labels", required=True)
    ap.add_argument("--family", default="boilerplate")
    ap.add_argument("--holdout", default="", help="comma-separated sources reported apart")
    ap.add_argument("--misses", choices=["none", "tune", "all"], default="none",
                    help="list false positives and negatives: of the tune half of the sites, or all")
    ap.add_argument("--rules", nargs="*", default=[], help="extra rule packs")
    args = ap.parse_args()

    labels, source, lang, half = {}, {}, {}, {}
    for line in Path(args.labels).read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            labels[rec["doc_id"]] = set(rec["labels"])
            source[rec["doc_id"]] = rec.get("source", "all")
    for line in Path(args.corpus).read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            doc = rec.get("id") or rec.get("doc_id")
            lang[doc] = lang_group(rec.get("lang"))
            half[doc] = site_half(rec.get("site") or "")
    result = qc.check([args.corpus], {"select": [args.family], "fail-on": "never", "rules": args.rules},
                      excerpts=False)
    findings = result.findings
    findings = findings[findings["severity"].isin(VERDICT) & (findings["family"] == args.family)]
    docs = set(labels)
    truth = {d for d in docs if args.family in labels[d]}
    flagged = set(findings["doc_id"])
    by_rule: dict[str, set[str]] = defaultdict(set)
    for rule, doc in zip(findings["rule"], findings["doc_id"], strict=True):
        by_rule[rule].add(doc)

    print(f"## {args.family}: all {len(docs)} records\n")
    print(HEADER.format("set"))
    print(row("all", score(truth, flagged, docs)))
    holdout = {s for s in args.holdout.split(",") if s}
    if holdout:
        print(row("tuned-on (" + ",".join(sorted(set(source.values()) - holdout)) + ")",
                  score(truth, flagged, {d for d in docs if source[d] not in holdout})))
        print(row("held-out (" + ",".join(sorted(holdout)) + ")",
                  score(truth, flagged, {d for d in docs if source[d] in holdout})))
    for name in ("tune", "held-out"):
        print(row(f"{name} half of the sites", score(truth, flagged, {d for d in docs if half.get(d) == name})))
    print("\n" + HEADER.format("source"))
    for name in sorted(set(source.values())):
        print(row(name, score(truth, flagged, {d for d in docs if source[d] == name})))
    print("\n" + HEADER.format("language group"))
    for name in ("en", "zh", "de", "other"):
        print(row(name, score(truth, flagged, {d for d in docs if lang.get(d) == name})))
    print("\n| rule | tp | fp | only hit (tp) | " + " | ".join(sorted(set(source.values()))) + " |")
    print("|---|---:|---:|---:|" + "---:|" * len(set(source.values())))
    for rule in sorted(by_rule):
        hits = by_rule[rule]
        others = set().union(*(v for k, v in by_rule.items() if k != rule))
        per = [f"{len(hits & truth & {d for d in docs if source[d] == s})}/"
               f"{len((hits - truth) & {d for d in docs if source[d] == s})}" for s in sorted(set(source.values()))]
        print(f"| {rule} | {len(hits & truth)} | {len(hits - truth)} | {len((hits - others) & truth)} | "
              + " | ".join(per) + " |")
    if args.misses != "none":
        shown = docs if args.misses == "all" else {d for d in docs if half.get(d) == "tune"}
        print(f"\nfalse positives ({args.misses}):")
        for d in sorted((flagged - truth) & shown, key=lambda d: (source[d], d)):
            rules = sorted(r for r, v in by_rule.items() if d in v)
            print(f"  {source[d]:12} {lang.get(d)} {d} {rules}")
        print(f"false negatives ({args.misses}):")
        for d in sorted((truth - flagged) & shown, key=lambda d: (source[d], d)):
            print(f"  {source[d]:12} {lang.get(d)} {d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
