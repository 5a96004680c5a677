"""Organization snapshots (`sestui-snapshot/2`) and several snapshot files loaded together.

A /2 file holds one `sestui-snapshot/1` object per account (without its `format` key) and the
accounts that could not be read; a /1 file loads as a set of one account.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from sestui.account.accountset import AccountSet, UnreadableAccount
from sestui.account.decode.paths import (
    ACCOUNT_ID,
    SnapshotError,
    json_list,
    json_object,
    json_required,
    json_str,
)
from sestui.account.files import read_json_file
from sestui.account.formats import FORMAT_1, FORMAT_2
from sestui.account.model import Account
from sestui.account.snapshot import account_from_snapshot


def _in(exc: SnapshotError, prefix: str) -> SnapshotError:
    return SnapshotError(
        exc.message, path=prefix + (f".{exc.path}" if exc.path else ""), file=exc.file
    )


def _named(account: Account, entry: Mapping[str, Any], path: str) -> Account:
    header = json_object(entry.get("account"), f"{path}.account")
    name = json_str(header, "Name", f"{path}.account", required=False)
    return replace(account, name=name) if name else account


@contextmanager
def _no_collection() -> Iterator[None]:
    """Building an organization allocates millions of objects that live on: the cyclic
    collector would walk the growing heap again and again (opening 200 accounts took twice as
    long). Nothing built here forms a cycle that needs collecting."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def account_set_from_data(data: Any, source: str = "") -> AccountSet:
    """Validate a decoded /1 or /2 snapshot and build the set; SnapshotError names the problem."""
    with _no_collection():
        return _account_set(data, source)


def _account_set(data: Any, source: str) -> AccountSet:
    top = json_object(data, "$")
    fmt = top.get("format")
    if fmt == FORMAT_1:
        account = account_from_snapshot(data, source)
        return AccountSet((_named(account, top, "$"),), source=account.source)
    if fmt != FORMAT_2:
        raise SnapshotError(
            f"not a sestui snapshot (format {fmt!r}, expected {FORMAT_1!r} or {FORMAT_2!r})",
            path="format",
        )
    own_source = source or json_str(top, "source", "$", required=False) or ""
    accounts: list[Account] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(json_list(top.get("accounts"), "accounts")):
        path = f"accounts[{i}]"
        e = json_object(entry, path)
        if "format" in e:
            raise SnapshotError("an account of a /2 file has no 'format' key", path=path)
        try:
            account = account_from_snapshot({"format": FORMAT_1, **e}, "")
        except SnapshotError as exc:
            raise _in(exc, path) from None
        if account.account_id in seen:
            raise SnapshotError(
                f"account {account.account_id} is also accounts[{seen[account.account_id]}]",
                path=f"{path}.account.Id",
            )
        seen[account.account_id] = i
        entry_source = json_str(e, "source", path, required=False)
        account = replace(account, source=entry_source or own_source or account.source)
        accounts.append(_named(account, e, path))
    if not accounts:
        raise SnapshotError("holds no readable account", path="accounts")
    unreadable = []
    for i, item in enumerate(json_list(top.get("unreadable") or [], "unreadable")):
        path = f"unreadable[{i}]"
        u = json_object(item, path)
        who = json_object(u.get("account"), f"{path}.account")
        account_id = json_required(who, "Id", f"{path}.account")
        if not ACCOUNT_ID.match(account_id):
            raise SnapshotError(
                f"{account_id!r} is not a 12-digit account ID", path=f"{path}.account.Id"
            )
        unreadable.append(
            UnreadableAccount(
                account_id,
                json_str(who, "Name", f"{path}.account", required=False),
                json_required(u, "what", path),
                json_required(u, "where", path),
                json_str(u, "permission", path, required=False),
                json_required(u, "message", path),
            )
        )
    org = top.get("organization")
    org_id = mgmt = None
    if org is not None:
        o = json_object(org, "organization")
        org_id = json_str(o, "Id", "organization", required=False)
        mgmt = json_str(o, "ManagementAccountId", "organization", required=False)
    return AccountSet(tuple(accounts), tuple(unreadable), org_id, mgmt, own_source)


def load_account_set(path: Path) -> tuple[AccountSet, dict[str, Any]]:
    """One /1 or /2 file."""
    with _no_collection():
        data = read_json_file(path)
    try:
        return account_set_from_data(data, f"snapshot {path}"), data
    except SnapshotError as exc:
        raise exc.in_file(str(path)) from None


def load_account_sets(paths: Sequence[Path]) -> AccountSet:
    """Several snapshot files as one set, in the order given (the first file's first account is
    primary). An account in two files is refused, naming both."""
    accounts: list[Account] = []
    unreadable: list[UnreadableAccount] = []
    where: dict[str, Path] = {}
    org_id = mgmt = None
    for path in paths:
        one, _ = load_account_set(path)
        for account in one.accounts:
            if account.account_id in where:
                first = where[account.account_id]
                also = "twice in" if first == path else "in both"
                files = f"{first}" if first == path else f"{first} and {path}"
                raise SnapshotError(f"account {account.account_id} is {also} {files}")
            where[account.account_id] = path
            accounts.append(account)
        unreadable.extend(one.unreadable)
        org_id = org_id or one.organization_id
        mgmt = mgmt or one.management_account_id
    read = {a.account_id for a in accounts}
    gaps = tuple(u for u in unreadable if u.account_id not in read)
    source = ", ".join(f"snapshot {p}" for p in paths)
    return AccountSet(tuple(accounts), gaps, org_id, mgmt, source)
