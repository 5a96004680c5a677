"""Names and policy text from the account render literally, never as markup."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from textual.widgets import DataTable

from sestui.demo.build import build
from sestui.sources import SourceSpec
from sestui.tui.app import SestuiApp, StartAt
from sestui.tui.screens.matrix import MatrixScreen
from sestui.tui.widgets.policy_view import PolicyBody
from tests.tui.conftest import settle

pytestmark = pytest.mark.asyncio


def hostile_snapshot(tmp_path: Path) -> Path:
    data = copy.deepcopy(build())
    user = data["iam"]["UserDetailList"][0]
    for key in data["access_keys"]:  # the renamed user keeps its access key (SMTP needs one)
        if key["UserName"] == user["UserName"]:
            key["UserName"] = "[bold]x"
    user["UserName"] = "[bold]x"
    user["Arn"] = "arn:aws:iam::111122223333:user/[bold]x"
    user["UserPolicyList"][0]["PolicyDocument"]["Statement"][1]["Sid"] = "[red]NotRed[/red]"
    ident = data["ses"]["regions"]["eu-west-1"]["identities"][1]  # billing@example.com
    ident["IdentityName"] = "[blink]billing@example.com"
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(data))
    return path


async def test_markup_in_names_and_policies_is_shown_as_text(tmp_path: Path) -> None:
    app = SestuiApp(
        SourceSpec(snapshot=str(hostile_snapshot(tmp_path))),
        StartAt("[bold]x", "eu-west-1", None, "example.com"),
    )
    # Wide enough that the policy line with the Sid is not wrapped (the check reads one line).
    async with app.run_test(size=(160, 36)) as pilot:
        await settle(pilot)
        prompts = [str(o.prompt) for o in app.pane("principals").options.options]
        assert any("[bold]x" in p for p in prompts)
        identities = [str(o.prompt) for o in app.pane("identities").options.options]
        assert any("[blink]billing@example.com" in p for p in identities)
        assert app.verdict is not None
        body = app.query_one(PolicyBody)
        assert '"Sid": "[red]NotRed[/red]"' in body.plain
        screen_text = app.export_screenshot()
        assert "[bold]x" in screen_text and "[red]NotRed[/red]" in screen_text
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, MatrixScreen)
        table = app.screen.query_one(DataTable)
        labels = [str(c.label) for c in table.columns.values()]
        assert "[blink]billing@example.com" in labels
        app.notify_text("[bold]literal[/bold]")
        await pilot.pause()
