"""Snapshot files: reading them (bounded, located errors), loading them into an Account, and
writing them (atomically, never with a secret in them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sestui.account.decode.paths import SnapshotError
from sestui.account.model import (
    Account,
)
from sestui.account.snapshot import account_from_snapshot, snapshot_from_iam_json
from sestui.fileio import InputError, read_input, write_output
from sestui.policy import PolicyError
from sestui.policy.jsontext import load_json
from sestui.textsafe import json_text


def read_json_file(path: Path) -> Any:
    """A JSON file, bounded (fileio.MAX_INPUT, no devices or silent FIFOs), nesting checked."""
    try:
        text = read_input(str(path))
    except InputError as exc:
        raise SnapshotError(exc.reason, file=str(path)) from None
    if not text.strip():
        raise SnapshotError("the file is empty", file=str(path))
    try:
        return load_json(text, bounded=False)
    except PolicyError as exc:
        hint = ""
        if exc.message.startswith("not valid JSON") and exc.line is not None:
            # The error sits on the last line: the file was probably cut short.
            hint = " (truncated?)" if exc.line >= text.rstrip().count("\n") + 1 else ""
        raise SnapshotError(
            exc.message + hint, file=str(path), line=exc.line, column=exc.column, path=exc.field
        ) from None


def load_snapshot(path: Path) -> tuple[Account, dict[str, Any]]:
    data = read_json_file(path)
    try:
        return account_from_snapshot(data, f"snapshot {path}"), data
    except SnapshotError as exc:
        raise exc.in_file(str(path)) from None


def load_iam_json(path: Path) -> tuple[Account, dict[str, Any]]:
    data = read_json_file(path)
    try:
        snap = snapshot_from_iam_json(data)
        return account_from_snapshot(snap, f"iam-json {path}"), snap
    except SnapshotError as exc:
        raise exc.in_file(str(path)) from None


def save_snapshot(data: Mapping[str, Any], path: Path, *, secrets: Iterable[str] = ()) -> None:
    """Validate, refuse secrets, then write atomically with mode 0600.

    `secrets`: the credential values the read used (secret key, session token); the text must
    not hold any of them, wherever it would be.
    """
    account_from_snapshot(data)
    refuse_secrets(data)
    # json_text: a snapshot shown with `cat` must not drive the terminal either.
    text = json_text(data, indent=1, default=str) + "\n"
    for secret in secrets:
        # Short values would match by chance; every AWS secret and token is far longer.
        if secret and len(secret) >= 16 and secret in text:
            raise SnapshotError(
                "refusing to write a secret into a snapshot: a credential of the read"
            )
    write_output(path, text)


# What sestui itself takes from the APIs that hand out credential data (iam:ListAccessKeys,
# iam:GetAccessKeyLastUsed, sts:GetCallerIdentity): only these fields. Words inside policy
# documents (a condition key named `SessionToken` or `Password`) are policy text, not secrets.
_ACCESS_KEY_FIELDS = frozenset(
    {"UserName", "AccessKeyId", "Status", "CreateDate", "AccessKeyLastUsed"}
)
_SECRET_FIELDS = frozenset(
    {"SecretAccessKey", "SessionToken", "aws_secret_access_key", "aws_session_token"}
)


def refuse_secrets(data: Mapping[str, Any]) -> None:
    for i, key in enumerate(data.get("access_keys") or []):
        extra = sorted(set(key) - _ACCESS_KEY_FIELDS) if isinstance(key, Mapping) else []
        if extra:
            raise SnapshotError(
                "refusing to write a secret into a snapshot: an access key holds "
                f"{', '.join(extra)}",
                path=f"access_keys[{i}]",
            )
    account = data.get("account")
    if isinstance(account, Mapping):
        extra = sorted(set(account) & _SECRET_FIELDS)
        if extra:
            raise SnapshotError(
                f"refusing to write a secret into a snapshot: the caller holds {', '.join(extra)}",
                path="account",
            )
