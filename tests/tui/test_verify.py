"""`v`: AWS's policy simulator on the send on screen, with a fake simulator standing in for AWS."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from sestui.aws.simulate import SimulationFailed
from sestui.demo.build import build
from sestui.sources import SourceSpec
from sestui.tui.app import SestuiApp, StartAt
from sestui.tui.screens.help import HelpScreen
from sestui.tui.screens.verify import VerifyScreen
from tests.tui.conftest import demo_app, settle, verdict_of

pytestmark = pytest.mark.asyncio

ID = "arn:aws:ses:eu-west-1:111122223333:identity/billing@example.com"


def snapshot_app(tmp_path: Path, simulator: Any) -> SestuiApp:
    path = tmp_path / "acct.json"
    path.write_text(json.dumps(build()))
    app = SestuiApp(
        SourceSpec(snapshot=str(path)),
        StartAt("billing-app", "eu-west-1", "billing@example.com"),
    )
    app.simulator = simulator
    return app


def answering(decision: str, asked: list[dict[str, Any]]) -> Any:
    def simulate(request: dict[str, Any]) -> dict[str, Any]:
        asked.append(request)
        return {
            "EvaluationResults": [
                {
                    "EvalActionName": a,
                    "EvalResourceName": r,
                    "EvalDecision": decision,
                    "MatchedStatements": [],
                    "MissingContextValues": [],
                }
                for a in request["ActionNames"]
                for r in request["ResourceArns"]
            ]
        }

    return simulate


def body(app: SestuiApp) -> str:
    return str(app.screen.query_one("#verify-body", Static).render())


async def test_v_shows_agreement_for_the_send_on_screen(tmp_path: Path) -> None:
    asked: list[dict[str, Any]] = []
    app = snapshot_app(tmp_path, answering("allowed", asked))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.verdict is not None and verdict_of(app).outcome.value == "allowed"
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, VerifyScreen)
        (request,) = asked
        assert request["PolicySourceArn"].endswith(":user/billing-app")
        assert request["ResourceArns"] == [ID]
        assert "AWS's simulator agrees: 1 of 1" in body(app)
        await pilot.press("escape")
        assert not isinstance(app.screen, VerifyScreen)


async def test_v_makes_a_disagreement_the_headline(tmp_path: Path) -> None:
    app = snapshot_app(tmp_path, answering("explicitDeny", []))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        text = body(app)
        lines = [line for line in text.splitlines() if line.strip()]
        assert lines[1].startswith("AWS's simulator DISAGREES on 1 of 1")
        assert "sestui: allowed" in text and "AWS:    explicitDeny" in text
        assert "What may explain it:" in text


async def test_v_says_why_it_could_not_verify(tmp_path: Path) -> None:
    def refuse(_: dict[str, Any]) -> dict[str, Any]:
        raise SimulationFailed("access denied (AccessDenied)")

    app = snapshot_app(tmp_path, refuse)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert "could not verify: access denied (AccessDenied)" in body(app)
        assert app.verdict is not None and verdict_of(app).outcome.value == "allowed"


async def test_the_demo_account_is_never_sent_and_help_lists_v() -> None:
    app = demo_app()
    asked: list[dict[str, Any]] = []
    app.simulator = answering("allowed", asked)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert "the demo account is not a real AWS account" in body(app)
        assert asked == []
        await pilot.press("escape", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "Verify with AWS" in str(app.screen.query_one(Static).render())
