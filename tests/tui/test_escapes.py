"""No control character from the account or from pasted text reaches the terminal from the TUI:
every screen of an adversarial snapshot is rendered to the exact string Textual would write to
the terminal, which may hold Textual's own SGR and cursor sequences and nothing else."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from rich.segment import Segment
from textual._compositor import CompositorUpdate
from textual.content import Content, Span
from textual.strip import Strip
from textual.widgets import DataTable, Input, Static, TextArea

from sestui.explain.parse import parse_error
from sestui.sources import SourceSpec
from sestui.tui.app import SestuiApp, StartAt
from sestui.tui.safe_output import escape_content, install, one_line
from sestui.tui.screens.context import ContextScreen
from sestui.tui.screens.fix import FixScreen
from sestui.tui.screens.help import HelpScreen
from sestui.tui.screens.matrix import MatrixScreen
from sestui.tui.screens.paste_error import PasteErrorScreen
from tests.hostile import FORBIDDEN, PAYLOAD, hostile_snapshot
from tests.tui.conftest import settle

# Textual's own output: SGR (colours), cursor moves of the compositor.
_OWN = re.compile(r"\x1b\[[0-9;:]*m|\x1b\[\d+;\d+H")
# The payload's visible form: ours in labels, JSON's in policy text.
_SHOWN = re.compile(r"\\(x1b|u001b)\]52;c;aGFja2Vk\\(x07|u0007)")


def terminal_output(app: SestuiApp) -> str:
    """What the app writes to the terminal for a full repaint of the current screen (the same
    call App._display makes; the headless test driver skips _display)."""
    screen = app.screen
    update = screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    assert update is not None
    assert isinstance(update, CompositorUpdate)
    return update.render_segments(app.console)


def assert_clean(app: SestuiApp, where: str, *, shown: bool = True) -> str:
    out = terminal_output(app)
    rest = _OWN.sub("", out)
    bad = sorted({f"U+{ord(c):04X}" for c in FORBIDDEN.findall(rest.replace("\n", ""))})
    assert not bad, f"{where}: raw control characters reach the terminal: {bad}"
    if shown:
        assert _SHOWN.search(rest), f"{where}: the hostile text is not shown (escaped)"
    return rest


@pytest.fixture
def evil(tmp_path: Path) -> Path:
    path = tmp_path / f"evil{PAYLOAD}.json"  # file names are shown too
    path.write_text(json.dumps(hostile_snapshot()))
    return path


@pytest.mark.asyncio
async def test_every_screen_of_a_hostile_snapshot_writes_no_control(evil: Path) -> None:
    app = SestuiApp(
        SourceSpec(snapshot=str(evil)),
        StartAt("iam-user-name" + PAYLOAD, "eu-west-1", None, "example.com" + PAYLOAD),
    )
    async with app.run_test(size=(140, 44), notifications=True) as pilot:
        await settle(pilot)
        assert app.verdict is not None
        assert_clean(app, "main screen")

        # Every check, so the policy view shows each blamed policy and its header and note.
        checks = app.pane("checks")
        for _ in range(len(checks.options.options)):
            checks.options.action_cursor_down()
            await settle(pilot)
            assert_clean(app, f"check {checks.selected}")
        # Every principal and identity, so each one's checks and policies are drawn.
        for pane in ("principals", "identities"):
            lst = app.pane(pane).options
            for _ in range(len(lst.options)):
                lst.action_cursor_down()
                await settle(pilot)
                assert_clean(app, f"{pane} {app.pane(pane).selected}")

        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, MatrixScreen)
        assert_clean(app, "matrix")
        table = app.screen.query_one(DataTable)
        table.move_cursor(column=len(table.columns) - 1)
        await pilot.pause()
        assert_clean(app, "matrix, last column")
        await pilot.press("escape")
        await settle(pilot)

        app.pane("checks").select("identity-policy")
        app.pane("checks").options.focus()
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FixScreen)
        assert_clean(app, "fix", shown=False)  # the hostile resource is past the edge
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert_clean(app, "help", shown=False)  # no account text on it, but the main screen
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ContextScreen)
        app.screen.query_one("#ctx-from", Input).value = "a@example.com" + PAYLOAD
        await pilot.pause()
        assert_clean(app, "context")
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, PasteErrorScreen)
        pasted = (
            "554 Access denied: User `arn:aws:iam::111122223333:user/nobody"
            + PAYLOAD
            + "' is not authorized to perform `ses:SendRawEmail' on resource "
            "`arn:aws:ses:eu-west-1:111122223333:identity/example.com" + PAYLOAD + "'"
        )
        app.screen.query_one(TextArea).text = pasted  # the TextArea draws with Rich Text
        await pilot.pause()
        assert_clean(app, "paste")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert_clean(app, "after the paste (a notification)", shown=False)

        app.notify_text("note " + PAYLOAD, title="title " + PAYLOAD)
        app.notify("markup " + PAYLOAD)
        await settle(pilot)
        out = assert_clean(app, "notifications")
        assert "note" in out and "markup" in out  # the toasts are drawn

        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"iam")
        await settle(pilot)
        assert_clean(app, "palette")


@pytest.mark.asyncio
async def test_a_pasted_error_that_is_not_access_denied_is_shown_escaped(evil: Path) -> None:
    app = SestuiApp(SourceSpec(snapshot=str(evil)))
    async with app.run_test(size=(140, 44), notifications=True) as pilot:
        await settle(pilot)
        text = (
            "Email address is not verified. The following identities failed the check "
            "in region EU-WEST-1: a@b.com" + PAYLOAD
        )
        app._explain(text)
        await settle(pilot)
        # The paste is answered in the paste dialog (what kind of error it is), not a verdict.
        assert isinstance(app.screen, PasteErrorScreen)
        message = str(app.screen.query_one("#paste-message", Static).render())
        assert message.startswith(parse_error(text).kind.title)
        assert_clean(app, "answer to a pasted error")


def test_content_escapes_and_keeps_styles_on_their_text() -> None:
    install()
    c = Content("a\x1bb\u202ec", [Span(1, 3, "bold"), Span(4, 5, "red")])
    assert c.plain == "a\\x1bb\\u202ec"
    assert [(s.start, s.end, s.style) for s in c.spans] == [(1, 6, "bold"), (12, 13, "red")]
    assert c.cell_length == len(c.plain)
    assert (Content("x") + "\x9b2J").plain == "x\\x9b2J"  # `+ str` skips Textual's own strip
    assert Content.assemble(("\x07", "bold"), "\n").plain == "\\x07\n"  # newlines stay


def test_one_line_rows_show_newlines() -> None:
    install()
    row = one_line(Content.assemble(("✓", "green"), " bob\nALLOWED\t"))
    assert row.plain == "✓ bob\\nALLOWED\\t"
    assert [(s.start, s.end) for s in row.spans] == [(0, 1)]
    assert escape_content("ab", None) == ("ab", None)


def test_strip_render_is_the_last_net() -> None:
    from rich.console import Console

    install()
    raw = Strip([Segment("x\x1b]0;T\x07"), Segment("\u202ey"), Segment("\x1b[2J", None, None)])
    out = raw.render(Console())
    assert out == "x\\x1b]0;T\\x07\\u202ey\\x1b[2J"
    control: Any = [(1,)]
    kept = Strip([Segment("\x1b[1;1H", None, control)]).render(Console())
    assert kept == "\x1b[1;1H"  # control segments are Textual's own sequences
