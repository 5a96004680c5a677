"""`sestui --baseline OLD`: rows whose verdict differs are marked Δ, and the policy view says
what changed in the shown policy since the baseline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sestui.demo import demo_path
from sestui.sources import SourceSpec
from sestui.tui.app import SestuiApp, StartAt
from sestui.tui.widgets.policy_view import PolicyView
from tests.tui.conftest import USER, settle

pytestmark = pytest.mark.asyncio


def baseline(tmp_path: Path) -> Path:
    """The demo as it was 'yesterday': eu-mailer's policy named eu-west-1, not us-east-1."""
    data = json.loads(demo_path().read_text("utf-8"))
    for user in data["iam"]["UserDetailList"]:
        if user["UserName"] == "eu-mailer":
            stmt = user["UserPolicyList"][0]["PolicyDocument"]["Statement"][0]
            stmt["Resource"] = stmt["Resource"].replace("us-east-1", "eu-west-1")
    path = tmp_path / "yesterday.json"
    path.write_text(json.dumps(data), "utf-8")
    return path


async def test_rows_that_differ_from_the_baseline_are_marked(tmp_path: Path) -> None:
    start = StartAt("eu-mailer", "us-east-1", None, "example.com")
    app = SestuiApp(SourceSpec(demo=True), start, baseline=str(baseline(tmp_path)))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.baseline is not None
        prompts = {o.id: str(o.prompt) for o in app.pane("principals").options.options}
        assert prompts[USER + "eu-mailer"].startswith("✓Δeu-mailer")
        assert prompts[USER + "ops-admin"].startswith("✓ ops-admin")  # unchanged: no mark
        shown = app.query_one(PolicyView).shown
        assert shown is not None and "SendFromExampleCom" in shown.title
        assert "since yesterday.json: Statement[0] edited (lines 4-11)" in shown.note
        assert str(app.query_one(PolicyView).border_subtitle).endswith(" · Δ since yesterday.json")


async def test_the_change_since_the_baseline_shows_at_80x24(tmp_path: Path) -> None:
    # The note keeps to two lines at 80 columns and the "since" line is its third: the
    # policy pane's border says it too.
    start = StartAt("eu-mailer", "us-east-1", None, "example.com")
    app = SestuiApp(SourceSpec(demo=True), start, baseline=str(baseline(tmp_path)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = app.query_one(PolicyView)
        assert "Δ since yesterday.json" in str(view.border_subtitle)
        # A policy that did not change says nothing there.
        app.jump(principal=USER + "ops-admin")
        await settle(pilot)
        assert "Δ since" not in str(app.query_one(PolicyView).border_subtitle)


async def test_a_broken_baseline_is_reported_not_used(tmp_path: Path) -> None:
    bad = tmp_path / "old.json"
    bad.write_text("{", "utf-8")
    app = SestuiApp(SourceSpec(demo=True), None, baseline=str(bad))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.baseline is None and app.verdict is not None


async def test_a_baseline_that_cannot_be_compared_is_refused_before_the_tui_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sestui.cli import main

    def never(self: SestuiApp) -> None:
        raise AssertionError("the TUI opened")

    monkeypatch.setattr(SestuiApp, "run", never)
    other = tmp_path / "other.json"
    other.write_text(demo_path().read_text("utf-8").replace("111122223333", "999988887777"))
    cases = [
        (["--demo", "--baseline", str(other)], "is account 999988887777, but the account opened"),
        (["--demo", "--baseline", str(tmp_path / "nope.json")], "nope.json: cannot read it"),
        (["--demo-org", "--baseline", str(baseline(tmp_path))], "several are loaded"),
    ]
    for argv, message in cases:
        assert main(argv) == 2
        assert message in capsys.readouterr().err
