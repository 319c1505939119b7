"""Liveblocks' query language, written from a mapping as ``@liveblocks/node`` writes it from an
object (its ``objectToQuery``): rooms filter on ``roomId`` and ``metadata``, threads on
``resolved``, ``visibility`` and ``metadata``, inbox notifications on ``unread``.

A value is compared for equality (``key:'value'``), or given as an operator: ``{"startsWith":
"acme:"}`` (``key^'acme:'``) or number bounds ``{"gte": 2, "lt": 5}``; ``metadata`` holds such
entries per key (``metadata['status']:'open'``). Where Node silently drops what it cannot
write, ours raises ValueError, naming the entry."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from liveblocks_auth._protocol import check_text

__all__ = ["Field", "boolean", "metadata", "object_to_query", "one_of", "text_or_prefix"]

#: Checks one top-level entry of a query (``value``, ``where``), raising ValueError.
Field = Callable[[Any, str], None]

_IDENTIFIER = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]*")
_BOUNDS = {"lt": "<", "gt": ">", "gte": ">=", "lte": "<="}  # in the order Node writes them


def boolean(value: Any, where: str) -> None:
    if not isinstance(value, bool):
        raise ValueError(f"{where} must be True or False")


def one_of(*choices: str) -> Field:
    def check(value: Any, where: str) -> None:
        if value not in choices:
            raise ValueError(f"{where} must be {' or '.join(map(repr, choices))}")

    return check


def text_or_prefix(value: Any, where: str) -> None:
    if not isinstance(value, str) and not (
        isinstance(value, Mapping) and set(value) == {"startsWith"}
    ):
        raise ValueError(f"{where} must be a string or {{'startsWith': text}}")


def metadata(value: Any, where: str) -> None:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where} must be a mapping of key -> value or operator")


def _js_number(value: float) -> str:
    """A number as JavaScript's ``JSON.stringify`` writes it."""
    if isinstance(value, int) or (value.is_integer() and abs(value) < 1e21):
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        text = f"{mantissa.removesuffix('.0')}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"
    return text


def _quote(value: str | float | bool | None) -> str:
    """A value of a clause, quoted as Node quotes it: ``'text'`` (``"text"`` when it holds a
    ``'``), numbers and ``true``/``false``/``null`` as JSON."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if not isinstance(value, str):
        return _js_number(value)
    encoded = json.dumps(value, ensure_ascii=False)
    if "'" in encoded:
        return encoded
    return "'" + encoded[1:-1].replace('\\"', '"') + "'"


def _js_keys(mapping: Mapping[str, Any]) -> list[str]:
    """The keys in JavaScript's property order: array indices first, ascending."""
    keys = list(mapping)
    indices = [k for k in keys if _ARRAY_INDEX.fullmatch(k) and int(k) < 2**32 - 1]
    return sorted(indices, key=int) + [k for k in keys if k not in indices]


def _simple(value: object) -> bool:
    return (
        value is None
        or isinstance(value, str | bool | int)
        or (isinstance(value, float) and math.isfinite(value))
    )


def _operator(key: str, value: Mapping[str, Any], where: str) -> list[str]:
    if set(value) == {"startsWith"} and isinstance(value["startsWith"], str):
        return [f"{key}^{_quote(check_text(value['startsWith'], where))}"]
    if not value or not set(value) <= set(_BOUNDS):
        raise ValueError(
            f"{where} must be a value, {{'startsWith': text}} or number bounds "
            "({'lt'|'gt'|'lte'|'gte': number})"
        )
    clauses = []
    for name, sign in _BOUNDS.items():
        if name in value:
            bound = value[name]
            if isinstance(bound, bool) or not isinstance(bound, int | float):
                raise ValueError(f"{where}[{name!r}] must be a number")
            if not math.isfinite(bound):
                raise ValueError(f"{where}[{name!r}] must be a finite number")
            clauses.append(f"{key}{sign}{_quote(bound)}")
    return clauses


def _clauses(entries: list[tuple[str, Any, str]]) -> list[str]:
    """``key:value`` clauses first, then operators, as Node orders them."""
    values, operators = [], []
    for key, value, where in entries:
        if isinstance(value, str):
            check_text(value, where)
        if _simple(value):
            values.append(f"{key}:{_quote(value)}")
        elif isinstance(value, Mapping):
            operators.extend(_operator(key, value, where))
        else:
            raise ValueError(f"{where} must be a string, a number, a boolean, None or an operator")
    return values + operators


def object_to_query(query: Mapping[str, Any], fields: Mapping[str, Field]) -> str:
    """``query`` in Liveblocks' query language; ``fields`` names the top-level keys allowed and
    checks their values."""
    if not isinstance(query, Mapping):
        raise ValueError(f"query must be a string or a mapping, not {type(query).__name__}")
    unknown = [key for key in query if key not in fields]
    if unknown:
        allowed = ", ".join(map(repr, fields))
        raise ValueError(f"query filters on {allowed}; not on {', '.join(map(repr, unknown))}")
    top, nested = [], []
    for key in _js_keys(query):
        where = f"query[{key!r}]"
        fields[key](query[key], where)
        value = query[key]
        is_operator = isinstance(value, Mapping) and (
            "startsWith" in value or any(name in value for name in _BOUNDS)
        )
        if isinstance(value, Mapping) and not is_operator:
            nested.append((key, value))
        else:
            top.append((key, value, where))
    clauses = _clauses(top)
    for key, entries in nested:
        inner = []
        for name in _js_keys(entries):
            where = f"query[{key!r}][{name!r}]"
            if not isinstance(name, str) or not name.strip():
                raise ValueError(f"query[{key!r}] keys must be non-empty strings")
            inner.append((f"{key}[{_quote(check_text(name, where))}]", entries[name], where))
        clauses += _clauses(inner)
    return " ".join(clauses)
