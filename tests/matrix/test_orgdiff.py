"""`sestui diff` of two organization snapshots: each account's own changes, and the delegate
sends across accounts whose verdict changed (an owner's policy edited, a caller's policy
removed, a verification lost, an account removed or added), each with the changes that decide
it, in text and JSON, with diff(1)'s exit codes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from sestui.account.accountset import AccountSet
from sestui.account.orgsnapshot import load_account_set
from sestui.cli import main
from sestui.decide import Outcome
from sestui.demo import demo_organization_path
from sestui.matrix.org import OrgMatrix
from sestui.matrix.orgdiff import OrgDiff, diff_account_sets

NOTIFY = "arn:aws:ses:eu-west-1:222233334444:identity/notify.example.org"
NOW = "2026-11-28T10:00:00Z"
CENTRAL, WORKLOAD_A, WORKLOAD_B = "222233334444", "333344445555", "666677778888"
ORDERS = "arn:aws:iam::333344445555:user/orders-app"
REPORTS = "arn:aws:iam::333344445555:user/reports-app"
OWNER_POLICY = "222233334444/ses/eu-west-1/notify.example.org/WorkloadDelegates"
ORDERS_POLICY = "333344445555/user/orders-app/inline/SendAsCentralIdentity"


def org() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(demo_organization_path().read_text(encoding="utf-8"))
    return data


def account(data: dict[str, Any], account_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(a for a in data["accounts"] if a["account"]["Id"] == account_id)
    return found


def user(data: dict[str, Any], account_id: str, name: str) -> dict[str, Any]:
    users = account(data, account_id)["iam"]["UserDetailList"]
    found: dict[str, Any] = next(u for u in users if u["UserName"] == name)
    return found


def notify(data: dict[str, Any]) -> dict[str, Any]:
    ids = account(data, "222233334444")["ses"]["regions"]["eu-west-1"]["identities"]
    found: dict[str, Any] = next(i for i in ids if i["IdentityName"] == "notify.example.org")
    return found


def write(tmp: Path, name: str, data: dict[str, Any]) -> Path:
    path = tmp / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def owner_policy(data: dict[str, Any]) -> dict[str, Any]:
    text = notify(data)["Policies"]["WorkloadDelegates"]
    doc: dict[str, Any] = json.loads(text) if isinstance(text, str) else text
    return doc


def set_owner_policy(data: dict[str, Any], doc: dict[str, Any]) -> None:
    notify(data)["Policies"]["WorkloadDelegates"] = json.dumps(doc)


def without(data: dict[str, Any], *account_ids: str) -> dict[str, Any]:
    """A copy of the snapshot without some accounts."""
    out = copy.deepcopy(data)
    out["accounts"] = [a for a in out["accounts"] if a["account"]["Id"] not in account_ids]
    return out


def sets(tmp: Path, old: dict[str, Any], new: dict[str, Any]) -> tuple[AccountSet, AccountSet]:
    """Both snapshots, written and loaded as `sestui diff` loads them."""
    old_set = load_account_set(write(tmp, "old.json", old))[0]
    return old_set, load_account_set(write(tmp, "new.json", new))[0]


def by_cell(d: OrgDiff) -> dict[str, tuple[Outcome | None, Outcome | None, tuple[str, ...]]]:
    """The changed delegate sends to notify.example.org, by principal ARN."""
    assert all(v.identity == NOTIFY for v in d.cross)
    return {v.principal_arn: (v.before, v.after, v.causes) for v in d.cross}


@pytest.fixture
def snapshots(tmp_path: Path) -> tuple[Path, Path, Path]:
    old = org()
    new = copy.deepcopy(old)
    # The owner's policy names reports-app too (it gains); orders-app loses its own IAM Allow.
    doc = owner_policy(new)
    doc["Statement"][0]["Principal"]["AWS"].append("arn:aws:iam::333344445555:user/reports-app")
    notify(new)["Policies"]["WorkloadDelegates"] = json.dumps(doc)
    user(new, "333344445555", "orders-app")["UserPolicyList"] = []
    # A third snapshot: the identity's verification lost (every delegate loses it).
    lost = copy.deepcopy(old)
    notify(lost)["VerificationStatus"] = "FAILED"
    return (
        write(tmp_path, "old.json", old),
        write(tmp_path, "new.json", new),
        write(tmp_path, "lost.json", lost),
    )


def test_the_changed_delegate_sends_and_their_causes(snapshots: tuple[Path, Path, Path]) -> None:
    old_path, new_path, _ = snapshots
    old, new = load_account_set(old_path)[0], load_account_set(new_path)[0]
    d = diff_account_sets(old, new, now=NOW)
    cells = {(v.principal_arn, v.identity): (v.before, v.after) for v in d.cross}
    assert cells == {
        ("arn:aws:iam::333344445555:user/orders-app", NOTIFY): (Outcome.ALLOWED, Outcome.DENIED),
        ("arn:aws:iam::333344445555:user/reports-app", NOTIFY): (Outcome.DENIED, Outcome.ALLOWED),
    }
    # Every other delegate cell is the same on both sides (the matrix, cell by cell).
    central_old, central_new = old.account("222233334444"), new.account("222233334444")
    assert central_old is not None and central_new is not None
    before = OrgMatrix(old, "eu-west-1", now=NOW).column(central_old, "notify.example.org")
    after = OrgMatrix(new, "eu-west-1", now=NOW).column(central_new, "notify.example.org")
    changed = {arn for arn in before if before[arn] != after[arn]}
    assert changed == {arn for arn, _ in cells}
    # Causes: the owner's policy edit (in the central account) for reports-app; the caller's
    # own policy removal for orders-app (the owner's edit does not decide its cell).
    by = {v.principal_arn.rsplit("/", 1)[1]: v.causes for v in d.cross}
    assert by["reports-app"] == (OWNER_POLICY,)
    assert by["orders-app"] == (ORDERS_POLICY,)
    assert d.verdict_changed


def test_text_json_and_exit_codes(
    snapshots: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old_path, new_path, lost_path = snapshots
    assert main(["diff", str(old_path), str(new_path)]) == 1
    text = capsys.readouterr().out
    assert "account 333344445555 (workload-a):" in text
    assert "Delegate sends across accounts:" in text
    assert "LOST    user orders-app → " + NOTIFY + "  (allowed → denied)" in text
    assert "GAINED  user reports-app → " + NOTIFY + "  (denied → allowed)" in text
    assert "in account 222233334444 (central-email):" in text
    assert main(["diff", str(old_path), str(new_path), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "sestui-diff/2"
    assert {a["account"] for a in data["accounts"]} == {
        "222233334444",
        "333344445555",
        "666677778888",
    }
    cross = {c["principal"].rsplit("/", 1)[1]: c for c in data["cross_account"]}
    assert cross["orders-app"]["change"] == "lost"
    # The changes behind the delegate sends affect verdicts, as the text says.
    affects = {
        (a["account"], c["id"]): c["affects_verdicts"]
        for a in data["accounts"]
        for c in a["diff"]["changes"]
    }
    assert affects == {
        ("222233334444", "ses/eu-west-1/notify.example.org/WorkloadDelegates"): True,
        ("333344445555", "user/orders-app/inline/SendAsCentralIdentity"): True,
    }
    # orders-app lost its send by its own policy removal: the owner's edit (naming reports-app)
    # would not have refused it, so it is no cause of that cell.
    assert cross["orders-app"]["causes"] == [
        {"account": "333344445555", "change": "user/orders-app/inline/SendAsCentralIdentity"}
    ]
    # A lost verification: every delegate that could send loses it.
    assert main(["diff", str(old_path), str(lost_path), "--format", "json"]) == 1
    lost = json.loads(capsys.readouterr().out)
    assert {(c["principal"].rsplit("/", 1)[1], c["after"]) for c in lost["cross_account"]} == {
        ("orders-app", "denied")
    }
    # The same file twice: exit 0; files of unrelated accounts: exit 2.
    assert main(["diff", str(old_path), str(old_path)]) == 0
    assert "No verdict changed." in capsys.readouterr().out
    other = org()
    other["accounts"] = other["accounts"][:1]
    other["accounts"][0] = json.loads(
        json.dumps(other["accounts"][0]).replace("222233334444", "999999999999")
    )
    other["accounts"].append(json.loads(json.dumps(other["accounts"][0]).replace("9999", "9998")))
    unrelated = write(old_path.parent, "other.json", other)
    assert main(["diff", str(old_path), str(unrelated)]) == 2
    assert "no account in common" in capsys.readouterr().err


def test_a_removed_workload_account_loses_its_delegate_sends(tmp_path: Path) -> None:
    old = org()
    d = diff_account_sets(*sets(tmp_path, old, without(old, WORKLOAD_A)), now=NOW)
    assert d.accounts_only_old == ("333344445555 (workload-a)",)
    # orders-app could send as notify.example.org; the other principals of workload-a could not.
    assert by_cell(d) == {ORDERS: (Outcome.ALLOWED, None, ("333344445555/account/removed",))}
    assert d.cross[0].direction == "lost" and d.verdict_changed


def test_a_removed_owner_account_loses_every_delegate_send_to_it(tmp_path: Path) -> None:
    old = org()
    doc = owner_policy(old)
    doc["Statement"][0]["Principal"]["AWS"].append(REPORTS)
    set_owner_policy(old, doc)
    old_set, new_set = sets(tmp_path, old, without(old, CENTRAL))
    d = diff_account_sets(old_set, new_set, now=NOW)
    gone = ("222233334444/account/removed",)
    assert by_cell(d) == {
        ORDERS: (Outcome.ALLOWED, None, gone),
        REPORTS: (Outcome.ALLOWED, None, gone),
    }
    # Every delegate send to the identity that the old snapshot allowed, and only those.
    central = old_set.account(CENTRAL)
    assert central is not None
    column = OrgMatrix(old_set, "eu-west-1", now=NOW).column(central, "notify.example.org")
    assert {arn for arn, o in column.items() if o is Outcome.ALLOWED} == {ORDERS, REPORTS}


def test_an_added_account_gains_its_delegate_sends(tmp_path: Path) -> None:
    new = org()
    # workload-b's batch-app is named by the owner's policy but refused by its SCP: no gain.
    d = diff_account_sets(*sets(tmp_path, without(new, WORKLOAD_A, WORKLOAD_B), new), now=NOW)
    assert d.accounts_only_new == ("333344445555 (workload-a)", "666677778888 (workload-b)")
    assert by_cell(d) == {ORDERS: (None, Outcome.ALLOWED, ("333344445555/account/added",))}
    assert d.cross[0].direction == "gained"


def test_an_owner_edit_for_another_account_is_no_cause(tmp_path: Path) -> None:
    """The owner edits a statement naming workload-b only; orders-app (workload-a) loses its
    send because of its own policy removal: that alone is the cause."""
    old = org()
    new = copy.deepcopy(old)
    doc = owner_policy(new)
    doc["Statement"].append(
        {
            "Sid": "BatchToo",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::666677778888:root"},
            "Action": "ses:SendRawEmail",
            "Resource": NOTIFY,
        }
    )
    set_owner_policy(new, doc)
    user(new, WORKLOAD_A, "orders-app")["UserPolicyList"] = []
    d = diff_account_sets(*sets(tmp_path, old, new), now=NOW)
    assert by_cell(d) == {ORDERS: (Outcome.ALLOWED, Outcome.DENIED, (ORDERS_POLICY,))}
    # The owner's edit changed no verdict: the JSON says so.
    central = d.account(CENTRAL)
    assert central is not None and [c.key for c in central.diff.changes] == [
        OWNER_POLICY.split("/", 1)[1]
    ]
    assert all(not c.startswith(CENTRAL) for v in d.cross for c in v.causes)


def test_an_owner_edit_that_decides_the_cell_is_its_cause(tmp_path: Path) -> None:
    """The owner denies orders-app; orders-app's own policy gains an unrelated statement (which
    still reaches the cell, but changes nothing): only the owner's edit is the cause."""
    old = org()
    new = copy.deepcopy(old)
    doc = owner_policy(new)
    doc["Statement"].append(
        {
            "Sid": "NoOrders",
            "Effect": "Deny",
            "Principal": {"AWS": ORDERS},
            "Action": "ses:*",
            "Resource": NOTIFY,
        }
    )
    set_owner_policy(new, doc)
    own = user(new, WORKLOAD_A, "orders-app")["UserPolicyList"][0]["PolicyDocument"]
    own["Statement"].append(
        {"Sid": "Elsewhere", "Effect": "Allow", "Action": "ses:SendRawEmail", "Resource": "*"}
    )
    d = diff_account_sets(*sets(tmp_path, old, new), now=NOW)
    assert by_cell(d) == {ORDERS: (Outcome.ALLOWED, Outcome.DENIED, (OWNER_POLICY,))}


def test_either_side_alone_deciding_the_cell_makes_both_causes(tmp_path: Path) -> None:
    """The owner stops naming orders-app and orders-app loses its own Allow: either change
    alone would refuse it, so both are causes."""
    old = org()
    new = copy.deepcopy(old)
    doc = owner_policy(new)
    doc["Statement"][0]["Principal"]["AWS"].remove(ORDERS)
    set_owner_policy(new, doc)
    user(new, WORKLOAD_A, "orders-app")["UserPolicyList"] = []
    d = diff_account_sets(*sets(tmp_path, old, new), now=NOW)
    assert by_cell(d) == {ORDERS: (Outcome.ALLOWED, Outcome.DENIED, (OWNER_POLICY, ORDERS_POLICY))}


def test_text_and_json_of_a_removed_account(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = org()
    old_path = write(tmp_path, "old.json", old)
    new_path = write(tmp_path, "new.json", without(old, WORKLOAD_A))
    # A send lost with its account is a changed verdict: exit 1, as for any other.
    assert main(["diff", str(old_path), str(new_path)]) == 1
    text = capsys.readouterr().out
    assert "  only in the old snapshot: account 333344445555 (workload-a)" in text
    assert "1 verdict changed" in text
    assert (
        "    LOST    user orders-app → " + NOTIFY + "  (allowed → absent)\n"
        "      because:\n"
        "        account 333344445555 (workload-a): removed (only in the old snapshot)\n"
    ) in text
    assert main(["diff", str(old_path), str(new_path), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["accounts_only_old"] == ["333344445555 (workload-a)"]
    assert data["cross_account"] == [
        {
            "region": "eu-west-1",
            "principal": ORDERS,
            "principal_label": "user orders-app",
            "identity": NOTIFY,
            "before": "allowed",
            "after": "absent",
            "change": "lost",
            "causes": [{"account": WORKLOAD_A, "change": "account/removed"}],
        }
    ]
    # The other way round: gained with the account added.
    assert main(["diff", str(new_path), str(old_path)]) == 1
    text = capsys.readouterr().out
    assert "    GAINED  user orders-app → " + NOTIFY + "  (absent → allowed)" in text
    assert "        account 333344445555 (workload-a): added (only in the new snapshot)" in text
