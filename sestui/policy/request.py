"""The request being authorized: who (an IAM user or an assumed-role session), what, on what."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sestui.policy.conditions import Context, ContextValue
from sestui.policy.errors import PolicyError


class PrincipalKind(Enum):
    USER = "User"
    ROLE = "Role"
    ASSUMED_ROLE = "AssumedRole"
    ROOT = "Account"


_USER, _ROLE = PrincipalKind.USER, PrincipalKind.ROLE
_ASSUMED_ROLE, _ROOT = PrincipalKind.ASSUMED_ROLE, PrincipalKind.ROOT


@dataclass(frozen=True, slots=True)
class Principal:
    arn: str
    partition: str
    account: str
    kind: PrincipalKind
    name: str  # user name, or role name for roles and sessions
    session: str | None = None
    path: str = "/"

    @classmethod
    def parse(cls, arn: str) -> Principal:
        """`arn:aws:iam::ACCT:user/path/name`, `…:role/R`, `arn:aws:sts::ACCT:assumed-role/R/S`."""
        parts = arn.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or parts[2] not in ("iam", "sts"):
            raise PolicyError(f"not an IAM user, role or assumed-role ARN: {arn!r}")
        _, partition, service, _, account, resource = parts
        if not account.isdigit() or len(account) != 12:
            raise PolicyError(f"no 12-digit account ID in {arn!r}")
        kind_word, _, rest = resource.partition("/")
        if service == "sts" and kind_word == "assumed-role":
            role, _, session = rest.partition("/")
            if not role or not session:
                raise PolicyError(f"assumed-role ARN needs role and session: {arn!r}")
            return cls(arn, partition, account, _ASSUMED_ROLE, role, session)
        if service == "iam" and kind_word in ("user", "role") and rest:
            path, _, name = rest.rpartition("/")
            kind = _USER if kind_word == "user" else _ROLE
            return cls(arn, partition, account, kind, name, None, f"/{path}/" if path else "/")
        if service == "iam" and resource == "root":
            return cls(arn, partition, account, _ROOT, "root")
        raise PolicyError(f"not an IAM user, role or assumed-role ARN: {arn!r}")

    @property
    def role_arn(self) -> str | None:
        """For a role session, the role's ARN (without its path, which the session ARN lacks)."""
        if self.kind is _ASSUMED_ROLE:
            return f"arn:{self.partition}:iam::{self.account}:role/{self.name}"
        if self.kind is _ROLE:
            return self.arn
        return None

    @property
    def account_arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account}:root"


def normalize_context(raw: Mapping[str, Any]) -> dict[str, ContextValue]:
    """Lower-case key names (they are case-insensitive); values become str or tuple of str."""
    out: dict[str, ContextValue] = {}
    for key, value in raw.items():
        # Exact types first, without calls: `sestui eval` builds a context per case, and
        # isinstance against a union is several times the cost of a type identity test.
        kind = type(value)
        if kind is str:
            out[key.lower()] = value
        elif value is None:
            continue
        elif kind is list or kind is tuple or isinstance(value, list | tuple):
            out[key.lower()] = tuple(v if type(v) is str else _text(v) for v in value)
        else:
            out[key.lower()] = _text(value)
    return out


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True, slots=True)
class Request:
    principal: Principal
    action: str
    resource: str
    context: Context

    @classmethod
    def build(
        cls,
        principal: str | Principal,
        action: str,
        resource: str,
        context: Mapping[str, Any] | None = None,
    ) -> Request:
        """A request whose context also holds the principal's own keys, unless given:
        `aws:username` (users only), `aws:PrincipalArn` (a session's role ARN),
        `aws:PrincipalAccount`, `aws:PrincipalType`."""
        p = principal if isinstance(principal, Principal) else Principal.parse(principal)
        return cls(p, action, resource, request_context(p, context or {}))

    @property
    def resource_account(self) -> str:
        """The account that owns the resource ("*" and account-less ARNs: the caller's)."""
        return resource_account(self.resource, self.principal)


def request_context(p: Principal, context: Mapping[str, Any]) -> dict[str, ContextValue]:
    """The context of a request by p (Request.build's): normalize_context's, plus the
    principal's own keys unless given."""
    ctx = normalize_context(context)
    kind = p.kind
    # Module-level members and `_value_`: reading an Enum member off its class, or its
    # `.value`, is a descriptor call each time (`sestui eval` builds a context per case).
    if kind is _USER:
        ctx.setdefault("aws:username", p.name)
    session_role = p.role_arn if kind is _ASSUMED_ROLE else None
    ctx.setdefault("aws:principalarn", session_role or p.arn)
    ctx.setdefault("aws:principalaccount", p.account)
    ctx.setdefault("aws:principaltype", kind._value_)
    return ctx


def resource_account(resource: str, principal: Principal) -> str:
    """Request.resource_account, for a resource and principal not (yet) in a Request."""
    parts = resource.split(":", 5)
    if len(parts) == 6 and parts[4]:
        return parts[4]
    return principal.account
