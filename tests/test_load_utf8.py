"""The JSON Lines fast path's UTF-8 check is Arrow's, and exactly as strict as ``bytes.decode``."""

from __future__ import annotations

import random

import pytest

from qc.rawio import valid_utf8 as _valid_utf8

TRICKY = [b"", b"abc", "中文".encode(), "😀".encode(), b"\x00", b"\xef\xbf\xbf", b"\xed\xa0\x80", b"\xed\xbf\xbf",
          b"\xc0\xaf", b"\xc1\xbf", b"\xe0\x80\xaf", b"\xf0\x80\x80\x80", b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80",
          b"\xff", b"\x80", b"ab\xe4\xb8", b"\xe4\xb8\xad", b'{"text": "caf\xc3\xa9"}\n', b'{"text": "caf\xe9"}\n']


def _decodes(block: bytes) -> bool:
    try:
        block.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize("block", TRICKY)
def test_valid_utf8_agrees_with_decode(block: bytes) -> None:
    assert _valid_utf8(block) == _decodes(block)


def test_valid_utf8_agrees_on_random_bytes() -> None:
    rng = random.Random(7)
    pieces = [b"a", "é".encode(), "中".encode(), "😀".encode(), b"\x80", b"\xc3", b"\xed\xa0", b"\xf4\x8f"]
    for _ in range(3000):
        block = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        assert _valid_utf8(block) == _decodes(block), block
