"""Startup: the first frame is painted before boto3 is imported (checked in a fresh process)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import asyncio, sys
from sestui.sources import SourceSpec
from sestui.tui.app import SestuiApp

seen = {}

class Probe(SestuiApp):
    def load(self):
        seen["painted"] = bool(self.screen.size.width)
        seen["boto3_before_load"] = "boto3" in sys.modules
        return super().load()

async def main():
    app = Probe(SourceSpec())  # live: no credentials here, so it falls back to the demo
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(5):
            await pilot.pause()
            await app.workers.wait_for_complete()
        seen["boto3_after_load"] = "boto3" in sys.modules
        seen["source"] = app.account.source if app.account else None

asyncio.run(main())
print(seen)
"""


def test_first_paint_happens_before_boto3_is_imported(tmp_path: Path) -> None:
    script = tmp_path / "probe.py"
    script.write_text(SCRIPT)  # a subclass in another directory: the stylesheet must still load
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    proc = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = ast.literal_eval(proc.stdout.strip().splitlines()[-1])
    assert seen == {
        "painted": True,
        "boto3_before_load": False,
        "boto3_after_load": True,
        "source": "demo account",
    }
