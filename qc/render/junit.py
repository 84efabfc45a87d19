"""``--format junit``: one testsuite per rule, one failing testcase per document (the Ant JUnit schema
that Jenkins and GitLab read). A rule without findings is a suite with one passing testcase."""

from __future__ import annotations

import re
import socket
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO

from qc.render.model import report_model
from qc.safe_text import visible

if TYPE_CHECKING:
    from qc.api import CheckResult

# Characters XML 1.0 cannot carry at all; after :func:`qc.safe_text.visible` only these two are left.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_DETAIL_LINES = 50


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
    findings = result.store.to_frame(["rule", "doc_id", "message", "source_path", "source_line"])
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
        cases = 0
        if group is None:
            ET.SubElement(suite, "testcase", {"name": "no findings", "classname": classname, "time": "0"})
            cases = 1
        else:
            for (path, line), doc in group.groupby(["source_path", "source_line"], observed=True, sort=False,
                                                   dropna=False):
                doc_id = doc["doc_id"].iat[0]
                label = f"{doc_id if isinstance(doc_id, str) else '(no doc_id)'} ({path}:{line})"
                case = ET.SubElement(suite, "testcase", {"name": _token(label), "classname": classname,
                                                         "time": "0"})
                detail = [f"{path}:{line}  {m}" for m in doc["message"].head(MAX_DETAIL_LINES).tolist()]
                if len(doc) > MAX_DETAIL_LINES:
                    detail.append(f"… and {len(doc) - MAX_DETAIL_LINES} more")
                failure = ET.SubElement(case, "failure", {"message": xml_text(doc["message"].iat[0]),
                                                          "type": xml_text(rule["severity"])})
                failure.text = xml_text("\n".join(detail))
                cases += 1
        suite.set("tests", str(cases))
        suite.set("failures", str(0 if group is None else cases))
        ET.SubElement(suite, "system-out").text = ""
        ET.SubElement(suite, "system-err").text = ""
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
