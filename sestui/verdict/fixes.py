"""Concrete fixes: corrected statements as JSON (never applied to AWS)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from sestui.account import PolicyDocument
from sestui.verdict.model import Fix, FixKind


def statements_of(doc: PolicyDocument) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A deep copy of the document with Statement as a list, and that list."""
    raw = json.loads(json.dumps(doc.raw))  # a deep copy, several times faster than deepcopy
    found = raw.get("Statement")
    stmts: list[dict[str, Any]] = [found] if isinstance(found, dict) else list(found or [])
    raw["Statement"] = stmts
    return raw, stmts


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def add_policy(title: str, statements: Sequence[dict[str, Any]], note: str = "") -> Fix:
    return Fix(
        title,
        FixKind.ADD_IDENTITY_POLICY,
        {"Version": "2012-10-17", "Statement": list(statements)},
        None,
        note,
    )


def edit_policy(
    title: str, doc: PolicyDocument, change: Callable[[list[dict[str, Any]]], None], note: str = ""
) -> Fix:
    raw, stmts = statements_of(doc)
    change(stmts)
    return Fix(title, FixKind.REPLACE_POLICY, raw, doc, note)


def allow_statement(
    actions: Sequence[str], resources: Sequence[str], sid: str = "AllowSesSending"
) -> dict[str, Any]:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(set(actions)),
        "Resource": list(dict.fromkeys(resources)),
    }
