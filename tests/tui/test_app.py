"""The TUI driven with Pilot: every key and flow, asserting selection, verdict and marks."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandInput
from textual.widgets import DataTable, Input, TextArea

from sestui.decide import Outcome, SendPath
from sestui.demo.build import build
from sestui.policy import LineRange
from sestui.sources import SourceSpec
from sestui.tui.app import SestuiApp, StartAt
from sestui.tui.screens.context import ContextScreen
from sestui.tui.screens.fix import FixScreen
from sestui.tui.screens.help import HelpScreen
from sestui.tui.screens.matrix import MatrixScreen
from sestui.tui.screens.paste_error import PasteErrorScreen
from sestui.tui.widgets.policy_view import PolicyView
from tests.tui.conftest import USER, FakeSource, demo_app, selection_of, settle, verdict_of

pytestmark = pytest.mark.asyncio


async def test_opens_on_the_first_principal_and_the_busiest_region() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        sel = app.selection
        assert sel is not None
        assert (sel.principal, sel.region, sel.identity) == (
            USER + "iam-user-name",
            "eu-west-1",
            "billing@example.com",
        )
        assert app.verdict is not None and verdict_of(app).outcome is Outcome.DENIED
        assert app.focused_check() == "identity-policy"
        view = app.query_one(PolicyView)
        assert view.marked_lines == (LineRange(12, 19),)
        assert "AllowSendingFromExampleCom" in view.shown.title  # type: ignore[union-attr]
        assert app.focused is app.pane("principals").options


async def test_moving_in_lists_reruns_the_checks() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        assert selection_of(app).principal == USER + "reporting"
        assert verdict_of(app).outcome is Outcome.DENIED
        await pilot.press("k", "2", "down")
        await settle(pilot)
        assert selection_of(app).identity == "example.com"
        assert verdict_of(app).outcome is Outcome.ALLOWED
        # The principal list shows each principal's outcome for the selected identity.
        prompts = [str(o.prompt) for o in app.pane("principals").options.options]
        assert prompts[0].startswith("✓ iam-user-name") and prompts[1].startswith("✗ reporting")
        await pilot.press("3", "down")
        await settle(pilot)
        assert selection_of(app).region == "us-east-1"
        identities = [o.id for o in app.pane("identities").options.options]
        assert identities == ["alerts@example.com", "example.com", "marketing.example.com"]
        assert selection_of(app).identity == "example.com"
        # The policy names eu-west-1 only: denied, and the identity-resolution check says why.
        assert verdict_of(app).outcome is Outcome.DENIED
        assert verdict_of(app).check("identity-resolution").status.value == "fail"


async def test_check_and_finding_navigation() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket")
        assert app.focused_check() == "non-sending-resource"
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert app.focused_check() == "smtp-credentials"  # wraps around
        await pilot.press("n")
        assert app.focused_check() == "identity-policy"
        first = app.query_one(PolicyView).shown
        await pilot.press("n")
        assert app.focused_check() == "identity-resolution"
        second = app.query_one(PolicyView).shown
        assert first is not None and second is not None
        assert "names example.com" in second.note and second.marks == (LineRange(12, 19),)
        await pilot.press("N")
        assert app.focused_check() == "identity-policy"


async def test_filter_keeps_selection_by_key() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"news", "enter")
        await settle(pilot)
        visible = [o.id for o in app.pane("principals").options.options]
        assert visible == [USER + "newsletter"]
        assert selection_of(app).principal == USER + "newsletter"
        await pilot.press("slash", "escape")
        await settle(pilot)
        assert len(app.pane("principals").options.options) == 13
        assert app.pane("principals").selected == USER + "newsletter"
        ol = app.pane("principals").options
        assert ol.get_option_at_index(ol.highlighted).id == USER + "newsletter"  # type: ignore[arg-type]


async def test_paste_a_554_jumps_to_its_selection() -> None:
    app = demo_app()
    message = (
        "554 Access denied: User `arn:aws:iam::111122223333:user/newsletter' is not "
        "authorized to perform `ses:SendRawEmail' on resource "
        "`arn:aws:ses:eu-west-1:111122223333:configuration-set/newsletter-tracking'"
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        assert isinstance(app.screen, PasteErrorScreen)
        # ctrl+s with nothing pasted: the dialog stays and says what it waits for.
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PasteErrorScreen)
        assert [n.message for n in app._notifications][-1].startswith("Nothing pasted yet")
        app.screen.query_one(TextArea).insert(message)
        await pilot.press("ctrl+s")
        await settle(pilot)
        sel = app.selection
        assert sel is not None
        assert (sel.principal, sel.region, sel.identity) == (
            USER + "newsletter",
            "eu-west-1",
            "news.example.com",
        )
        assert verdict_of(app).outcome is Outcome.DENIED
        assert "configuration-set/newsletter-tracking" in app.verdict.error_text  # type: ignore[union-attr,operator]
        assert app.focused_check() == "identity-policy"


async def test_matrix_enter_jumps_to_the_cell() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, MatrixScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 13 and len(table.columns) == 7
        # j and k move as in the lists.
        table.move_cursor(row=0, column=5)
        await pilot.press("j", "j", "j", "j", "j", "k")
        assert table.cursor_coordinate.row == 4
        # Row 4 is contractor; column 5 is partner.example.net (denied by its policy).
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, MatrixScreen)
        sel = app.selection
        assert (sel.principal, sel.identity) == (
            USER + "external/contractor",
            "partner.example.net",
        )
        assert verdict_of(app).outcome is Outcome.DENIED
        assert app.focused_check() == "sending-authorization"
        # M opens the principal's row; M (like m and esc) closes it.
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, MatrixScreen)
        await pilot.press("M")
        await settle(pilot)
        assert not isinstance(app.screen, MatrixScreen)
        # ? opens the help from a view too, and closes it back to the view.
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, MatrixScreen)


async def test_context_editor_changes_the_request() -> None:
    app = demo_app(principal="support-desk", region="eu-west-1", identity="example.com")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert verdict_of(app).outcome is Outcome.UNDECIDED
        await pilot.press("x")
        assert isinstance(app.screen, ContextScreen)
        app.screen.query_one("#ctx-from", Input).value = "support@example.com"
        app.screen.query_one("#ctx-recipients", Input).value = "a@example.org, b@example.net"
        await pilot.press("ctrl+s")
        await settle(pilot)
        sel = app.selection
        assert sel.from_address == "support@example.com"  # type: ignore[union-attr]
        assert sel.recipients == ("a@example.org", "b@example.net")  # type: ignore[union-attr]
        assert sel.path is SendPath.SMTP  # type: ignore[union-attr]
        assert verdict_of(app).outcome is Outcome.ALLOWED


async def test_fix_view_and_copy() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        assert '"AllowSesSending"' in app.clipboard
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FixScreen)
        assert app.screen.after is Outcome.ALLOWED
        await pilot.press("escape", "right_square_bracket")
        assert app.focused_check() == "non-sending-resource"
        assert app.check_action("fix", ()) is None  # dimmed: that check has no fix


async def test_help_lists_every_binding() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = {k for k, _ in app.screen.rows}
        assert {"q", "?", "1", "5", "[", "]", "n", "N", "e", "x", "m", "f", "c", "r"} <= keys
        # One scroll area, with the keys: j/k and end/home move it; the screen itself does not.
        from textual.containers import VerticalScroll

        await settle(pilot)
        body = app.screen.query_one(VerticalScroll)
        assert app.focused is body and body.max_scroll_y > 0 and app.screen.max_scroll_y == 0
        await pilot.press("j", "j")
        assert body.scroll_y == 2
        await pilot.press("k")
        assert body.scroll_y == 1
        await pilot.press("end")
        await settle(pilot)
        assert body.scroll_y == body.max_scroll_y
        await pilot.press("home")
        await settle(pilot)
        assert body.scroll_y == 0
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_focus_keys_and_palette() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for key, pane in (
            ("2", "identities"),
            ("3", "regions"),
            ("4", "checks"),
            ("1", "principals"),
        ):
            await pilot.press(key)
            assert app.focused is app.pane(pane).options
        await pilot.press("5")
        assert app.focused is app.query_one("#policy-scroll")
        await pilot.press("ctrl+p")
        await settle(pilot)
        # The whole query at once (typing it searches once per key); settle waits for the search.
        app.screen.query_one(CommandInput).value = "Permissions boundary (perm"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.focused_check() == "permissions-boundary"


async def test_opening_what_the_command_line_read_is_no_reload() -> None:
    # `sestui --demo` reads the accounts before the TUI opens (to refuse unknown flags): showing
    # them is no reload, and nothing says it was.
    from sestui.sources import SpecSource

    spec = SourceSpec(demo=True)
    app = SestuiApp(spec, StartAt(), SpecSource(spec).open())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.account is not None
        assert not [n.message for n in app._notifications if "Reloaded" in n.message]


async def test_reload_keeps_the_selection(tmp_path: Path) -> None:
    snap = tmp_path / "acct.json"
    snap.write_text(json.dumps(build()))
    app = SestuiApp(
        SourceSpec(snapshot=str(snap)), StartAt("dev-sandbox", "eu-west-1", None, "example.com")
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert verdict_of(app).outcome is Outcome.DENIED
        data = build()
        del data["iam"]["UserDetailList"][6]["PermissionsBoundary"]  # dev-sandbox
        snap.write_text(json.dumps(data))
        assert not app._notifications  # opening is no reload: nothing said
        await pilot.press("r")
        await settle(pilot)
        assert selection_of(app).principal == USER + "dev-sandbox"
        assert selection_of(app).identity == "example.com"
        assert verdict_of(app).outcome is Outcome.ALLOWED
        # It says it reloaded (a snapshot reloads faster than the eye sees the bar change).
        (note,) = list(app._notifications)
        assert note.message.startswith("Reloaded ") and " principals, " in note.message


async def test_a_broken_snapshot_is_shown_not_crashed(tmp_path: Path) -> None:
    snap = tmp_path / "bad.json"
    snap.write_text('{"format": "sestui-snapshot/1",')
    app = SestuiApp(SourceSpec(snapshot=str(snap)))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.account is None
        bar = str(app.query_one("#verdict").render())
        assert "not valid JSON" in bar and str(snap) in bar


async def test_fits_80x24_and_quits() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for wid in ("#principals", "#identities", "#regions", "#checks", "#policy", "#verdict"):
            region = app.query_one(wid).region
            assert region.width > 0 and region.height >= (2 if wid == "#verdict" else 3), wid
            assert region.right <= 80 and region.bottom <= 24, wid
        assert app.screen.has_class("-narrow")
        await pilot.press("q")
    assert app.return_code == 0


async def test_no_color_keeps_the_marks_readable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.no_color
        svg = app.export_screenshot()
        # Marked lines carry a gutter glyph; verdicts and checks carry words and glyphs.
        assert "▶12" in svg.replace("&#160;", "").replace(" ", "")
        assert "DENIED" in svg and "✗" in svg


async def test_principal_glyphs_follow_the_identity_and_survive_equal_reselection() -> None:
    app = demo_app(principal="ops-admin", region="eu-central-1", identity="example.com")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        prompts = {o.id: str(o.prompt) for o in app.pane("principals").options.options}
        # The region guard SCP denies everyone in eu-central-1.
        assert prompts[USER + "ops-admin"].startswith("✗ ops-admin")
        await pilot.press("3")
        await pilot.press("k", "k")  # back to eu-west-1, whose identity example.com allows some
        await settle(pilot)
        assert selection_of(app).region == "eu-west-1"
        prompts = {o.id: str(o.prompt) for o in app.pane("principals").options.options}
        assert prompts[USER + "ops-admin"].startswith("✓ ops-admin")
        assert prompts[USER + "reporting"].startswith("✗ reporting")


async def test_a_slow_live_load_shows_progress_and_never_blocks_input() -> None:
    import threading

    from sestui.account import Account, account_from_snapshot
    from sestui.progress import Progress

    release = threading.Event()

    def slow_read(progress: Callable[[Any], None] | None) -> Account:
        assert progress is not None
        for i in range(3):
            progress(Progress("sesv2", f"region-{i}", "reading", i, 17, 10 * i))
        release.wait(timeout=30)  # the network is slow: the read goes on in its worker
        return account_from_snapshot(build(), "live: profile prod")

    spec = SourceSpec(profile="prod")
    app = SestuiApp(spec, source=FakeSource(spec, slow_read))
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(20):
            await pilot.pause(0.05)
        status = str(app.query_one("#status").render())
        assert "region-2" in status and "[2/17 regions, 20 calls]" in status
        await pilot.press("question_mark")  # input is handled while the read goes on
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        release.set()
        await settle(pilot)
        assert app.account is not None and app.verdict is not None
        assert not app.query_one("#status").has_class("-visible")


async def test_a_failing_live_load_says_why() -> None:
    from sestui.account import Account
    from sestui.aws.errors import AwsReadError

    def failing(progress: Callable[[Any], None] | None) -> Account:
        raise AwsReadError("the AWS credentials stopped working during the read (ExpiredToken)")

    spec = SourceSpec(profile="prod")
    app = SestuiApp(spec, source=FakeSource(spec, failing))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.account is None and app.is_running
        assert "stopped working during the read" in str(app.query_one("#verdict").render())
