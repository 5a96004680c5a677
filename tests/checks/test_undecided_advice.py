"""An UNDECIDED verdict that hangs on an unset request value: the first suggestion is to give
that value (naming the flag), and a fix that would allow the send whatever the value is says that
it drops the condition — never silently."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sestui.account import load_snapshot
from sestui.cli import main
from sestui.decide import Outcome, Overrides, Selection, run
from sestui.demo import demo_path
from tests.accounthelp import REGION, allow, doc, snapshot

SUPPORT = ["check", "--demo", "--user", "support-desk", "--region", "eu-west-1"]


def lines_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(argv)
    return code, capsys.readouterr().out.splitlines()


def test_the_first_suggestion_gives_the_from_address(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = lines_of([*SUPPORT, "--identity", "example.com"], capsys)
    assert code == 3
    # Right after the reasons, before the checks and their fixes.
    first = out.index("  first: give ses:fromaddress (--from ADDRESS) and check again")
    assert out[first - 1].startswith("  undecided: ")
    assert first < out.index("Checks")
    # The fix that allows any From address says it drops the condition, and what to do first.
    fixes = [line.strip() for line in out if line.strip().startswith("Fix: ")]
    assert fixes == [
        "Fix: Allow the sending actions on every resource of the request, whatever "
        "ses:fromaddress is: this drops the condition on ses:fromaddress; only if the request "
        "cannot give it (first give ses:fromaddress (--from ADDRESS) and check again)"
    ]
    # Following the first suggestion decides it.
    code, out = lines_of([*SUPPORT, "--from", "support@example.com"], capsys)
    assert code == 0 and out[0].startswith("ALLOWED")


def test_commands_start_with_the_value_to_give(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = lines_of([*SUPPORT, "--identity", "example.com", "--format", "commands"], capsys)
    assert code == 3
    assert out[0] == "# First: give ses:fromaddress (--from ADDRESS) and check again."
    assert "drops the condition on ses:fromaddress" in "\n".join(out)


def test_json_fix_title_carries_the_caveat(capsys: pytest.CaptureFixture[str]) -> None:
    main([*SUPPORT, "--identity", "example.com", "--format", "json"])
    text = capsys.readouterr().out
    assert "drops the condition on ses:fromaddress" in text
    json.loads(text)


def test_the_source_ip_flag_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    office = {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
    snap = tmp_path / "acct.json"
    snap.write_text(json.dumps(snapshot(inline=[doc(allow(Condition=office))])))
    argv = ["check", "--snapshot", str(snap), "--user", "app", "--region", REGION]
    argv += ["--from", "a@example.com"]
    code, out = lines_of(argv, capsys)
    assert code == 3
    assert "  first: give aws:sourceip (--source-ip IP) and check again" in out
    assert any("drops the condition on aws:sourceip" in line for line in out)
    code, out = lines_of([*argv, "--source-ip", "203.0.113.9"], capsys)
    assert code == 0


def test_only_fixes_that_decide_without_the_value_get_the_caveat() -> None:
    # Every fix of every undecided demo send (each principal, identity and region): the caveat
    # is there exactly when the fix allows the send with the values still unset.
    demo, _ = load_snapshot(demo_path())
    seen: set[bool] = set()
    for region, state in demo.regions.items():
        for p in demo.principals:
            for identity in state.identities:
                sel = Selection(p.arn, region, identity=identity, role=not p.is_user)
                verdict = run(demo, sel)
                if verdict.outcome is not Outcome.UNDECIDED or not verdict.missing_keys:
                    continue
                for c in verdict.checks:
                    if c.fix is not None:
                        after = run(demo, sel, Overrides().with_fix(c.fix)).outcome
                        caveat = "drops the condition" in c.fix.title
                        assert caveat == (after is Outcome.ALLOWED), (p.name, identity, c.check_id)
                        seen.add(caveat)
    assert True in seen
