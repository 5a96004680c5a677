"""`sestui eval`: the neutral case format in, decisions out; one bad case never stops the rest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sestui.cli import main
from tests.paths import DATA, ROOT

EXAMPLES = ROOT.parent / "shared" / "examples" / "cases.json"
LOCAL_CASES = DATA / "cases.json"


def _cases_file() -> Path:
    return EXAMPLES if EXAMPLES.exists() else LOCAL_CASES


def test_every_worked_example_agrees(tmp_path: Path) -> None:
    cases = json.loads(_cases_file().read_text())
    out = tmp_path / "out.json"
    assert main(["eval", str(_cases_file()), "--out", str(out)]) == 0
    results = json.loads(out.read_text())
    assert [r["id"] for r in results] == [c["id"] for c in cases]
    wrong = [
        (r["id"], r["decision"], c["expected"])
        for r, c in zip(results, cases, strict=True)
        if r["decision"] != c["expected"]
    ]
    assert wrong == []
    assert len(cases) >= 40
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_bad_case_gets_an_error_and_the_rest_go_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = {
        "id": "ok",
        "principal": "arn:aws:iam::111122223333:user/u",
        "action": "ses:SendEmail",
        "resource": "*",
        "identity_policies": [
            '{"Version":"2012-10-17","Statement":'
            '{"Effect":"Allow","Action":"ses:*","Resource":"*"}}'
        ],
    }
    bad = dict(
        good,
        id="bad",
        identity_policies=[
            {"Statement": [{"Effect": "Maybe", "Action": "ses:*", "Resource": "*"}]}
        ],
    )
    broken_json = dict(good, id="json", identity_policies=['{"Statement": [}'])
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([good, bad, broken_json, "nonsense"]))
    assert main(["eval", str(path)]) == 0
    results = json.loads(capsys.readouterr().out)
    assert results[0] == {"id": "ok", "decision": "Allowed"}
    assert results[1]["decision"] is None
    assert "identity_policies[0], Statement[0], Effect" in results[1]["error"]
    assert "line 1" in results[2]["error"]
    assert results[3]["id"] == 3 and "must be a JSON object" in results[3]["error"]


def test_unreadable_or_malformed_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": 1,')
    assert main(["eval", str(bad)]) == 2
    assert "line 1" in capsys.readouterr().err


def test_console_script_reads_stdin() -> None:
    case = [
        {
            "id": "s",
            "principal": "arn:aws:iam::111122223333:user/u",
            "action": "ses:SendEmail",
            "resource": "*",
            "identity_policies": [],
        }
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "sestui.cli", "eval", "-"],
        input=json.dumps(case),
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ},
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [{"id": "s", "decision": "ImplicitlyDenied"}]
