"""Read every active account of an organization (read-only) into `sestui-snapshot/2`.

With the management account's credentials (or a delegated administrator's): list the accounts,
assume the named role in each (the account of the credentials is read directly), read each as
the single-account reader does, with one bounded pool over accounts × regions; the SCP chains
come from the organization, each OU and policy read once. An account that cannot be assumed or
read is recorded as unreadable and the others are still read.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sestui.account.formats import FORMAT_2, AccountEntry
from sestui.aws.errors import AwsReadError, error_code, gap
from sestui.aws.readers import PARTS, AccountReader, identify
from sestui.aws.scps import ScpTree
from sestui.aws.session import AwsSession
from sestui.progress import Progress, ProgressFn

WORKERS = 32  # bounded: each worker holds one call in flight; AWS throttles far above this
ROLE_NAME = re.compile(r"^(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}$")
ACCOUNT_ID = re.compile(r"^\d{12}$")
_IAM = "IAM users, groups, roles and policies"


@dataclass(frozen=True, slots=True)
class OrgAccount:
    """An active account of the organization, as ListAccounts names it."""

    id: str
    name: str


class AccountUnreadable(Exception):
    """This account cannot be read (assume-role refused, IAM unreadable): a recorded entry."""

    def __init__(self, where: str, permission: str | None, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.permission = permission
        self.message = message


@dataclass
class _Account:
    """One account's read in progress (changed by the scheduling thread only)."""

    org: OrgAccount
    reader: AccountReader | None = None
    caller: str = ""
    partition: str = "aws"
    outstanding: int = 0  # tasks submitted and not finished
    iam: dict[str, list[Any]] | None = None
    keys: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    organizations: dict[str, Any] | None = None
    listed: dict[str, list[dict[str, Any]] | None] = field(default_factory=dict)
    identities: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    parts: dict[tuple[str, str], Any] = field(default_factory=dict)
    failed: dict[str, Any] | None = None

    @property
    def label(self) -> str:
        return f"{self.org.name} ({self.org.id})"


def check_role_name(role: str) -> str:
    if role.startswith("arn:") or not ROLE_NAME.match(role):
        raise AwsReadError(
            f"--org-role: {role!r} is not a role name (give the name the role has in every "
            "account, e.g. SestuiRead, not its ARN)"
        )
    return role


def parse_accounts(text: str | None) -> tuple[str, ...] | None:
    """`--accounts ID,…`: twelve-digit IDs, in the order given, each once."""
    if text is None:
        return None
    ids = [t.strip() for t in text.split(",") if t.strip()]
    if not ids:
        raise AwsReadError("--accounts names no account (give e.g. 111122223333,444455556666)")
    bad = [i for i in ids if not ACCOUNT_ID.match(i)]
    if bad:
        raise AwsReadError(
            f"--accounts: {', '.join(repr(b) for b in bad)} is not a 12-digit account ID"
        )
    return tuple(dict.fromkeys(ids))


class OrgReader:
    def __init__(
        self,
        session: AwsSession,
        role: str,
        *,
        accounts: tuple[str, ...] | None = None,
        regions: list[str] | None = None,
        progress: ProgressFn | None = None,
        workers: int = WORKERS,
    ) -> None:
        self.session = session
        self.role = check_role_name(role)
        self.accounts = accounts
        self.regions = regions
        self.progress = progress
        self.workers = max(1, workers)
        self.sessions: list[AwsSession] = [session]
        self._lock = threading.Lock()

    # -- bookkeeping ------------------------------------------------------------------------

    @property
    def calls(self) -> int:
        with self._lock:
            return sum(s.calls for s in self.sessions)

    def secret_values(self) -> tuple[str, ...]:
        """Every secret key and session token the read signed with (management and roles)."""
        with self._lock:
            sessions = list(self.sessions)
        return tuple(v for s in sessions for v in s.secret_values())

    def _say(self, message: str, account: str | None = None) -> None:
        """An organization step, or (with `account`) an account's start, end or failure."""
        if self.progress:
            service = "account" if account else "organizations"
            self.progress(Progress(service, None, message, 0, 0, self.calls, account))

    def _for_account(self, label: str) -> ProgressFn | None:
        progress = self.progress
        if progress is None:
            return None

        def say(p: Progress) -> None:
            progress(replace(p, account=label, calls=self.calls))

        return say

    # -- the organization -------------------------------------------------------------------

    def _describe(self, org: Any, caller_account: str) -> dict[str, Any] | None:
        try:
            described = org.describe_organization()["Organization"]
        except ClientError as exc:
            if error_code(exc) == "AWSOrganizationsNotInUseException":
                raise AwsReadError(
                    f"account {caller_account} (the credentials of --profile) is not in an "
                    "organization: --org-role reads an organization from its management account "
                    "or a delegated administrator"
                ) from exc
            entry = gap("organization", "organizations", "organizations:DescribeOrganization", exc)
            self._say(f"organization not described ({entry['message']}); SCPs will be unknown")
            return None
        return {"Id": described.get("Id"), "ManagementAccountId": described.get("MasterAccountId")}

    def _fetch_accounts(self, org: Any) -> dict[str, tuple[str, str]]:
        """Every account of the organization: ID -> (name, state)."""
        listed: dict[str, tuple[str, str]] = {}
        try:
            for page in org.get_paginator("list_accounts").paginate():
                for item in page.get("Accounts", []):
                    state = str(item.get("State") or item.get("Status") or "")
                    listed[item["Id"]] = (str(item.get("Name") or item["Id"]), state)
        except ClientError as exc:
            entry = gap("accounts", "organizations", "organizations:ListAccounts", exc)
            raise AwsReadError(
                f"cannot list the organization's accounts (organizations:ListAccounts): "
                f"{entry['message']}; use the credentials of the management account or of a "
                "delegated administrator (--profile)"
            ) from exc
        return listed

    def _select(
        self, listed: dict[str, tuple[str, str]], organization: dict[str, Any] | None
    ) -> list[OrgAccount]:
        """The active accounts, or exactly those of --accounts (each must be there, active)."""
        where = f"organization {organization['Id']}" if organization else "the organization"
        if self.accounts is not None:
            missing = [a for a in self.accounts if a not in listed]
            if missing:
                raise AwsReadError(
                    f"--accounts: {', '.join(missing)} "
                    f"{'is not an account' if len(missing) == 1 else 'are not accounts'} "
                    f"of {where}"
                )
            inactive = [f"{a} ({listed[a][1]})" for a in self.accounts if listed[a][1] != "ACTIVE"]
            if inactive:
                raise AwsReadError(f"--accounts: {', '.join(inactive)} is not active in {where}")
            wanted = list(self.accounts)
        else:
            wanted = [a for a, (_, state) in listed.items() if state == "ACTIVE"]
            skipped = sorted(
                f"{a} ({state})" for a, (_, state) in listed.items() if state != "ACTIVE"
            )
            if skipped:
                self._say(f"not active, not read: {', '.join(skipped)}")
        if not wanted:
            raise AwsReadError(f"{where} lists no active account")
        return sorted((OrgAccount(a, listed[a][0]) for a in wanted), key=lambda a: a.id)

    # -- one account ------------------------------------------------------------------------

    def _open(
        self, state: _Account, caller_account: str, caller_arn: str, partition: str
    ) -> AccountReader:
        """Assume the role (or use the credentials as they are) and check whose account it is."""
        account = state.org
        if account.id == caller_account:  # identified at the start of the read
            session, found = self.session, caller_account
            state.caller, state.partition = caller_arn, partition
        else:
            arn = f"arn:{partition}:iam::{account.id}:role/{self.role}"
            try:
                session = self.session.assume(arn)
            except (ClientError, BotoCoreError) as exc:  # fatal ones (expired keys) raise in gap
                entry = gap("the account", f"sts assume-role {arn}", "sts:AssumeRole", exc)
                raise AccountUnreadable(entry["where"], "sts:AssumeRole", entry["message"]) from exc
            with self._lock:
                self.sessions.append(session)
            state.caller = session.assumed_arn or ""
            fields = state.caller.split(":")
            found = fields[4] if len(fields) > 5 else ""
            state.partition = fields[1] if len(fields) > 5 else partition
        if found != account.id:  # never read one account in place of another
            raise AccountUnreadable(
                "sts",
                None,
                f"the credentials belong to account {found or '(none named)'}, not {account.id}",
            )
        reader = AccountReader(
            session, regions=self.regions, progress=self._for_account(state.label)
        )
        reader.prepare()
        return reader

    def _iam(self, state: _Account) -> dict[str, list[Any]]:
        assert state.reader is not None
        try:
            return state.reader.read_iam_details()
        except AwsReadError as exc:
            entry = next((g for g in state.reader.gaps if g["what"] == _IAM), None)
            if entry is None:
                raise AccountUnreadable("iam", None, str(exc)) from exc
            raise AccountUnreadable(
                "iam", "iam:GetAccountAuthorizationDetails", entry["message"]
            ) from exc

    # -- the read ---------------------------------------------------------------------------

    def read(self) -> dict[str, Any]:
        caller_account, caller_arn, partition = identify(self.session)
        self._say(f"organization read as {caller_arn}, role {self.role}")
        org = self.session.client("organizations")
        # After the probe (identify): two independent calls at once.
        with ThreadPoolExecutor(max_workers=2) as first:
            described = first.submit(self._describe, org, caller_account)
            fetched = first.submit(self._fetch_accounts, org)
            organization = described.result()  # first: "not in an organization" says the most
            members = self._select(fetched.result(), organization)
        self._say(f"{len(members)} accounts to read")
        tree = ScpTree(org, {a.id: a.name for a in members})
        if self.regions is None:
            self.regions = self.session.ses_regions()
        regions = self.regions
        states = {a.id: _Account(a) for a in members}
        _Scheduler(self, states, self.workers).run(
            lambda run: self._plan(
                run, states, tree, organization, (caller_account, caller_arn, partition)
            )
        )

        accounts, unreadable = [], []
        for account_id in sorted(states):
            s = states[account_id]
            if s.failed is not None:
                unreadable.append(s.failed)
                continue
            accounts.append(self._snapshot(s, regions, account_id == caller_account, partition))
        self._say(
            f"done: {len(accounts)} accounts read, {len(unreadable)} unreadable, {self.calls} calls"
        )
        return {
            "format": FORMAT_2,
            "source": f"org read by profile {self.session.profile or 'default'}, role {self.role}",
            "organization": organization,
            "accounts": accounts,
            "unreadable": unreadable,
        }

    def _plan(
        self,
        run: _Scheduler,
        states: dict[str, _Account],
        tree: ScpTree,
        organization: dict[str, Any] | None,
        caller: tuple[str, str, str],
    ) -> None:
        """Submit every account's first step; each step, when done, submits what follows it.

        The steps are small (one identity, one user's keys, one region's configuration sets)
        so that no account's read is a long chain of calls that the others wait behind.
        """
        regions = self.regions or []
        done = [0]

        def opened(s: _Account, reader: AccountReader) -> None:
            s.reader = reader
            run.submit(s, partial(self._iam, s), partial(iam_read, s))
            scps(s)
            for region in regions:
                run.submit(s, partial(reader.list_identities, region), partial(listed, s, region))

        hint = (
            "the credentials of --profile need organizations:ListPoliciesForTarget "
            "(the management account or a delegated administrator)"
        )

        def scps(s: _Account) -> None:
            """The SCP chain in steps: the walk up, then each level's name and SCPs, then each
            SCP (each fetched once for the whole organization, see ScpTree)."""
            assert s.reader is not None
            reader = s.reader
            if organization is None:
                s.organizations = {
                    "status": "unknown",
                    "unknown_reason": "the organization could not be described "
                    "(organizations:DescribeOrganization)",
                }
                return
            management, org_id = organization["ManagementAccountId"], organization["Id"]
            if management == s.org.id:
                s.organizations = {
                    "status": "management",
                    "management_account_id": management,
                    "id": org_id,
                }
                return
            levels: list[dict[str, Any]] = []
            failed: list[Exception] = []

            def step(fn: Callable[[], Any]) -> Callable[[], Any]:
                def run_step() -> Any:
                    try:
                        return fn()
                    except Exception as exc:  # AWS errors only; the others stop the read
                        gap("SCPs", "organizations", None, exc)
                        return _Failed(exc)

                return run_step

            def then(fn: Callable[[Any], None]) -> Callable[[Any], None]:
                def on_done(result: Any) -> None:
                    if failed:
                        return
                    if isinstance(result, _Failed):
                        failed.append(result.exc)
                        s.organizations = reader.scps_unknown(
                            result.exc, management, org_id, hint=hint
                        )
                        return
                    fn(result)
                    if not failed and all_read():
                        s.organizations = reader.scps_read(levels, management, org_id)

                return on_done

            def all_read() -> bool:
                return bool(levels) and all(
                    "Name" in lv and all(isinstance(p, dict) for p in lv["Policies"])
                    for lv in levels
                )

            def chained(targets: list[dict[str, Any]]) -> None:
                levels.extend({"Id": t["Id"], "Type": t["Type"], "Policies": []} for t in targets)
                for level in levels:
                    run.submit(s, step(partial(tree.head, level)), then(partial(headed, level)))

            def headed(level: dict[str, Any], head: tuple[str, list[str]]) -> None:
                level["Name"], attached = head
                level["Policies"] = list(attached)  # IDs until each one is described
                for n, pid in enumerate(attached):
                    run.submit(
                        s, step(partial(tree.policy, pid)), then(partial(described, level, n))
                    )

            def described(level: dict[str, Any], n: int, policy: dict[str, Any]) -> None:
                level["Policies"][n] = policy

            run.submit(s, step(partial(tree.chain, s.org.id)), then(chained))

        def iam_read(s: _Account, details: dict[str, list[Any]]) -> None:
            assert s.reader is not None
            s.iam = details
            for user in details["UserDetailList"]:
                name = user["UserName"]
                run.submit(
                    s, partial(s.reader.read_user_keys, name), partial(s.keys.__setitem__, name)
                )

        def listed(s: _Account, region: str, infos: list[dict[str, Any]] | None) -> None:
            assert s.reader is not None
            s.listed[region] = infos
            s.reader.region_done(region, None if infos is None else {"identities": infos})
            if infos is None:
                return
            for n, info in enumerate(infos):
                run.submit(
                    s,
                    partial(s.reader.read_identity, region, info),
                    partial(s.identities.__setitem__, (region, n)),
                )
            for part in PARTS:
                run.submit(
                    s,
                    partial(s.reader.read_region_part, region, part),
                    partial(s.parts.__setitem__, (region, part)),
                )

        def finished(s: _Account) -> None:
            done[0] += 1
            self._say(f"read ({done[0]}/{len(states)} accounts)", s.label)

        run.on_finished = finished
        for s in states.values():
            run.submit(s, partial(self._open, s, *caller), partial(opened, s))

    def _snapshot(
        self, s: _Account, regions: list[str], direct: bool, partition: str
    ) -> AccountEntry:
        assert s.reader is not None and s.iam is not None and s.organizations is not None
        keys = [k for user in s.iam["UserDetailList"] for k in s.keys.get(user["UserName"], [])]
        ses: dict[str, Any] = {}
        for region in regions:
            infos = s.listed.get(region)
            if infos is None:
                continue
            ses[region] = {
                "identities": [s.identities[(region, n)] for n in range(len(infos))],
                **{part: s.parts[(region, part)] for part in PARTS},
            }
        entry = s.reader.snapshot(
            {"Id": s.org.id, "Name": s.org.name, "Partition": s.partition, "Caller": s.caller},
            (s.iam, keys),
            ses,
            s.organizations,
        )
        entry["source"] = self._source(direct, s.org.id, partition)
        return entry

    def _source(self, direct: bool, account_id: str, partition: str) -> str:
        profile = f"live profile {self.session.profile or 'default'}"
        if direct:
            return profile
        return f"{profile}, role arn:{partition}:iam::{account_id}:role/{self.role}"


@dataclass(frozen=True, slots=True)
class _Failed:
    """A step of the SCP chain that failed: the chain becomes unknown, with a gap."""

    exc: Exception


class _Scheduler:
    """One bounded pool; callbacks run on the scheduling thread and may submit more steps.

    An account whose step raises AccountUnreadable (or AwsReadError: its credentials stopped
    working) is marked failed and its remaining steps make no call; anything else stops the read.
    """

    def __init__(self, reader: OrgReader, states: dict[str, _Account], workers: int) -> None:
        self.reader = reader
        self.states = states
        self.pool = ThreadPoolExecutor(max_workers=workers)
        self.pending: dict[Future[Any], tuple[_Account, Callable[[Any], None]]] = {}
        self.on_finished: Callable[[_Account], None] = lambda _: None

    def submit(self, s: _Account, step: Callable[[], Any], then: Callable[[Any], None]) -> None:
        def guarded() -> Any:
            if s.failed is not None:
                return None  # the account is already unreadable: no more calls for it
            return step()

        s.outstanding += 1
        self.pending[self.pool.submit(guarded)] = (s, then)

    def _fail(self, s: _Account, where: str, permission: str | None, message: str) -> None:
        if s.failed is None:
            s.failed = {
                "account": {"Id": s.org.id, "Name": s.org.name},
                "what": "the account",
                "where": where,
                "permission": permission,
                "message": message,
            }
            self.reader._say(f"unreadable: {message}", s.label)

    def run(self, plan: Callable[[_Scheduler], None]) -> None:
        try:
            plan(self)
            while self.pending:
                finished, _ = wait(list(self.pending), return_when=FIRST_COMPLETED)
                for future in finished:
                    s, then = self.pending.pop(future)
                    s.outstanding -= 1
                    try:
                        result = future.result()
                    except AccountUnreadable as exc:
                        self._fail(s, exc.where, exc.permission, exc.message)
                    except AwsReadError as exc:
                        self._fail(s, "the read", None, str(exc))
                    else:
                        if s.failed is None:
                            then(result)
                    if s.outstanding == 0 and s.failed is None:
                        self.on_finished(s)
        except BaseException:
            self.pool.shutdown(wait=True, cancel_futures=True)
            raise
        self.pool.shutdown(wait=True)


def read_organization(
    session: AwsSession,
    role: str,
    *,
    accounts: tuple[str, ...] | None = None,
    regions: list[str] | None = None,
    progress: ProgressFn | None = None,
    workers: int = WORKERS,
    secrets: list[str] | None = None,
) -> dict[str, Any]:
    """Read the organization; `workers` threads share accounts × regions (1: one at a time).

    `secrets`, when given, receives every secret key and session token the read signed with.
    """
    reader = OrgReader(
        session, role, accounts=accounts, regions=regions, progress=progress, workers=workers
    )
    try:
        return reader.read()
    finally:
        if secrets is not None:
            secrets.extend(reader.secret_values())
