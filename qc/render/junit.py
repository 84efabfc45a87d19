"""``--format junit``: one testsuite per rule, one testcase per document it hit (the Ant JUnit schema that
Jenkins and GitLab read). A rule without findings is a suite with one passing testcase.

A testcase fails only when its rule counts toward the gate (severity at or above ``fail-on``): findings
below it are passing testcases that carry the finding in ``system-out``, so the failures in the XML are
what failed the gate. Each suite holds at most ``MAX_CASES_PER_RULE`` documents; one more testcase
says how many documents were left out and where the full findings are (``--findings``).
"""

from __future__ import annotations

import re
import socket
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO

import pandas as pd

from qc.render.model import report_model, where
from qc.safe_text import visible
from qc.summary import counts_toward_gate

if TYPE_CHECKING:
    from qc.api import CheckResult

# Characters XML 1.0 cannot carry at all; after :func:`qc.safe_text.visible` only these two are left.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_DETAIL_LINES = 50
#: Documents listed per rule; CI test viewers page slowly past a few thousand testcases.
MAX_CASES_PER_RULE = 1_000


def xml_text(value: object) -> str:
    """``value`` as text XML 1.0 can hold, and a CI page or terminal can show: controls (which XML 1.0
    forbids or a viewer would act on: C0, C1, bidi overrides, lone surrogates) shown as ``\\x1b``, U+FFFE
    and U+FFFF as U+FFFD."""
    return _XML_INVALID.sub("\ufffd", visible(value, "keep"))


def _token(value: str) -> str:
    # xs:token: no leading/trailing/double spaces, no tabs or newlines.
    return " ".join(xml_text(value).split()) or "-"


def render(result: CheckResult, out: TextIO) -> None:
    """Write the JUnit XML report."""
    model = report_model(result)
    # One testsuite per rule, one testcase per document: the XML holds every document with findings at once.
    findings = result.store.to_frame(["rule", "doc_id", "message", "source_path", "source_line", "locator"])
    # With a baseline the gate counts new findings only, so only a document with a new finding fails.
    findings["new"] = result.baseline.is_new.to_numpy() if result.baseline is not None else True
    timestamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    hostname = _token(socket.gethostname() or "localhost")
    root = ET.Element("testsuites")
    groups = dict(tuple(findings.groupby("rule", observed=True, sort=False))) if not findings.empty else {}
    for index, rule in enumerate(result.summary.rules):
        code = rule["code"]
        info = model.rule_info.get(code, {})
        classname = _token(f"{rule['family']}.{code}.{rule['name']}")
        suite = ET.SubElement(root, "testsuite", {
            "name": _token(f"{code} {rule['name']}"), "package": _token(f"corpus-qc.{rule['family']}"),
            "id": str(index), "timestamp": timestamp, "hostname": hostname, "errors": "0", "skipped": "0",
            "time": "0",
        })
        properties = ET.SubElement(suite, "properties")
        for key in ("severity", "family"):
            ET.SubElement(properties, "property", {"name": key, "value": xml_text(rule[key])})
        ET.SubElement(properties, "property", {"name": "summary", "value": xml_text(info.get("summary", ""))})
        group = groups.get(code)
        severe = counts_toward_gate(rule["severity"], result.gate.fail_on)
        cases = failures = listed_rows = 0
        if group is None:
            ET.SubElement(suite, "testcase", {"name": "no findings", "classname": classname, "time": "0"})
            cases = 1
        else:
            documents = group.groupby(["source_path", "source_line"], observed=True, sort=False, dropna=False)
            for (path, line), doc in documents:
                if cases == MAX_CASES_PER_RULE:
                    break
                doc_id = doc["doc_id"].iat[0]
                at = where(str(path), None if pd.isna(line) else int(line), locator=str(doc["locator"].iat[0]))
                label = f"{doc_id if isinstance(doc_id, str) else '(no doc_id)'} ({at})"
                case = ET.SubElement(suite, "testcase", {"name": _token(label), "classname": classname,
                                                         "time": "0"})
                detail = [f"{at}  {m}" for m in doc["message"].head(MAX_DETAIL_LINES).tolist()]
                if len(doc) > MAX_DETAIL_LINES:
                    detail.append(f"… and {len(doc) - MAX_DETAIL_LINES} more")
                if severe and bool(doc["new"].any()):
                    failure = ET.SubElement(case, "failure", {"message": xml_text(doc["message"].iat[0]),
                                                              "type": xml_text(rule["severity"])})
                    failure.text = xml_text("\n".join(detail))
                    failures += 1
                else:  # below fail-on, or known to the baseline: the finding is reported, the testcase passes
                    why = "in the baseline" if severe else f"below fail-on={result.gate.fail_on}"
                    ET.SubElement(case, "system-out").text = xml_text(f"{rule['severity']} ({why})\n" +
                                                                      "\n".join(detail))
                cases += 1
                listed_rows += len(doc)
            left_out = documents.ngroups - cases
            if left_out > 0:
                failing = severe and bool(group["new"].iloc[listed_rows:].any())
                case = ET.SubElement(suite, "testcase", {"name": _token(f"{left_out} more documents"),
                                                         "classname": classname, "time": "0"})
                note = (f"{left_out} more documents have {code} findings; the first {MAX_CASES_PER_RULE} are "
                        "listed. Write every finding with --findings FILE.parquet")
                if failing:
                    ET.SubElement(case, "failure", {"message": note, "type": xml_text(rule["severity"])})
                    failures += 1
                else:
                    ET.SubElement(case, "system-out").text = note
                cases += 1
        suite.set("tests", str(cases))
        suite.set("failures", str(failures))
        ET.SubElement(suite, "system-out").text = ""
        ET.SubElement(suite, "system-err").text = ""
    if result.gate.rate_failures:  # a rate over its maximum fails the gate: it fails a testcase too
        suite = ET.SubElement(root, "testsuite", {
            "name": "document rates", "package": "corpus-qc.gate", "id": str(len(result.summary.rules)),
            "timestamp": timestamp, "hostname": hostname, "errors": "0", "skipped": "0", "time": "0",
            "tests": str(len(result.gate.rate_failures)), "failures": str(len(result.gate.rate_failures)),
        })
        for over in result.gate.rate_failures:
            case = ET.SubElement(suite, "testcase", {"name": _token(f"{over['name']} document rate"),
                                                     "classname": "corpus-qc.gate.max-doc-rate", "time": "0"})
            ET.SubElement(case, "failure", {"message": xml_text(f"{over['name']} document rate {over['rate']:.2%} "
                                                                f"exceeds maximum {over['maximum']:.2%}"),
                                            "type": "max-doc-rate"})
        ET.SubElement(suite, "system-out").text = ""
        ET.SubElement(suite, "system-err").text = ""
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
