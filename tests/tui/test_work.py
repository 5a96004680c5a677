"""Long work runs in workers: esc cancels it (and says so), the UI answers meanwhile, q quits."""

from __future__ import annotations

import asyncio
import textwrap
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import TextArea

from sestui.account import Account
from sestui.decide import Outcome, Overrides
from sestui.matrix import exact as matrix_module
from sestui.matrix.exact import Cancelled
from sestui.sources import SpecSource
from sestui.tui.screens.fix import FixScreen
from sestui.tui.screens.help import HelpScreen
from sestui.tui.screens.matrix import MatrixScreen
from sestui.tui.screens.paste_error import PasteErrorScreen
from sestui.verdict.analysis import NO_OVERRIDES
from tests.hangguard import run_guarded
from tests.tui.conftest import FakeSource, demo_app, settle


class Gate:
    """Makes a computation block until released; records whether it saw a cancellation."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.saw_cancel = threading.Event()
        self.finished = threading.Event()

    def block(self, cancelled: Callable[[], bool] | None = None) -> None:
        self.started.set()
        try:
            while not self.release.wait(0.01):
                if cancelled is not None and cancelled():
                    self.saw_cancel.set()
                    raise Cancelled
        finally:
            self.finished.set()


@pytest.fixture
def gate() -> Iterator[Gate]:
    g = Gate()
    yield g
    g.release.set()  # never leave a thread blocked behind the test


@pytest.mark.asyncio
async def wait_for(pilot: Pilot[Any], event: threading.Event) -> None:
    for _ in range(500):
        if event.is_set():
            return
        await pilot.pause(0.01)
    raise AssertionError("the worker never got there")


def status(pilot: Pilot[Any]) -> str:
    return str(pilot.app.query_one("#status").render())


def notices(pilot: Pilot[Any]) -> list[str]:
    return [str(n.message) for n in pilot.app._notifications]


@pytest.mark.asyncio
async def test_esc_cancels_the_matrix_and_the_ui_answers_meanwhile(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = matrix_module.who_can_send

    def slow(*args: Any, cancelled: Callable[[], bool] | None = None, **kw: Any) -> Any:
        gate.block(cancelled)
        return real(*args, cancelled=cancelled, **kw)

    monkeypatch.setattr(matrix_module, "who_can_send", slow)
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await wait_for(pilot, gate.started)
        assert "who can send in" in status(pilot) and "esc cancels" in status(pilot)
        assert app.check_action("cancel_work", ()) is True
        # The UI thread is free: keys move the focus while the matrix is being worked out.
        await pilot.press("2")
        assert app.focused is not None and app.focused.id == "identities-list"
        await pilot.press("escape")
        await wait_for(pilot, gate.saw_cancel)
        await settle(pilot)
        assert "Cancelled the matrix." in notices(pilot)
        assert status(pilot) == ""
        assert not isinstance(app.screen, MatrixScreen)
        assert app.check_action("cancel_work", ()) is False  # esc is the widgets' again
        # Not cancelled, the same key shows the matrix.
        gate.release.set()
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, MatrixScreen)


@pytest.mark.asyncio
async def test_the_matrix_polls_for_cancellation_per_principal() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.account is not None
        asked = []

        def cancelled() -> bool:
            asked.append(1)
            return len(asked) > 3

        with pytest.raises(Cancelled):
            matrix_module.who_can_send(app.account, "eu-west-1", cancelled=cancelled)
        assert len(asked) == 4  # stopped at the fourth principal of 13


@pytest.mark.asyncio
async def test_q_quits_while_work_runs_even_if_the_work_never_looks(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A computation that ignores cancellation (as a stuck network read would).
    monkeypatch.setattr(matrix_module, "who_can_send", lambda *a, **kw: gate.block())
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await wait_for(pilot, gate.started)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert not gate.finished.is_set()  # the app did not wait for it


@pytest.mark.asyncio
async def test_esc_cancels_the_fix_check(gate: Gate, monkeypatch: pytest.MonkeyPatch) -> None:
    import sestui.decide.decision as decision

    real = decision.outcome_of

    def slow(account: Any, selection: Any, overrides: Any = NO_OVERRIDES, owner: Any = None) -> Any:
        if overrides is not NO_OVERRIDES and overrides != Overrides():
            gate.block()
        return real(account, selection, overrides, owner)

    monkeypatch.setattr(decision, "outcome_of", slow)
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await wait_for(pilot, gate.started)
        assert "with the fix" in status(pilot)
        await pilot.press("escape")
        gate.release.set()
        await settle(pilot)
        assert "Cancelled the fix check." in notices(pilot)
        assert not isinstance(app.screen, FixScreen)  # its late result is dropped
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FixScreen)
        assert app.screen.after is Outcome.ALLOWED


@pytest.mark.asyncio
async def test_esc_cancels_reading_a_pasted_error(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sestui.explain import parse as errors

    real = errors.parse_error

    def slow(text: str) -> Any:
        gate.block()
        return real(text)

    monkeypatch.setattr(errors, "parse_error", slow)
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        before = app.selection
        await pilot.press("e")
        app.screen.query_one(TextArea).insert(
            "554 Access denied: User `arn:aws:iam::111122223333:user/newsletter' is not "
            "authorized to perform `ses:SendRawEmail' on resource "
            "`arn:aws:ses:eu-west-1:111122223333:identity/news.example.com'"
        )
        await pilot.press("ctrl+s")
        await wait_for(pilot, gate.started)
        await pilot.press("escape")
        gate.release.set()
        await settle(pilot)
        assert "Cancelled reading the error." in notices(pilot)
        assert app.selection is before  # the cancelled explanation changed nothing


@pytest.mark.asyncio
async def test_esc_cancels_a_reload_and_keeps_what_was_read(gate: Gate, tmp_path: Any) -> None:
    import json

    from sestui.demo.build import build
    from sestui.sources import SourceSpec
    from sestui.tui.app import SestuiApp

    snap = tmp_path / "snap.json"
    snap.write_text(json.dumps(build()), encoding="utf-8")
    app = SestuiApp(SourceSpec(snapshot=str(snap)))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        account, verdict = app.account, app.verdict
        assert account is not None and verdict is not None
        real = app.source

        def slow(progress: Callable[[Any], None] | None) -> Account:
            gate.block()
            return real.open(progress).primary

        app.source = FakeSource(real.spec, slow)
        await pilot.press("r")
        await wait_for(pilot, gate.started)
        assert "esc cancels" in str(app.query_one("#verdict").render())
        await pilot.press("escape")
        gate.release.set()
        await settle(pilot)
        assert "Cancelled loading." in notices(pilot)
        assert app.account is account  # the late result of the reload is dropped
        assert app.verdict is verdict
        assert "Reloading" not in str(app.query_one("#verdict").render())


@pytest.mark.asyncio
async def test_q_quits_from_dialogs_but_types_in_text_fields() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        assert isinstance(app.screen, PasteErrorScreen)
        await pilot.press("q")
        assert app.screen.query_one(TextArea).text == "q"  # a letter while typing
        await pilot.press("escape", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


@pytest.mark.asyncio
async def test_esc_still_closes_a_dialog_while_work_runs(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        matrix_module, "who_can_send", lambda *a, **kw: gate.block(kw.get("cancelled"))
    )
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await wait_for(pilot, gate.started)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")  # closes the help; the work goes on
        assert not isinstance(app.screen, HelpScreen)
        assert not gate.saw_cancel.is_set()
        await pilot.press("escape")  # now it cancels the work
        await wait_for(pilot, gate.saw_cancel)


def test_the_process_exits_on_q_while_a_thread_never_ends() -> None:
    # `App.run` ends in `asyncio.run`, which joins the default executor's threads: with work
    # that never returns (a read stuck on the network) the process used to stay alive forever.
    code = textwrap.dedent(
        """
        import threading
        from sestui.matrix import exact as matrix
        from tests.tui.conftest import demo_app, settle

        started = threading.Event()

        def forever(*args, **kwargs):
            started.set()
            threading.Event().wait()

        matrix.who_can_send = forever
        app = demo_app()

        async def keys(pilot):
            await settle(pilot)
            await pilot.press("m")
            while not started.is_set():
                await pilot.pause(0.01)
            await pilot.press("q")

        app.run(headless=True, size=(120, 36), auto_pilot=keys)
        print("quit", app.return_code)
        """
    )
    assert run_guarded(code).split() == ["quit", "0"]


def test_daemon_executor_hands_back_results_and_errors() -> None:
    from sestui.tui.workers import DaemonExecutor

    async def main() -> tuple[int, str]:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(DaemonExecutor())
        ok = await loop.run_in_executor(None, lambda: 6 * 7)
        try:
            await loop.run_in_executor(None, lambda: 1 // 0)
        except ZeroDivisionError as exc:
            return ok, type(exc).__name__
        return ok, ""

    assert asyncio.run(main()) == (42, "ZeroDivisionError")


@pytest.mark.asyncio
async def test_the_matrix_table_fills_in_steps_and_can_close_midway(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from textual.widgets import DataTable

    from sestui.tui.screens import matrix as screen_module

    monkeypatch.setattr(screen_module, "ROWS_PER_PAINT", 2)
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, MatrixScreen)
        table = app.screen.query_one(DataTable)
        m = app.screen.matrix
        assert table.row_count == len(m.principals) == 13  # every step arrived, in order
        for i in (0, 4, 12):
            assert (
                table.coordinate_to_cell_key(Coordinate(i, 0)).row_key.value == m.principals[i].arn
            )
            shown = [str(table.get_cell_at(Coordinate(i, j + 1))) for j in range(len(m.identities))]
            assert shown == [screen_module.CELL[c][0] for c in m.cells[i]]
        await pilot.press("escape", "m", "escape")  # closed while still filling: no error
        await settle(pilot)
        assert not isinstance(app.screen, MatrixScreen)


@pytest.mark.asyncio
async def test_esc_cancels_the_first_load_and_r_loads_again(gate: Gate, tmp_path: Any) -> None:
    import json

    from sestui.demo.build import build
    from sestui.sources import SourceSpec
    from sestui.tui.app import SestuiApp

    snap = tmp_path / "snap.json"
    snap.write_text(json.dumps(build()), encoding="utf-8")
    spec = SourceSpec(snapshot=str(snap))

    def slow(progress: Callable[[Any], None] | None) -> Account:
        gate.block()
        return SpecSource(spec).open(progress).primary

    app = SestuiApp(spec, source=FakeSource(spec, slow))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, gate.started)
        await pilot.press("escape")
        gate.release.set()
        await settle(pilot)
        assert app.account is None  # the read finished after esc: dropped
        assert "Loading cancelled: r loads again." in str(app.query_one("#verdict").render())
        await pilot.press("r")
        await settle(pilot)
        assert app.account is not None and app.verdict is not None
