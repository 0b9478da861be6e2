"""JSON with exact money: numbers parse to Decimal and Decimals serialise as bare JSON numbers.

The stdlib encoder cannot emit a Decimal as a number, so the encoder writes each Decimal as a
marked string (its `default` hook, called only for Decimals, keeps the walk in C) and the marker
is stripped from the encoded text (QBO prints money like `100.00`).
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
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_ENCODER = json.JSONEncoder(separators=(",", ":"), default=_mark)


def dumps(value) -> str:
    return _MARKED.sub(r"\1", _ENCODER.encode(value))


def loads(text: str | bytes):
    return json.loads(text, parse_float=Decimal)
