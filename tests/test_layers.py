"""The domain layers never import Textual or boto3 (checked in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

DOMAIN = [
    "sestui.policy",
    "sestui.policy.cases",
    "sestui.account",
    "sestui.verdict",
    "sestui.checks",
    "sestui.decide",
    "sestui.explain",
    "sestui.matrix",
    "sestui.report",
]


@pytest.mark.parametrize("module", DOMAIN)
def test_domain_module_imports_no_ui_or_aws(module: str) -> None:
    code = (
        f"import importlib, json, pkgutil, sys; m = importlib.import_module({module!r}); "
        "[importlib.import_module(i.name) for i in "
        "pkgutil.walk_packages(getattr(m, '__path__', []), m.__name__ + '.')]; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'boto3', 'botocore', 'rich'))))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(proc.stdout) == []
