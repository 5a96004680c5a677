"""`check --template NAME`: SES refuses a template the region does not have (TemplateDoesNotExist);
when the region's templates were not read, that is unknown, never a pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sestui.cli import main
from sestui.demo.build import build

# ops-admin has AmazonSESFullAccess: the policies allow every templated send.
CHECK = ["check", "--user", "ops-admin", "--region", "eu-west-1", "--from", "info@example.com"]
CHECK += ["--via", "api-v2", "--action", "ses:SendTemplatedEmail"]


def check(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().out


def test_an_existing_template_is_allowed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check([*CHECK, "--demo", "--template", "order-confirmation"], capsys)
    assert code == 0 and out.startswith("ALLOWED")


def test_a_template_missing_in_the_region_is_denied(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check([*CHECK, "--demo", "--template", "order-confirmaton"], capsys)
    assert code == 1
    assert out.splitlines()[0] == "DENIED  template order-confirmaton does not exist in eu-west-1"
    assert "TemplateDoesNotExist: Template order-confirmaton does not exist" in out
    assert "✗ resources              template order-confirmaton does not exist" in out
    # A template of another region does not count: templates are per region.
    code, out = check([*CHECK, "--demo", "--region", "us-east-1", "--from", "alerts@example.com",
                       "--template", "order-confirmation"], capsys)  # fmt: skip
    assert code == 1 and "template order-confirmation does not exist in us-east-1" in out


def test_templates_not_read_make_it_undecided_naming_the_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = build()
    data["ses"]["regions"]["eu-west-1"]["templates"] = None  # ListEmailTemplates was denied
    snap = tmp_path / "acct.json"
    snap.write_text(json.dumps(data))
    code, out = check([*CHECK, "--snapshot", str(snap), "--template", "order-confirmation"], capsys)
    assert code == 3
    assert out.splitlines()[0] == (
        "UNDECIDED  allowed by the policies read, but the templates of eu-west-1 were not read: "
        "template order-confirmation may not exist there"
    )
    assert "? resources              the templates of eu-west-1 were not read" in out
    # Without a template the unread list does not matter.
    code, _ = check([*CHECK[:-4], "--snapshot", str(snap)], capsys)
    assert code == 0


def test_json_says_denied_with_the_ses_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check([*CHECK, "--demo", "--template", "nope", "--format", "json"], capsys)
    verdict = json.loads(out)["verdict"]
    assert code == 1 and verdict["outcome"] == "denied"
    assert verdict["error_text"] == "TemplateDoesNotExist: Template nope does not exist"
