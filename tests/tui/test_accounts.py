"""Several accounts in the TUI (`--demo-org`, an organization snapshot, several --snapshot files):
rows grouped by account, a filter by account, delegate sends decided on both sides, glyphs equal
to the CLI's decision for every principal of every account, the organization matrix."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from textual.widgets import DataTable, Input

from sestui.account.accountset import AccountSet
from sestui.cli import main
from sestui.decide import Outcome, Selection, run
from sestui.decide.locate import locate
from sestui.matrix.org import OrgMatrix
from sestui.sources import SourceSpec, open_accounts
from sestui.tui.app import SestuiApp, StartAt
from sestui.tui.findings import OUTCOME_MARKS
from sestui.tui.screens.matrix import MatrixScreen
from sestui.tui.widgets.bars import VerdictBar
from tests.tui.conftest import current_screen, paste, selection_of, settle, verdict_of

pytestmark = pytest.mark.asyncio

GLYPH = {outcome: OUTCOME_MARKS[outcome.value][0] for outcome in Outcome}
NOTIFY = "arn:aws:ses:eu-west-1:222233334444:identity/notify.example.org"
ORDERS = "arn:aws:iam::333344445555:user/orders-app"
PROMO = "arn:aws:iam::333344445555:user/promo-app"
EU_MAILER = "arn:aws:iam::111122223333:user/eu-mailer"


def org_app(**start: Any) -> SestuiApp:
    return SestuiApp(SourceSpec(demo=True, demo_org=True), StartAt(**start) if start else None)


def accounts_of(app: SestuiApp) -> AccountSet:
    assert app.accounts is not None
    return app.accounts


def rows(app: SestuiApp, pane: str) -> list[tuple[str, str, bool]]:
    """(id, prompt, disabled) of every row shown."""
    return [(str(o.id), str(o.prompt), o.disabled) for o in app.pane(pane).options.options]


def matrix_screen(app: SestuiApp) -> MatrixScreen:
    screen = current_screen(app)
    assert isinstance(screen, MatrixScreen)
    return screen


def highlighted(app: SestuiApp, pane: str) -> str | None:
    ol = app.pane(pane).options
    return None if ol.highlighted is None else ol.get_option_at_index(ol.highlighted).id


def expected(app: SestuiApp, principal_arn: str) -> Outcome:
    """What `sestui check` decides for the app's request with this principal."""
    accounts = accounts_of(app)
    caller = accounts.principal_by_arn(principal_arn)
    assert caller is not None and app.account is not None
    sel = selection_of(app)
    # The app names the identity as its caller does: absolute, then as the row's account.
    from sestui.tui.asked import identity_key, relative_identity

    absolute = identity_key(app.account, sel.region, sel.identity)
    row = replace(
        sel,
        principal=principal_arn,
        role=not caller[1].is_user,
        identity=relative_identity(caller[0], absolute),
    )
    located = locate(accounts, row)
    return run(located.caller, row, owner=located.owner).outcome


async def test_rows_are_grouped_by_account_and_the_filter_takes_an_account() -> None:
    app = org_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "demo organization · 4 accounts" in str(app.query_one("#title").render())
        shown = rows(app, "principals")
        headers = [(p, d) for _, p, d in shown if p.startswith("──")]
        assert [h for h, _ in headers] == [
            "── 111122223333 (13)",
            "── central-email · 222233334444 (0)",
            "── workload-a · 333344445555 (4)",
            "── workload-b · 666677778888 (1)",
        ]
        assert all(disabled for _, disabled in headers)  # a title is never chosen
        # eu-west-1: the demo account's identities, then the central account's, by ARN.
        ids = [i for i, _, d in rows(app, "identities") if not d]
        assert ids[-1] == NOTIFY
        assert "arn:aws:ses:eu-west-1:111122223333:identity/example.com" in ids
        # `/workload-a` keeps that account's title and all of its principals.
        await pilot.press("1", "slash")
        await pilot.press(*"workload-a")
        await settle(pilot)
        kept = [p.split("\n")[0] for _, p, _ in rows(app, "principals")]
        assert kept[0] == "── workload-a · 333344445555 (4)"
        assert [k[2:] for k in kept[1:]] == [
            "orders-app",
            "invoices-app",
            "reports-app",
            "promo-app",
        ]
        assert selection_of(app).principal == ORDERS  # the filter's first row is chosen


async def test_a_delegate_send_is_decided_on_both_sides_and_keeps_its_identity() -> None:
    app = org_app(principal=ORDERS, region="eu-west-1", identity=NOTIFY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        sel = selection_of(app)
        assert (sel.principal, sel.identity) == (ORDERS, NOTIFY)
        assert verdict_of(app).outcome is Outcome.ALLOWED
        assert app.account is not None and app.account.account_id == "333344445555"
        assert highlighted(app, "identities") == NOTIFY
        # A From address the delegated identity does not cover is refused, as `sestui check`
        # refuses it; one at the identity's domain is checked on both sides.
        await pilot.press("x")
        app.screen.query_one("#ctx-from", Input).value = "someone@example.com"
        await pilot.press("ctrl+s")
        await settle(pilot)
        # No verdict for a send that cannot be made; the bar says why, as `sestui check` does.
        assert app.verdict is None
        bar = str(app.screen.query_one(VerdictBar).render())
        assert f"From someone@example.com is not an address of identity {NOTIFY}" in bar
        assert not any(
            p.strip().startswith(tuple(GLYPH.values())) for _, p, _ in rows(app, "principals")
        )
        # A From address at the identity's domain is checked, on both sides.
        await pilot.press("x")
        app.screen.query_one("#ctx-from", Input).value = "orders@notify.example.org"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert verdict_of(app).outcome is Outcome.ALLOWED
        # promo-app: the owner's policy denies it by name.
        app.pane("principals").select(PROMO)
        app.main_screen.apply(replace(sel, principal=PROMO))
        await settle(pilot)
        assert verdict_of(app).outcome is Outcome.DENIED
        assert "NoPromoFromNotify" in str(verdict_of(app).checks)
        # A principal of the demo account: the same identity (another account's, by ARN),
        # refused by its owner's policy, which does not name it.
        app.main_screen.apply(replace(selection_of(app), principal=EU_MAILER))
        await settle(pilot)
        assert selection_of(app).identity == NOTIFY
        assert verdict_of(app).outcome is Outcome.DENIED
        # Back to the demo account's own identity: its bare name, as with one account.
        app.jump(identity="arn:aws:ses:eu-west-1:111122223333:identity/example.com")
        await settle(pilot)
        assert selection_of(app).identity == "example.com"


async def test_glyphs_equal_the_decision_for_every_principal_of_every_account() -> None:
    app = org_app(principal=ORDERS, region="eu-west-1", identity=NOTIFY)
    seen: set[Outcome] = set()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        contexts: list[dict[str, Any]] = [
            {},  # the organization column's own context
            {"from_address": "alerts@notify.example.org"},  # decided row by row
            # Choosing an identity row drops the From address (as the app's list does).
            {"identity": "example.com", "principal": EU_MAILER, "from_address": None},
        ]
        for context in contexts:
            app.main_screen.apply(replace(selection_of(app), **context))
            await settle(pilot)
            shown = {i: p for i, p, d in rows(app, "principals") if not d}
            for arn, prompt in shown.items():
                outcome = expected(app, arn)
                seen.add(outcome)
                assert prompt[0] == GLYPH[outcome], (arn, selection_of(app), prompt)
    assert {Outcome.ALLOWED, Outcome.DENIED} <= seen


async def test_the_organization_matrix_column_and_row() -> None:
    app = org_app(principal=ORDERS, region="eu-west-1", identity=NOTIFY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        screen = matrix_screen(app)
        m = screen.matrix
        accounts = accounts_of(app)
        central = accounts.account("222233334444")
        assert central is not None
        want = OrgMatrix(accounts, "eu-west-1").column(central, "notify.example.org")
        assert m.identities == (NOTIFY,)
        assert {p.arn: row[0] for p, row in zip(m.principals, m.cells, strict=True)} == want
        assert len(m.principals) == sum(len(a.principals) for a in accounts)
        assert "Who in the 4 accounts can send as notify.example.org" in str(
            screen.query_one("#matrix-title").render()
        )
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        screen = matrix_screen(app)
        assert screen.by_identity and screen.matrix.principals[0].arn == ORDERS
        table = screen.query_one(DataTable)
        assert table.row_count == len(screen.matrix.identities) == 7
        # Enter on the demo account's example.com row checks exactly that.
        index = screen.matrix.identities.index(
            "arn:aws:ses:eu-west-1:111122223333:identity/example.com"
        )
        table.move_cursor(row=index, column=1)
        await pilot.press("enter")
        await settle(pilot)
        sel = selection_of(app)
        assert (sel.principal, sel.identity) == (
            ORDERS,
            "arn:aws:ses:eu-west-1:111122223333:identity/example.com",
        )
        assert verdict_of(app).outcome is Outcome.DENIED


async def test_a_pasted_cross_account_denial_checks_its_principal_and_identity() -> None:
    message = (
        "554 Access denied: User `arn:aws:iam::333344445555:user/promo-app' is not authorized "
        "to perform `ses:SendRawEmail' on resource `" + NOTIFY + "'"
    )
    app = org_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await paste(app, pilot, message)
        sel = selection_of(app)
        assert (sel.principal, sel.identity, sel.region) == (PROMO, NOTIFY, "eu-west-1")
        assert verdict_of(app).outcome is Outcome.DENIED
        assert highlighted(app, "principals") == PROMO
        assert highlighted(app, "identities") == NOTIFY


async def test_a_name_in_several_accounts_is_refused_before_the_tui_opens(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from sestui.demo.build import build

    # Two single-account files with a user of the same name.
    first = build()
    second = json.loads(json.dumps(first).replace("111122223333", "999988887777"))
    paths = []
    for n, data in enumerate((first, second)):
        path = tmp_path / f"a{n}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        paths.append(path)
    argv = ["--snapshot", str(paths[0]), "--snapshot", str(paths[1]), "--user", "eu-mailer"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "'eu-mailer' is in 2 accounts" in err
    assert "arn:aws:iam::999988887777:user/eu-mailer" in err
    # With the ARN the TUI opens on that very principal (in the second account).
    accounts = open_accounts(SourceSpec(snapshot=str(paths[0]), more_snapshots=(str(paths[1]),)))
    app = SestuiApp(
        SourceSpec(snapshot=str(paths[0]), more_snapshots=(str(paths[1]),)),
        StartAt("arn:aws:iam::999988887777:user/eu-mailer", "eu-west-1", identity="example.com"),
        accounts[0],
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        sel = selection_of(app)
        assert sel.principal == "arn:aws:iam::999988887777:user/eu-mailer"
        assert app.account is not None and app.account.account_id == "999988887777"
        assert highlighted(app, "identities") == (
            "arn:aws:ses:eu-west-1:999988887777:identity/example.com"
        )
        assert (
            verdict_of(app).outcome
            is run(
                app.account, Selection(sel.principal, "eu-west-1", identity="example.com")
            ).outcome
        )


async def test_the_highlighted_principal_stays_in_view_when_the_verdict_bar_grows() -> None:
    # promo-app's denial text is long: the verdict bar grows after the list scrolled to it.
    app = org_app(principal=PROMO, region="eu-west-1", identity=NOTIFY)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        ol = app.pane("principals").options
        assert highlighted(app, "principals") == PROMO
        line = ol.highlighted
        assert line is not None  # every row is one line: the index is the line
        assert ol.scroll_y <= line < ol.scroll_y + ol.scrollable_content_region.height


async def test_a_pasted_denial_that_every_policy_allows_is_undecided_as_explain_says() -> None:
    # orders-app may send as the central identity: a 554 naming it means the cause is in what
    # sestui cannot see. `sestui explain` says so (UNDECIDED); so does the TUI after `e`.
    message = (
        "554 Access denied: User `" + ORDERS + "' is not authorized "
        "to perform `ses:SendRawEmail' on resource `" + NOTIFY + "'"
    )
    app = org_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await paste(app, pilot, message)
        verdict = verdict_of(app)
        assert verdict.outcome is Outcome.UNDECIDED
        assert verdict.summary.startswith("the error says denied, but every policy sestui read")
        # Every possible cause is on screen, each on its own line (as `explain` lists them).
        assert len(verdict.reasons) == 3
        bar = app.screen.query_one(VerdictBar)
        shown = str(bar.render())
        assert all(f"· {r}" in shown.replace("\n", " ") for r in verdict.reasons), shown
        # At 80 columns the bar keeps to three lines and its last one says how to see it all;
        # `t` does.
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        cut = str(bar.render())
        assert cut.count("\n") == 2 and cut.endswith(" … t shows all "), cut
        await pilot.press("t")
        await settle(pilot)
        assert "t shows all" not in str(bar.render())
        assert bar.size.height > 3
        # Any other request is read as itself again: back on the same send, it is allowed.
        app.main_screen.apply(replace(selection_of(app), principal=PROMO))
        await settle(pilot)
        app.main_screen.apply(replace(selection_of(app), principal=ORDERS))
        await settle(pilot)
        assert verdict_of(app).outcome is Outcome.ALLOWED
