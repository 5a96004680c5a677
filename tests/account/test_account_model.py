"""The account model on the demo account: lookups, policies in force, identity resolution."""

from __future__ import annotations

import pytest

from sestui.account import Account, OrgStatus, PrincipalType, covers, load_snapshot
from sestui.demo import demo_path
from sestui.demo.build import render
from sestui.policy import PolicyKind


@pytest.fixture(scope="module")
def demo() -> Account:
    return load_snapshot(demo_path())[0]


def test_shipped_demo_file_is_what_the_builder_writes() -> None:
    assert demo_path().read_text(encoding="utf-8") == render()


def test_demo_holds_users_roles_regions_and_an_org(demo: Account) -> None:
    assert demo.account_id == "111122223333"
    names = {p.name for p in demo.users}
    assert {
        "iam-user-name",
        "reporting",
        "eu-mailer",
        "billing-app",
        "contractor",
        "old-crm",
        "dev-sandbox",
        "newsletter",
        "support-desk",
        "smtp-wordpress",
        "marketing-app",
        "ops-admin",
    } <= names
    assert [r.name for r in demo.roles] == ["order-notifier"]
    notifier = demo.principal("order-notifier")
    assert notifier is not None and notifier.trusted_services == ("lambda.amazonaws.com",)
    assert set(demo.regions) == {"eu-west-1", "us-east-1", "eu-central-1", "us-west-2"}
    assert sum(len(r.identities) for r in demo.regions.values()) >= 10
    levels = demo.organization.levels
    assert levels is not None and [lv.type for lv in levels] == [
        "ROOT",
        "ORGANIZATIONAL_UNIT",
        "ACCOUNT",
    ]
    assert demo.organization.status is OrgStatus.MEMBER


def test_principal_lookup_by_name_and_arn(demo: Account) -> None:
    user = demo.principal("contractor")
    assert user is not None and user.path == "/external/"
    assert demo.principal(user.arn) is user
    assert demo.principal("order-notifier", PrincipalType.USER) is None
    assert demo.principal("nobody") is None


def test_policies_in_force_include_groups_and_say_how_they_attach(demo: Account) -> None:
    dev = demo.principal("dev-sandbox")
    assert dev is not None
    pp = demo.policies_for(dev)
    described = [d.source.describe() for d in pp.identity]
    assert described == [
        "identity policy AmazonSESFullAccess",
        "identity policy DevLogs (via group developers)",
        "identity policy DevReadOnly (via group developers)",
    ]
    assert pp.boundary is not None and pp.boundary.source.kind is PolicyKind.BOUNDARY
    assert pp.boundary.policy.statements[0].sid == "OnlyStorageAndLogs"
    assert pp.unknown == ()
    assert demo.policies_for(dev) is pp  # computed once


def test_identity_resolution_prefers_the_most_specific_verified_identity(demo: Account) -> None:
    eu = demo.regions["eu-west-1"]
    assert eu.resolve("billing@example.com").identity.name == "billing@example.com"  # type: ignore[union-attr]
    assert eu.resolve("info@example.com").identity.name == "example.com"  # type: ignore[union-attr]
    assert eu.resolve("x@news.example.com").identity.name == "news.example.com"  # type: ignore[union-attr]
    assert eu.resolve("x@deep.news.example.com").candidates == (
        "x@deep.news.example.com",
        "deep.news.example.com",
        "news.example.com",
        "example.com",
    )
    # An address that exists as an identity but failed verification falls back to the domain.
    support = eu.resolve("support@example.com")
    assert support.identity is not None and support.identity.name == "example.com"
    assert [i.name for i in support.unverified] == ["support@example.com"]
    # A pending domain: nothing verified to send from.
    pending = eu.resolve("a@example.org")
    assert pending.identity is None and [i.name for i in pending.unverified] == ["example.org"]
    # Identities are per region.
    assert demo.regions["us-west-2"].resolve("info@example.com").identity is None
    # Domain names are case-insensitive.
    assert eu.resolve("Info@EXAMPLE.com").identity.name == "example.com"  # type: ignore[union-attr]


def test_access_keys_map_back_to_users(demo: Account) -> None:
    found = [(p, k) for p in demo.principals for k in p.access_keys]
    [(user, key)] = [(p, k) for p, k in found if k.key_id == "AKIAI44QH8DHBEXAMPLE"]
    assert user.name == "smtp-wordpress" and key.last_used_region == "us-east-1"
    assert all(k.key_id != "AKIANOTAKEY" for _, k in found)


def test_sending_status_and_identity_arns(demo: Account) -> None:
    assert demo.regions["us-east-1"].sending.sandbox is True
    assert demo.regions["eu-west-1"].sending.sandbox is False
    ident = demo.regions["eu-west-1"].identities["news.example.com"]
    assert ident.default_configuration_set == "newsletter-tracking"
    assert ident.arn(demo.account_id) == (
        "arn:aws:ses:eu-west-1:111122223333:identity/news.example.com"
    )


@pytest.mark.parametrize(
    ("identity", "address", "covered"),
    [
        ("example.com", "a@example.com", True),
        ("example.com", "a@Example.COM", True),
        ("example.com", "a@mail.example.com", True),  # subdomains are covered (as resolve() looks)
        ("example.com", "a@badexample.com", False),
        ("example.com", "a@example.com.evil", False),
        ("example.com", "example.com", False),  # not an address
        ("billing@example.com", "billing@EXAMPLE.com", True),
        ("billing@example.com", "Billing@example.com", False),  # the local part is kept as given
        ("billing@example.com", "other@example.com", False),
    ],
)
def test_which_from_addresses_an_identity_covers(
    identity: str, address: str, covered: bool
) -> None:
    assert covers(identity, address) is covered
