"""The bundled demo account: one principal per cause of SES's 554 Access denied."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DEMO_FILE = "demo-account.json"
DEMO_ORGANIZATION_FILE = "demo-organization.json"  # the accounts beside it (delegate sending)


def demo_path() -> Path:
    return Path(str(resources.files(__package__).joinpath(DEMO_FILE)))


def demo_organization_path() -> Path:
    return Path(str(resources.files(__package__).joinpath(DEMO_ORGANIZATION_FILE)))
