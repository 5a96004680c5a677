"""The fix view: a diff (+/− in the gutter), both sides scrolled together, saved to a file."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from textual.widgets import Footer, Input, Static

from sestui.tui.screens.fix import ConfirmOverwrite, FixScreen, SavePrompt, source_row
from sestui.tui.widgets.policy_view import PolicyBody
from tests.tui.conftest import current_screen, demo_app, settle, verdict_of

pytestmark = pytest.mark.asyncio


def _bodies(app: object) -> tuple[PolicyBody, PolicyBody]:
    screen = app.screen  # type: ignore[attr-defined]
    return (
        screen.query_one("#fix-before PolicyBody", PolicyBody),
        screen.query_one("#fix-after PolicyBody", PolicyBody),
    )


async def test_the_fix_view_marks_the_diff_and_shows_the_change() -> None:
    app = demo_app(principal="newsletter", region="eu-west-1", identity="news.example.com")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in ("4", "down", "down", "down", "down", "f"):
            await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, FixScreen)
        before, after = _bodies(app)
        plain_after = after.plain.split("\n")
        added = [n for n, line in enumerate(plain_after) if line.startswith("+")]
        assert added and added == sorted(app.screen.added)
        plain_before = before.plain.split("\n")
        removed = [n for n, line in enumerate(plain_before) if line.startswith("−")]
        assert removed == sorted(app.screen.removed)
        # the first changed line is on screen at 80×24
        first = added[0]
        assert after.scroll_y <= first < after.scroll_y + after.size.height
        # scrolling one side scrolls the other
        after.scroll_to(y=0, animate=False)
        await settle(pilot)
        before.scroll_to(y=3, animate=False)
        await settle(pilot)
        assert before.scroll_y > 0 and after.scroll_y == before.scroll_y
        # The keys scroll at once, without Tab first: the suggested side has the focus.
        assert app.focused is after
        after.scroll_to(y=0, animate=False)
        await settle(pilot)
        await pilot.press("down", "down")
        await settle(pilot)
        assert after.scroll_y == 2 and before.scroll_y == 2
        # Rows face each other: blank rows stand for what the other side has more of, so the
        # sides are as long and every unchanged line faces itself (line numbers aside).
        left, right = before.plain.split("\n"), after.plain.split("\n")
        assert len(left) == len(right) and "" in left
        gutter = len(str(len(right))) + 2
        for a, b in zip(left, right, strict=True):
            if a and b and not a.startswith("−") and not b.startswith("+"):
                assert a[gutter:] == b[gutter:]
        # j and k scroll too, and both sides keep the same row on top while both can scroll
        # (wrapped, a row can take more lines on one side: that side goes on a little further).
        rows = []
        for _ in range(len(right)):
            await pilot.press("j")
            ends = (before.scroll_y == before.max_scroll_y, after.scroll_y == after.max_scroll_y)
            shown = (
                source_row(before, round(before.scroll_y)),
                source_row(after, round(after.scroll_y)),
            )
            rows.append((shown, ends))
        await settle(pilot)
        assert rows[0] == ((3, 3), (False, False))
        assert all(a == b for (a, b), ends in rows if not any(ends)), rows
        assert sum(1 for _, ends in rows if not any(ends)) >= 3
        assert after.scroll_y == after.max_scroll_y > 0
        await pilot.press("k")
        await settle(pilot)
        assert after.scroll_y == after.max_scroll_y - 1


async def _open_fix(pilot: object) -> None:
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("f")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]


async def _save(pilot: object, app: object, path: Path) -> None:
    await pilot.press("s")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, SavePrompt)  # type: ignore[attr-defined]
    from textual.widgets import Input

    field = app.screen.query_one("#save-path", Input)  # type: ignore[attr-defined]
    field.value = str(path)
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]


async def test_save_writes_0600_and_asks_before_overwriting(tmp_path: Path) -> None:
    app = demo_app()
    target = tmp_path / "fix.json"
    async with app.run_test(size=(120, 36)) as pilot:
        await _open_fix(pilot)
        screen = app.screen
        assert isinstance(screen, FixScreen)
        expected = json.dumps(screen.fix.document, indent=2) + "\n"
        await _save(pilot, app, target)
        assert target.read_text(encoding="utf-8") == expected
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
        # exists: asks, and n keeps the old file
        target.write_text("old", encoding="utf-8")
        await _save(pilot, app, target)
        assert isinstance(app.screen, ConfirmOverwrite)
        await pilot.press("n")
        await settle(pilot)
        assert target.read_text(encoding="utf-8") == "old"
        assert current_screen(app) is screen
        # y overwrites
        await _save(pilot, app, target)
        await pilot.press("y")
        await settle(pilot)
        assert target.read_text(encoding="utf-8") == expected
        # a directory is refused and left alone
        folder = tmp_path / "dir"
        folder.mkdir()
        await _save(pilot, app, folder)
        # The prompt comes back with the path as typed and why, to correct or leave with esc.
        prompt = current_screen(app)
        assert isinstance(prompt, SavePrompt)
        assert prompt.query_one("#save-path", Input).value == str(folder)
        assert "directory" in str(prompt.query_one("#save-error", Static).render())
        assert prompt.query_one(Footer).screen is prompt  # its own keys, not the main screen's
        assert folder.is_dir() and not any(folder.iterdir())
        await pilot.press("escape")
        await settle(pilot)
        assert current_screen(app) is screen


async def test_f_on_an_undecided_verdict_opens_the_context_editor_at_the_unset_field() -> None:
    from textual.widgets import Input

    from sestui.decide import Outcome
    from sestui.tui.screens.context import ContextScreen

    # support-desk's only allow reads ses:FromAddress; no From given: undecided on it.
    app = demo_app(principal="support-desk", region="eu-west-1", identity="example.com")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.verdict is not None and verdict_of(app).outcome is Outcome.UNDECIDED
        assert "ses:fromaddress" in app.verdict.missing_keys
        footer = {b.binding.description for b in app.active_bindings.values() if b.enabled}
        assert "Set From" in footer and "Fix" not in footer
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, ContextScreen)
        focused = app.focused
        assert isinstance(focused, Input) and focused.id == "ctx-from"
        # It says why it opened there.
        from textual.widgets import Static

        why = str(app.screen.query_one("#ctx-why", Static).render())
        assert why.startswith("The verdict is undecided: it hangs on ses:fromaddress, left unset")


async def test_f_shows_the_fix_when_the_verdict_is_not_undecided() -> None:
    app = demo_app(principal="newsletter", region="eu-west-1", identity="news.example.com")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        footer = {b.binding.description for b in app.active_bindings.values() if b.enabled}
        assert "Set From" not in footer and "Fix" in footer
