"""Snapshot files: validation with JSON paths, clear errors for broken files, safe writes."""

from __future__ import annotations

import copy
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from sestui.account import (
    SnapshotError,
    account_from_snapshot,
    load_iam_json,
    load_snapshot,
    save_snapshot,
)
from sestui.demo.build import build


@pytest.fixture
def snap() -> dict[str, Any]:
    return copy.deepcopy(build())


@pytest.mark.parametrize(
    ("mutate", "path", "words"),
    [
        (lambda s: s.update(format="sestui-snapshot/9"), "format", "not a sestui snapshot"),
        (lambda s: s["account"].update(Id="12345"), "account.Id", "12-digit"),
        (
            lambda s: s["iam"]["UserDetailList"][3]["AttachedManagedPolicies"].append(
                {"PolicyName": "Gone", "PolicyArn": "arn:aws:iam::111122223333:policy/Gone"}
            ),
            "iam.UserDetailList[3].AttachedManagedPolicies[0]",
            "unknown policy ARN",
        ),
        (
            lambda s: s["iam"]["UserDetailList"][0].pop("UserName"),
            "iam.UserDetailList[0]",
            "missing 'UserName'",
        ),
        (
            lambda s: s["iam"]["UserDetailList"][1].update(Tags="team=x"),
            "iam.UserDetailList[1].Tags",
            "must be a list",
        ),
        (
            lambda s: s["iam"]["UserDetailList"][0]["UserPolicyList"][0].update(
                PolicyDocument='{"Version": '
            ),
            "iam.UserDetailList[0].UserPolicyList[0].PolicyDocument",
            "not valid JSON",
        ),
        (
            lambda s: s["ses"]["regions"]["eu-west-1"]["identities"][0].update(IdentityType="IP"),
            "ses.regions.eu-west-1.identities[0].IdentityType",
            "EMAIL_ADDRESS or DOMAIN",
        ),
        (
            lambda s: s["ses"]["regions"]["eu-west-1"]["account"].update(SendingEnabled="yes"),
            "ses.regions.eu-west-1.account.SendingEnabled",
            "must be a boolean",
        ),
        (
            lambda s: s["organizations"].update(status="maybe"),
            "organizations.status",
            "must be one of",
        ),
        (
            lambda s: s["access_keys"][0].update(SecretAccessKey="x"),
            "access_keys[0]",
            "never hold secret keys",
        ),
        (
            lambda s: s["iam"]["UserDetailList"][0].update(GroupList=["ghosts"]),
            "iam.UserDetailList",
            "not in iam.GroupDetailList",
        ),
    ],
)
def test_first_problem_is_named_by_its_json_path(
    snap: dict[str, Any], mutate: Any, path: str, words: str
) -> None:
    mutate(snap)
    with pytest.raises(SnapshotError) as info:
        account_from_snapshot(snap)
    assert info.value.path == path
    assert words in str(info.value)


def test_truncated_and_non_json_files(tmp_path: Path) -> None:
    full = json.dumps(build(), indent=1)
    cut = tmp_path / "cut.json"
    cut.write_text(full[: len(full) // 2])
    with pytest.raises(SnapshotError) as info:
        load_snapshot(cut)
    assert info.value.file == str(cut) and info.value.line is not None
    assert "not valid JSON" in str(info.value) and "truncated" in str(info.value)
    for content, words in (
        ("", "empty"),
        ("hello", "not valid JSON"),
        ("[1, 2]", "must be an object"),
    ):
        f = tmp_path / "x.json"
        f.write_text(content)
        with pytest.raises(SnapshotError, match=words):
            load_snapshot(f)
    binary = tmp_path / "bin.json"
    for data, words in (
        (b"\xff\xfe{\x00}\x00", "UTF-16 text; save it as UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        (b'{\n"a": "\xff"}', "not UTF-8 text \\(byte 0xff on line 2\\)"),
    ):
        binary.write_bytes(data)
        with pytest.raises(SnapshotError, match=words):
            load_snapshot(binary)
    with pytest.raises(SnapshotError, match="cannot read"):
        load_snapshot(tmp_path / "missing.json")


def test_save_is_atomic_private_and_round_trips(tmp_path: Path, snap: dict[str, Any]) -> None:
    target = tmp_path / "acct.json"
    target.write_text("old contents")
    save_snapshot(snap, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["acct.json"]  # no temp file left behind
    loaded, data = load_snapshot(target)
    assert data == snap
    assert loaded == account_from_snapshot(snap, loaded.source)


def test_save_refuses_invalid_data_and_secrets_and_keeps_the_old_file(
    tmp_path: Path, snap: dict[str, Any]
) -> None:
    target = tmp_path / "acct.json"
    target.write_text("old contents")
    bad = copy.deepcopy(snap)
    bad["account"]["Id"] = "nope"
    with pytest.raises(SnapshotError):
        save_snapshot(bad, target)
    secret = copy.deepcopy(snap)
    secret["access_keys"][0]["SecretAccessKey"] = "wJalrXUtnFEMI/K7MDENG"
    with pytest.raises(SnapshotError, match="never hold secret keys"):
        save_snapshot(secret, target)
    tagged = copy.deepcopy(snap)
    tagged["iam"]["UserDetailList"][0]["Tags"] = [{"Key": "k", "Value": "wJalrXUtnFEMI/K7MDENG"}]
    with pytest.raises(SnapshotError, match="a credential of the read"):
        save_snapshot(tagged, target, secrets=["wJalrXUtnFEMI/K7MDENG"])
    assert target.read_text() == "old contents"
    assert len(os.listdir(tmp_path)) == 1


def test_iam_json_opens_with_ses_and_scps_unknown(tmp_path: Path, snap: dict[str, Any]) -> None:
    gaad = dict(snap["iam"], IsTruncated=False)
    # The raw API hands out URL-encoded documents; the CLI decodes them. Both must open.
    gaad["UserDetailList"][0]["UserPolicyList"][0]["PolicyDocument"] = (
        "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow"
        "%22%2C%22Action%22%3A%22ses%3ASendRawEmail%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"
    )
    f = tmp_path / "gaad.json"
    f.write_text(json.dumps(gaad))
    account, _ = load_iam_json(f)
    assert account.account_id == "111122223333"
    assert not account.ses_known and account.regions == {}
    assert account.organization.status.value == "unknown"
    assert {g.what for g in account.gaps} == {"SES identities and their policies", "SCPs"}
    doc = account.principals[0].inline_policies[0]
    assert doc.policy.statements[0].actions == ("ses:SendRawEmail",)
    f.write_text(json.dumps({"Users": []}))
    with pytest.raises(SnapshotError, match="not a GetAccountAuthorizationDetails file"):
        load_iam_json(f)
