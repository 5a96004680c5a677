"""The account model: what IAM, SES and Organizations say about one AWS account, frozen.

Policy documents stay as the decoded JSON they arrived as and are parsed on first use (cached),
so opening a large account costs little more than reading its file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import Any

from sestui.policy import Policy, PolicyKind, PolicySource, parse_policy
from sestui.policy.document import document_key


@dataclass(frozen=True)
class PolicyDocument:
    """One policy document and where it came from; `policy` parses it on first use."""

    source: PolicySource
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, PolicyDocument)
            and self.source == other.source
            and self.fingerprint == other.fingerprint
        )

    def __hash__(self) -> int:
        return hash((self.source, self.fingerprint))

    def attached(self, source: PolicySource) -> PolicyDocument:
        """The same document seen through another attachment (e.g. via a group); it shares
        the fingerprint, so the text is serialized once however often it is attached."""
        other = PolicyDocument(source, self.raw)
        other.__dict__["fingerprint"] = self.fingerprint  # cached_property storage
        return other

    @cached_property
    def fingerprint(self) -> str:
        """Compact JSON: equal documents have equal fingerprints."""
        return document_key(self.raw)

    @cached_property
    def policy(self) -> Policy:
        """The parsed policy; raises PolicyError (with the policy's name) when it is invalid."""
        return parse_policy(self.raw, self.source, key=self.fingerprint)


@dataclass(frozen=True, slots=True)
class ReadGap:
    """Something the reader could not read: shown as unknown, never as empty."""

    what: str  # "SCPs", "identity policies of example.com", …
    where: str  # "eu-west-1 sesv2", "organizations", …
    permission: str | None  # the IAM action that was missing, when known
    message: str

    def describe(self) -> str:
        text = f"{self.what}: unknown ({self.where})"
        if self.permission:
            text += f" — needs {self.permission}"
        return text


@dataclass(frozen=True, slots=True)
class AccessKey:
    key_id: str
    status: str  # Active | Inactive
    created: str | None = None
    last_used_date: str | None = None
    last_used_service: str | None = None  # "N/A" when never used
    last_used_region: str | None = None

    @property
    def active(self) -> bool:
        """Usable for signing; AWS's status text is kept as read (another value is not active)."""
        return self.status == "Active"


class PrincipalType(Enum):
    USER = "user"
    ROLE = "role"


@dataclass(frozen=True, slots=True)
class IamPrincipal:
    """An IAM user or role, with everything attached to it directly."""

    type: PrincipalType
    name: str
    arn: str
    path: str
    principal_id: str
    tags: tuple[tuple[str, str], ...]
    inline_policies: tuple[PolicyDocument, ...]
    attached_policy_arns: tuple[str, ...]
    boundary_arn: str | None
    groups: tuple[str, ...] = ()  # users only
    access_keys: tuple[AccessKey, ...] = ()  # users only
    trusted_services: tuple[str, ...] = ()  # roles: services in the trust policy
    # Users: False when the access keys were not read (an --iam-json file holds none; a denied
    # iam:ListAccessKeys), so "no keys" is unknown rather than a fact.
    access_keys_known: bool = True

    @property
    def has_active_key(self) -> bool | None:
        """Whether SMTP credentials can be derived (users only): None when keys were not read."""
        if any(k.active for k in self.access_keys):
            return True
        return False if self.access_keys_known else None

    @property
    def is_user(self) -> bool:
        return self.type is PrincipalType.USER

    @property
    def label(self) -> str:
        return f"{self.type.value} {self.name}"

    def tag(self, key: str) -> str | None:
        for k, v in self.tags:
            if k.lower() == key.lower():
                return v
        return None


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    arn: str
    inline_policies: tuple[PolicyDocument, ...]
    attached_policy_arns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    arn: str
    name: str
    default_version: str | None
    document: PolicyDocument | None  # None: the document could not be read (a gap says why)


class IdentityKind(Enum):
    EMAIL = "EMAIL_ADDRESS"
    DOMAIN = "DOMAIN"


@dataclass(frozen=True, slots=True)
class SesIdentity:
    name: str
    kind: IdentityKind
    region: str
    verification_status: str  # SUCCESS | PENDING | FAILED | TEMPORARY_FAILURE | NOT_STARTED
    verified_for_sending: bool | None
    policies: tuple[PolicyDocument, ...]  # sending-authorization policies, by name
    default_configuration_set: str | None
    policies_known: bool = True  # False when the policies could not be read (see gaps)

    @property
    def verified(self) -> bool:
        """SES sends from it: VerificationStatus SUCCESS (moto leaves the other flag false)."""
        return self.verification_status.upper() == "SUCCESS"

    @property
    def verification_known(self) -> bool:
        return self.verification_status.upper() != "UNKNOWN"

    def arn(self, account_id: str, partition: str = "aws") -> str:
        return f"arn:{partition}:ses:{self.region}:{account_id}:identity/{self.name}"


@dataclass(frozen=True, slots=True)
class SendingStatus:
    """SES v2 GetAccount for one region; None fields are unknown."""

    production_access: bool | None = None
    sending_enabled: bool | None = None
    enforcement_status: str | None = None

    @property
    def sandbox(self) -> bool | None:
        return None if self.production_access is None else not self.production_access


@dataclass(frozen=True, slots=True)
class IdentityResolution:
    """Which identity SES authorizes a From address against, and what else was considered."""

    address: str
    identity: SesIdentity | None  # the most specific verified identity, or None
    candidates: tuple[str, ...]  # names from most to least specific (address, subdomains, domain)
    unverified: tuple[SesIdentity, ...]  # identities that exist but are not verified


@dataclass(frozen=True, slots=True)
class RegionState:
    name: str
    identities: Mapping[str, SesIdentity]
    configuration_sets: tuple[str, ...] | None  # None: unknown
    templates: tuple[str, ...] | None
    sending: SendingStatus = SendingStatus()

    def resolve(self, from_address_or_identity: str) -> IdentityResolution:
        """Email identity > deepest verified subdomain > parent domain (SES "Creating identities":
        settings apply at the most granular level you verified)."""
        text = from_address_or_identity.strip()
        candidates = covering_names(text)
        unverified: list[SesIdentity] = []
        chosen: SesIdentity | None = None
        for name in candidates:
            identity = self.identity(name)
            if identity is None:
                continue
            if identity.verified or not identity.verification_known:
                chosen = identity  # unknown status: it may be the verified one (see checks)
                break
            unverified.append(identity)
        return IdentityResolution(text, chosen, tuple(candidates), tuple(unverified))

    def identity(self, name: str) -> SesIdentity | None:
        found = self.identities.get(name)
        if found is None and "@" in name:
            # Domains are case-insensitive; the local part of an address is kept as given.
            local, _, domain = name.rpartition("@")
            found = self.identities.get(f"{local}@{domain.lower()}")
        elif found is None:
            found = self.identities.get(name.lower())
        return found


def covering_names(from_address_or_identity: str) -> tuple[str, ...]:
    """The identity names that can cover an address or a domain, most specific first: the
    address itself, then its domain and each parent domain (not the top-level one)."""
    text = from_address_or_identity.strip()
    _local, at, domain = text.rpartition("@")
    labels = (domain if at else text).lower().split(".")
    return ((text,) if at else ()) + tuple(".".join(labels[i:]) for i in range(len(labels) - 1))


def _comparable(name: str) -> str:
    """An identity name as identities compare: domains case-insensitively, the local part of an
    address as given (as RegionState.identity looks them up)."""
    local, at, domain = name.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if at else name.strip().lower()


def covers(identity: str, from_address: str) -> bool:
    """Whether sending as `identity` may use `from_address`: one of the names that cover the
    address (`covering_names`, as `RegionState.resolve` looks them up)."""
    if "@" not in from_address:
        return False
    return _comparable(identity) in {_comparable(n) for n in covering_names(from_address)}


class OrgStatus(Enum):
    NONE = "none"  # not in an organization: no SCPs
    MEMBER = "member"
    MANAGEMENT = "management"  # SCPs never restrict the management account
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ScpTarget:
    """One level of the SCP chain: the root, an OU, or the account itself."""

    target_id: str
    name: str
    type: str  # ROOT | ORGANIZATIONAL_UNIT | ACCOUNT
    policies: tuple[PolicyDocument, ...]


@dataclass(frozen=True, slots=True)
class Organization:
    status: OrgStatus
    management_account_id: str | None = None
    levels: tuple[ScpTarget, ...] | None = None  # root first; None: unknown (see reason)
    unknown_reason: str | None = None
    organization_id: str | None = None  # o-…, from DescribeOrganization (aws:PrincipalOrgID)


@dataclass(frozen=True, slots=True)
class PrincipalPolicies:
    """Every policy in force for one principal, and what could not be known."""

    identity: tuple[PolicyDocument, ...]
    boundary: PolicyDocument | None
    boundary_arn: str | None
    unknown: tuple[str, ...]  # ARNs of attached policies whose documents were not read


@dataclass(frozen=True)
class Account:
    account_id: str
    partition: str
    principals: tuple[IamPrincipal, ...]
    groups: Mapping[str, Group]
    managed_policies: Mapping[str, ManagedPolicy]
    regions: Mapping[str, RegionState]
    organization: Organization
    gaps: tuple[ReadGap, ...] = ()
    source: str = ""  # "demo", "snapshot FILE", "live profile P", "iam-json FILE"
    ses_known: bool = True  # False for a bare GetAccountAuthorizationDetails file
    name: str | None = None  # the account's name in its organization (ListAccounts), when known

    @property
    def title(self) -> str:
        """`111122223333 (central)`: how findings and fixes name the account."""
        return f"{self.account_id} ({self.name})" if self.name else self.account_id

    @cached_property
    def _by_name(self) -> dict[str, IamPrincipal]:
        out: dict[str, IamPrincipal] = {}
        for p in self.principals:
            out.setdefault(f"{p.type.value}/{p.name}", p)
            out[p.arn] = p
        return out

    @property
    def users(self) -> Iterator[IamPrincipal]:
        return (p for p in self.principals if p.is_user)

    @property
    def roles(self) -> Iterator[IamPrincipal]:
        return (p for p in self.principals if not p.is_user)

    def principal(self, name_or_arn: str, type: PrincipalType | None = None) -> IamPrincipal | None:
        """Find a user or role by ARN or name (users first when the type is not given)."""
        by = self._by_name
        if name_or_arn.startswith("arn:"):
            return by.get(name_or_arn)
        types = [type] if type else [PrincipalType.USER, PrincipalType.ROLE]
        for t in types:
            found = by.get(f"{t.value}/{name_or_arn}")
            if found:
                return found
        return None

    @cached_property
    def _policies_cache(self) -> dict[str, PrincipalPolicies]:
        return {}

    def policies_for(self, principal: IamPrincipal) -> PrincipalPolicies:
        """Own inline and managed policies, then each group's inline and managed policies
        (computed once per principal)."""
        cached = self._policies_cache.get(principal.arn)
        if cached is None:
            cached = self._policies_cache[principal.arn] = self._collect(principal)
        return cached

    @cached_property
    def _attached_cache(self) -> dict[tuple[str, str | None], PolicyDocument]:
        return {}

    def _attached(self, managed: ManagedPolicy, via: str | None) -> PolicyDocument:
        """One wrapper per (policy, attachment): every member of a group shares it."""
        key = (managed.arn, via)
        doc = self._attached_cache.get(key)
        if doc is None:
            assert managed.document is not None
            doc = self._attached_cache[key] = managed.document.attached(
                PolicySource(PolicyKind.IDENTITY, managed.name, managed.arn, via)
            )
        return doc

    def _collect(self, principal: IamPrincipal) -> PrincipalPolicies:
        docs: list[PolicyDocument] = list(principal.inline_policies)
        unknown: list[str] = []

        def attach(arns: tuple[str, ...], via: str | None) -> None:
            for arn in arns:
                managed = self.managed_policies.get(arn)
                if managed is None or managed.document is None:
                    unknown.append(arn)
                else:
                    docs.append(self._attached(managed, via))

        attach(principal.attached_policy_arns, None)
        for group_name in principal.groups:
            group = self.groups.get(group_name)
            if group is None:
                continue
            docs.extend(group.inline_policies)
            attach(group.attached_policy_arns, f"group {group_name}")
        boundary = None
        if principal.boundary_arn:
            managed = self.managed_policies.get(principal.boundary_arn)
            if managed is None or managed.document is None:
                unknown.append(principal.boundary_arn)
            else:
                boundary = managed.document.attached(
                    PolicySource(PolicyKind.BOUNDARY, managed.name, managed.arn)
                )
        return PrincipalPolicies(tuple(docs), boundary, principal.boundary_arn, tuple(unknown))

    def gaps_about(self, *words: str) -> tuple[ReadGap, ...]:
        return tuple(g for g in self.gaps if any(w in g.what or w in g.where for w in words))
