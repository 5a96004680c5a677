"""Where an account comes from: the demo, a snapshot file, an IAM-only file, or live AWS."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from sestui.progress import ProgressFn

if TYPE_CHECKING:
    from sestui.account.formats import SnapshotV1

if TYPE_CHECKING:  # imported on use: the TUI paints its first frame before loading any of it
    from sestui.account import Account
    from sestui.account.accountset import AccountSet


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """What the user asked to open."""

    demo: bool = False
    snapshot: str | None = None
    iam_json: str | None = None
    profile: str | None = None
    regions: tuple[str, ...] | None = None  # None: every SES region
    org_profile: str | None = None
    more_snapshots: tuple[str, ...] = ()  # --snapshot given again: loaded with `snapshot`
    demo_org: bool = False  # --demo-org: the demo account with its organization (in the TUI)

    @property
    def live(self) -> bool:
        return not (self.demo or self.snapshot or self.iam_json)

    def describe(self) -> str:
        if self.demo and self.demo_org:
            return "demo organization"
        if self.demo:
            return "demo account"
        if self.snapshot:
            return ", ".join(f"snapshot {s}" for s in (self.snapshot, *self.more_snapshots))
        if self.iam_json:
            return f"IAM file {self.iam_json}"
        return f"AWS profile {self.profile or 'default'}"


def parse_regions(text: str | None) -> tuple[str, ...] | None:
    if not text or text.strip().lower() == "all":
        return None
    return tuple(r.strip() for r in text.split(",") if r.strip())


def read_live(
    spec: SourceSpec,
    progress: ProgressFn | None = None,
    *,
    secrets: list[str] | None = None,
) -> SnapshotV1:
    """Read the account live; boto3 is imported only here, on first use.

    `secrets`, when given, receives the secret key and session token the read signed with, so
    that a writer can make sure none of them is in what it writes.

    The boundary of every live read: whatever botocore raises (unknown profile, a config file
    it cannot parse, partial or failing credentials, an unreachable endpoint, a reply it cannot
    parse) leaves as an AwsReadError that says what failed and what to do.
    """
    from sestui.aws.readers import read_account
    from sestui.aws.session import AwsSession

    with _live_boundary(spec):
        session = AwsSession(profile=spec.profile)
        org = AwsSession(profile=spec.org_profile) if spec.org_profile else None
        data = read_account(
            session,
            regions=_checked_regions(session, spec.regions),
            org_session=org,
            progress=progress,
        )
        if secrets is not None:
            for s in (session, org):
                secrets.extend(s.secret_values() if s else ())
        return data


def _checked_regions(session: Any, regions: tuple[str, ...] | None) -> list[str] | None:
    """--regions as given, each one a region where SES is offered (else AwsReadError)."""
    from sestui.aws.errors import AwsReadError

    if regions is None:
        return None
    known = session.ses_regions()
    if not regions:
        raise AwsReadError("--regions names no region (give e.g. eu-west-1,us-east-1)")
    unknown = [r for r in regions if r not in known]
    if unknown:
        raise AwsReadError(
            f"--regions: {', '.join(repr(r) for r in unknown)} is not a region where "
            f"SES is offered (known: {', '.join(known)})"
        )
    return list(regions)


def read_org(
    spec: SourceSpec,
    role: str,
    accounts: str | None = None,
    progress: ProgressFn | None = None,
    *,
    secrets: list[str] | None = None,
) -> dict[str, Any]:
    """Read every active account of the organization (`sestui-snapshot/2`), assuming `role`.

    The credentials of `spec.profile` are the management account's (or a delegated
    administrator's). Bad flags are refused before any AWS call; failures leave as AwsReadError
    through the same boundary as a single-account read; an unreadable account is recorded.
    """
    from sestui.aws.errors import AwsReadError
    from sestui.aws.orgread import check_role_name, parse_accounts, read_organization
    from sestui.aws.session import AwsSession

    role = check_role_name(role)
    wanted = parse_accounts(accounts)
    if spec.org_profile:
        raise AwsReadError(
            "--org-profile does not go with --org-role: the organization is read with the "
            "credentials of --profile (the management account or a delegated administrator)"
        )
    with _live_boundary(spec):
        session = AwsSession(profile=spec.profile)
        return read_organization(
            session,
            role,
            accounts=wanted,
            regions=_checked_regions(session, spec.regions),
            progress=progress,
            secrets=secrets,
        )


def save_org_snapshot(data: dict[str, Any], path: Path, *, secrets: list[str]) -> None:
    """Validate every account as a `sestui-snapshot/1` object, refuse secrets, write atomically.

    `secrets`: every secret key and session token the read signed with (the management
    credentials and each assumed role's); none of them may be anywhere in the text.
    """
    from sestui.account import FORMAT, SnapshotError, account_from_snapshot
    from sestui.account.files import refuse_secrets
    from sestui.fileio import write_output
    from sestui.textsafe import json_text

    for i, entry in enumerate(data["accounts"]):
        single = {"format": FORMAT, **entry}
        try:
            account_from_snapshot(single)
            refuse_secrets(single)
        except SnapshotError as exc:
            raise SnapshotError(
                exc.message, path=f"accounts[{i}]" + (f".{exc.path}" if exc.path else "")
            ) from None
    text = json_text(data, indent=1, default=str) + "\n"
    for secret in secrets:
        if secret and len(secret) >= 16 and secret in text:
            raise SnapshotError(
                "refusing to write a secret into a snapshot: a credential of the read"
            )
    write_output(path, text)


@contextmanager
def _live_boundary(spec: SourceSpec) -> Iterator[None]:
    from sestui.aws.errors import AwsReadError, describe_failure

    try:
        yield
    except AwsReadError:
        raise
    except (KeyError, TypeError) as exc:
        # A reply without a field every AWS reply has: the endpoint is not AWS (or not whole).
        raise AwsReadError(
            f"an AWS reply lacked what it always holds ({type(exc).__name__} {exc}); if "
            "AWS_ENDPOINT_URL is set, is it an AWS endpoint?"
        ) from exc
    except Exception as exc:
        profile = spec.org_profile if _names_profile(exc, spec.org_profile) else spec.profile
        message = describe_failure(exc, profile)
        if message is None:
            raise
        raise AwsReadError(message) from exc


def _names_profile(exc: BaseException, profile: str | None) -> bool:
    return bool(profile) and getattr(exc, "kwargs", {}).get("profile") == profile


def open_account(
    spec: SourceSpec, progress: ProgressFn | None = None
) -> tuple[Account, dict[str, Any]]:
    """The (primary) account model and the snapshot data behind it. Raises SnapshotError /
    AwsReadError."""
    if spec.demo:
        # The views of one account (the TUI) show the demo account: its organization, which
        # they would not show, is not read.
        from sestui.account import load_snapshot
        from sestui.demo import demo_path

        account, data = load_snapshot(demo_path())
        return _with_source(account, "demo account"), data
    accounts, data = open_accounts(spec, progress)
    return accounts.primary, data


def open_accounts(
    spec: SourceSpec, progress: ProgressFn | None = None
) -> tuple[AccountSet, dict[str, Any]]:
    """Every account the source holds (an organization snapshot, several files) and the data
    of the one file behind them ({} for several files)."""
    from sestui.account import load_iam_json
    from sestui.account.accountset import AccountSet
    from sestui.account.orgsnapshot import load_account_set, load_account_sets
    from sestui.demo import demo_organization_path, demo_path

    if spec.demo:
        # The demo account first (every single-account view shows it), then its organization.
        primary, data = load_account_set(demo_path())
        organization = load_account_set(demo_organization_path())[0]
        accounts = replace(organization, accounts=primary.accounts + organization.accounts)
        source = spec.describe()
        return (
            replace(
                accounts,
                accounts=tuple(_with_source(a, source) for a in accounts),
                source=source,
            ),
            data,
        )
    if spec.snapshot and spec.more_snapshots:
        paths = [Path(p) for p in (spec.snapshot, *spec.more_snapshots)]
        return load_account_sets(paths), {}
    if spec.snapshot:
        return load_account_set(Path(spec.snapshot))
    if spec.iam_json:
        account, data = load_iam_json(Path(spec.iam_json))
        return AccountSet((account,), source=account.source), data
    from sestui.account import account_from_snapshot

    live = read_live(spec, progress)
    account = account_from_snapshot(live, f"live: {spec.describe()}")
    return AccountSet((account,), source=account.source), dict(live)


class AccountSource(Protocol):
    """Where the TUI's account comes from. The app asks it, in a worker, whether it can be read
    and for the account; tests give the app their own (a slow or failing read) instead of
    patching this module."""

    @property
    def spec(self) -> SourceSpec: ...

    def has_credentials(self) -> bool:
        """False: a live read has no credentials to use (the app opens the demo and says so)."""
        ...

    def open(self, progress: ProgressFn | None = None) -> AccountSet:
        """Every account the TUI shows (the first is primary); raises SnapshotError /
        AwsReadError."""
        ...


@dataclass(frozen=True, slots=True)
class SpecSource:
    """The source a SourceSpec names: a file, the demo, or a live read."""

    spec: SourceSpec

    def has_credentials(self) -> bool:
        return has_credentials(self.spec.profile)

    def open(self, progress: ProgressFn | None = None) -> AccountSet:
        if self.spec.demo and not self.spec.demo_org:
            from sestui.account.accountset import AccountSet

            # --demo shows the demo account alone; --demo-org adds its organization.
            account = open_account(self.spec, progress)[0]
            return AccountSet((account,), source=account.source)
        return open_accounts(self.spec, progress)[0]


def _with_source(account: Account, source: str) -> Account:
    return replace(account, source=source)


def has_credentials(profile: str | None) -> bool:
    """Whether the standard credential chain finds anything (no AWS call).

    False when there are simply none; AwsReadError when the profile, the config file or a
    credential source is broken (a credential_process runs here), so that is said, not hidden.
    """
    from sestui.aws.session import credentials_found

    with _live_boundary(SourceSpec(profile=profile)):
        return credentials_found(profile)


def print_progress(stream: TextIO | None = None) -> ProgressFn:
    def show(p: Any) -> None:
        out = stream or sys.stderr  # looked up now: the CLI's escaping stream, not the raw one
        where = f" {p.region}" if p.region else ""
        whose = f"{p.account}: " if getattr(p, "account", None) else ""
        regions = f"{p.regions_done}/{p.regions_total} regions, " if p.regions_total else ""
        out.write(f"  {whose}{p.service}{where}: {p.message}  [{regions}{p.calls} calls]\n")
        out.flush()

    return show
