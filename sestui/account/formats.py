"""The shapes of the snapshot files (`sestui-snapshot/1` and `/2`) as TypedDicts: what a writer
produces and the loaders accept. No boto3 here, so the readers and the loaders share them."""

from __future__ import annotations

from typing import Any, Final, Literal, NotRequired, TypedDict

FORMAT_1: Final = "sestui-snapshot/1"  # Final: typed as the literal the TypedDicts name
FORMAT_2: Final = "sestui-snapshot/2"


class AccountHeader(TypedDict):
    Id: str
    Partition: NotRequired[str]
    Caller: NotRequired[str]
    Name: NotRequired[str]  # in an organization snapshot: the name ListAccounts gives


class GapEntry(TypedDict):
    what: str
    where: str
    permission: str | None
    message: str


class AccountEntry(TypedDict):
    """One account: a `sestui-snapshot/1` object without its `format` key."""

    created: NotRequired[str]
    source: NotRequired[str]
    account: AccountHeader
    iam: dict[str, Any]  # GetAccountAuthorizationDetails as AWS returns it
    access_keys: NotRequired[list[dict[str, Any]]]  # ListAccessKeys + GetAccessKeyLastUsed
    ses: NotRequired[dict[str, Any] | None]
    organizations: NotRequired[dict[str, Any] | None]  # this account's own SCP chain
    gaps: NotRequired[list[GapEntry]]


class SnapshotV1(AccountEntry):
    format: Literal["sestui-snapshot/1"]


class UnreadableHeader(TypedDict):
    Id: str
    Name: NotRequired[str | None]


class UnreadableEntry(TypedDict):
    account: UnreadableHeader
    what: str
    where: str
    permission: str | None
    message: str


class OrganizationHeader(TypedDict):
    Id: str
    ManagementAccountId: str


class SnapshotV2(TypedDict):
    format: Literal["sestui-snapshot/2"]
    source: NotRequired[str]
    organization: OrganizationHeader | None
    accounts: list[AccountEntry]
    unreadable: NotRequired[list[UnreadableEntry]]
