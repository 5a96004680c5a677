"""Nothing important is cut off: wrapped policy lines, the whole AWS text, a complete help."""

from __future__ import annotations

import pytest
from textual.binding import Binding
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

from sestui.tui.widgets.bars import VerdictBar
from sestui.tui.widgets.policy_view import PolicyBody, PolicyView
from tests.tui.conftest import demo_app, settle

pytestmark = pytest.mark.asyncio


def _marked_source_lines(view: PolicyView) -> list[str]:
    assert view.shown is not None
    lines = view.shown.text.split("\n")
    return [lines[n - 1] for r in view.marked_lines for n in range(r.first, r.last + 1)]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_marked_lines_wrap_inside_the_policy_view(size: tuple[int, int]) -> None:
    app = demo_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        view = app.query_one(PolicyView)
        body = view.query_one(PolicyBody)
        assert body.wrap
        marked = _marked_source_lines(view)
        assert marked, "the demo's first denial blames a statement"
        longest = max(marked, key=len).strip()
        assert len(longest) + body._gutter > body.size.width, "a marked line longer than the view"
        visual = body.visual_plain
        assert all(len(v.rstrip()) <= body.size.width for v in visual)
        # Every visual line of a marked statement keeps the ▶ mark; the text re-joins whole.
        shown = [v for v in visual if v.startswith("▶")]
        joined = "".join(v[body._gutter :].rstrip() for v in shown)
        assert longest in joined.replace(" ", "") or longest.replace(" ", "") in joined.replace(
            " ", ""
        )
        # The continuation lines carry no line number.
        numbers = [v[1 : body._gutter].strip() for v in shown]
        assert numbers.count("") >= 1
        # The marked lines are on screen, scrolled to.
        screen_text = "\n".join(
            "".join(seg.text for seg in body.render_line(y)) for y in range(body.size.height)
        )
        assert "▶" in screen_text
        await pilot.press("w")
        await pilot.pause()
        assert not body.wrap
        assert body.virtual_size.width > body.size.width
        assert [v.rstrip() for v in body.visual_plain] == [
            line.plain.rstrip() for line in body.lines
        ]
        await pilot.press("w")
        await pilot.pause()
        assert body.wrap


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_the_verdict_bar_shows_the_whole_aws_text(size: tuple[int, int]) -> None:
    app = demo_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert app.verdict is not None and app.verdict.error_text
        bar = app.query_one(VerdictBar)
        if size[0] < 100:
            assert bar.outer_size.height == 3  # compact below 100 columns until t expands it
            await pilot.press("t")
            await pilot.pause()
        strips = bar.render_lines(bar.outer_size.region)
        text = "".join(strip.text for strip in strips).replace("█", "").replace("▌", "")
        assert app.verdict.error_text.replace(" ", "") in text.replace(" ", "")
        assert bar.size.height >= len(strips) and len(strips) >= 3


async def test_help_lists_every_binding_and_the_legend() -> None:
    from sestui.tui.screens.help import HelpScreen, key_name, key_sections

    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.plain
        import importlib
        import pkgutil

        import sestui.tui.screens
        from sestui.tui.app import SestuiApp
        from sestui.tui.widgets.panes import ListPane
        from sestui.tui.widgets.policy_view import PolicyView as View

        owners: list[type[DOMNode]] = [SestuiApp, ListPane, View]
        for info in pkgutil.iter_modules(sestui.tui.screens.__path__):
            module = importlib.import_module(f"sestui.tui.screens.{info.name}")
            owners += [
                v
                for v in vars(module).values()
                # The dialogs (the main screen has no keys of its own: they are the app's)
                if isinstance(v, type)
                and issubclass(v, ModalScreen)
                and v.__module__ == module.__name__
            ]
        lines = text.splitlines()
        for owner in owners:
            for b in owner.BINDINGS:
                assert isinstance(b, Binding)
                # One row per key; a key with several actions lists each.
                start = f"{key_name(b.key):>18}  "
                rows = [line.removeprefix(start).split(" / ") for line in lines]
                assert any(
                    line.startswith(start) and b.description in row
                    for line, row in zip(lines, rows, strict=True)
                ), f"{owner.__name__}: {b.key} missing from help"
        assert len(key_sections()) == len(owners)  # every pane and dialog has its section
        for word in ("esc", "ctrl+s", "pgup", "w", "Legend", "§", "(1g)", "pending", "verified"):
            assert word in text


async def test_check_titles_are_whole_at_120_columns() -> None:
    from textual.widgets import OptionList

    from sestui.tui.widgets.panes import ListPane

    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.verdict is not None
        pane = app.query_one("#checks", ListPane)
        options = pane.query_one(OptionList)
        text = "\n".join(options.render_line(y).text for y in range(min(options.size.height, 20)))
        for c in app.verdict.checks:
            assert c.title in text, c.title


async def test_matrix_title_and_fixed_principal_column() -> None:
    from textual.widgets import DataTable, Static

    from sestui.tui.screens.matrix import MatrixScreen

    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, MatrixScreen)
        title = str(app.screen.query_one("#matrix-title", Static).render())
        assert "eu-west-1" in title and "via smtp" in title and "ses:SendRawEmail" in title
        assert app.screen.query_one(DataTable).fixed_columns == 1
        # 40 lines hold every principal: the line under the table speaks of identities only.
        screen = app.screen
        assert "principals" not in str(screen.query_one("#matrix-scroll", Static).render())
        # 200 columns hold every identity too: no line at all.
        await pilot.resize_terminal(200, 40)
        await settle(pilot)
        assert str(screen.query_one("#matrix-scroll", Static).render()) == ""
        # At 80×24 neither fit, and the line says which are shown.
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        hint = str(screen.query_one("#matrix-scroll", Static).render())
        assert hint.startswith("identities 1–") and hint.count("of 6") == 1, hint
        assert "→ more" in hint and "← more" not in hint, hint
        for _ in range(6):  # to the last identity: the table scrolls, the line follows
            await pilot.press("right")
        await settle(pilot)
        hint = str(screen.query_one("#matrix-scroll", Static).render())
        assert "–6 of 6 · ← more" in hint and "→ more" not in hint, hint
        # 16 lines do not hold the 13 principals: the rows shown are named too.
        await pilot.resize_terminal(80, 16)
        await settle(pilot)
        hint = str(screen.query_one("#matrix-scroll", Static).render())
        assert "principals 1–" in hint and "of 13" in hint, hint
        assert "not applied" not in title  # the request was each identity's default send
        # A request with more than the matrix decides: the title says what is left out.
        from dataclasses import replace

        await pilot.press("escape")
        await settle(pilot)
        assert app.selection is not None
        app.main_screen.apply(replace(app.selection, configuration_set="nosuchset"))
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        title = str(app.screen.query_one("#matrix-title", Static).render())
        assert "each identity's own default send (not applied: config-set)" in title, title


async def test_the_palette_opens_on_jump_targets() -> None:
    from textual.command import CommandPalette
    from textual.widgets import OptionList

    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        for _ in range(20):
            options = app.screen.query_one(OptionList)
            if options.option_count:
                break
            await pilot.pause(0.05)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("check: Identity policies allow sending" in p for p in prompts), prompts[:5]
        assert any("identity: partner.example.net" in p for p in prompts)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
async def test_the_marked_resource_line_is_in_view(size: tuple[int, int]) -> None:
    from sestui.tui.widgets.policy_view import key_line

    app = demo_app(principal="iam-user-name", region="eu-west-1", identity="billing@example.com")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        view = app.query_one(PolicyView)
        body = view.query_one(PolicyBody)
        for step in range(3):  # on landing, then each finding of this denial (n)
            if step:
                await pilot.press("n")
                await settle(pilot)
            assert view.shown is not None and view.marked_lines
            mark = view.marked_lines[0]
            key = key_line(view.shown.text, mark.first, mark.last)
            assert '"Resource"' in view.shown.text.split("\n")[key - 1]
            top, height = round(body.scroll_y), body.scrollable_content_region.height
            assert top <= body.line_of(key) and body.line_of(key + 1) <= top + height, (
                "the marked Resource line is scrolled into view"
            )
            screen = [
                "".join(seg.text for seg in body.render_line(y)) for y in range(body.size.height)
            ]
            arn = view.shown.text.split("\n")[key - 1].split(":", 1)[1].strip().strip('",')
            joined = "".join(line[body._gutter :].strip() for line in screen)
            assert arn in joined, "the whole ARN is on screen, wrapped"


async def test_z_shows_the_whole_finding_note_at_80x24() -> None:
    # At 80 columns the note above the policy keeps to two lines; zoomed, it has what it needs.
    app = demo_app(principal="billing-app", region="us-east-1", identity="example.com")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.jump(check="non-sending-resource")  # the demo's longest note (184 characters)
        await settle(pilot)
        note = app.query_one("#policy-note", Static)
        assert len(str(note.visual)) > 160

        def needed() -> int:  # the lines the whole note takes at the note's width
            full = note.visual
            assert isinstance(full, Content)
            return len(full.wrap(note.content_region.width))

        assert note.size.height == 2 < needed()  # cut to two lines, and it says so
        shown = str(note.render())
        assert shown.count("\n") == 1 and shown.endswith(" … 5 z shows all "), shown
        await pilot.press("5", "z")
        await settle(pilot)
        assert app.screen.maximized is app.query_one("#policy")
        assert note.size.height == needed() > 2  # whole
        assert str(note.render()) == str(note.visual)
        await pilot.press("z")
        await settle(pilot)
        assert note.size.height == 2


async def test_a_tall_blamed_sending_authorization_statement_shows_whom_it_names_at_80x24() -> None:
    from sestui.sources import SourceSpec
    from sestui.tui.app import SestuiApp, StartAt

    # promo-app is denied by name in central-email's policy on notify.example.org.
    app = SestuiApp(
        SourceSpec(demo=True, demo_org=True),
        StartAt(
            "arn:aws:iam::333344445555:user/promo-app",
            "eu-west-1",
            None,
            "arn:aws:ses:eu-west-1:222233334444:identity/notify.example.org",
        ),
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = app.query_one(PolicyView)
        body = view.query_one(PolicyBody)
        assert view.shown is not None and view.marked_lines
        mark = view.marked_lines[0]
        text = view.shown.text.split("\n")
        top, height = round(body.scroll_y), body.scrollable_content_region.height
        shown = range(top, top + height)
        for word in ('"Effect"', '"Principal"'):
            n = next(i for i in range(mark.first, mark.last + 1) if word in text[i - 1])
            assert body.line_of(n) in shown, f"the marked statement's {word} line is in view"


async def test_the_matrix_opens_on_the_send_on_screen() -> None:
    from textual.widgets import DataTable

    from sestui.tui.screens.matrix import MatrixScreen

    app = demo_app(principal="newsletter", region="eu-west-1", identity="news.example.com")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MatrixScreen)
        row, column = screen.query_one(DataTable).cursor_coordinate
        assert screen.matrix.principals[row].name == "newsletter"
        assert screen.matrix.identities[column - 1] == "news.example.com"
