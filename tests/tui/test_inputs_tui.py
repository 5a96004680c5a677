"""The TUI applies the command line's input rules (issue 10 §3) and keeps what a pasted error
says (§5): the context editor refuses bad values inline; a pasted API error keeps its path."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static, TextArea

from sestui.decide import Outcome, SendPath
from sestui.tui.screens.context import ContextScreen
from sestui.tui.screens.paste_error import PasteErrorScreen
from tests.tui.conftest import USER, demo_app, settle, verdict_of

pytestmark = pytest.mark.asyncio


BAD_VALUES = [
    ("#ctx-from", "billing", "✗ From: 'billing' is not an email address"),
    ("#ctx-actions", "ses:SendRawEmial", "(did you mean ses:SendRawEmail?)"),
    ("#ctx-ip", "10.0.0.300", "✗ Source IP: '10.0.0.300' is not an IPv4 or IPv6 address"),
    ("#ctx-recipients", "a@example.org, bob", "✗ Recipients: 'bob' is not an email address"),
]


async def test_context_editor_refuses_bad_values_inline() -> None:
    # One editor for every bad value (an app start per value cost a second each): each value is
    # typed alone, the others back at what the editor opened with.
    app = demo_app(principal="iam-user-name", region="eu-west-1", identity="example.com")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = app.selection
        await pilot.press("x")
        assert isinstance(app.screen, ContextScreen)
        screen = app.screen
        for field, value, message in BAD_VALUES:
            box = screen.query_one(field, Input)
            opened_with = box.value
            box.value = value
            await pilot.press("ctrl+s")
            await settle(pilot)
            # The editor stays open, says why, and the request is unchanged.
            assert app.screen is screen, field
            assert message in str(screen.query_one("#ctx-error", Static).render()), field
            # Also on the lower border, on screen at any size, and the field has focus.
            assert message in (screen.query_one("#ctx-body").border_subtitle or ""), field
            assert screen.focused is box, field
            assert app.selection == before
            box.value = opened_with
        # With every value back, the editor saves and closes.
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ContextScreen)
        assert app.selection == before


async def test_context_editor_takes_a_header_style_from() -> None:
    app = demo_app(principal="iam-user-name", region="eu-west-1", identity="example.com")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        app.screen.query_one("#ctx-from", Input).value = '"Info Desk" <info@example.com>'
        await pilot.press("ctrl+s")
        await settle(pilot)
        sel = app.selection
        assert sel is not None and not isinstance(app.screen, ContextScreen)
        assert (sel.from_address, sel.display_name) == ("info@example.com", "Info Desk")
        assert verdict_of(app).outcome is Outcome.ALLOWED


async def test_pasted_api_error_keeps_its_path_and_session() -> None:
    app = demo_app()
    message = (
        "An error occurred (AccessDeniedException) when calling the SendEmail operation: User: "
        "arn:aws:sts::111122223333:assumed-role/order-notifier/i-0abc123 is not authorized to "
        "perform: ses:SendEmail on resource: "
        "arn:aws:ses:eu-west-1:111122223333:identity/billing@example.com"
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        assert isinstance(app.screen, PasteErrorScreen)
        app.screen.query_one(TextArea).insert(message)
        await pilot.press("ctrl+s")
        await settle(pilot)
        sel = app.selection
        assert sel is not None and sel.path is SendPath.API_V2
        assert sel.principal.endswith(":role/service-role/order-notifier")
        assert sel.session_name == "i-0abc123"
        assert USER not in sel.principal
        text = app.verdict.error_text  # type: ignore[union-attr]
        assert text is not None and "assumed-role/order-notifier/i-0abc123 is not" in text
        assert text.startswith("An error occurred (AccessDeniedException)")


async def test_a_paste_that_cannot_be_checked_stays_in_the_dialog_with_why() -> None:
    # What was pasted and why it was not checked stay on screen (a notification vanished in
    # seconds, the text with it): correct it there and ctrl+s again.
    wrong = (
        "554 Access denied: User `arn:aws:iam::111122223333:user/contractor' is not authorized "
        "to perform `ses:SendRawEmail' on resource "
        "`arn:aws:ses:eu-west-1:111122223333:identity/example.com'"
    )
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = app.selection
        await pilot.press("e")
        app.screen.query_one(TextArea).insert(wrong)
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PasteErrorScreen)
        message = str(screen.query_one("#paste-message", Static).render())
        assert "no user or role 'arn:aws:iam::111122223333:user/contractor'" in message.lower()
        assert "did you mean arn:aws:iam::111122223333:user/external/contractor?" in message
        assert screen.query_one(TextArea).text == wrong and app.selection == before
        # Corrected in place, it is checked.
        screen.query_one(TextArea).text = wrong.replace(
            "user/contractor", "user/external/contractor"
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, PasteErrorScreen)
        assert app.selection is not None and app.selection.principal.endswith("external/contractor")
        # An error that is no access denial: what it means, and where the identity is verified.
        await pilot.press("e")
        app.screen.query_one(TextArea).insert(
            "554 Message rejected: Email address is not verified. The following identities "
            "failed the check in region US-EAST-1: foo@bar.com"
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PasteErrorScreen)
        message = str(screen.query_one("#paste-message", Static).render())
        assert message.startswith("Identity not verified")
        assert "identities: foo@bar.com (region us-east-1)" in message
        assert "foo@bar.com: not verified in us-east-1" in message
        await pilot.press("escape")
        assert not isinstance(app.screen, PasteErrorScreen)


async def test_a_paste_of_several_denials_says_only_the_first_is_checked() -> None:
    one = (
        "554 Access denied: User `arn:aws:iam::111122223333:user/{}' is not authorized to "
        "perform `ses:SendRawEmail' on resource "
        "`arn:aws:ses:eu-west-1:111122223333:identity/example.com'"
    )
    app = demo_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("e")
        app.screen.query_one(TextArea).insert(
            one.format("reporting") + "\n" + one.format("eu-mailer")
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.selection is not None and app.selection.principal.endswith("user/reporting")
        notes = [n.message for n in app._notifications]
        assert any("the paste holds 2 access denials: the first is checked" in m for m in notes)
