"""What a pasted "554 Access denied" asks to check, among the loaded accounts: one mapping shared
by `sestui explain` and the TUI's paste, so both check the same send."""

from __future__ import annotations

from dataclasses import dataclass

from sestui.account import Account, AccountSet
from sestui.explain.parse import ParsedError
from sestui.explain.resolve import send_form
from sestui.verdict.analysis import SelectionError
from sestui.verdict.inputs import parse_region
from sestui.verdict.selection import SendPath


class NoRegionNamed(SelectionError):
    """The message names no SES resource (so no region), and none was given."""


@dataclass(frozen=True, slots=True)
class PastedSend:
    """The send a pasted denial describes. `identity` is None when the message does not tell
    (a configuration set no identity uses by default): the caller asks the user."""

    caller: Account  # the principal's account, wherever among the loaded accounts it is
    principal_arn: str
    region: str
    identity: str | None  # a name in the caller's account, or the owner's identity ARN
    configuration_set: str | None
    action: str | None
    path: SendPath
    path_reason: str
    delegate: bool  # the identity is another account's: a delegate (cross-account) send

    @property
    def identity_unknown(self) -> bool:
        return (
            self.identity is not None
            and not self.delegate
            and (
                self.region not in self.caller.regions
                or self.identity not in self.caller.regions[self.region].identities
            )
        )


def pasted_send(
    parsed: ParsedError,
    text: str,
    accounts: AccountSet,
    *,
    region: str | None = None,
    identity: str | None = None,
) -> PastedSend:
    """Map an access-denied error to the send it describes. `region` is used when the message
    names none; `identity` (the user's own choice) wins over the message's. Raises
    SelectionError naming what is missing: the caller's account not loaded (or unreadable), an
    identity of an account that is not the caller's and not an identity, no region; InputError
    for a region SES does not send from."""
    if parsed.principal_arn is None:
        raise SelectionError("the message names no principal")
    caller_id = parsed.principal_arn.split(":")[4]
    delegate = parsed.account is not None and parsed.account != caller_id
    delegate = delegate and parsed.resource_type == "identity"
    caller = accounts.account(caller_id)
    if caller is None or (parsed.account not in (None, caller_id) and not delegate):
        missing = caller_id if caller is None else (parsed.account or "?")
        gap = accounts.unreadable_account(missing)
        loaded = ", ".join(a.account_id for a in accounts)
        several = len(accounts) > 1
        raise SelectionError(
            f"the message names account {missing}, but "
            + (
                f"that account could not be read ({gap.describe()})"
                if gap
                else f"the account{'s' if several else ''} loaded {'are' if several else 'is'} "
                f"{loaded}"
            )
        )
    # The message's region, as `--region` is: a misspelt one is refused with the nearest region,
    # never checked as a region nothing was read in.
    where = parse_region(parsed.region, "the message's region") if parsed.region else region
    if not where:
        raise NoRegionNamed("the message names no SES resource")
    config_set = None
    if parsed.resource_type == "identity":
        # Another account's identity: a delegate send, checked by its ARN.
        identity = identity or (parsed.resource_arn if delegate else parsed.resource_name)
    elif parsed.resource_type == "configuration-set" and parsed.resource_name:
        config_set = parsed.resource_name
        if identity is None and where in caller.regions:
            # The identity whose default configuration set it is: the only one that tells.
            users = sorted(
                i.name
                for i in caller.regions[where].identities.values()
                if i.default_configuration_set == config_set
            )
            identity = users[0] if len(users) == 1 else None
    form = send_form(text)
    return PastedSend(
        caller=caller,
        principal_arn=parsed.principal_arn,
        region=where,
        identity=identity,
        configuration_set=config_set,
        action=parsed.action,
        path=form.path,
        path_reason=form.reason,
        delegate=delegate,
    )
