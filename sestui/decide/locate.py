"""Which loaded account a selection's principal and identity live in (several accounts open)."""

from __future__ import annotations

from dataclasses import dataclass

from sestui.account import Account, IamPrincipal, PrincipalType
from sestui.account.accountset import AccountSet
from sestui.verdict.analysis import SelectionError, unknown_principal
from sestui.verdict.selection import Selection


@dataclass(frozen=True, slots=True)
class Located:
    caller: Account  # the principal's account: its policies, boundary and SCPs
    owner: Account | None  # the identity's account when it is another loaded one


def _loaded(accounts: AccountSet) -> str:
    return ", ".join(a.title for a in accounts)


def _not_loaded(accounts: AccountSet, account_id: str, what: str) -> SelectionError:
    gap = accounts.unreadable_account(account_id)
    if gap is not None:
        return SelectionError(f"{what} is in {gap.describe()}")
    return SelectionError(
        f"{what} is in account {account_id}, which is not loaded (loaded: {_loaded(accounts)})"
    )


def locate(accounts: AccountSet, selection: Selection, account_id: str | None = None) -> Located:
    """The caller's account (by principal ARN, or the one account holding the bare name, or
    `account_id`) and the owner of an identity ARN. SelectionError names what is missing or
    ambiguous (every ARN of a name that several accounts hold)."""
    if len(accounts) == 1 and account_id in (None, accounts.primary.account_id):
        return Located(accounts.primary, None)  # one account: its own messages, as always
    wanted = PrincipalType.ROLE if selection.role else None
    name = selection.principal.strip()
    if account_id is not None and accounts.account(account_id) is None:
        gap = accounts.unreadable_account(account_id)
        raise SelectionError(
            f"--account {account_id}: "
            + (gap.describe() if gap else f"not a loaded account (loaded: {_loaded(accounts)})")
        )
    if name.startswith("arn:"):
        parts = name.split(":", 5)
        if len(parts) != 6 or not parts[4]:
            raise SelectionError(f"{name!r} is not an IAM user, role or session ARN")
        if account_id is not None and parts[4] != account_id:
            raise SelectionError(f"{name} is in account {parts[4]}, not --account {account_id}")
        caller = accounts.account(parts[4])
        if caller is None:
            raise _not_loaded(accounts, parts[4], name)
    else:
        pool = [accounts.account(account_id)] if account_id else list(accounts)
        found = [(a, p) for a in pool if a is not None for p in [a.principal(name, wanted)] if p]
        if not found:
            where = (
                f"account {pool[0].title}"
                if len(pool) == 1 and pool[0] is not None
                else f"any loaded account ({_loaded(accounts)})"
            )
            searched = [a for a in pool if a is not None]
            raise unknown_principal(name, selection.role, where, searched)
        if len(found) > 1:
            raise SelectionError(
                f"{name!r} is in {len(found)} accounts: "
                + ", ".join(f"{p.arn} ({a.title})" for a, p in found)
                + "; give its ARN or --account ID"
            )
        caller = found[0][0]
    owner = None
    identity = (selection.identity or "").strip()
    if identity.startswith("arn:"):
        parts = identity.split(":", 5)
        if len(parts) == 6 and parts[4] != caller.account_id:
            owner = accounts.account(parts[4])
    return Located(caller, owner)


def find_principal_in(
    accounts: AccountSet, name: str, role: bool = False, account_id: str | None = None
) -> tuple[Account, IamPrincipal]:
    """The principal a name or ARN stands for among the loaded accounts, and its account.
    Raises SelectionError (an unknown name, or one that several accounts hold)."""
    from sestui.verdict.analysis import find_principal

    sel = Selection(name, "", role=role)
    caller = locate(accounts, sel, account_id).caller
    return caller, find_principal(caller, sel)


def accounts_word(accounts: AccountSet) -> str:
    """ "this account", or "the N accounts loaded"."""
    return "this account" if len(accounts) == 1 else f"the {len(accounts)} accounts loaded"


def locate_identity(
    accounts: AccountSet, identity: str, region: str, account_id: str | None
) -> tuple[Account, str]:
    """The loaded account and name an identity stands for (an ARN, or a name one account has
    in the region, or the one of `account_id`). Raises SelectionError: unknown, or a name
    several accounts have (listing their ARNs)."""
    text = identity.strip()
    if text.startswith("arn:"):
        found = accounts.identity_owner(text)
        if found is None:
            raise SelectionError(f"{text} is not in a loaded account")
        if found[1] is None:
            raise SelectionError(f"{text}: no such identity in its account")
        if text.split(":")[3] != region:
            raise SelectionError(f"{text} is in region {text.split(':')[3]}, not --region {region}")
        return found[0], found[1].name
    owners = accounts.identity_owners(text, region)
    if account_id is not None:
        owners = [(a, i) for a, i in owners if a.account_id == account_id]
    if not owners:
        raise SelectionError(f"no identity {text!r} in {region} of {accounts_word(accounts)}")
    if len(owners) > 1:
        raise SelectionError(
            f"{text!r} is an identity of {len(owners)} accounts in {region}: "
            + ", ".join(f"{i.arn(a.account_id)} ({a.title})" for a, i in owners)
            + "; give its ARN or --account ID"
        )
    return owners[0][0], owners[0][1].name
