"""The TUI's session without Textual: where a load opens, how each pane pick, jump and apply
changes the selection, and that an identity keeps its meaning across accounts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sestui.account.accountset import AccountSet
from sestui.decide import Outcome, Selection, SelectionError, run
from sestui.sources import SourceSpec, SpecSource
from sestui.tui.session import Session, StartAt, decide

USER = "arn:aws:iam::111122223333:user/"
NOTIFY = "arn:aws:ses:eu-west-1:222233334444:identity/notify.example.org"
ORDERS = "arn:aws:iam::333344445555:user/orders-app"


def demo() -> Session:
    return Session(SpecSource(SourceSpec(demo=True)).open())


def org() -> Session:
    return Session(SpecSource(SourceSpec(demo=True, demo_org=True)).open())


def test_a_load_opens_on_what_was_asked_and_defaults_only_the_rest() -> None:
    s = demo()
    opening = s.opening(StartAt())
    assert opening.problems == ()
    sel = opening.selection
    assert sel is not None
    first = next(iter(s.principals))
    # The first principal, the busiest region, its first identity.
    assert (sel.principal, sel.region, sel.identity) == (first, "eu-west-1", "billing@example.com")
    s = demo()
    opening = s.opening(StartAt("nosuch", "us-east-1", identity="example.com"))
    assert opening.problems == ("no user or role 'nosuch' in account 111122223333",)
    assert opening.selection is not None
    assert opening.selection.principal == "nosuch"  # named, never replaced by another row
    # A From address opens without an identity: SES resolves it.
    s = demo()
    sel = s.opening(StartAt("support-desk", "eu-west-1", from_address="a@example.com")).selection
    assert sel is not None and sel.identity is None and sel.from_address == "a@example.com"


def test_a_region_pick_keeps_the_identity_where_the_region_has_it() -> None:
    s = demo()
    s.opening(StartAt("eu-mailer", "eu-west-1", identity="example.com"))
    moved = s.picked("regions", "us-east-1")
    assert moved is not None and moved.identity == "example.com"  # us-east-1 has it too
    moved = s.picked("regions", "us-west-2")
    assert moved is not None and moved.identity == "example.net"  # not there: its first
    assert s.selection is not None
    s.apply(replace(s.selection, identity=None, from_address="x@example.com"))
    moved = s.picked("regions", "us-west-2")
    assert moved is not None and moved.identity is None  # a From address stays and is resolved


def test_the_identity_keeps_its_meaning_when_the_principal_changes_account() -> None:
    s = org()
    s.opening(StartAt(ORDERS, "eu-west-1", identity=NOTIFY))
    assert s.account.account_id == "333344445555"
    assert s.selection is not None
    assert s.owner(s.selection) is s.accounts.account("222233334444")
    # To the demo account's eu-mailer: still the central identity, by its ARN.
    s.apply(replace(s.selection, principal=USER + "eu-mailer"))
    assert s.account.account_id == "111122223333"
    assert s.selection is not None and s.selection.identity == NOTIFY
    # The demo account's own example.com, picked as a row (rows are keyed by ARN): its name.
    picked = s.picked("identities", "arn:aws:ses:eu-west-1:111122223333:identity/example.com")
    assert picked is not None and picked.identity == "example.com"
    s.apply(picked)
    # Back to orders-app: the demo account's identity is another account's now, by its ARN.
    s.apply(replace(s.selection, principal=ORDERS))
    assert s.selection.identity == "arn:aws:ses:eu-west-1:111122223333:identity/example.com"
    assert s.checked_identity(None, None) == s.selection.identity
    # A jump to a palette entry names the identity by ARN; the caller's own reads as its name.
    jumped = s.jumped(principal=USER + "eu-mailer", identity=NOTIFY)
    assert jumped is not None
    s.apply(jumped)
    assert s.selection.identity == NOTIFY and s.account.account_id == "111122223333"


def test_the_verdict_is_decided_on_both_sides() -> None:
    s = org()
    sel = Selection(ORDERS, "eu-west-1", identity=NOTIFY)
    assert decide(s.accounts, sel).outcome is Outcome.ALLOWED
    # Without the owner's account the owner's side is unknown: never allowed.
    caller = s.accounts.account("333344445555")
    assert caller is not None
    alone = AccountSet((caller,))
    assert decide(alone, sel).outcome is Outcome.UNDECIDED
    assert run(caller, sel).outcome is Outcome.UNDECIDED
    with pytest.raises(SelectionError, match="no user or role 'nosuch'"):
        decide(s.accounts, Selection("nosuch", "eu-west-1", identity=NOTIFY))


def test_checked_identity_follows_a_from_address_once_its_verdict_is_in() -> None:
    s = demo()
    s.opening(StartAt("support-desk", "eu-west-1", from_address="support@example.com"))
    sel = s.selection
    assert sel is not None
    assert s.checked_identity(None, None) is None  # no row stands for it yet
    verdict = decide(s.accounts, sel)
    # The address's own identity failed verification: SES authorizes the domain.
    assert s.checked_identity(verdict, sel) == "example.com"
    assert s.checked_identity(verdict, replace(sel)) is None  # a verdict for another selection


def test_the_matrix_views_name_every_account() -> None:
    from sestui.tui.session import org_column, principal_row, region_matrix

    s = org()
    s.opening(StartAt(ORDERS, "eu-west-1", identity=NOTIFY))
    sel = s.selection
    assert sel is not None
    central = s.accounts.account("222233334444")
    assert central is not None
    col = org_column(s.accounts, sel, central, "notify.example.org", lambda: False)
    assert col.matrix.identities == (NOTIFY,) and not col.by_identity
    assert (
        col.labels is not None
        and col.labels[ORDERS] == "user orders-app · 333344445555 (workload-a)"
    )
    assert col.title == (
        "Who in the 4 accounts can send as notify.example.org of account "
        "222233334444 (central-email) in eu-west-1"
    )
    cells = dict(zip((p.arn for p in col.matrix.principals), col.matrix.cells, strict=True))
    assert cells[ORDERS] == (Outcome.ALLOWED,)
    orders = s.principals[ORDERS]
    row = principal_row(s.accounts, sel, s.account, orders)
    assert row.by_identity and row.matrix.principals == (orders,)
    assert row.labels is not None and row.labels[NOTIFY] == (
        "notify.example.org · 222233334444 (central-email)"
    )
    # One account: the region's whole matrix, named as before (no title of its own).
    d = demo()
    d.opening(StartAt("eu-mailer", "eu-west-1", identity="example.com"))
    assert d.selection is not None
    whole = region_matrix(d.account, d.selection, lambda: False)
    assert whole.title is None and len(whole.matrix.principals) == len(d.principals)


def test_a_pasted_denial_becomes_the_selection_it_names() -> None:
    from sestui.explain.parse import parse_error

    s = org()
    s.opening(StartAt())
    text = (
        "554 Access denied: User `arn:aws:iam::333344445555:user/promo-app' is not authorized "
        f"to perform `ses:SendRawEmail' on resource `{NOTIFY}'"
    )
    pasted = s.pasted(parse_error(text), text)
    assert pasted.selection.principal == "arn:aws:iam::333344445555:user/promo-app"
    assert pasted.selection.region == "eu-west-1" and not pasted.choose_identity
    s.apply(pasted.selection)
    assert s.selection is not None and s.selection.identity == NOTIFY  # another account's
    assert pasted.note == (
        "Checking promo-app · ses:SendRawEmail · identity "
        + (pasted.selection.identity or "")
        + " in eu-west-1"
    )
    # A principal no loaded account has: said, never replaced.
    other = text.replace("333344445555:user/promo-app", "333344445555:user/nobody")
    with pytest.raises(SelectionError, match="nobody"):
        s.pasted(parse_error(other), other)


def test_a_pasted_identity_in_a_region_not_read_is_said_to_be_unread() -> None:
    # The demo reads four regions: an identity in ap-south-1 may well exist, sestui did not look.
    from sestui.explain.parse import parse_error

    s = demo()
    s.opening(StartAt())
    text = (
        "554 Access denied: User `arn:aws:iam::111122223333:user/reporting' is not authorized "
        "to perform `ses:SendRawEmail' on resource "
        "`arn:aws:ses:{}:111122223333:identity/example.com'"
    )
    unread = s.pasted(parse_error(text.format("ap-south-1")), text.format("ap-south-1"))
    assert "(ap-south-1 was not read)" in unread.note and "not an identity" not in unread.note
    missing = text.format("us-west-2").replace("example.com'", "nosuch.example.org'")
    read = s.pasted(parse_error(missing), missing)
    assert "(not an identity in us-west-2)" in read.note


def test_a_paste_of_several_denials_says_the_first_is_checked() -> None:
    from sestui.explain.parse import parse_error

    s = demo()
    s.opening(StartAt())
    one = (
        "554 Access denied: User `arn:aws:iam::111122223333:user/{}' is not authorized to "
        "perform `ses:SendRawEmail' on resource "
        "`arn:aws:ses:eu-west-1:111122223333:identity/example.com'"
    )
    both = one.format("reporting") + "\n" + one.format("eu-mailer")
    pasted = s.pasted(parse_error(both), both)
    assert pasted.selection.principal.endswith("user/reporting")
    assert "(the paste holds 2 access denials: the first is checked" in pasted.note
    alone = one.format("reporting")
    assert "access denials" not in s.pasted(parse_error(alone), alone).note
