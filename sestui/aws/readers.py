"""Read one account live (read-only) into the snapshot structure (`sestui-snapshot/1`).

IAM through GetAccountAuthorizationDetails (paginated) plus the AWS-managed documents it leaves
out, access keys and their last use; per region, concurrently, SES v2 identities (with their
policies and default configuration set), configuration sets, templates and account status;
the SCP chain from Organizations. Every read that fails becomes a recorded gap.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from sestui.account.formats import FORMAT_1, AccountEntry, AccountHeader, GapEntry, SnapshotV1
from sestui.aws.errors import AwsReadError, error_code, gap
from sestui.aws.scps import ScpTree
from sestui.aws.session import PROBE, AwsSession
from sestui.progress import Progress, ProgressFn

# What a region holds besides its identities, each read by its own call (in this order).
PARTS = ("configuration_sets", "templates", "account")


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return value


def _status(exc: ClientError) -> str:
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "?")
    return f"HTTP {status} without an AWS error (is AWS_ENDPOINT_URL an AWS endpoint?)"


def identify(session: AwsSession) -> tuple[str, str, str]:
    """The account ID, caller ARN and partition of the session's credentials (sts).

    The first call of a read also tells whether the endpoint is there at all: few retries, so
    an unreachable endpoint is reported in seconds, not after a minute of backoff.
    """
    sts = session.client("sts", config=PROBE)
    try:
        caller = sts.get_caller_identity()
    except ClientError as exc:
        entry = gap("caller identity", "sts", "sts:GetCallerIdentity", exc)  # raises if fatal
        raise AwsReadError(
            "cannot tell which account these credentials belong to: "
            f"{entry['message'].strip(': ') or _status(exc)}"
        ) from exc
    except Exception as exc:
        gap("caller identity", "sts", None, exc)
        raise
    account_id, arn = caller.get("Account"), caller.get("Arn")
    if not (
        isinstance(account_id, str)
        and re.fullmatch(r"\d{12}", account_id)
        and isinstance(arn, str)
        and arn.startswith("arn:")
    ):
        raise AwsReadError(
            "the STS endpoint's reply names no account (empty or not an AWS reply); "
            "is AWS_ENDPOINT_URL an AWS endpoint?"
        )
    return account_id, arn, arn.split(":")[1]


class AccountReader:
    def __init__(
        self,
        session: AwsSession,
        *,
        regions: list[str] | None = None,
        org_session: AwsSession | None = None,
        progress: ProgressFn | None = None,
        workers: int = 12,
    ) -> None:
        self.session = session
        self.org_session = org_session or session
        self.regions = regions
        self.progress = progress
        self.workers = workers
        self.gaps: list[GapEntry] = []
        self._lock = threading.Lock()
        self._regions_done = 0
        self._regions_total = 0
        self._read_regions: list[str] = []

    # -- bookkeeping ------------------------------------------------------------------------

    def _calls(self) -> int:
        return self.session.calls + (
            self.org_session.calls if self.org_session is not self.session else 0
        )

    def _say(self, service: str, region: str | None, message: str) -> None:
        if self.progress:
            self.progress(
                Progress(
                    service, region, message, self._regions_done, self._regions_total, self._calls()
                )
            )

    def _gap(self, what: str, where: str, permission: str | None, exc: BaseException) -> None:
        entry = gap(what, where, permission, exc)
        with self._lock:
            self.gaps.append(entry)

    # -- the read ---------------------------------------------------------------------------

    def read(self) -> SnapshotV1:
        started = time.monotonic()
        account_id, caller_arn, partition = identify(self.session)
        self._say("sts", None, f"account {account_id} as {caller_arn}")
        regions = self.prepare()
        self.session.client("organizations")
        if self.org_session is not self.session:
            self.org_session.client("organizations")

        with ThreadPoolExecutor(max_workers=max(1, self.workers)) as pool:
            iam_future = pool.submit(self._read_iam, account_id)
            org_future = pool.submit(self._read_organizations, account_id)
            region_futures = {pool.submit(self._read_region, r): r for r in regions}
            ses: dict[str, Any] = {}
            for future in as_completed(region_futures):
                region = region_futures[future]
                result = future.result()
                if result is not None:
                    ses[region] = result
                self.region_done(region, result)
            iam, access_keys = iam_future.result()
            organizations = org_future.result()

        self._say("sts", None, f"done in {time.monotonic() - started:.1f}s")
        return {
            "format": FORMAT_1,
            **self.snapshot(
                {"Id": account_id, "Partition": partition, "Caller": caller_arn},
                (iam, access_keys),
                ses,
                organizations,
            ),
        }

    def prepare(self) -> list[str]:
        """The regions to read; every client is created here, before the threads start."""
        regions = self.regions or self.session.ses_regions()
        self._regions_total = len(regions)
        self._read_regions = regions
        for service, region in [("iam", None)] + [("sesv2", r) for r in regions]:
            self.session.client(service, region)
        return regions

    def region_done(self, region: str, result: dict[str, Any] | None) -> None:
        with self._lock:
            self._regions_done += 1
        self._say("sesv2", region, f"{len(result['identities']) if result else 0} identities")

    def snapshot(
        self,
        account: AccountHeader,
        iam_and_keys: tuple[dict[str, Any], list[dict[str, Any]]],
        ses: dict[str, Any],
        organizations: dict[str, Any],
    ) -> AccountEntry:
        """The snapshot object of this account, without its "format" key."""
        return {
            "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "source": f"live profile {self.session.profile or 'default'}",
            "account": account,
            "iam": iam_and_keys[0],
            "access_keys": iam_and_keys[1],
            "ses": {"regions": {r: ses[r] for r in self._read_regions if r in ses}},
            "organizations": organizations,
            "gaps": sorted(self.gaps, key=lambda g: (g["where"], g["what"])),
        }

    # -- IAM --------------------------------------------------------------------------------

    def _read_iam(self, account_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        merged = self.read_iam_details()
        keys: list[dict[str, Any]] = []
        for user in merged["UserDetailList"]:
            keys.extend(self.read_user_keys(user["UserName"]))
        self._say("iam", None, f"{len(keys)} access keys")
        return merged, keys

    def read_iam_details(self) -> dict[str, list[Any]]:
        """Users, groups, roles and policies, with the AWS-managed documents attached to them;
        AwsReadError (after recording the gap) when they cannot be read at all."""
        iam = self.session.client("iam")
        merged: dict[str, list[Any]] = {
            "UserDetailList": [],
            "GroupDetailList": [],
            "RoleDetailList": [],
            "Policies": [],
        }
        try:
            pages = iam.get_paginator("get_account_authorization_details").paginate(
                Filter=["User", "Role", "Group", "LocalManagedPolicy"]
            )
            for page in pages:
                for key in merged:
                    merged[key].extend(_iso(page.get(key, [])))
        except Exception as exc:
            self._gap(
                "IAM users, groups, roles and policies",
                "iam",
                "iam:GetAccountAuthorizationDetails",
                exc,
            )
            raise AwsReadError(
                f"cannot read IAM (iam:GetAccountAuthorizationDetails): {self.gaps[-1]['message']}"
            ) from exc
        self._say(
            "iam",
            None,
            f"{len(merged['UserDetailList'])} users, "
            f"{len(merged['RoleDetailList'])} roles, {len(merged['Policies'])} policies",
        )

        known = {p["Arn"] for p in merged["Policies"]}
        wanted: set[str] = set()
        for entity in (
            merged["UserDetailList"] + merged["GroupDetailList"] + merged["RoleDetailList"]
        ):
            for att in entity.get("AttachedManagedPolicies", []):
                wanted.add(att["PolicyArn"])
            boundary = entity.get("PermissionsBoundary") or {}
            if boundary.get("PermissionsBoundaryArn"):
                wanted.add(boundary["PermissionsBoundaryArn"])
        for arn in sorted(wanted - known):
            try:
                meta = iam.get_policy(PolicyArn=arn)["Policy"]
                version = iam.get_policy_version(PolicyArn=arn, VersionId=meta["DefaultVersionId"])[
                    "PolicyVersion"
                ]
                meta = _iso(meta)
                meta["PolicyVersionList"] = [_iso(dict(version, IsDefaultVersion=True))]
                merged["Policies"].append(meta)
            except Exception as exc:
                self._gap(f"managed policy {arn}", "iam", "iam:GetPolicyVersion", exc)

        return merged

    def read_user_keys(self, name: str) -> list[dict[str, Any]]:
        """The access keys of user `name` and their last use (failures become gaps)."""
        iam = self.session.client("iam")
        keys: list[dict[str, Any]] = []
        try:
            for page in iam.get_paginator("list_access_keys").paginate(UserName=name):
                for meta in page.get("AccessKeyMetadata", []):
                    entry = _iso(
                        {
                            k: meta[k]
                            for k in ("UserName", "AccessKeyId", "Status", "CreateDate")
                            if k in meta
                        }
                    )
                    try:
                        used = iam.get_access_key_last_used(AccessKeyId=meta["AccessKeyId"])
                        entry["AccessKeyLastUsed"] = _iso(used.get("AccessKeyLastUsed", {}))
                    except Exception as exc:
                        self._gap(
                            f"last use of access key {meta['AccessKeyId']}",
                            "iam",
                            "iam:GetAccessKeyLastUsed",
                            exc,
                        )
                    keys.append(entry)
        except Exception as exc:
            self._gap(f"access keys of {name}", "iam", "iam:ListAccessKeys", exc)
        return keys

    # -- SES --------------------------------------------------------------------------------

    def _read_region(self, region: str) -> dict[str, Any] | None:
        listed = self.list_identities(region)
        if listed is None:
            return None
        identities = [self.read_identity(region, info) for info in listed]
        return {"identities": identities, **{p: self.read_region_part(region, p) for p in PARTS}}

    def list_identities(self, region: str) -> list[dict[str, Any]] | None:
        """The region's identities as listed; None (a gap) when they cannot be listed, and then
        the region is not read further."""
        ses = self.session.client("sesv2", region)
        listed: list[dict[str, Any]] = []
        try:
            token: str | None = None
            while True:
                kwargs: dict[str, Any] = {"PageSize": 1000}
                if token:
                    kwargs["NextToken"] = token
                page = ses.list_email_identities(**kwargs)
                listed.extend(page.get("EmailIdentities", []))
                token = page.get("NextToken")
                if not token:
                    return listed
        except Exception as exc:
            self._gap(
                f"SES identities in {region}", f"{region} sesv2", "ses:ListEmailIdentities", exc
            )
            return None

    def read_identity(self, region: str, info: dict[str, Any]) -> dict[str, Any]:
        """One listed identity with its policies, verification and default configuration set."""
        ses = self.session.client("sesv2", region)
        name, kind = info["IdentityName"], info.get("IdentityType", "")
        entry: dict[str, Any] = {"IdentityName": name, "IdentityType": kind}
        if info.get("VerificationStatus"):  # known from the list even if the Get fails
            entry["VerificationStatus"] = info["VerificationStatus"]
        try:
            got = ses.get_email_identity(EmailIdentity=name)
            entry.update(
                {
                    "IdentityType": got.get("IdentityType", kind),
                    "VerificationStatus": got.get("VerificationStatus")
                    or ("SUCCESS" if got.get("VerifiedForSendingStatus") else "PENDING"),
                    "VerifiedForSendingStatus": got.get("VerifiedForSendingStatus"),
                    "Policies": got.get("Policies") or {},
                }
            )
            if got.get("ConfigurationSetName"):
                entry["ConfigurationSetName"] = got["ConfigurationSetName"]
        except Exception as exc:
            self._gap(
                f"identity {name} (policies, verification, default configuration set)",
                f"{region} sesv2",
                "ses:GetEmailIdentity",
                exc,
            )
        return entry

    def read_region_part(self, region: str, part: str) -> Any:
        """One of PARTS of the region: configuration set names, template names, or the account's
        sandbox and sending status; None (a gap) when it cannot be read."""
        ses = self.session.client("sesv2", region)
        where = f"{region} sesv2"

        def paged(
            call: Callable[..., Any], key: str, field: str | None, what: str, permission: str
        ) -> list[str] | None:
            out: list[str] = []
            try:
                token: str | None = None
                while True:
                    kwargs: dict[str, Any] = {"PageSize": 100}
                    if token:
                        kwargs["NextToken"] = token
                    page = call(**kwargs)
                    out.extend(item[field] if field else item for item in page.get(key, []))
                    token = page.get("NextToken")
                    if not token:
                        return out
            except Exception as exc:
                self._gap(f"{what} in {region}", where, permission, exc)
                return None

        if part == "configuration_sets":
            return paged(
                ses.list_configuration_sets,
                "ConfigurationSets",
                None,
                "configuration sets",
                "ses:ListConfigurationSets",
            )
        if part == "templates":
            return paged(
                ses.list_email_templates,
                "TemplatesMetadata",
                "TemplateName",
                "templates",
                "ses:ListEmailTemplates",
            )
        try:
            got = ses.get_account()
            return {
                k: got[k]
                for k in ("ProductionAccessEnabled", "SendingEnabled", "EnforcementStatus")
                if k in got
            }
        except Exception as exc:
            self._gap(f"sandbox and sending status in {region}", where, "ses:GetAccount", exc)
            return None

    # -- Organizations ----------------------------------------------------------------------

    def _read_organizations(self, account_id: str) -> dict[str, Any]:
        org = self.org_session.client("organizations")
        try:
            described = org.describe_organization()["Organization"]
        except ClientError as exc:
            if error_code(exc) == "AWSOrganizationsNotInUseException":
                return {"status": "none"}
            self._gap("SCPs", "organizations", "organizations:DescribeOrganization", exc)
            return {"status": "unknown", "unknown_reason": self.gaps[-1]["message"]}
        except Exception as exc:
            self._gap("SCPs", "organizations", "organizations:DescribeOrganization", exc)
            return {"status": "unknown", "unknown_reason": self.gaps[-1]["message"]}
        return self.organizations(
            ScpTree(org),
            account_id,
            described.get("MasterAccountId"),
            described.get("Id"),
            hint="use --org-profile with the management account or a delegated administrator",
        )

    def organizations(
        self,
        tree: ScpTree,
        account_id: str,
        management: str | None,
        org_id: str | None,
        *,
        hint: str,
    ) -> dict[str, Any]:
        """The "organizations" section of this account: its SCP chain read through `tree`."""
        if management == account_id:
            return {"status": "management", "management_account_id": management, "id": org_id}
        try:
            levels = tree.levels(account_id)
        except Exception as exc:
            return self.scps_unknown(exc, management, org_id, hint=hint)
        return self.scps_read(levels, management, org_id)

    def scps_read(
        self, levels: list[dict[str, Any]], management: str | None, org_id: str | None
    ) -> dict[str, Any]:
        self._say("organizations", None, f"{len(levels)} SCP levels")
        return {
            "status": "member",
            "management_account_id": management,
            "id": org_id,
            "levels": levels,
        }

    def scps_unknown(
        self, exc: Exception, management: str | None, org_id: str | None, *, hint: str
    ) -> dict[str, Any]:
        """The section of a member whose SCPs could not be read (a gap; fatal errors raise)."""
        self._gap("SCPs", "organizations", "organizations:ListPoliciesForTarget", exc)
        reason = f"cannot read SCPs from a member account ({self.gaps[-1]['message']}); {hint}"
        return {
            "status": "member",
            "management_account_id": management,
            "id": org_id,
            "unknown_reason": reason,
        }


def read_account(
    session: AwsSession,
    *,
    regions: list[str] | None = None,
    org_session: AwsSession | None = None,
    progress: ProgressFn | None = None,
    workers: int = 12,
) -> SnapshotV1:
    """Read the account; `workers` threads share the regions (1 reads them one after another)."""
    return AccountReader(
        session, regions=regions, org_session=org_session, progress=progress, workers=workers
    ).read()
