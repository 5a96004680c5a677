"""Several accounts loaded together: sestui-snapshot/2 files, repeated --snapshot, and delegate
sends decided on both sides (caller's policies and SCPs, the owner's sending-authorization)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sestui.account import SnapshotError
from sestui.account.orgsnapshot import account_set_from_data, load_account_sets
from sestui.cli import main
from tests.accounthelp import doc, snapshot
from tests.orghelp import (
    CENTRAL,
    IDENTITY_ARN,
    REGION,
    WORKLOAD,
    central,
    delegates,
    grant,
    in_account,
    organization,
    unreadable,
    user_arn,
    workload,
    write,
)

APP = user_arn(WORKLOAD, "app")


def check(capsys: Any, files: list[str], *extra: str, principal: str = APP) -> tuple[int, str, str]:
    args = ["check"]
    for f in files:
        args += ["--snapshot", f]
    code = main(
        [
            *args,
            "--user",
            principal,
            "--region",
            REGION,
            "--identity",
            IDENTITY_ARN,
            "--via",
            "api-v1",
            *extra,
        ]
    )
    out, err = capsys.readouterr()
    return code, out, err


def org_file(tmp_path: Path, *accounts: dict[str, Any], **kw: Any) -> str:
    return write(tmp_path / "org.json", organization(*accounts, **kw))


def test_cross_account_allow(tmp_path: Path, capsys: Any) -> None:
    f = org_file(tmp_path, central(delegates(grant(APP))), workload())
    code, out, _ = check(capsys, [f])
    assert code == 0, out
    assert "ALLOWED" in out
    assert "in account 444455556666 (workload)" in out  # the caller's policy names its account


def test_owner_grants_the_account(tmp_path: Path, capsys: Any) -> None:
    f = org_file(tmp_path, central(delegates(grant(WORKLOAD))), workload())
    assert check(capsys, [f])[0] == 0


def test_owner_deny_wins(tmp_path: Path, capsys: Any) -> None:
    f = org_file(tmp_path, central(delegates(grant(WORKLOAD), grant(APP, "Deny"))), workload())
    code, out, _ = check(capsys, [f], "--format", "json")
    assert code == 1
    report = json.loads(out)
    sa = next(c for c in report["checks"] if c["id"] == "sending-authorization")
    assert sa["status"] == "fail"
    assert sa["findings"][0]["account"] == f"{CENTRAL} (central)"
    assert sa["fix"]["account"] == f"{CENTRAL} (central)"


def test_owner_without_policy_denies(tmp_path: Path, capsys: Any) -> None:
    f = org_file(tmp_path, central(None), workload())
    code, out, _ = check(capsys, [f])
    assert code == 1
    assert f"no sending-authorization policy on example.com in account {CENTRAL} (central)" in out
    assert f"Apply it in account {CENTRAL} (central)." in out


def test_owner_policy_missing_the_caller(tmp_path: Path, capsys: Any) -> None:
    f = org_file(tmp_path, central(delegates(grant(user_arn(WORKLOAD, "other")))), workload())
    code, out, _ = check(capsys, [f], "--format", "commands")
    assert code == 1
    assert f"# apply in account {CENTRAL} (central)" in out
    assert "aws sesv2 update-email-identity-policy" in out  # the owner's policy exists


def test_owner_without_policy_fix_creates_one(tmp_path: Path, capsys: Any) -> None:
    f = org_file(tmp_path, central(None), workload())
    code, out, _ = check(capsys, [f], "--format", "commands")
    assert code == 1
    assert f"# apply in account {CENTRAL} (central)" in out
    assert "aws sesv2 create-email-identity-policy" in out and "put-user-policy" not in out


def test_caller_side_deny(tmp_path: Path, capsys: Any) -> None:
    caller = workload(
        inline=[
            doc(
                {"Effect": "Allow", "Action": "ses:Send*", "Resource": "*"},
                {"Effect": "Deny", "Action": "ses:*", "Resource": "arn:aws:ses:*:*:identity/*"},
            )
        ]
    )
    f = org_file(tmp_path, central(delegates(grant(APP))), caller)
    code, out, _ = check(capsys, [f])
    assert code == 1
    assert f"identity-based policy of account {WORKLOAD} (workload)" in out or (
        f"identity policy of account {WORKLOAD} (workload)" in out
    )


def test_caller_side_missing(tmp_path: Path, capsys: Any) -> None:
    f = org_file(tmp_path, central(delegates(grant(WORKLOAD))), workload(inline=[]))
    code, out, _ = check(capsys, [f])
    assert code == 1
    assert "no identity policy allows ses:SendRawEmail" in out
    assert f"Apply it in account {WORKLOAD} (workload)." in out


def test_caller_account_scp_deny(tmp_path: Path, capsys: Any) -> None:
    scps = [
        [
            doc(
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "ses:*", "Resource": "*"},
            )
        ]
    ]
    f = org_file(tmp_path, central(delegates(grant(APP))), workload(org="member", scp_levels=scps))
    code, out, _ = check(capsys, [f])
    assert code == 1
    assert f"service control policy of account {WORKLOAD} (workload)" in out
    assert "✗ scp" in out


def test_owner_scps_do_not_apply_to_the_caller(tmp_path: Path, capsys: Any) -> None:
    scps = [[doc({"Effect": "Deny", "Action": "ses:*", "Resource": "*"})]]
    f = org_file(
        tmp_path, central(delegates(grant(APP)), org="member", scp_levels=scps), workload()
    )
    assert check(capsys, [f])[0] == 0


def test_owner_not_loaded_stays_undecided(tmp_path: Path, capsys: Any) -> None:
    f = write(tmp_path / "w.json", workload())
    code, out, _ = check(capsys, [f])
    assert code == 3, out


def test_unverified_owner_identity(tmp_path: Path, capsys: Any) -> None:
    owner = in_account(
        snapshot(
            user="mailer",
            identities=[
                {
                    "name": "example.com",
                    "status": "PENDING",
                    "policies": {"D": delegates(grant(APP))},
                }
            ],
        ),
        CENTRAL,
        "central",
    )
    f = org_file(tmp_path, owner, workload())
    code, out, _ = check(capsys, [f])
    assert code == 1
    assert "not verified" in out


def test_two_snapshot_files(tmp_path: Path, capsys: Any) -> None:
    a = write(tmp_path / "central.json", central(delegates(grant(APP))))
    b = write(tmp_path / "workload.json", workload())
    assert check(capsys, [a, b])[0] == 0
    assert check(capsys, [b, a])[0] == 0


def test_same_account_in_two_files(tmp_path: Path, capsys: Any) -> None:
    a = write(tmp_path / "a.json", workload())
    b = write(tmp_path / "b.json", workload())
    code, _, err = check(capsys, [a, b])
    assert code == 2
    assert f"account {WORKLOAD} is in both {a} and {b}" in err
    with pytest.raises(SnapshotError, match="in both"):
        load_account_sets([Path(a), Path(b)])


def test_same_account_twice_in_one_file(tmp_path: Path, capsys: Any) -> None:
    f = org_file(tmp_path, workload(), workload())
    code, _, err = check(capsys, [f])
    assert code == 2
    assert "accounts[1].account.Id" in err and "also accounts[0]" in err


def test_version_1_still_loads_as_one_account(tmp_path: Path) -> None:
    data = snapshot()
    accounts = account_set_from_data(data)
    assert len(accounts) == 1 and accounts.primary.account_id == CENTRAL
    assert accounts.primary.name is None


def test_version_2_model(tmp_path: Path) -> None:
    gap = unreadable(where="sts assume-role arn:aws:iam::777788889999:role/R")
    s = account_set_from_data(organization(central(None), workload(), unreadable=[gap]))
    assert [a.title for a in s] == [f"{CENTRAL} (central)", f"{WORKLOAD} (workload)"]
    assert s.organization_id == "o-example"
    assert s.unreadable[0].describe().startswith("account 777788889999 (legacy)")
    found = s.principal_by_arn(APP)
    assert found is not None and found[0].account_id == WORKLOAD
    session = f"arn:aws:sts::{WORKLOAD}:assumed-role/nosuch/s"
    assert s.principal_by_arn(session) is None
    assert [a.account_id for a, _ in s.principals_named("app")] == [WORKLOAD]
    owner = s.identity_owner(IDENTITY_ARN)
    assert owner is not None and owner[0].account_id == CENTRAL and owner[1] is not None
    assert [a.account_id for a, _ in s.identity_owners("example.com", REGION)] == [CENTRAL]


def test_bad_version_2_is_located(tmp_path: Path, capsys: Any) -> None:
    bad = organization(central(None), workload())
    del bad["accounts"][1]["iam"]
    f = write(tmp_path / "bad.json", bad)
    code, _, err = check(capsys, [f])
    assert code == 2
    assert f"{f}: accounts[1].iam" in err


def test_name_in_two_accounts(tmp_path: Path, capsys: Any) -> None:
    both = org_file(tmp_path, central(delegates(grant(APP)), user="app"), workload())
    code, _, err = check(capsys, [both], principal="app")
    assert code == 2
    assert user_arn(CENTRAL, "app") in err and APP in err and "--account" in err
    code, out, _ = check(capsys, [both], "--account", WORKLOAD, principal="app")
    assert code == 0, out
    code, _, err = check(capsys, [both], "--account", "000000000000", principal="app")
    assert code == 2 and "--account 000000000000: not a loaded account" in err


def test_unreadable_account_named(tmp_path: Path, capsys: Any) -> None:
    gap = unreadable(message="denied")
    f = org_file(tmp_path, central(None), workload(), unreadable=[gap])
    code, _, err = check(capsys, [f], principal=user_arn("777788889999", "x"))
    assert code == 2
    assert "777788889999 (legacy)" in err and "sts:AssumeRole" in err


SMTP_554 = (
    f"554 Access denied: User `{APP}' is not authorized to perform `ses:SendRawEmail' on "
    f"resource `{IDENTITY_ARN}'"
)


def test_explain_cross_account_554(tmp_path: Path, capsys: Any) -> None:
    f = org_file(tmp_path, central(delegates(grant(user_arn(WORKLOAD, "other")))), workload())
    code = main(["explain", SMTP_554, "--snapshot", f])
    out, _ = capsys.readouterr()
    assert code == 1, out
    assert "does not allow this principal" in out and f"{CENTRAL} (central)" in out
    code = main(["explain", SMTP_554, "--snapshot", f, "--format", "json"])
    out, _ = capsys.readouterr()
    assert code == 1
    report = json.loads(out)
    assert report["verdict"]["outcome"] == "denied"
    assert report["selection"]["principal"] == APP


def test_explain_cross_account_allowed_is_undecided(tmp_path: Path, capsys: Any) -> None:
    # Everything read allows: the pasted denial is then about what sestui cannot see, and the
    # owner's policy, read, is not among those things.
    f = org_file(tmp_path, central(delegates(grant(APP))), workload())
    code = main(["explain", SMTP_554, "--snapshot", f])
    out, _ = capsys.readouterr()
    assert code == 3, out
    assert "sending-authorization policy (not loaded)" not in out


def test_explain_principal_account_not_loaded(tmp_path: Path, capsys: Any) -> None:
    f = write(tmp_path / "c.json", central(delegates(grant(APP))))
    code = main(["explain", SMTP_554, "--snapshot", f])
    _, err = capsys.readouterr()
    assert code == 2
    assert f"names account {WORKLOAD}" in err and CENTRAL in err


@pytest.mark.parametrize(
    "owner_policy",
    [None, delegates(grant(user_arn(WORKLOAD, "other")))],
    ids=["no-policy", "policy-without-caller"],
)
def test_owner_side_fix_makes_the_send_allowed(owner_policy: dict[str, Any] | None) -> None:
    from sestui.decide import Outcome, Overrides, Selection, run
    from sestui.decide.locate import locate

    accounts = account_set_from_data(organization(central(owner_policy), workload()))
    selection = Selection(APP, REGION, identity=IDENTITY_ARN)
    located = locate(accounts, selection)
    assert (located.caller.account_id, located.owner and located.owner.account_id) == (
        WORKLOAD,
        CENTRAL,
    )
    verdict = run(located.caller, selection, owner=located.owner)
    assert verdict.outcome is Outcome.DENIED
    fix = next(c.fix for c in verdict.checks if c.check_id == "sending-authorization")
    assert fix is not None and fix.account == f"{CENTRAL} (central)"
    fixed = run(located.caller, selection, Overrides().with_fix(fix), owner=located.owner)
    if owner_policy is not None:  # an edit of an existing policy: proven by re-deciding
        assert fixed.outcome is Outcome.ALLOWED, fixed.summary


@pytest.mark.parametrize(
    ("from_address", "code"),
    [
        ("someone@example.org", 2),  # another domain: no such send
        ("a@badexample.com", 2),  # a lookalike domain is not a subdomain
        ("billing@example.com", 0),  # at the identity's domain
        ("billing@eu.example.com", 0),  # a subdomain of it
        ("billing@EXAMPLE.com", 0),  # domains compare case-insensitively
    ],
)
def test_a_delegate_from_address_must_be_one_the_identity_covers(
    tmp_path: Path, capsys: Any, from_address: str, code: int
) -> None:
    # As within one account (--from and --identity must name the same identity): a From address
    # the delegated identity does not cover is not a send SES would authorize as that identity.
    f = org_file(tmp_path, central(delegates(grant(APP))), workload())
    got, out, err = check(capsys, [f], "--from", from_address)
    assert got == code, out + err
    if code == 2:
        assert f"From {from_address} is not an address of identity {IDENTITY_ARN}" in err
        assert not out
