"""The terminal: resizing, key mashing, very long names and policies, losing the terminal."""

from __future__ import annotations

import copy
import fcntl
import json
import os
import pty
import random
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Any

import pytest

from sestui.demo.build import build
from sestui.sources import SourceSpec
from sestui.tui.app import SestuiApp, StartAt
from sestui.tui.widgets.policy_view import PolicyBody
from tests.tui.conftest import demo_app, selection_of, settle, verdict_of


@pytest.mark.asyncio
async def test_resizing_keeps_the_selection_and_never_fails() -> None:
    app = demo_app(principal="contractor", region="eu-west-1", identity="partner.example.net")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        before = app.selection
        for size in ((200, 60), (100, 30), (80, 24), (60, 20), (61, 21), (200, 60), (120, 36)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            assert app.screen.size == size
        assert app.selection == before
        assert app.verdict is not None and verdict_of(app).outcome.value == "denied"


KEYS = [
    "j",
    "k",
    "up",
    "down",
    "tab",
    "shift+tab",
    "1",
    "2",
    "3",
    "4",
    "5",
    "n",
    "N",
    "left_square_bracket",
    "right_square_bracket",
    "e",
    "x",
    "m",
    "f",
    "c",
    "question_mark",
    "escape",
    "enter",
    "slash",
    "a",
    "@",
    "ctrl+s",
    "pageup",
    "pagedown",
    "home",
    "end",
    "space",
    "backspace",
    "left",
    "right",
]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "batches",
    [
        pytest.param(1, id="short"),
        # 2,400 keys: several minutes on 2 cores, so on demand (`pytest -m slow`).
        pytest.param(40, id="long", marks=pytest.mark.slow),
    ],
)
async def test_key_mashing_never_breaks_the_app(batches: int) -> None:
    rnd = random.Random(20261128)
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for batch in range(batches):
            keys = [rnd.choice(KEYS) for _ in range(60)]
            await pilot.press(*keys)
            if batch % 5 == 0:
                await settle(pilot)
        await settle(pilot)
        # Still running, still answering: esc leads back to the main screen (dialogs do not
        # stack up past what esc closes) and a fresh verdict.
        for _ in range(4):
            await pilot.press("escape")
        await settle(pilot)
        assert app.is_running and app.selection is not None
        assert len(app.screen_stack) == 1, [type(s).__name__ for s in app.screen_stack]
        await pilot.press("question_mark")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "HelpScreen"


def huge_snapshot(tmp_path: Path) -> Path:
    data = copy.deepcopy(build())
    user = data["iam"]["UserDetailList"][0]
    long_name = "a-very-long-user-name-" + "x" * 40
    for key in data["access_keys"]:  # the renamed user keeps its access key (SMTP needs one)
        if key["UserName"] == user["UserName"]:
            key["UserName"] = long_name
    user["UserName"] = long_name
    user["Arn"] = f"arn:aws:iam::111122223333:user/{'deep/' * 10}{long_name}"
    statements = [
        {
            "Sid": f"S{i}",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": [f"arn:aws:s3:::bucket-{i}/" + "k" * 150 + "/*"],
        }
        for i in range(1000)
    ]
    statements.append(
        {
            "Effect": "Allow",
            "Action": "ses:SendEmail",
            "Resource": "arn:aws:ses:eu-west-1:111122223333:identity/example.com",
        }
    )
    user["UserPolicyList"] = [
        {
            "PolicyName": "Huge" + "P" * 100,
            "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
        }
    ]
    ident = data["ses"]["regions"]["eu-west-1"]["identities"][2]  # example.org
    ident["IdentityName"] = "x" * 60 + ".example.org"
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.asyncio
async def test_long_names_and_a_ten_thousand_line_policy(tmp_path: Path) -> None:
    app = SestuiApp(
        SourceSpec(snapshot=str(huge_snapshot(tmp_path))),
        StartAt(region="eu-west-1", identity="example.com"),
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.selection is not None and selection_of(app).principal.endswith("x" * 40)
        body = app.query_one(PolicyBody)
        assert len(body.lines) > 10_000
        # The blamed statement is the last one: the view scrolled to it.
        assert body.scroll_offset.y > 9_000
        # Scrolling draws what is on screen, never the whole document: count the lines drawn.
        # Six keys draw a few hundred (frames of the few visible lines, scrolling animates); a view
        # that rendered the document even once would draw more than ten thousand.
        drawn: list[int] = []
        render_line = body.render_line

        def counted(y: int) -> Any:
            drawn.append(y)
            return render_line(y)

        body.render_line = counted  # type: ignore[method-assign]
        await pilot.press("5", "end", "home", "pagedown", "pagedown", "end")
        await settle(pilot)
        assert 0 < len(drawn) < 2_500, len(drawn)
        assert body.scroll_offset.y > 9_000 and app.focused is body
        await pilot.press("1", "j", "k")
        await settle(pilot)
        assert selection_of(app).principal == app.account.principals[0].arn  # type: ignore[union-attr]
        assert app.pane("principals").selected == app.account.principals[0].arn  # type: ignore[union-attr]
        assert selection_of(app).principal.endswith(
            "deep/" * 10 + "a-very-long-user-name-" + "x" * 40
        )


def test_losing_the_terminal_ends_the_process() -> None:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))

    def controlling_terminal() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        [sys.executable, "-m", "sestui.cli", "--demo"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
        env={**os.environ, "TERM": "xterm-256color"},
        preexec_fn=controlling_terminal,
    )
    os.close(slave)
    drawn = b""
    deadline = time.time() + 30
    while time.time() < deadline and b"Checks" not in drawn:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                drawn += os.read(master, 65536)
            except OSError:
                break
    assert b"Checks" in drawn
    os.close(master)  # the terminal goes away, as when an SSH connection drops
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("sestui kept running after its terminal went away")
