"""The fix view copies the fix as the AWS CLI command that applies it."""

from __future__ import annotations

import subprocess

import pytest

from sestui.tui.screens.fix import FixScreen
from tests.tui.conftest import demo_app, settle

pytestmark = pytest.mark.asyncio


async def test_fix_view_copies_the_fix_as_a_command() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FixScreen)
        await pilot.press("x")
        command = app.clipboard
        assert command.startswith("# ") and "aws iam put-user-policy" in command
        assert "cat > sestui-fix-policy.json <<'SESTUI_POLICY'" in command
        assert '"AllowSesSending"' in command
        await pilot.press("c")
        assert app.clipboard.startswith("{")  # "copy policy" still copies the document
    checked = subprocess.run(["bash", "-n"], input=command, text=True, check=False)
    assert checked.returncode == 0
