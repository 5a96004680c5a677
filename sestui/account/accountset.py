"""Several accounts loaded together (an organization, or single-account snapshots side by side),
with the accounts that could not be read, and lookups across all of them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from sestui.account.model import Account, IamPrincipal, PrincipalType, SesIdentity


@dataclass(frozen=True, slots=True)
class UnreadableAccount:
    """An account the organization read could not open: nothing in it is known."""

    account_id: str
    name: str | None
    what: str
    where: str
    permission: str | None
    message: str

    def describe(self) -> str:
        who = f"{self.account_id} ({self.name})" if self.name else self.account_id
        need = f" — needs {self.permission}" if self.permission else ""
        return f"account {who}: {self.what} unknown ({self.where}: {self.message}){need}"


@dataclass(frozen=True)
class AccountSet:
    """Every loaded account, the first one primary (what single-account views show)."""

    accounts: tuple[Account, ...]
    unreadable: tuple[UnreadableAccount, ...] = ()
    organization_id: str | None = None
    management_account_id: str | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if not self.accounts:
            raise ValueError("an account set holds at least one account")

    @property
    def primary(self) -> Account:
        return self.accounts[0]

    def __iter__(self) -> Iterator[Account]:
        return iter(self.accounts)

    def __len__(self) -> int:
        return len(self.accounts)

    @cached_property
    def _by_id(self) -> dict[str, Account]:
        return {a.account_id: a for a in self.accounts}

    def account(self, account_id: str) -> Account | None:
        return self._by_id.get(account_id)

    def unreadable_account(self, account_id: str) -> UnreadableAccount | None:
        return next((u for u in self.unreadable if u.account_id == account_id), None)

    def principal_by_arn(self, arn: str) -> tuple[Account, IamPrincipal] | None:
        """A user or role by its ARN; an STS assumed-role ARN finds its role."""
        parts = arn.strip().split(":", 5)
        if len(parts) != 6:
            return None
        account = self._by_id.get(parts[4])
        if account is None:
            return None
        if parts[2] == "sts" and parts[5].startswith("assumed-role/"):
            role = parts[5].split("/")[1] if parts[5].count("/") >= 1 else ""
            found = account.principal(role, PrincipalType.ROLE)
        else:
            found = account.principal(arn.strip())
        return (account, found) if found is not None else None

    def principals_named(
        self, name: str, type: PrincipalType | None = None
    ) -> list[tuple[Account, IamPrincipal]]:
        """Every account's user or role of this bare name (users first when no type is given),
        in account order."""
        out = []
        for account in self.accounts:
            found = account.principal(name, type)
            if found is not None:
                out.append((account, found))
        return out

    def identity_owner(self, identity_arn: str) -> tuple[Account, SesIdentity | None] | None:
        """The loaded account an identity ARN names, and the identity if it exists there."""
        parts = identity_arn.strip().split(":", 5)
        if len(parts) != 6 or not parts[5].startswith("identity/"):
            return None
        account = self._by_id.get(parts[4])
        if account is None:
            return None
        region = account.regions.get(parts[3])
        name = parts[5][len("identity/") :]
        return account, region.identity(name) if region else None

    def identity_owners(self, name: str, region: str) -> list[tuple[Account, SesIdentity]]:
        """Every account that has an identity of this name in the region."""
        out = []
        for account in self.accounts:
            state = account.regions.get(region)
            found = state.identity(name) if state else None
            if found is not None:
                out.append((account, found))
        return out
