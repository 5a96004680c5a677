"""`check --from A --identity I`: both are honoured when they name the same identity (the one SES
authorizes for A); when they disagree, exit 2 naming both — never one silently dropped."""

from __future__ import annotations

import pytest

from sestui.cli import main

BASE = ["check", "--demo", "--user", "iam-user-name", "--region", "eu-west-1"]


def test_agreeing_flags_are_checked_together(capsys: pytest.CaptureFixture[str]) -> None:
    arn = "arn:aws:ses:eu-west-1:111122223333:identity/example.com"
    for identity in ("example.com", "EXAMPLE.com", arn):
        assert main([*BASE, "--from", "info@example.com", "--identity", identity]) == 0
        out = capsys.readouterr().out
        assert out.startswith("ALLOWED  iam-user-name may send as identity/example.com")


@pytest.mark.parametrize(
    ("from_address", "identity", "resolved"),
    [
        # billing@example.com is verified itself: SES authorizes that identity, not the domain.
        ("billing@example.com", "example.com", "billing@example.com"),
        ("info@example.com", "marketing.example.com", "example.com"),
        ("info@example.com", "billing@example.com", "example.com"),
    ],
)
def test_disagreeing_flags_are_refused_naming_both(
    capsys: pytest.CaptureFixture[str], from_address: str, identity: str, resolved: str
) -> None:
    assert main([*BASE, "--from", from_address, "--identity", identity]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        f"sestui check: --from {from_address} is sent as identity {resolved}, but --identity "
        f"names {identity}: give one of them, or the identity the From address resolves to"
    )


def test_each_flag_alone_still_works(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*BASE, "--from", "billing@example.com"]) == 1  # the email identity denies
    assert main([*BASE, "--identity", "example.com"]) == 0
    capsys.readouterr()


def test_another_accounts_identity_is_a_delegate_send(capsys: pytest.CaptureFixture[str]) -> None:
    # The From address belongs to the owner's identity: checked as given, not refused.
    delegate = "arn:aws:ses:eu-west-1:444455556666:identity/partner.example"
    code = main([*BASE, "--from", "news@partner.example", "--identity", delegate])
    assert code in (1, 3)
    assert "--identity names" not in capsys.readouterr().err
