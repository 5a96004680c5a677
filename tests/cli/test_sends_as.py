"""`check --all --identity X` (who in every loaded account can send as X) and `check --all
--user P` (as which identities P can send), text and JSON, against the organization matrix."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sestui.cli import main
from sestui.decide import SendPath
from sestui.matrix.org import OrgMatrix
from sestui.sources import SourceSpec, open_accounts

NOTIFY = "arn:aws:ses:eu-west-1:222233334444:identity/notify.example.org"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_who_in_every_account_can_send_as_an_identity(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("check", "--demo", "--all", "--region", "eu-west-1", "--via", "api-v2")
    code, out, _ = run_cli(capsys, *args, "--identity", NOTIFY, "--format", "json")
    assert code == 0
    data: dict[str, Any] = json.loads(out)
    assert (data["schema"], data["identity"], data["via"]) == ("sestui-sends/1", NOTIFY, "api-v2")
    accounts = open_accounts(SourceSpec(demo=True))[0]
    central = accounts.account("222233334444")
    assert central is not None
    want = OrgMatrix(accounts, "eu-west-1", path=SendPath.API_V2).column(
        central, "notify.example.org"
    )
    assert {c["arn"]: c["outcome"] for c in data["cells"]} == {a: o.value for a, o in want.items()}
    assert {c["account"] for c in data["cells"]} == {"111122223333", "333344445555", "666677778888"}
    code, text, _ = run_cli(capsys, *args, "--identity", NOTIFY)
    assert code == 0
    assert "account 333344445555 (workload-a)\n  ✓ user orders-app\n  ✗ user invoices-app" in text
    assert text.rstrip().endswith("1 allowed, 17 denied, 0 undecided")


def test_as_which_identities_a_principal_can_send(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys, "check", "--demo", "--all", "--region", "eu-west-1", "--user", "orders-app"
    )
    assert code == 0
    assert "account 222233334444 (central-email)\n  ✓ notify.example.org" in out
    assert "  ✗ example.com" in out  # the demo account's identity: its policy does not name it
    code, out, _ = run_cli(
        capsys,
        "check",
        "--demo",
        "--all",
        "--region",
        "eu-west-1",
        "--user",
        "eu-mailer",
        "--format",
        "json",
    )
    data = json.loads(out)
    assert data["principal"] == "arn:aws:iam::111122223333:user/eu-mailer"
    cells = {c["arn"]: c["outcome"] for c in data["cells"]}
    assert cells[NOTIFY] == "denied"
    assert len(cells) == 7


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--identity", "example.com", "--user", "eu-mailer"), "give one of them"),
        (("--identity", "nosuch.example"), "no identity 'nosuch.example' in eu-west-1"),
        (("--user", "nosuch"), "no user or role 'nosuch' in any loaded account"),
        (
            ("--identity", "arn:aws:ses:us-east-1:222233334444:identity/notify.example.org"),
            "no such identity",
        ),
    ],
)
def test_what_is_not_there_is_exit_2(
    capsys: pytest.CaptureFixture[str], extra: tuple[str, ...], message: str
) -> None:
    code, _, err = run_cli(capsys, "check", "--demo", "--all", "--region", "eu-west-1", *extra)
    assert code == 2
    assert message in err


def test_an_identity_name_of_two_accounts_needs_its_arn(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from sestui.demo.build import build

    first = build()
    second = json.loads(json.dumps(first).replace("111122223333", "999988887777"))
    files = []
    for n, data in enumerate((first, second)):
        path = tmp_path / f"a{n}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        files += ["--snapshot", str(path)]
    base = ("check", *files, "--all", "--region", "eu-west-1", "--identity", "example.com")
    code, _, err = run_cli(capsys, *base)
    assert code == 2
    assert "'example.com' is an identity of 2 accounts" in err
    assert "arn:aws:ses:eu-west-1:999988887777:identity/example.com" in err
    code, out, _ = run_cli(capsys, *base, "--account", "999988887777", "--format", "json")
    assert code == 0
    assert json.loads(out)["identity"] == "arn:aws:ses:eu-west-1:999988887777:identity/example.com"
