"""JSON with exact money: numbers parse to Decimal and Decimals serialise as bare JSON numbers.

The stdlib encoder cannot emit a Decimal as a number, so Decimals are first written as a marked
string and the marker is stripped from the encoded text (QBO prints money like `100.00`).
"""
from __future__ import annotations

import json
import re
from decimal import Decimal

_MARK = "\x00D:"
_MARKED = re.compile(r'"\\u0000D:(-?[0-9.Ee+-]+)"')


def _mark(value):
    if isinstance(value, Decimal):
        return _MARK + format(value, "f")
    if isinstance(value, dict):
        return {k: _mark(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mark(v) for v in value]
    return value


def dumps(value) -> str:
    return _MARKED.sub(r"\1", json.dumps(_mark(value), separators=(",", ":")))


def loads(text: str | bytes):
    return json.loads(text, parse_float=Decimal)
