"""SARIF stays valid against the 2.1.0 schema with hostile file names and schema findings.

Files under the working directory are relative URIs against ``%SRCROOT%`` (which ``originalUriBaseIds``
declares as the working directory's ``file://`` URI), others absolute ``file://`` URIs; every URI is
RFC 3986 (percent-encoded) and resolves back to the very file that was checked.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from urllib.parse import unquote_to_bytes, urljoin

import jsonschema
import pytest

from tests.conftest import LOREM, PLACEHOLDER, post, run_qc, write_jsonl

DATA = Path(__file__).parent / "data"
#: Every character RFC 3986 allows in a URI (unreserved, reserved, and % for escapes).
URI_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")
ESCAPE = re.compile(r"%(?![0-9A-F]{2})")


def _check(cwd: Path, *inputs: str | Path) -> dict:
    run = run_qc("check", *inputs, "--format", "sarif", "--jobs", "1", cwd=cwd,
                 env={"PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]),
                                                     os.environ.get("PYTHONPATH", "")])})
    assert run.code == 1, run.stderr
    log = json.loads(run.stdout)
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text("utf-8"))
    jsonschema.validate(log, schema, format_checker=jsonschema.FormatChecker())
    return log


def _resolved(location: dict, base_ids: dict) -> bytes:
    """The file path (as bytes) a result's artifactLocation names."""
    uri = location["uri"]
    assert URI_CHARS.match(uri) and not ESCAPE.search(uri), uri
    if "uriBaseId" in location:
        assert not uri.startswith(("/", "file:")) and ".." not in uri.split("/"), uri
        uri = urljoin(base_ids[location["uriBaseId"]]["uri"], uri)
    assert uri.startswith("file:///"), uri
    return unquote_to_bytes(uri.removeprefix("file://"))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names (backslash and colon are plain bytes)")
def test_hostile_paths_and_a_schema_finding_validate_and_resolve(tmp_path: Path) -> None:
    work = tmp_path / "work tree"
    inside = work / "sub dir"
    inside.mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    bad = [post("s1", PLACEHOLDER), "{not json", json.dumps(post("s2", LOREM))]  # a schema finding (SC001)
    names = {
        "odd": inside / "a #%?&[]!'.jsonl",
        "unicode": inside / "日本語 ü.jsonl",
        "windows": work / "C:\\data\\x.jsonl",
        "outside": outside / "far away.jsonl",
    }
    for path in names.values():
        write_jsonl(path, bad)
    log = _check(work, "sub dir/../sub dir/a #%?&[]!'.jsonl", Path("sub dir") / "日本語 ü.jsonl",
                 "C:\\data\\x.jsonl", "../elsewhere/far away.jsonl")
    run = log["runs"][0]
    base_ids = run["originalUriBaseIds"]
    assert base_ids["%SRCROOT%"]["uri"] == work.resolve().as_uri() + "/"
    by_file: dict[bytes, set[str]] = {}
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        path = _resolved(location, base_ids)
        by_file.setdefault(path, set()).add(result["ruleId"])
        # Under the working directory: relative to %SRCROOT%; the file outside it: an absolute URI.
        assert ("uriBaseId" in location) == (path != os.fsencode(names["outside"])), location
    expected = {os.fsencode(path) for path in names.values()}
    assert set(by_file) == expected
    assert all({"SC001", "PH001"} <= rules for rules in by_file.values()), by_file
    schema_rules = [rule for rule in run["tool"]["driver"]["rules"] if rule["id"].startswith("SC")]
    assert schema_rules and all(len(set(r["properties"]["tags"])) == len(r["properties"]["tags"])
                                for r in schema_rules)


def test_an_absolute_path_under_the_working_directory_is_relative_to_srcroot(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c.jsonl", [post("1", PLACEHOLDER)])
    log = _check(tmp_path, corpus.resolve())
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "c.jsonl", "uriBaseId": "%SRCROOT%"}


def test_a_file_name_that_is_not_utf8_is_encoded_from_its_bytes(tmp_path: Path) -> None:
    from qc.render.sarif import artifact_location

    name = os.fsdecode(b"raw-\xff\xfe 1.jsonl")
    assert artifact_location(str(tmp_path / name), str(tmp_path)) == {"uri": "raw-%FF%FE%201.jsonl",
                                                                      "uriBaseId": "%SRCROOT%"}
    elsewhere = artifact_location("/" + name, str(tmp_path))
    assert elsewhere == {"uri": "file:///raw-%FF%FE%201.jsonl"}
