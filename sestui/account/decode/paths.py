"""Snapshot decoding errors and typed access to JSON values, each failure naming its JSON path."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

from sestui.errors import SestuiError
from sestui.policy import PolicyError
from sestui.policy.jsontext import load_json

ACCOUNT_ID = re.compile(r"^\d{12}$")


class SnapshotError(SestuiError, ValueError):
    """A snapshot that cannot be used, with the file, the JSON path (or line) and what is wrong."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.file = file
        self.line = line
        self.column = column
        super().__init__(self.describe())

    def describe(self) -> str:
        where = []
        if self.file:
            where.append(
                self.file
                + (f":{self.line}" if self.line else "")
                + (f":{self.column}" if self.line and self.column else "")
            )
        if self.path:
            where.append(self.path)
        return (": ".join(where) + ": " if where else "") + self.message

    def in_file(self, file: str) -> SnapshotError:
        return SnapshotError(
            self.message, path=self.path, file=file, line=self.line, column=self.column
        )


# -- typed access with JSON paths ---------------------------------------------------------


def type_name(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def json_object(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise SnapshotError(f"must be an object, not {type_name(value)}", path=path)
    return value


def json_list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise SnapshotError(f"must be a list, not {type_name(value)}", path=path)
    return value


def json_str(
    parent: Mapping[str, Any], key: str, path: str, *, required: bool = True
) -> str | None:
    value = parent.get(key)
    if value is None:
        if required:
            raise SnapshotError(f"missing {key!r}", path=path)
        return None
    if not isinstance(value, str):
        raise SnapshotError(f"must be a string, not {type_name(value)}", path=f"{path}.{key}")
    return value


def json_required(parent: Mapping[str, Any], key: str, path: str) -> str:
    value = json_str(parent, key, path)
    assert value is not None
    return value


def json_bool(parent: Mapping[str, Any], key: str, path: str) -> bool | None:
    value = parent.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise SnapshotError(f"must be a boolean, not {type_name(value)}", path=f"{path}.{key}")
    return value


def decode_document(value: Any, path: str) -> Mapping[str, Any]:
    """A policy document as AWS hands it out: an object, JSON text, or URL-encoded JSON text."""
    if isinstance(value, dict):
        return value
    if not isinstance(value, str):
        raise SnapshotError(
            f"a policy document must be an object or a JSON string, not {type_name(value)}",
            path=path,
        )
    text = value.strip()
    if text.startswith("%7B") or text.startswith("%7b"):
        text = urllib.parse.unquote(text)
    try:
        # The same bounds as a whole file: JSON text inside JSON nests no deeper than objects.
        decoded = load_json(text)
    except PolicyError as exc:
        where = f" (line {exc.line} column {exc.column})" if exc.line is not None else ""
        inner = f" at {exc.field}" if exc.field else ""
        raise SnapshotError(
            f"policy document: {exc.message}{inner}{where}".replace(
                "policy document: not valid JSON", "policy document is not valid JSON"
            ),
            path=path,
        ) from None
    if not isinstance(decoded, dict):
        raise SnapshotError("a policy document must be a JSON object", path=path)
    return decoded
