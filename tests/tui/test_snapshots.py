"""SVG snapshots of the main states at 80×24 and 120×36 (pytest-textual-snapshot)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tui.conftest import demo_app, settle_idle


async def _stable(pilot: Pilot[Any]) -> None:
    """Settle, then wait until two frames in a row are the same: on a busy machine a dialog a
    worker pushed may still be laying out (and scrolling to its first change) after the
    workers are done."""
    await settle_idle(pilot)
    previous = None
    for _ in range(40):
        await pilot.wait_for_scheduled_animations()
        await pilot.pause(0.05)
        frame = pilot.app.export_screenshot()
        if frame == previous:
            return
        previous = frame


async def _settled(pilot: Pilot[Any]) -> None:
    await _stable(pilot)


def _after(*keys: str) -> Any:
    async def run(pilot: Pilot[Any]) -> None:
        await _stable(pilot)
        await pilot.press(*keys)
        await _stable(pilot)

    return run


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_denial_with_marked_statement(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(demo_app(), terminal_size=size, run_before=_settled)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_allowed_overview(snap_compare: Any, size: tuple[int, int]) -> None:
    app = demo_app(principal="marketing-app", region="eu-west-1", identity="example.com")
    assert snap_compare(app, terminal_size=size, run_before=_settled)


def test_matrix(snap_compare: Any) -> None:
    assert snap_compare(demo_app(), terminal_size=(120, 36), run_before=_after("m"))


def test_fix_view(snap_compare: Any) -> None:
    app = demo_app(principal="newsletter", region="eu-west-1", identity="news.example.com")
    assert snap_compare(
        app, terminal_size=(120, 36), run_before=_after("4", "down", "down", "down", "down", "f")
    )


def test_help(snap_compare: Any) -> None:
    assert snap_compare(demo_app(), terminal_size=(80, 24), run_before=_after("question_mark"))


def test_check_without_a_policy_document(snap_compare: Any) -> None:
    # reporting has no statement that comes close: the pane explains and shows the fix in full.
    app = demo_app(principal="reporting", region="eu-west-1", identity="example.com")
    assert snap_compare(app, terminal_size=(120, 36), run_before=_settled)


def test_identity_not_in_its_region(snap_compare: Any) -> None:
    app = demo_app(principal="newsletter", region="us-east-1", identity="news.example.com")
    assert snap_compare(app, terminal_size=(120, 36), run_before=_settled)
