"""Terminal escapes: the sanitiser itself, and every CLI output of an adversarial snapshot
(`check` text and JSON, `check --all`, `explain`, `snapshot`'s gap list, `eval`, error messages)
holds no control, format or bidi character from the data."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from sestui.cli import main
from sestui.textsafe import (
    UNSAFE,
    SafeStream,
    json_text,
    terminal_lines,
    visible,
    visible_lines,
)
from tests.hostile import FORBIDDEN, PAYLOAD, hostile_snapshot

SHOWN = "\\x1b]52;c;aGFja2Vk\\x07"  # the payload as text output shows it
SHOWN_JSON = "\\u001b]52;c;aGFja2Vk\\u0007"  # ... and as JSON does
USER = "iam-user-name" + PAYLOAD
DENIAL = (
    "554 Access denied: User `arn:aws:iam::111122223333:user/" + USER + "' is not authorized "
    "to perform `ses:SendRawEmail' on resource `arn:aws:ses:eu-west-1:111122223333:identity/"
    "example.com" + PAYLOAD + "'"
)


def test_every_control_format_and_bidi_character_is_unsafe() -> None:
    kinds = {"Cc", "Cf", "Cs", "Zl", "Zp"}
    missing = [
        f"U+{cp:04X}"
        for cp in range(0x110000)
        if unicodedata.category(chr(cp)) in kinds and not UNSAFE.match(chr(cp))
    ]
    assert not missing
    assert not UNSAFE.search("plain ASCII ~ é ✓ 日本 \U0001f600 \ue000")


def test_escapes_are_visible_and_python_like() -> None:
    assert visible("a\x1b]0;x\x07\n\t\r\x7f\x9b\u202e\u2066\U000e0041b") == (
        "a\\x1b]0;x\\x07\\n\\t\\r\\x7f\\x9b\\u202e\\u2066\\U000e0041b"
    )
    assert visible_lines("a\nb\tc\x1b") == "a\nb\tc\\x1b"
    assert visible("\ud800") == "\\ud800"  # a lone surrogate: not even encodable
    same = "nothing to do"
    assert visible(same) is same


def test_json_text_escapes_c1_bidi_and_tags_and_round_trips() -> None:
    value = {"k\u202e": ["\x1b\x7f\x9b\u2028é✓\U000e0041\U0001f600"]}
    text = json_text(value)
    assert not FORBIDDEN.search(text.replace("\n", ""))
    assert "é✓\\udb40\\udc41\U0001f600" in text  # other non-ASCII stays readable
    assert json.loads(text) == value


def test_colour_codes_are_ours_only() -> None:
    out = terminal_lines([[("DENIED", "1;31"), "  bob\x1b[2J\nforged"]], colour=True)
    assert out == "\x1b[1;31mDENIED\x1b[0m  bob\\x1b[2J\\nforged\n"
    stream = io.StringIO()
    SafeStream(stream).write(out)  # already safe: written as is
    SafeStream(stream).write("x\x1b]52;c;eA==\x07\n")
    assert stream.getvalue() == out + "x\\x1b]52;c;eA==\\x07\n"


@pytest.fixture
def evil(tmp_path: Path) -> str:
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(hostile_snapshot()))
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse
        code = int(exc.code or 0)
    cap = capsys.readouterr()
    for name, text in (("stdout", cap.out), ("stderr", cap.err)):
        bad = FORBIDDEN.findall(text.replace("\n", ""))
        assert not bad, f"{argv[:2]} {name}: raw {sorted(set(bad))}"
    return code, cap.out + cap.err


def test_check_text_and_json(evil: str, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["check", "--snapshot", evil, "--region", "eu-west-1", "--user", USER]
    # A hostile flag value is refused as no SES identity AWS could receive, and the refusal
    # names it escaped.
    code, out = run(capsys, *base, "--identity", "example.com" + PAYLOAD, "-v")
    assert code == 2 and SHOWN in out
    # The account's own names carry the payload (the identity is then not one of the account's).
    code, out = run(capsys, *base, "--identity", "example.com", "-v")
    assert code in (1, 3) and SHOWN in out
    assert f"user {visible(USER)} · eu-west-1" in out
    code, out = run(capsys, *base, "--identity", "example.com", "--format", "json")
    assert json.loads(out)["selection"]["principal"].endswith(USER)
    assert SHOWN_JSON in out
    for who in ("contractor", "billing-app", "smtp-wordpress", "marketing-app"):
        for identity in ("billing@example.com", "example.com", "support@example.com"):
            argv = ["check", "--snapshot", evil, "--region", "eu-west-1", "-v"]
            run(capsys, *argv, "--user", who + PAYLOAD, "--identity", identity + PAYLOAD)
            run(capsys, *argv, "--user", who + PAYLOAD, "--from", "x@" + identity + PAYLOAD)


def test_scps_not_read_for_a_hostile_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "org.json"
    path.write_text(json.dumps(hostile_snapshot(org_unknown=True)))
    argv = ["check", "--snapshot", str(path), "--region", "eu-west-1", "--user", USER, "-v"]
    code, out = run(capsys, *argv, "--identity", "example.com")
    assert code in (1, 3) and "denied" + SHOWN in out
    _, out = run(capsys, *argv, "--identity", "example.com", "--format", "json")
    assert "denied" + SHOWN_JSON in out


def test_check_all_text_and_json(evil: str, capsys: pytest.CaptureFixture[str]) -> None:
    for region in ("eu-west-1", "us-east-1"):
        code, out = run(capsys, "check", "--all", "--snapshot", evil, "--region", region)
        assert code == 0 and SHOWN in out
        code, out = run(capsys, "check", "--all", "--snapshot", evil, "--region", region,
                        "--format", "json")  # fmt: skip
        assert SHOWN_JSON in out and json.loads(out)["region"] == region


def test_explain_echoes_pasted_text_escaped(evil: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "explain", DENIAL, "--snapshot", evil)
    code, out = run(capsys, "explain", DENIAL, "--snapshot", evil, "--format", "json")
    not_verified = (
        "Email address is not verified. The following identities failed the check in region "
        "EU-WEST-1: a@b.com" + PAYLOAD
    )
    code, out = run(capsys, "explain", not_verified, "--snapshot", evil)
    assert code == 1 and SHOWN in out
    code, out = run(capsys, "explain", not_verified, "--format", "json")
    assert SHOWN_JSON in out
    code, out = run(capsys, "explain", "garbage" + PAYLOAD)
    assert code == 2


def test_error_messages_echo_flags_and_file_names_escaped(
    evil: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "check", "--snapshot", evil, "--region", "eu-west-1",
                    "--user", "ghost" + PAYLOAD, "--identity", "x.example")  # fmt: skip
    assert code == 2 and "ghost" + SHOWN in out
    missing = str(tmp_path / ("no" + PAYLOAD + ".json"))
    code, out = run(capsys, "check", "--snapshot", missing, "--region", "eu-west-1",
                    "--user", "u", "--identity", "x.example")  # fmt: skip
    assert code == 2 and "no" + SHOWN in out
    code, out = run(capsys, "check", "--via", "smtp" + PAYLOAD)  # argparse's own message
    assert code == 2
    code, out = run(capsys, "check", "--demo", "--region", "eu-west-1", "--user", "u",
                    "--identity", "x.example", "--tag", "novalue" + PAYLOAD)  # fmt: skip
    assert code == 2 and "novalue" + SHOWN in out


def test_snapshot_gap_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sestui.sources

    def fake_read(spec: Any, progress: Any, secrets: Any = None) -> dict[str, Any]:
        progress(
            type(
                "P",
                (),
                {
                    "service": "ses" + PAYLOAD,
                    "region": "eu-west-1",
                    "calls": 1,
                    "message": "listing" + PAYLOAD,
                    "regions_done": 0,
                    "regions_total": 1,
                },
            )()
        )
        return hostile_snapshot()

    monkeypatch.setattr(sestui.sources, "read_live", fake_read)
    code, out = run(capsys, "snapshot", "--regions", "eu-west-1", "-o", str(tmp_path / "s.json"))
    assert code == 0
    assert "unknown: configuration sets" + SHOWN in out and "listing" + SHOWN in out
    written = (tmp_path / "s.json").read_text("utf-8")  # `cat` of the file is safe too
    assert not FORBIDDEN.search(written.replace("\n", ""))
    assert json.loads(written) == json.loads(json.dumps(hostile_snapshot()))


def test_eval_output_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = {
        "id": "evil" + PAYLOAD,
        "principal": "arn:aws:iam::111122223333:user/u" + PAYLOAD,
        "action": "ses:SendRawEmail",
        "resource": "arn:aws:ses:eu-west-1:111122223333:identity/example.com",
        "context": {"ses:FromAddress": "a@example.com" + PAYLOAD},
        "identity_policies": [
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "S" + PAYLOAD,
                        "Effect": "Allow",
                        "Action": "ses:*",
                        "Resource": "*",
                        "Condition": {"StringLike": {"ses:FromAddress": "*" + PAYLOAD}},
                    }
                ],
            }
        ],
    }
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps([case]))
    code, out = run(capsys, "eval", str(cases))
    assert code == 0 and SHOWN_JSON in out and json.loads(out)[0]["id"] == case["id"]
    written = tmp_path / "out.json"
    run(capsys, "eval", str(cases), "--out", str(written))
    assert not FORBIDDEN.search(written.read_text().replace("\n", ""))
    cases.write_text("[" + PAYLOAD)  # the parse error quotes the text it stopped at
    code, out = run(capsys, "eval", str(cases))
    assert code == 2


def test_a_real_process_writes_no_control_bytes(evil: str) -> None:
    """The bytes a terminal would receive from `sestui check` (colour forced off by the pipe)."""
    proc = subprocess.run(
        [sys.executable, "-m", "sestui.cli", "check", "--snapshot", evil, "--region",
         "eu-west-1", "--user", USER, "--identity", "example.com", "-v"],
        capture_output=True,
        check=False,
    )  # fmt: skip
    for stream in (proc.stdout, proc.stderr):
        text = stream.decode("utf-8")
        assert not FORBIDDEN.search(text.replace("\n", ""))
    assert SHOWN.encode() in proc.stdout
