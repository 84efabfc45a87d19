"""Rebuild ``dev-sample.jsonl`` and its labels from the shared development set (see NOTICE.md).

Run from the repository root: ``python tests/data/make_dev_sample.py ../shared/corpus``. The choice is
deterministic (no randomness, no dependence on the order of the input), so a rebuild from the same
input gives the same files byte for byte.

Only the sources whose licence allows copying are taken (readability, scrapinghub, zhcwe). A page gives
up to two records (its gold and naive variants); a page is kept or dropped whole, so the sample keeps the
set's pairing of a clean text with its boilerplate-laden twin. Every page with a ``date`` or
``placeholder`` label or a hard negative is kept (they are rare, and the accuracy tests are about
them); the other pages are taken in the order of a hash of their key until the sample holds
``TARGET_RECORDS`` records, skipping pages whose records are unusually large to keep the file small.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

COPYABLE = ("readability", "scrapinghub", "zhcwe")
TARGET_RECORDS = 300
MAX_PAGE_BYTES = 40_000  # a filler page larger than this is skipped (labelled pages are always kept)
HERE = Path(__file__).resolve().parent


def _page_key(record: dict[str, Any], label: dict[str, Any]) -> str:
    """Gold and naive records of one page share a URL (or, where a benchmark gives none, a title)."""
    return f"{label['source']}\0{record.get('url') or record.get('title') or record['id']}"


def _interesting(label: dict[str, Any]) -> bool:
    return bool({"date", "placeholder"} & set(label["labels"])) or "placeholder_hard_negative" in label


def main(corpus: Path) -> None:
    """Write the sample next to this script."""
    records = [json.loads(line) for line in (corpus / "real-dev.jsonl").read_text(encoding="utf-8").splitlines()]
    labels = [json.loads(line) for line in (corpus / "real-dev.labels.jsonl").read_text(encoding="utf-8").splitlines()]
    pages: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = defaultdict(list)
    for record, label in zip(records, labels, strict=True):
        assert record["id"] == label["doc_id"], (record["id"], label["doc_id"])
        if label["source"] in COPYABLE:
            pages[_page_key(record, label)].append((record, label))

    def size(key: str) -> int:
        return sum(len(json.dumps(r, ensure_ascii=False).encode()) for r, _ in pages[key])

    chosen = {key for key, pairs in pages.items() if any(_interesting(label) for _, label in pairs)}
    count = sum(len(pages[key]) for key in chosen)
    for key in sorted(pages, key=lambda k: hashlib.sha256(k.encode()).hexdigest()):
        if count >= TARGET_RECORDS:
            break
        if key not in chosen and size(key) <= MAX_PAGE_BYTES:
            chosen.add(key)
            count += len(pages[key])
    kept = [(r, lab) for r, lab in zip(records, labels, strict=True) if _page_key(r, lab) in chosen]
    kept.sort(key=lambda pair: pair[0]["id"])
    (HERE / "dev-sample.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r, _ in kept), encoding="utf-8")
    (HERE / "dev-sample.labels.jsonl").write_text(
        "".join(json.dumps(lab, ensure_ascii=False) + "\n" for _, lab in kept), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else HERE.parents[2] / "shared" / "corpus"))
