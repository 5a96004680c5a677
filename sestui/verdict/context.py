"""The request context AWS builds for one send: per key a known value, absent by fact, or unknown.

This module is the one table of request keys (the README's "Request context" table is generated
from `RULES` and a test keeps the two equal). Each rule cites the AWS rule it follows (IAM User
Guide, "AWS global condition context keys"; SES Developer Guide, "Controlling access to Amazon
SES"). A key no rule names is absent: AWS sets no other key on an SES send.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sestui.account import Account, IamPrincipal, OrgStatus
from sestui.verdict.selection import Selection, SendPath


@dataclass(frozen=True, slots=True)
class Unknown:
    """A key whose value the request carries (or may lack) but the user did not give.

    The completions sestui tries are: values taken from the policies that read the key (kept
    only when they `fit`), `sample` (a value that matches nothing in particular), and absence
    when `may_be_absent`."""

    meaning: str  # what AWS would send, for the "assumed" line: "any address at example.com"
    may_be_absent: bool = False
    multi: bool = False  # multi-valued (a non-empty list when present)
    sample: str = "sestui-unknown"
    choices: tuple[str, ...] | None = None  # a closed set (Bool keys)
    prefix: str = ""  # every possible value starts with this
    domain: str | None = None  # every possible value is an address at this domain (or below)
    kind: str = "string"  # string | ip | date | number | bool (how to make values around a bound)

    def fits(self, value: str) -> bool:
        if self.choices is not None and value.lower() not in self.choices:
            return False
        if not value.startswith(self.prefix):
            return False
        if self.domain is not None:
            at, _, host = value.rpartition("@")
            host = host.lower()
            return bool(at) and (host == self.domain or host.endswith("." + self.domain))
        return True


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()  # the key is not in the request, as a fact
Value = str | tuple[str, ...] | Unknown | _Absent


@dataclass(frozen=True, slots=True)
class Facts:
    """What a request's context is built from."""

    selection: Selection
    principal: IamPrincipal | None  # None: only the keys every principal shares
    account: Account | None
    from_address: str | None
    identity_name: str | None = None

    @property
    def user(self) -> bool:
        return self.principal is not None and self.principal.is_user

    @property
    def smtp(self) -> bool:
        return self.selection.path is SendPath.SMTP


@dataclass(frozen=True, slots=True)
class KeyRule:
    """One row of the table: the key, what it holds per principal and path, and AWS's rule."""

    key: str
    user_api: str
    user_smtp: str
    role_api: str
    rule: str
    value: Callable[[Facts], Value]
    personal: bool = False  # differs between principals (the matrix evaluates it per principal)
    set_by: str | None = None  # the CLI flag that gives the value (else --context KEY=VALUE)


def _now(sel: Selection) -> datetime:
    if not sel.current_time:
        return datetime.now(UTC)
    now = datetime.fromisoformat(sel.current_time.replace("Z", "+00:00"))
    return (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(UTC)


def _from(f: Facts) -> Value:
    if f.from_address:
        return f.from_address
    domain = (f.identity_name or "").rpartition("@")[2].lower()
    return Unknown(f"any address at {domain}", domain=domain, sample=f"sestui-unknown@{domain}")


def _recipients(f: Facts) -> Value:
    if f.selection.recipients is not None:
        return tuple(f.selection.recipients)
    return Unknown("one or more addresses", multi=True, sample="sestui-unknown@recipient.invalid")


def _optional(given: str | None, meaning: str) -> Value:
    return given if given is not None else Unknown(meaning, may_be_absent=True)


def _source_ip(f: Facts) -> Value:
    if f.selection.source_ip:
        return f.selection.source_ip
    return Unknown("any IP address", sample="192.0.2.1", kind="ip")


def _secure(f: Facts) -> Value:
    st = f.selection.secure_transport
    if st is None:
        return Unknown("true or false", choices=("true", "false"), sample="true", kind="bool")
    return "true" if st else "false"


def _principal_arn(f: Facts) -> Value:
    assert f.principal is not None
    return f.principal.arn  # a role session's key is the role's ARN (with its path)


def _userid(f: Facts) -> Value:
    assert f.principal is not None
    if not f.principal.principal_id:
        return Unknown("the principal's unique ID (not read)")
    if f.user:
        return f.principal.principal_id
    prefix = f"{f.principal.principal_id}:"
    return Unknown(f"{prefix}<session name>", prefix=prefix, sample=f"{prefix}sestui-session")


def _org_id(f: Facts) -> Value:
    org = f.account.organization if f.account else None
    if org is None or org.status is OrgStatus.UNKNOWN:
        return Unknown("the organization's ID (not read), or none", may_be_absent=True)
    if org.status is OrgStatus.NONE:
        return ABSENT
    if org.organization_id:
        return org.organization_id
    return Unknown("the organization's ID (not read)", sample="o-sestuiunknown")


def _org_paths(f: Facts) -> Value:
    org = f.account.organization if f.account else None
    if org is None or org.status is OrgStatus.UNKNOWN:
        return Unknown("the account's organization path (not read)", may_be_absent=True, multi=True)
    if org.status is OrgStatus.NONE:
        return ABSENT
    if org.organization_id and org.levels is not None:
        path = org.organization_id + "/"
        for level in org.levels:
            if level.type != "ACCOUNT":
                path += level.target_id + "/"
        return (path,)
    return Unknown("the account's organization path (not read)", multi=True)


def _role_only(unknown: Unknown) -> Callable[[Facts], Value]:
    return lambda f: ABSENT if f.user else unknown


_ON_SENDS = "; set only by SendEmail, SendRawEmail, SendTemplatedEmail, SendBulkTemplatedEmail"
_LONG_TERM = (
    "absent: requests signed with long-term access keys carry no MFA context; a role session "
    "carries it (true or false)"
)

RULES: tuple[KeyRule, ...] = (
    KeyRule(
        "aws:PrincipalArn", "the user's ARN", "the user's ARN", "the role's ARN",
        "the ARN of the principal; for a role session the role's ARN, not the session's",
        _principal_arn, personal=True,
    ),
    KeyRule(
        "aws:PrincipalType", "User", "User", "AssumedRole",
        "User for an IAM user, AssumedRole for a role session",
        lambda f: "User" if f.user else "AssumedRole", personal=True,
    ),
    KeyRule(
        "aws:PrincipalAccount", "the account ID", "the account ID", "the account ID",
        "always present: the account of the principal",
        lambda f: f.principal.arn.split(":")[4] if f.principal else ABSENT, personal=True,
    ),
    KeyRule(
        "aws:userid", "the user's unique ID", "the user's unique ID",
        "role ID:session name (unknown)",
        "always present: AIDA… for a user, AROA…:session-name for a role session",
        _userid, personal=True,
    ),
    KeyRule(
        "aws:username", "the user name", "the user name", "absent",
        "present only for IAM users; absent for role sessions",
        lambda f: f.principal.name if f.user and f.principal else ABSENT, personal=True,
    ),
    KeyRule(
        "aws:PrincipalTag/<key>", "the user's tags", "the user's tags", "the role's tags",
        "the tags attached to the user or role (GetAccountAuthorizationDetails returns them); "
        "a tag that is not there is absent",
        lambda f: ABSENT, personal=True,
    ),
    KeyRule(
        "aws:MultiFactorAuthPresent", "absent", "absent", "true or false (unknown)",
        _LONG_TERM, _role_only(Unknown("true or false", choices=("true", "false"), kind="bool",
                                       sample="false")),
        personal=True, set_by="--context aws:MultiFactorAuthPresent=true|false",
    ),
    KeyRule(
        "aws:MultiFactorAuthAge", "absent", "absent", "seconds since MFA, or absent (unknown)",
        "present only for temporary credentials obtained with MFA; absent for access keys",
        _role_only(Unknown("seconds since MFA sign-in, or absent", may_be_absent=True,
                           kind="number", sample="3600")),
        personal=True, set_by="--context aws:MultiFactorAuthAge=SECONDS",
    ),
    KeyRule(
        "aws:TokenIssueTime", "absent", "absent", "when the session began (unknown)",
        "present only for temporary credentials",
        _role_only(Unknown("when the session began", kind="date",
                           sample="2000-01-01T00:00:00Z")),
        personal=True,
    ),
    KeyRule(
        "aws:SourceIdentity", "absent", "absent", "a source identity, or absent (unknown)",
        "present only when a source identity was set on the role session",
        _role_only(Unknown("a source identity, or none", may_be_absent=True)),
        personal=True,
    ),
    KeyRule(
        "aws:PrincipalOrgID", "the organization ID", "the organization ID",
        "the organization ID",
        "present when the principal's account is in an organization; unknown when not read",
        _org_id,
    ),
    KeyRule(
        "aws:PrincipalOrgPaths", "the account's OU path", "the account's OU path",
        "the account's OU path",
        "present when the account is in an organization (o-id/r-root/ou-…/)",
        _org_paths,
    ),
    KeyRule(
        "aws:ResourceOrgID", "the organization ID", "the organization ID", "the organization ID",
        "the organization of the account owning the identity (the same account)",
        _org_id,
    ),
    KeyRule(
        "aws:ResourceOrgPaths", "the account's OU path", "the account's OU path",
        "the account's OU path",
        "the organization path of the account owning the identity (the same account)",
        _org_paths,
    ),
    KeyRule(
        "aws:ResourceAccount", "the account ID", "the account ID", "the account ID",
        "the account owning the identity",
        lambda f: f.account.account_id if f.account else ABSENT,
    ),
    KeyRule(
        "aws:PrincipalIsAWSService", "false", "false", "false",
        "always present: false unless an AWS service principal calls",
        lambda f: "false",
    ),
    KeyRule(
        "aws:ViaAWSService", "false", "false", "false",
        "always present: false for a direct call, true only when a service calls on your behalf",
        lambda f: "false",
    ),
    KeyRule(
        "aws:SecureTransport", "true", "true (STARTTLS or TLS port)", "true",
        "always present: true over TLS; SES takes API calls over HTTPS only, and sestui "
        "assumes SMTP after STARTTLS or on a TLS port (--insecure to check false)",
        _secure,
    ),
    KeyRule(
        "aws:RequestedRegion", "the region", "the region", "the region",
        "always present: the region of the endpoint called",
        lambda f: f.selection.region,
    ),
    KeyRule(
        "aws:CurrentTime", "now (or --time)", "now (or --time)", "now (or --time)",
        "always present", lambda f: _now(f.selection).strftime("%Y-%m-%dT%H:%M:%SZ"),
    ),
    KeyRule(
        "aws:EpochTime", "now (or --time)", "now (or --time)", "now (or --time)",
        "always present", lambda f: str(int(_now(f.selection).timestamp())),
    ),
    KeyRule(
        "aws:SourceIp", "--source-ip, else unknown", "--source-ip, else unknown",
        "--source-ip, else unknown",
        "present on calls over the public endpoints (sestui assumes no VPC endpoint)",
        _source_ip, set_by="--source-ip IP",
    ),
    KeyRule(
        "aws:SourceVpc, aws:SourceVpce, aws:VpcSourceIp", "absent", "absent", "absent",
        "present only through a VPC endpoint (give them with --context to check that case)",
        lambda f: ABSENT,
    ),
    KeyRule(
        "aws:CalledVia, aws:SourceArn, aws:SourceAccount", "absent", "absent", "absent",
        "present only when an AWS service makes the call on your behalf",
        lambda f: ABSENT,
    ),
    KeyRule(
        "aws:RequestTag/<key>, aws:TagKeys", "absent", "absent", "absent",
        "a send request carries no resource tags",
        lambda f: ABSENT,
    ),
    KeyRule(
        "aws:ResourceTag/<key>", "unknown", "unknown", "unknown",
        "the identity's tags: sestui does not read them",
        lambda f: Unknown("the identity's tag, or none", may_be_absent=True),
    ),
    KeyRule(
        "ses:ApiVersion", "1 or 2 (the API called)", "2", "1 or 2 (the API called)",
        "SES: the API version; the SMTP interface is version 2 of SendRawEmail",
        lambda f: f.selection.path.api_version,
    ),
    KeyRule(
        "ses:FromAddress", "--from, else unknown", "--from, else unknown",
        "--from, else unknown",
        "SES: every send has a From address (never absent; unknown: any address at the "
        "identity)" + _ON_SENDS,
        _from, set_by="--from ADDRESS",
    ),
    KeyRule(
        "ses:Recipients", "--recipient, else unknown", "--recipient, else unknown",
        "--recipient, else unknown",
        "SES: every send has at least one recipient (never absent; unknown: a non-empty "
        "list)" + _ON_SENDS,
        _recipients, set_by="--recipient ADDRESS (repeatable)",
    ),
    KeyRule(
        "ses:FromDisplayName", "--display-name, else unknown", "--display-name, else unknown",
        "--display-name, else unknown",
        "SES: the From display name, absent when the From has none" + _ON_SENDS,
        lambda f: _optional(f.selection.display_name, "a display name, or none"),
        set_by="--display-name NAME",
    ),
    KeyRule(
        "ses:FeedbackAddress", "--feedback-address, else unknown",
        "--feedback-address, else unknown", "--feedback-address, else unknown",
        "SES: the feedback (Return-Path) address, absent when the send sets none" + _ON_SENDS,
        lambda f: _optional(f.selection.feedback_address, "a feedback address, or none"),
        set_by="--feedback-address ADDRESS",
    ),
)  # fmt: skip

# Key families: one rule holds for every tag key.
_FAMILY = ("aws:principaltag/", "aws:resourcetag/")
# Keys (and key prefixes) whose value differs between principals with equal policies.
PERSONAL_KEYS = tuple(r.key.split("<")[0].lower() for r in RULES if r.personal)
# How the CLI sets each request value a verdict can hang on (lower case, as missing_keys name
# them); any other key: --context KEY=VALUE.
SET_BY: dict[str, str] = {r.key.lower(): r.set_by for r in RULES if r.set_by}


@dataclass(frozen=True)
class RequestContext:
    """The context of one request: known values, and the keys whose values are unknown."""

    known: dict[str, Any]  # key (as AWS spells it) -> value; a key not here is absent
    unknown: Mapping[str, Unknown] = field(default_factory=dict)  # lower-case key -> completions
    _known_lower: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_known_lower", frozenset(k.lower() for k in self.known))

    def unknown_of(self, key_lower: str) -> Unknown | None:
        found = self.unknown.get(key_lower)
        if found is None and key_lower not in self._known_lower:
            for prefix in _FAMILY:
                if key_lower.startswith(prefix):
                    return self.unknown.get(prefix)
        return found


# The message keys exist only on the actions that send a message (Service Authorization
# Reference, Amazon SES: SendEmail, SendRawEmail, SendTemplatedEmail, SendBulkTemplatedEmail list
# ses:FromAddress, ses:FromDisplayName, ses:FeedbackAddress, ses:Recipients; v2 SendBulkEmail and
# actions such as GetSendQuota list none of them): elsewhere they are absent.
MESSAGE_KEYS = frozenset(
    {"ses:fromaddress", "ses:fromdisplayname", "ses:feedbackaddress", "ses:recipients"}
)
MESSAGE_ACTIONS = frozenset(
    {"ses:sendemail", "ses:sendrawemail", "ses:sendtemplatedemail", "ses:sendbulktemplatedemail"}
)


def for_action(rc: RequestContext, action: str) -> RequestContext:
    """The context as AWS builds it for one action: without the message keys where the action
    sends no message of its own."""
    if action.lower() in MESSAGE_ACTIONS:
        return rc
    return RequestContext(
        {k: v for k, v in rc.known.items() if k.lower() not in MESSAGE_KEYS},
        {k: u for k, u in rc.unknown.items() if k not in MESSAGE_KEYS},
    )


def build(facts: Facts) -> RequestContext:
    """Apply every rule; then the principal's tags, and what the user gave (which wins)."""
    known: dict[str, Any] = {}
    unknown: dict[str, Unknown] = {}
    for rule in RULES:
        if rule.personal and facts.principal is None:
            continue
        value = rule.value(facts)
        for key in rule.key.split(", "):
            if "<key>" in key:
                if isinstance(value, Unknown):
                    unknown[key.split("<")[0].lower()] = value
                continue
            if isinstance(value, Unknown):
                unknown[key.lower()] = value
            elif isinstance(value, str):
                known[key] = value
            elif isinstance(value, tuple):
                known[key] = list(value)
    sel = facts.selection
    if facts.principal is not None:
        tags = dict(facts.principal.tags)
        tags.update(dict(sel.principal_tags))
        for k, v in tags.items():
            known[f"aws:PrincipalTag/{k}"] = v
    for k, v in sel.extra_context:
        known[k] = v
        unknown.pop(k.lower(), None)
    return RequestContext(known, unknown)


def table_markdown() -> str:
    """The README's table, generated from RULES."""
    lines = [
        "| Key | IAM user, API | IAM user, SMTP | Role session, API | AWS rule |",
        "|---|---|---|---|---|",
    ]
    for r in RULES:
        lines.append(f"| `{r.key}` | {r.user_api} | {r.user_smtp} | {r.role_api} | {r.rule} |")
    return "\n".join(lines) + "\n"
