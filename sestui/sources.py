"""Where an account comes from: the demo, a snapshot file, an IAM-only file, or live AWS."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # imported on use: the TUI paints its first frame before loading any of it
    from sestui.account import Account


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """What the user asked to open."""

    demo: bool = False
    snapshot: str | None = None
    iam_json: str | None = None
    profile: str | None = None
    regions: tuple[str, ...] | None = None  # None: every SES region
    org_profile: str | None = None

    @property
    def live(self) -> bool:
        return not (self.demo or self.snapshot or self.iam_json)

    def describe(self) -> str:
        if self.demo:
            return "demo account"
        if self.snapshot:
            return f"snapshot {self.snapshot}"
        if self.iam_json:
            return f"IAM file {self.iam_json}"
        return f"AWS profile {self.profile or 'default'}"


def parse_regions(text: str | None) -> tuple[str, ...] | None:
    if not text or text.strip().lower() == "all":
        return None
    return tuple(r.strip() for r in text.split(",") if r.strip())


def read_live(spec: SourceSpec, progress: Callable[[Any], None] | None = None) -> dict[str, Any]:
    """Read the account live; boto3 is imported only here, on first use."""
    from sestui.aws.readers import read_account
    from sestui.aws.session import AwsSession

    session = AwsSession(profile=spec.profile)
    org = AwsSession(profile=spec.org_profile) if spec.org_profile else None
    return read_account(
        session,
        regions=list(spec.regions) if spec.regions else None,
        org_session=org,
        progress=progress,
    )


def open_account(
    spec: SourceSpec, progress: Callable[[Any], None] | None = None
) -> tuple[Account, dict[str, Any]]:
    """The account model and the snapshot data behind it. Raises SnapshotError / AwsReadError."""
    from sestui.account import load_iam_json, load_snapshot
    from sestui.demo import demo_path

    if spec.demo:
        account, data = load_snapshot(demo_path())
        return _with_source(account, "demo account"), data
    if spec.snapshot:
        return load_snapshot(Path(spec.snapshot))
    if spec.iam_json:
        return load_iam_json(Path(spec.iam_json))
    from sestui.account import account_from_snapshot

    data = read_live(spec, progress)
    return account_from_snapshot(data, f"live: {spec.describe()}"), data


def _with_source(account: Account, source: str) -> Account:
    from dataclasses import replace

    return replace(account, source=source)


def has_credentials(profile: str | None) -> bool:
    """Whether the standard credential chain finds anything (no network call)."""
    import boto3

    try:
        return boto3.Session(profile_name=profile).get_credentials() is not None
    except Exception:
        return False


def print_progress(stream: TextIO | None = None) -> Callable[[Any], None]:
    def show(p: Any) -> None:
        out = stream or sys.stderr  # looked up now: the CLI's escaping stream, not the raw one
        where = f" {p.region}" if p.region else ""
        out.write(
            f"  {p.service}{where}: {p.message}  "
            f"[{p.regions_done}/{p.regions_total} regions, {p.calls} calls]\n"
        )
        out.flush()

    return show
