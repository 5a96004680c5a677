"""`pasted_send`: the one mapping from a pasted denial to the send to check, shared by
`sestui explain` and the TUI's paste (no Textual here)."""

from __future__ import annotations

from typing import Any

import pytest

from sestui.account import AccountSet
from sestui.account.orgsnapshot import account_set_from_data
from sestui.decide import SelectionError, SendPath
from sestui.explain.asked import NoRegionNamed, pasted_send
from sestui.explain.parse import parse_error
from tests.accounthelp import ACCT, account
from tests.orghelp import (
    CENTRAL,
    IDENTITY_ARN,
    WORKLOAD,
    central,
    organization,
    unreadable,
    workload,
)


def denial(principal: str, resource: str, action: str = "ses:SendRawEmail") -> str:
    return (
        f"An error occurred (AccessDenied) when calling the SendRawEmail operation: User "
        f"`{principal}' is not authorized to perform `{action}' on resource `{resource}'"
    )


USER = f"arn:aws:iam::{ACCT}:user/app"
CONFIG_SETS: list[dict[str, Any]] = [
    {"name": "example.com", "config_set": "tracking"},
    {"name": "other.example.com", "config_set": "shared"},
    {"name": "third.example.com", "config_set": "shared"},
]


def single() -> AccountSet:
    return AccountSet((account(identities=CONFIG_SETS, config_sets=["tracking", "shared"]),))


def send_for(text: str, accounts: AccountSet, **kw: Any) -> Any:
    return pasted_send(parse_error(text), text, accounts, **kw)


def test_the_identity_the_message_names_even_one_the_account_lacks() -> None:
    for name, unknown in (("example.com", False), ("news.example.com", True)):
        text = denial(USER, f"arn:aws:ses:eu-west-1:{ACCT}:identity/{name}")
        send = send_for(text, single())
        assert (send.principal_arn, send.region, send.identity) == (USER, "eu-west-1", name)
        assert send.identity_unknown is unknown and not send.delegate
        assert send.action == "ses:SendRawEmail" and send.path is SendPath.API_V1


@pytest.mark.parametrize(
    ("config_set", "identity"),
    [("tracking", "example.com"), ("shared", None), ("unused", None)],
    ids=["one-identity-uses-it", "two-use-it", "none-uses-it"],
)
def test_a_configuration_set_names_an_identity_only_when_one_uses_it(
    config_set: str, identity: str | None
) -> None:
    text = denial(USER, f"arn:aws:ses:eu-west-1:{ACCT}:configuration-set/{config_set}")
    send = send_for(text, single())
    assert send.configuration_set == config_set and send.identity == identity


def test_the_users_own_identity_wins_and_a_region_is_needed() -> None:
    text = denial(USER, f"arn:aws:ses:eu-west-1:{ACCT}:configuration-set/shared")
    assert send_for(text, single(), identity="third.example.com").identity == "third.example.com"
    no_resource = f"User `{USER}' is not authorized to perform `ses:GetSendQuota' on resource `*'"
    with pytest.raises(NoRegionNamed):
        send_for(no_resource, single())
    assert send_for(no_resource, single(), region="us-east-1").region == "us-east-1"


def test_an_account_not_loaded_is_named_never_replaced() -> None:
    stranger = "arn:aws:iam::999999999999:user/app"
    text = denial(stranger, f"arn:aws:ses:eu-west-1:{ACCT}:identity/example.com")
    with pytest.raises(SelectionError, match=f"names account 999999999999.*loaded is {ACCT}"):
        send_for(text, single())


def test_a_delegate_send_across_loaded_accounts_and_an_unreadable_one() -> None:
    org = account_set_from_data(organization(central(None), workload(), unreadable=[unreadable()]))
    caller = f"arn:aws:iam::{WORKLOAD}:user/app"
    send = send_for(denial(caller, IDENTITY_ARN), org)
    assert send.caller.account_id == WORKLOAD and send.delegate
    assert send.identity == IDENTITY_ARN and not send.identity_unknown
    legacy = "arn:aws:iam::777788889999:user/app"
    with pytest.raises(SelectionError, match="777788889999, but that account could not be read"):
        send_for(denial(legacy, IDENTITY_ARN), org)
    # A configuration set of another account is not a delegate send: that account must be the
    # caller's.
    other_set = f"arn:aws:ses:eu-west-1:{CENTRAL}:configuration-set/x"
    with pytest.raises(SelectionError, match=f"names account {CENTRAL}"):
        send_for(denial(caller, other_set), org)


def test_a_misspelt_region_in_the_message_is_refused_with_the_nearest() -> None:
    text = denial(USER, f"arn:aws:ses:eu-wst-1:{ACCT}:identity/example.com")
    with pytest.raises(ValueError, match=r"'eu-wst-1' is not a region where SES sends.*eu-west-1"):
        send_for(text, single())
