"""The demo's organization: one delegate sender per cross-account failure mode and one that
works, beside the unchanged demo account."""

from __future__ import annotations

from typing import Any

import pytest

from sestui.cli import main
from sestui.demo import demo_organization_path
from sestui.demo.org import CENTRAL, IDENTITY_ARN, WORKLOAD_A, WORKLOAD_B, render_organization
from sestui.sources import SourceSpec, open_account, open_accounts


def test_shipped_organization_file_is_what_the_builder_writes() -> None:
    assert demo_organization_path().read_text(encoding="utf-8") == render_organization()


def test_demo_opens_the_demo_account_first() -> None:
    accounts, _ = open_accounts(SourceSpec(demo=True))
    assert [a.account_id for a in accounts] == ["111122223333", CENTRAL, WORKLOAD_A, WORKLOAD_B]
    assert {a.source for a in accounts} == {"demo account"}
    assert open_account(SourceSpec(demo=True))[0].account_id == "111122223333"


@pytest.mark.parametrize(
    ("user", "code", "words"),
    [
        ("orders-app", 0, "ALLOWED"),
        ("invoices-app", 1, f"not allowed by the identity policy of account {WORKLOAD_A}"),
        ("reports-app", 1, "does not allow this principal"),
        ("promo-app", 1, f"explicit Deny in a sending-authorization policy of account {CENTRAL}"),
        ("batch-app", 1, f"explicit Deny in a service control policy of account {WORKLOAD_B}"),
    ],
)
def test_demo_delegate_senders(capsys: Any, user: str, code: int, words: str) -> None:
    got = main(
        [
            "check",
            "--demo",
            "--user",
            user,
            "--region",
            "eu-west-1",
            "--identity",
            IDENTITY_ARN,
            "--via",
            "api-v1",
        ]
    )
    out = capsys.readouterr().out
    assert got == code, out
    assert words in out
