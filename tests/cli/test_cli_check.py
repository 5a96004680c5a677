"""`sestui check` and `sestui explain`: exit codes, text output, the JSON schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sestui.cli import main
from sestui.demo.build import build

DENIAL = (
    "554 Access denied: User `arn:aws:iam::111122223333:user/iam-user-name' is not "
    "authorized to perform `ses:SendRawEmail' on resource "
    "`arn:aws:ses:eu-west-1:111122223333:identity/billing@example.com'"
)


def sestui(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sestui.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def test_exit_codes_allowed_denied_undecided(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["check", "--demo", "--region", "eu-west-1"]
    assert main([*base, "--user", "iam-user-name", "--from", "info@example.com"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ALLOWED") and "✓ identity-policy" in out
    assert main([*base, "--user", "iam-user-name", "--from", "billing@example.com"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("DENIED") and DENIAL in out
    assert '18 │       "Resource": "arn:aws:ses:eu-west-1:111122223333:identity/example.com"' in out
    assert main([*base, "--user", "support-desk", "--identity", "example.com"]) == 3
    assert "undecided: the decision hangs on request values left unset: ses:fromaddress" in (
        capsys.readouterr().out
    )
    assert (
        main(
            [
                *base,
                "--user",
                "support-desk",
                "--identity",
                "example.com",
                "--from",
                "support@example.com",
            ]
        )
        == 0
    )


def test_bad_usage_and_bad_input_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "check",
                "--demo",
                "--region",
                "eu-west-1",
                "--user",
                "ghost",
                "--from",
                "a@example.com",
            ]
        )
        == 2
    )
    assert "no user or role 'ghost'" in capsys.readouterr().err
    assert main(["check", "--demo", "--region", "eu-west-1", "--user", "x"]) == 2
    truncated = tmp_path / "t.json"
    truncated.write_text(json.dumps(build())[:5000])
    assert (
        main(
            [
                "check",
                "--snapshot",
                str(truncated),
                "--region",
                "eu-west-1",
                "--user",
                "iam-user-name",
                "--from",
                "a@example.com",
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert str(truncated) in err and "not valid JSON" in err and "Traceback" not in err
    assert (
        main(
            [
                "check",
                "--demo",
                "--region",
                "eu-west-1",
                "--user",
                "reporting",
                "--from",
                "a@example.com",
                "--tag",
                "novalue",
            ]
        )
        == 2
    )
    proc = sestui(
        "check",
        "--snapshot",
        str(tmp_path / "nope.json"),
        "--region",
        "eu-west-1",
        "--user",
        "a",
        "--from",
        "a@example.com",
    )
    assert proc.returncode == 2 and "cannot read" in proc.stderr and "Traceback" not in proc.stderr


def test_json_schema() -> None:
    proc = sestui(
        "check",
        "--demo",
        "--region",
        "eu-west-1",
        "--user",
        "newsletter",
        "--from",
        "hi@news.example.com",
        "--format",
        "json",
    )
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["schema"] == "sestui-check/1"
    assert data["selection"]["principal"] == "arn:aws:iam::111122223333:user/newsletter"
    verdict = data["verdict"]
    assert verdict["outcome"] == "denied" and verdict["exit_code"] == 1
    assert verdict["deciding_policy_type"] == "identity"
    assert "configuration-set/newsletter-tracking" in verdict["error_text"]
    assert {d["resource_type"] for d in verdict["decisions"]} == {"identity", "configuration-set"}
    checks = {c["id"]: c for c in data["checks"]}
    assert len(checks) == 11
    res = checks["resources"]
    assert res["status"] == "fail"
    f = res["findings"][0]
    assert set(f) == {
        "policy_kind",
        "policy_name",
        "policy_arn",
        "via",
        "statement",
        "sid",
        "lines",
        "effect",
        "reason",
    }
    assert f["policy_name"] == "NewsOnly" and f["lines"] == [4, 11]
    assert res["fix"]["kind"] == "replace-policy"
    assert res["fix"]["document"]["Statement"][0]["Resource"][-1].endswith(
        "configuration-set/newsletter-tracking"
    )


def test_explain_runs_the_checks_on_the_parsed_selection() -> None:
    proc = sestui("explain", "--demo", DENIAL)
    assert proc.returncode == 1
    assert "Parsed: arn:aws:iam::111122223333:user/iam-user-name" in proc.stdout
    assert "✗ identity-resolution" in proc.stdout
    proc = sestui("explain", "--demo", "-", stdin=DENIAL.replace("billing@", ""))
    # The same user is allowed on the domain: the error contradicts what was read (issue 10 §5).
    assert proc.returncode == 3 and "the error says denied, but every policy" in proc.stdout
    proc = sestui("explain", "--demo", "--format", "json", DENIAL)
    assert json.loads(proc.stdout)["verdict"]["outcome"] == "denied"


def test_explain_other_errors_and_garbage() -> None:
    proc = sestui(
        "explain",
        "--demo",
        "554 Message rejected: Email address is not verified. The "
        "following identities failed the check in region EU-WEST-1: x@example.org",
    )
    assert proc.returncode == 1
    assert (
        "not-verified" in proc.stdout and "x@example.org: not verified in eu-west-1" in proc.stdout
    )
    proc = sestui("explain", "535 Authentication Credentials Invalid")
    assert proc.returncode == 1 and "derived from the secret key AND the region" in proc.stdout
    proc = sestui("explain", "hello world")
    assert proc.returncode == 2 and "does not look like an SES error" in proc.stderr
    other = DENIAL.replace("111122223333", "999999999999")
    proc = sestui("explain", "--demo", other)
    assert proc.returncode == 2 and "names account 999999999999" in proc.stderr


def test_matrix() -> None:
    proc = sestui("check", "--demo", "--all", "--region", "eu-west-1", "--format", "json")
    assert proc.returncode == 0
    m = json.loads(proc.stdout)
    assert m["schema"] == "sestui-matrix/1"
    row = m["principals"].index("arn:aws:iam::111122223333:user/iam-user-name")
    cells = dict(zip(m["identities"], m["cells"][row], strict=True))
    assert cells["example.com"] == "allowed" and cells["billing@example.com"] == "denied"
    proc = sestui("check", "--demo", "--all", "--region", "eu-west-1")
    assert "user iam-user-name" in proc.stdout and "┌ billing@example.com" in proc.stdout


def test_no_credentials_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["check", "--region", "eu-west-1", "--user", "a", "--from", "a@b.c"]) == 2
    assert "no AWS credentials found" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--user", "nobody", "--region", "eu-west-1"], "give --from or --identity (or --all)"),
        (["--from", "a@example.com", "--region", "eu-west-1"], "give --user or --role (or --all)"),
        (["--region", "eu-west-1"], "give --user or --role and --from or --identity (or --all)"),
    ],
    ids=["from-missing", "principal-missing", "both-missing"],
)
def test_check_names_only_the_flags_missing(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--demo", *argv]) == 2
    assert capsys.readouterr().err.strip() == f"sestui check: {message}"


def test_all_shows_the_account_asked_for_or_refuses(capsys: pytest.CaptureFixture[str]) -> None:
    # The demo loads its organization too: the central email account owns notify.example.org.
    assert (
        main(["check", "--demo", "--all", "--region", "eu-west-1", "--account", "222233334444"])
        == 0
    )
    out = capsys.readouterr().out
    assert "notify.example.org" in out and "example.com" not in out.replace("notify.example", "")
    assert (
        main(["check", "--demo", "--all", "--region", "eu-west-1", "--account", "123456789012"])
        == 2
    )
    assert "--account 123456789012 is not loaded (loaded: 111122223333" in capsys.readouterr().err
