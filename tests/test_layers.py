"""The domain layers never import Textual or boto3 (checked in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

DOMAIN = ["sestui.policy", "sestui.policy.cases", "sestui.account", "sestui.checks"]


@pytest.mark.parametrize("module", DOMAIN)
def test_domain_module_imports_no_ui_or_aws(module: str) -> None:
    code = (
        f"import importlib, json, sys; importlib.import_module({module!r}); "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'boto3', 'botocore', 'rich'))))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(proc.stdout) == []
