"""The account model (frozen dataclasses) and the snapshot format. No boto3, no Textual."""

from sestui.account.accountset import AccountSet, UnreadableAccount
from sestui.account.decode.paths import SnapshotError
from sestui.account.files import load_iam_json, load_snapshot, save_snapshot
from sestui.account.model import (
    AccessKey,
    Account,
    Group,
    IamPrincipal,
    IdentityKind,
    IdentityResolution,
    ManagedPolicy,
    Organization,
    OrgStatus,
    PolicyDocument,
    PrincipalPolicies,
    PrincipalType,
    ReadGap,
    RegionState,
    ScpTarget,
    SendingStatus,
    SesIdentity,
    covers,
)
from sestui.account.snapshot import FORMAT, account_from_snapshot

__all__ = [
    "FORMAT",
    "AccessKey",
    "Account",
    "AccountSet",
    "Group",
    "IamPrincipal",
    "IdentityKind",
    "IdentityResolution",
    "ManagedPolicy",
    "OrgStatus",
    "Organization",
    "PolicyDocument",
    "PrincipalPolicies",
    "PrincipalType",
    "ReadGap",
    "RegionState",
    "ScpTarget",
    "SendingStatus",
    "SesIdentity",
    "SnapshotError",
    "UnreadableAccount",
    "account_from_snapshot",
    "covers",
    "load_iam_json",
    "load_snapshot",
    "save_snapshot",
]
