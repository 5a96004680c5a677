"""Regenerate screenshots/*.svg by driving the TUI headlessly on the demo account.

python scripts/screenshots.py        (then look at them: they are what the README shows)
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sestui.sources import SourceSpec  # noqa: E402
from sestui.tui.app import SestuiApp, StartAt  # noqa: E402
from tests.tui.conftest import settle  # noqa: E402

NOTIFY = "arn:aws:ses:eu-west-1:222233334444:identity/notify.example.org"
ORG = {"principal": "arn:aws:iam::333344445555:user/promo-app", "region": "eu-west-1"}
SHOTS: list[tuple[str, tuple[int, int], dict[str, Any], tuple[str, ...]]] = [
    (
        "overview-allowed",
        (120, 36),
        {"principal": "marketing-app", "region": "eu-west-1", "identity": "example.com"},
        (),
    ),
    (
        "denial-marked",
        (120, 36),
        {"principal": "iam-user-name", "region": "eu-west-1", "identity": "billing@example.com"},
        ("n",),
    ),
    (
        "scp-region-denial",
        (120, 36),
        {"principal": "ops-admin", "region": "eu-central-1", "identity": "example.com"},
        (),
    ),
    (
        "fix-view",
        (120, 36),
        {"principal": "newsletter", "region": "eu-west-1", "identity": "news.example.com"},
        ("4", "down", "down", "down", "down", "f"),
    ),
    (
        "check-explained",
        (120, 36),
        {"principal": "reporting", "region": "eu-west-1", "identity": "example.com"},
        (),
    ),
    (
        "not-an-identity",
        (120, 36),
        {"principal": "newsletter", "region": "us-east-1", "identity": "news.example.com"},
        (),
    ),
    ("matrix", (120, 36), {}, ("m",)),
    ("help", (100, 30), {}, ("question_mark",)),
    # --demo-org: several accounts, a delegate send denied by the owner's policy, and the
    # organization column.
    ("org-delegate-denied", (120, 36), {**ORG, "identity": NOTIFY}, ("n",)),
    ("org-who-can-send", (120, 36), {**ORG, "identity": NOTIFY}, ("m",)),
    (
        "layout-80x24",
        (80, 24),
        {"principal": "dev-sandbox", "region": "eu-west-1", "identity": "example.com"},
        (),
    ),
]


async def shoot(
    name: str, size: tuple[int, int], start: dict[str, Any], keys: tuple[str, ...]
) -> Path:
    org = name.startswith("org-")
    app = SestuiApp(SourceSpec(demo=True, demo_org=org), StartAt(**start) if start else None)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        app.save_screenshot(f"{name}.svg", path=str(ROOT / "screenshots"))
    return ROOT / "screenshots" / f"{name}.svg"


async def main() -> None:
    for name, size, start, keys in SHOTS:
        print(await shoot(name, size, start, keys))


if __name__ == "__main__":
    asyncio.run(main())
