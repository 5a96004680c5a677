"""What the user asks for (paste, start flag, palette, matrix cell, From edit) is what is checked;
the principal glyphs equal run() for every row; the policy pane follows the verdict."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from dataclasses import replace
from typing import Any

import pytest
from textual.command import CommandInput
from textual.widgets import Input

from sestui.cli import main
from sestui.decide import Outcome, Selection, SendPath, run
from sestui.demo.build import build
from sestui.sources import SourceSpec
from sestui.tui.app import SestuiApp, StartAt
from sestui.tui.findings import OUTCOME_MARKS
from sestui.tui.screens.context import ContextScreen
from sestui.tui.widgets.policy_view import PolicyView
from tests.tui.conftest import (
    USER,
    FakeSource,
    demo_app,
    paste,
    selection_of,
    settle,
    verdict_of,
)

pytestmark = pytest.mark.asyncio

GLYPH = {outcome: OUTCOME_MARKS[outcome.value][0] for outcome in Outcome}


def denied_554(user: str, resource: str) -> str:
    return (
        f"554 Access denied: User `arn:aws:iam::111122223333:user/{user}' is not authorized to "
        f"perform `ses:SendRawEmail' on resource `arn:aws:ses:{resource}'"
    )


def prompts(app: SestuiApp, pane: str) -> dict[str, str]:
    return {str(o.id): str(o.prompt) for o in app.pane(pane).options.options}


def highlighted(app: SestuiApp, pane: str) -> str | None:
    ol = app.pane(pane).options
    return None if ol.highlighted is None else ol.get_option_at_index(ol.highlighted).id


def cli_explain(message: str) -> dict[str, Any]:
    out = io.StringIO()
    with redirect_stdout(out):
        main(["explain", message, "--demo", "--format", "json"])
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def assert_same_as_cli(app: SestuiApp, message: str) -> None:
    """The TUI checks the selection `sestui explain` derives from the same message."""
    cli = cli_explain(message)
    sel, verdict = app.selection, app.verdict
    assert sel is not None and verdict is not None
    assert (sel.principal, sel.region, sel.identity, sel.from_address) == (
        cli["selection"]["principal"],
        cli["selection"]["region"],
        cli["selection"]["identity"],
        cli["selection"]["from"],
    )
    assert sel.configuration_set == cli["selection"]["configuration_set"]
    assert list(sel.effective_actions) == cli["selection"]["actions"]
    assert sel.path.value == cli["selection"]["via"]
    assert verdict.outcome.value == cli["verdict"]["outcome"]
    assert verdict.summary == cli["verdict"]["summary"]
    assert verdict.identity_arn == cli["verdict"]["identity_arn"]


# -- §1 the selection is never substituted -------------------------------------------------------


async def test_paste_of_an_identity_not_in_its_region_checks_that_identity() -> None:
    # news.example.com is an identity in eu-west-1 only; the message names it in us-east-1.
    message = denied_554("newsletter", "us-east-1:111122223333:identity/news.example.com")
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await paste(app, pilot, message)
        assert_same_as_cli(app, message)
        assert selection_of(app).identity == "news.example.com"
        assert verdict_of(app).outcome is Outcome.DENIED
        assert "news.example.com is not verified in us-east-1" in app.verdict.summary  # type: ignore[union-attr]
        # Its own row, marked, highlighted; the region's identities are all still there.
        rows = prompts(app, "identities")
        assert " ".join(rows["news.example.com"].split()) == (
            "✗ news.example.com not an identity in us-east-1"
        )
        assert {"alerts@example.com", "example.com", "marketing.example.com"} < set(rows)
        assert highlighted(app, "identities") == "news.example.com"
        assert highlighted(app, "regions") == "us-east-1"
        toast = [n.message for n in app._notifications]
        assert any("news.example.com (not an identity in us-east-1)" in m for m in toast)
        # The verdict rests on verification (no policy decides it): the pane shows that check.
        assert app.focused_check() == "verification"
        assert "SES refuses the send before any policy is read" in (
            app.query_one(PolicyView).explanation
        )


async def test_paste_of_an_unknown_identity_in_the_same_region() -> None:
    message = denied_554("reporting", "eu-west-1:111122223333:identity/nosuch.example.org")
    app = demo_app()  # opens in eu-west-1
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await paste(app, pilot, message)
        assert_same_as_cli(app, message)
        assert highlighted(app, "identities") == "nosuch.example.org"
        rows = prompts(app, "identities")
        assert "not an identity\n  in eu-west-1" in rows["nosuch.example.org"]
        # A state comes before the name: a narrow pane cuts a long name, never the state.
        assert rows["example.org"] == "✗ pending example.org"
        assert rows["billing@example.com"] == "✓ § billing@example.com"
        # Moving to a real identity and back checks each as asked.
        await pilot.press("2", "down")
        await settle(pilot)
        assert selection_of(app).identity == highlighted(app, "identities") != "nosuch.example.org"
        await pilot.press("up")
        await settle(pilot)
        assert selection_of(app).identity == "nosuch.example.org"


async def test_paste_of_a_configuration_set_checks_the_identity_that_uses_it() -> None:
    message = denied_554(
        "newsletter", "eu-west-1:111122223333:configuration-set/newsletter-tracking"
    )
    app = demo_app(principal="ops-admin", region="us-east-1", identity="alerts@example.com")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await paste(app, pilot, message)
        assert_same_as_cli(app, message)
        assert selection_of(app).configuration_set == "newsletter-tracking"
        assert highlighted(app, "identities") == "news.example.com"


async def test_unknown_start_flags_are_refused_before_the_tui_opens(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def never(self: SestuiApp) -> None:
        raise AssertionError("the TUI opened")

    monkeypatch.setattr(SestuiApp, "run", never)
    # A region name no SES region has is refused as input, as `sestui check` refuses it.
    assert main(["--demo", "--user", "nosuch", "--region", "xx-nowhere-1"]) == 2
    assert "--region: 'xx-nowhere-1' is not a region where SES sends" in capsys.readouterr().err
    # A user the demo lacks is named; a real region it did not read is not refused (below).
    assert main(["--demo", "--user", "nosuch", "--region", "ap-south-1"]) == 2
    err = capsys.readouterr().err
    assert "sestui: no user or role 'nosuch' in account 111122223333" in err
    assert "ap-south-1" not in err
    assert main(["--demo", "--role", "nosuch"]) == 2
    assert "sestui: no role 'nosuch' in account" in capsys.readouterr().err


async def test_a_region_not_read_is_checked_as_the_cli_checks_it() -> None:
    # The demo read no SES data in ap-south-1, and its SCP denies SES there: `sestui check`
    # says DENIED, and so does the TUI, with the region's row marked as not read.
    app = demo_app(principal="eu-mailer", region="ap-south-1", identity="example.com")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert selection_of(app).region == "ap-south-1"
        cli = run(app.account, selection_of(app))  # type: ignore[arg-type]
        assert verdict_of(app).outcome is cli.outcome is Outcome.DENIED
        assert verdict_of(app).summary == cli.summary
        assert highlighted(app, "regions") == "ap-south-1"
        assert "not read" in prompts(app, "regions")["ap-south-1"]
        assert not [n for n in app._notifications if n.severity == "error"]


async def test_unknown_start_flags_of_a_live_load_are_named_not_replaced() -> None:
    from sestui.account import account_from_snapshot

    spec = SourceSpec(profile="prod")
    source = FakeSource(spec, lambda progress: account_from_snapshot(build(), "live"))
    app = SestuiApp(spec, StartAt("nosuch", "xx-nowhere-1"), source=source)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.account is not None
        sel = app.selection
        assert sel is not None and (sel.principal, sel.region) == ("nosuch", "xx-nowhere-1")
        assert app.verdict is None
        bar = str(app.query_one("#verdict").render())
        assert "no user or role 'nosuch' in account 111122223333" in bar
        toast = "\n".join(n.message for n in app._notifications)
        assert "'nosuch'" in toast and "'xx-nowhere-1'" in toast
        assert highlighted(app, "principals") is None  # no other principal stands in
        assert highlighted(app, "regions") == "xx-nowhere-1"
        assert "not read" in prompts(app, "regions")["xx-nowhere-1"]


async def test_start_flags_from_and_identity_are_checked_as_given(tmp_path: Any) -> None:
    app = demo_app(principal="support-desk", region="eu-west-1", from_address="support@example.com")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert selection_of(app).from_address == "support@example.com"
        assert verdict_of(app).outcome is Outcome.ALLOWED
        # support@example.com is unverified there: SES authorizes example.com, highlighted.
        assert highlighted(app, "identities") == "example.com"
    app = demo_app(principal="newsletter", region="us-east-1", identity="news.example.com")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert selection_of(app).identity == "news.example.com"
        assert highlighted(app, "identities") == "news.example.com"
        assert verdict_of(app).outcome is Outcome.DENIED


async def test_from_edit_moves_the_identity_highlight_and_the_glyphs() -> None:
    app = demo_app(principal="support-desk", region="eu-west-1", identity="billing@example.com")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert highlighted(app, "identities") == "billing@example.com"
        assert verdict_of(app).outcome is Outcome.DENIED
        assert prompts(app, "principals")[USER + "support-desk"].startswith(GLYPH[Outcome.DENIED])
        await pilot.press("x")
        assert isinstance(app.screen, ContextScreen)
        app.screen.query_one("#ctx-from", Input).value = "support@example.com"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert verdict_of(app).outcome is Outcome.ALLOWED
        assert highlighted(app, "identities") == "example.com"
        # The row of the principal on screen says what its verdict says.
        assert prompts(app, "principals")[USER + "support-desk"].startswith(GLYPH[Outcome.ALLOWED])
        assert_glyphs_equal_run(app)


def assert_glyphs_equal_run(app: SestuiApp) -> set[Outcome]:
    """Every principal's glyph is run()'s outcome for the current request with that principal."""
    assert app.account is not None and app.selection is not None
    shown = prompts(app, "principals")
    seen = set()
    for p in app.account.principals:
        row = replace(app.selection, principal=p.arn, role=not p.is_user)
        outcome = run(app.account, row).outcome
        seen.add(outcome)
        assert shown[p.arn][0] == GLYPH[outcome], (p.name, app.selection, shown[p.arn])
    return seen


CONTEXTS: list[dict[str, Any]] = [
    {"region": "eu-west-1", "identity": "example.com"},  # the bitset column's own context
    {"region": "eu-west-1", "identity": "example.com", "from_address": "support@example.com"},
    {"region": "eu-west-1", "identity": "billing@example.com", "from_address": "ops@example.com"},
    {"region": "eu-west-1", "identity": "news.example.com", "recipients": ("a@example.org",)},
    {
        "region": "eu-west-1",
        "identity": "example.com",
        "path": SendPath.API_V2,
        "actions": ("ses:SendEmail",),
    },
    {"region": "us-east-1", "identity": "news.example.com", "source_ip": "203.0.113.7"},
    {"region": "eu-central-1", "identity": "noreply@example.com", "path": SendPath.API_V1},
    {"region": "us-west-2", "from_address": "shop@shop.example.net", "recipients": ()},
    {"region": "eu-west-1", "identity": "example.com", "current_time": "2030-01-01T00:00:00Z"},
]


async def test_glyphs_equal_run_for_every_demo_row_in_every_context() -> None:
    app = demo_app()
    seen: set[Outcome] = set()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for context in CONTEXTS:
            base = Selection(USER + "support-desk", **context)
            app.main_screen.apply(base)
            await settle(pilot)
            assert app.selection == base
            seen |= assert_glyphs_equal_run(app)
    assert seen == set(Outcome)  # the comparison covers every glyph


# -- §2 the policy pane follows the verdict ------------------------------------------------------


async def test_policy_pane_follows_the_verdict_on_list_moves() -> None:
    app = demo_app(principal="dev-sandbox", region="eu-west-1", identity="example.com")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        view = app.query_one(PolicyView)
        assert "permissions boundary" in app.verdict.summary  # type: ignore[union-attr]
        assert app.focused_check() == "permissions-boundary"
        assert "DeveloperBoundary" in view.shown.title  # type: ignore[union-attr]
        # Look at the passing identity-policy check: its Allow ses:* allows, it is not blamed.
        await pilot.press("4", "home")
        await settle(pilot)
        assert app.focused_check() == "identity-policy"
        assert view.marked_lines == () and view.allowing_lines != ()
        assert view.shown.tone == "allow"  # type: ignore[union-attr]
        # Another principal: the pane shows what decides its verdict, not the focused check.
        await pilot.press("1", "up")  # old-crm: denied by an SCP
        await settle(pilot)
        assert selection_of(app).principal == USER + "legacy/old-crm"
        assert app.focused_check() == "scp"
        assert "DenyLegacyCrmSending" in view.shown.title  # type: ignore[union-attr]
        assert view.marked_lines and view.shown.tone == "blame"
        assert view.border_subtitle.startswith("finding 1 of ")
        await pilot.press("up")  # contractor: allowed
        await settle(pilot)
        assert selection_of(app).principal == USER + "external/contractor"
        assert verdict_of(app).outcome is Outcome.ALLOWED
        assert app.focused_check() == "identity-policy"
        assert view.marked_lines == () and view.allowing_lines
        svg = app.export_screenshot()
        assert "allowing" in svg


async def test_a_statement_that_allows_the_identity_but_not_its_configuration_set_is_blamed() -> (
    None
):
    # newsletter's NewsOnly allows news.example.com, not the identity's default configuration
    # set: the send is refused on the set, and that statement is the one to extend. It is marked
    # as blamed (▶), never as allowing, and said once per check.
    app = demo_app(principal="newsletter", region="eu-west-1", identity="news.example.com")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        verdict = verdict_of(app)
        assert verdict.outcome is Outcome.DENIED
        assert "configuration-set/newsletter-tracking" in verdict.summary
        view = app.query_one(PolicyView)
        assert view.shown is not None and "NewsOnly" in view.shown.title
        assert view.shown.tone == "blame" and view.marked_lines and not view.allowing_lines
        assert "but its Resource does not cover configuration-set/newsletter" in view.shown.note
        assert (view.border_subtitle or "").startswith("finding 1 of 2 ")  # one per failing check
        await pilot.press("n")
        assert view.shown.tone == "blame" and "but not on configuration-set" in view.shown.note


async def test_n_walks_distinct_findings_with_a_counter() -> None:
    app = demo_app(principal="eu-mailer", region="eu-west-1", identity="example.com")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        view = app.query_one(PolicyView)
        total = len(app.main_screen.stops)
        assert total >= 3
        assert len(set(app.main_screen.stops)) == total
        assert view.border_subtitle == f"finding 1 of {total} · n/N"
        seen = []
        for i in range(2, total + 1):
            await pilot.press("n")
            assert view.border_subtitle == f"finding {i} of {total} · n/N"
            seen.append((app.focused_check(), view.shown, view.explanation))
        assert len(set(map(str, seen))) == len(seen)  # every stop shows something else
        await pilot.press("n")
        assert view.border_subtitle == f"finding 1 of {total} · n/N"  # wraps
        await pilot.press("N")
        assert view.border_subtitle == f"finding {total} of {total} · n/N"


async def test_a_check_without_a_policy_shows_its_explanation_evidence_and_fix() -> None:
    app = demo_app(principal="smtp-wordpress", region="eu-west-1", identity="example.com")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        view = app.query_one(PolicyView)
        assert verdict_of(app).outcome is Outcome.ALLOWED
        await pilot.press("4", "end")
        await settle(pilot)
        assert app.focused_check() == "smtp-credentials"
        text = view.explanation
        assert "key AKIAI44QH8DHBEXAMPLE was last used in us-east-1, not eu-west-1" in text
        assert "derive a new password for eu-west-1" in text
        assert view.has_class("-text")
        await pilot.press("5")  # the explanation scrolls with the keys, like a policy
        assert app.focused is not None and app.focused.id == "policy-scroll"
    app = demo_app(principal="reporting", region="eu-west-1", identity="example.com")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        view = app.query_one(PolicyView)
        assert app.focused_check() == "identity-policy"  # fails, and no statement comes close
        text = view.explanation
        assert "no identity policy allows ses:SendRawEmail" in text
        assert "Fix: Allow the sending actions" in text and '"ses:SendRawEmail"' in text
        # In full: the whole fix document is there, down to its last line.
        fix = verdict_of(app).check("identity-policy").fix
        assert fix is not None and fix.text() in text


async def test_palette_jump_checks_the_identity_it_names() -> None:
    app = demo_app()  # eu-west-1, billing@example.com
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        # The whole query at once (typing it searches once per key); settle waits for the search.
        app.screen.query_one(CommandInput).value = "identity: alerts@example.com (us-east-1)"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        sel = app.selection
        assert sel is not None and (sel.region, sel.identity) == ("us-east-1", "alerts@example.com")
        assert highlighted(app, "identities") == "alerts@example.com"
        assert highlighted(app, "regions") == "us-east-1"
        assert app.verdict.identity_arn.endswith(":identity/alerts@example.com")  # type: ignore[union-attr]


async def test_a_matrix_cell_hidden_by_a_filter_is_checked_not_the_filters_first_row() -> None:
    from textual.widgets import DataTable

    app = demo_app(principal="support-desk", region="eu-west-1", identity="example.com")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("2", "slash", *"news", "enter")
        await settle(pilot)
        assert selection_of(app).identity == "news.example.com"
        await pilot.press("M")  # as which identities support-desk can send
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=0, column=1)  # billing@example.com, hidden by the filter
        await pilot.press("enter")
        await settle(pilot)
        assert selection_of(app).identity == "billing@example.com"
        assert highlighted(app, "identities") == "billing@example.com"
