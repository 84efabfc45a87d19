"""Every built-in rule flags its own ``fail`` examples and leaves its ``pass`` examples alone."""

from __future__ import annotations

from qc.examples import run_examples
from qc.registry import load_rules


def test_every_builtin_rule_agrees_with_its_examples() -> None:
    ruleset = load_rules()
    results = run_examples(ruleset)
    failed = [f"{r.rule} {r.expectation}[{r.index}] got {r.findings}: {r.text[:60]!r}" for r in results if not r.ok]
    assert not failed, "\n".join(failed)
    # Every rule ran both kinds of example.
    for rule in ruleset:
        kinds = {r.expectation for r in results if r.rule == rule.code}
        assert kinds == {"fail", "pass"}, rule.code


def test_boilerplate_and_placeholder_packs_cover_both_languages() -> None:
    ruleset = load_rules().select(["boilerplate", "placeholder"])
    texts = [e.text for rule in ruleset for e in rule.examples.fail]
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in texts)
    assert any(t.isascii() for t in texts)
