"""SMTP logs in with credentials derived from an IAM user's active access key: a user without one
is refused (535) before any policy is read — but only when the keys were read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sestui.account import account_from_snapshot
from sestui.cli import main
from sestui.decide import Outcome, SendPath
from sestui.demo.build import build
from sestui.matrix.exact import who_can_send

CHECK = ["check", "--via", "smtp", "--user", "marketing-app", "--region", "eu-west-1"]
CHECK += ["--identity", "example.com"]


def write(tmp_path: Path, data: Any, name: str = "acct.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return str(path)


def without_keys_of(user: str, *, inactive: bool = False) -> dict[str, Any]:
    data = build()
    keys = [k for k in data["access_keys"] if k["UserName"] != user]
    if inactive:
        keys.append({"UserName": user, "AccessKeyId": "AKIAJ8DEMOINACTIVE01", "Status": "Inactive"})
    data["access_keys"] = keys
    return data


def check(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().out


def test_the_demo_user_with_a_key_may_send_over_smtp(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check([*CHECK, "--demo"], capsys)
    assert code == 0 and out.startswith("ALLOWED")


@pytest.mark.parametrize("inactive", [False, True], ids=["no key", "only an inactive key"])
def test_a_user_without_an_active_key_is_refused_535(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], inactive: bool
) -> None:
    snap = write(tmp_path, without_keys_of("marketing-app", inactive=inactive))
    code, out = check([*CHECK, "--snapshot", snap], capsys)
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith("DENIED") and "marketing-app has" in first
    assert ("only inactive access keys" if inactive else "no access key") in first
    assert "535 Authentication Credentials Invalid" in out
    assert "✗ smtp-credentials" in out
    # The API needs no SMTP password: the same user still sends through it.
    code, out = check([*CHECK, "--snapshot", snap, "--via", "api-v2"], capsys)
    assert code == 0 and out.startswith("ALLOWED")


def test_json_output_names_the_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    snap = write(tmp_path, without_keys_of("marketing-app"))
    code, out = check([*CHECK, "--snapshot", snap, "--format", "json"], capsys)
    verdict = json.loads(out)["verdict"]
    assert code == 1 and verdict["outcome"] == "denied"
    assert verdict["error_text"] == "535 Authentication Credentials Invalid"
    assert verdict["reasons"][0] == "no active access key for SMTP"


def test_keys_not_read_make_the_send_undecided_not_denied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A snapshot without its access_keys section: nothing is known about any user's keys.
    data = build()
    del data["access_keys"]
    code, out = check([*CHECK, "--snapshot", write(tmp_path, data)], capsys)
    assert code == 3
    assert out.splitlines()[0] == (
        "UNDECIDED  allowed by the policies read, but the access keys of marketing-app were not "
        "read (SMTP needs an active one)"
    )
    assert "? smtp-credentials" in out
    # A policy denial stays a denial: SES refuses either way.
    denied = ["check", "--user", "iam-user-name", "--region", "eu-west-1"]
    denied += ["--from", "billing@example.com", "--snapshot", write(tmp_path, data)]
    code, out = check(denied, capsys)
    assert code == 1 and out.startswith("DENIED  ses:SendRawEmail on identity/billing@example.com")


def test_a_denied_list_access_keys_is_unknown_for_that_user_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = without_keys_of("marketing-app")
    data["gaps"] = [
        {
            "what": "access keys of marketing-app",
            "where": "iam",
            "permission": "iam:ListAccessKeys",
            "message": "access denied",
        }
    ]
    snap = write(tmp_path, data)
    code, out = check([*CHECK, "--snapshot", snap], capsys)
    assert code == 3 and "access keys of marketing-app were not read" in out
    code, _ = check([*CHECK, "--snapshot", snap, "--user", "iam-user-name"], capsys)
    assert code == 0


def test_an_iam_json_file_holds_no_keys_so_it_is_undecided(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    iam = write(tmp_path, build()["iam"], "details.json")
    code, out = check([*CHECK, "--iam-json", iam], capsys)
    assert code == 3 and not out.startswith("DENIED")
    assert "undecided: the access keys of marketing-app were not read" in out


def test_the_matrix_agrees_cell_by_cell(tmp_path: Path) -> None:
    data = without_keys_of("marketing-app")
    data["access_keys"] = [k for k in data["access_keys"] if k["UserName"] != "support-desk"]
    account = account_from_snapshot(data)
    fast = who_can_send(account, "eu-west-1", path=SendPath.SMTP)
    exact = who_can_send(account, "eu-west-1", path=SendPath.SMTP, exact=True)
    assert fast.cells == exact.cells
    row = dict(zip((p.name for p in fast.principals), fast.cells, strict=True))
    assert set(row["marketing-app"]) == {Outcome.DENIED}
    assert Outcome.ALLOWED in row["iam-user-name"]
    unread = build()
    del unread["access_keys"]
    account = account_from_snapshot(unread)
    fast = who_can_send(account, "eu-west-1", path=SendPath.SMTP)
    exact = who_can_send(account, "eu-west-1", path=SendPath.SMTP, exact=True)
    assert fast.cells == exact.cells
    assert Outcome.ALLOWED not in {c for row in fast.cells for c in row}
