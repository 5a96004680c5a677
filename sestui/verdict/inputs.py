"""Parse what people paste into flags and fields (From headers, times, IPs, actions, regions,
identity ARNs), or refuse it with one error that names the flag."""

from __future__ import annotations

import difflib
import ipaddress
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import decode_header, make_header

from sestui.errors import SestuiError


class InputError(SestuiError, ValueError):
    """An input AWS could never have received; the message names the flag or field."""


# SES v1 and v2 API operations: IAM names each SES action after its operation (service
# authorization reference, "Actions defined by Amazon SES"), under the one prefix `ses:`.
# fmt: off
_OPERATIONS = (
    "AssociateEmailIdentityCertificate", "BatchGetMetricData", "CancelExportJob",
    "CloneReceiptRuleSet", "CreateConfigurationSet", "CreateConfigurationSetEventDestination",
    "CreateConfigurationSetTrackingOptions", "CreateContact", "CreateContactList",
    "CreateCustomVerificationEmailTemplate", "CreateDedicatedIpPool",
    "CreateDeliverabilityTestReport", "CreateEmailIdentity", "CreateEmailIdentityPolicy",
    "CreateEmailTemplate", "CreateExportJob", "CreateImportJob", "CreateMultiRegionEndpoint",
    "CreateReceiptFilter", "CreateReceiptRule", "CreateReceiptRuleSet", "CreateTemplate",
    "CreateTenant", "CreateTenantResourceAssociation", "DeleteConfigurationSet",
    "DeleteConfigurationSetEventDestination", "DeleteConfigurationSetTrackingOptions",
    "DeleteContact", "DeleteContactList", "DeleteCustomVerificationEmailTemplate",
    "DeleteDedicatedIpPool", "DeleteEmailIdentity", "DeleteEmailIdentityPolicy",
    "DeleteEmailTemplate", "DeleteIdentity", "DeleteIdentityPolicy", "DeleteMultiRegionEndpoint",
    "DeleteReceiptFilter", "DeleteReceiptRule", "DeleteReceiptRuleSet",
    "DeleteSuppressedDestination", "DeleteTemplate", "DeleteTenant",
    "DeleteTenantResourceAssociation", "DeleteVerifiedEmailAddress",
    "DescribeActiveReceiptRuleSet", "DescribeConfigurationSet", "DescribeReceiptRule",
    "DescribeReceiptRuleSet", "DisassociateEmailIdentityCertificate", "GetAccount",
    "GetAccountSendingEnabled", "GetBlacklistReports", "GetConfigurationSet",
    "GetConfigurationSetEventDestinations", "GetContact", "GetContactList",
    "GetCustomVerificationEmailTemplate", "GetDedicatedIp", "GetDedicatedIpPool",
    "GetDedicatedIps", "GetDeliverabilityDashboardOptions", "GetDeliverabilityTestReport",
    "GetDomainDeliverabilityCampaign", "GetDomainStatisticsReport", "GetEmailAddressInsights",
    "GetEmailIdentity", "GetEmailIdentityPolicies", "GetEmailTemplate", "GetExportJob",
    "GetIdentityDkimAttributes", "GetIdentityMailFromDomainAttributes",
    "GetIdentityNotificationAttributes", "GetIdentityPolicies",
    "GetIdentityVerificationAttributes", "GetImportJob", "GetMessageInsights",
    "GetMultiRegionEndpoint", "GetReputationEntity", "GetSendQuota", "GetSendStatistics",
    "GetSuppressedDestination", "GetTemplate", "GetTenant", "ListConfigurationSets",
    "ListContactLists", "ListContacts", "ListCustomVerificationEmailTemplates",
    "ListDedicatedIpPools", "ListDeliverabilityTestReports", "ListDomainDeliverabilityCampaigns",
    "ListEmailIdentities", "ListEmailIdentityCertificates", "ListEmailTemplates", "ListExportJobs",
    "ListIdentities", "ListIdentityPolicies", "ListImportJobs", "ListMultiRegionEndpoints",
    "ListReceiptFilters", "ListReceiptRuleSets", "ListRecommendations", "ListReputationEntities",
    "ListResourceTenants", "ListSuppressedDestinations", "ListTagsForResource", "ListTemplates",
    "ListTenantResources", "ListTenants", "ListVerifiedEmailAddresses",
    "PutAccountDedicatedIpWarmupAttributes", "PutAccountDeliveryAttributes", "PutAccountDetails",
    "PutAccountPricingAttributes", "PutAccountSendingAttributes",
    "PutAccountSuppressionAttributes", "PutAccountVdmAttributes",
    "PutConfigurationSetArchivingOptions", "PutConfigurationSetDeliveryOptions",
    "PutConfigurationSetReputationOptions", "PutConfigurationSetSendingOptions",
    "PutConfigurationSetSuppressionOptions", "PutConfigurationSetTrackingOptions",
    "PutConfigurationSetVdmOptions", "PutDedicatedIpInPool", "PutDedicatedIpPoolScalingAttributes",
    "PutDedicatedIpWarmupAttributes", "PutDeliverabilityDashboardOption",
    "PutEmailIdentityConfigurationSetAttributes", "PutEmailIdentityDkimAttributes",
    "PutEmailIdentityDkimSigningAttributes", "PutEmailIdentityFeedbackAttributes",
    "PutEmailIdentityMailFromAttributes", "PutIdentityPolicy", "PutSuppressedDestination",
    "PutTenantSuppressionAttributes", "ReorderReceiptRuleSet", "SendBounce", "SendBulkEmail",
    "SendBulkTemplatedEmail", "SendCustomVerificationEmail", "SendEmail", "SendRawEmail",
    "SendTemplatedEmail", "SetActiveReceiptRuleSet", "SetIdentityDkimEnabled",
    "SetIdentityFeedbackForwardingEnabled", "SetIdentityHeadersInNotificationsEnabled",
    "SetIdentityMailFromDomain", "SetIdentityNotificationTopic", "SetReceiptRulePosition",
    "TagResource", "TestRenderEmailTemplate", "TestRenderTemplate", "UntagResource",
    "UpdateAccountSendingEnabled", "UpdateConfigurationSet",
    "UpdateConfigurationSetEventDestination", "UpdateConfigurationSetReputationMetricsEnabled",
    "UpdateConfigurationSetSendingEnabled", "UpdateConfigurationSetTrackingOptions",
    "UpdateContact", "UpdateContactList", "UpdateCustomVerificationEmailTemplate",
    "UpdateEmailIdentityPolicy", "UpdateEmailTemplate", "UpdateReceiptRule",
    "UpdateReputationEntityCustomerManagedStatus", "UpdateReputationEntityPolicy",
    "UpdateTemplate", "VerifyDomainDkim", "VerifyDomainIdentity", "VerifyEmailAddress",
    "VerifyEmailIdentity",
)
# fmt: on
SES_ACTIONS: dict[str, str] = {f"ses:{op}".lower(): f"ses:{op}" for op in _OPERATIONS}

# Regions with an SES (v1 and v2) endpoint, per partition ("Amazon SES endpoints and quotas").
# fmt: off
SES_REGIONS: dict[str, tuple[str, ...]] = {
    "aws": (
        "af-south-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
        "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
        "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1",
        "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
        "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
        "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    ),
    "aws-us-gov": ("us-gov-east-1", "us-gov-west-1"),
}
# fmt: on
ALL_SES_REGIONS = frozenset(r for regions in SES_REGIONS.values() for r in regions)

# RFC 5322 dot-atom local part (no quoted local parts: SES identities never have them).
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"(?!-)[^\W_](?:[\w-]{0,61}[^\W_])?", re.UNICODE)
_IDENTITY_ARN = re.compile(r"arn:(aws[a-z-]*):ses:([a-z0-9-]*):(\d{12}):identity/(.+)")


@dataclass(frozen=True, slots=True)
class FromHeader:
    address: str
    display_name: str | None  # None: the header had none


def did_you_mean(word: str, choices: list[str]) -> str:
    """ " (did you mean X?)" for the closest of `choices`, or "" when none is close."""
    near = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {near[0]}?)" if near else ""


def is_domain(text: str) -> bool:
    labels = text.rstrip(".").split(".")
    return (
        len(labels) >= 2
        and len(text) <= 253
        and all(_LABEL.fullmatch(label) for label in labels)
        and not labels[-1].isdigit()
    )


def is_address(text: str) -> bool:
    local, at, domain = text.rpartition("@")
    return bool(at) and len(local) <= 64 and bool(_LOCAL.fullmatch(local)) and is_domain(domain)


def parse_address(text: str, flag: str = "--recipient") -> str:
    """A bare address, or the address of a `Name <address>` header (recipients)."""
    return parse_from_header(text, flag).address


def parse_from_header(text: str, flag: str = "--from") -> FromHeader:
    """`a@x`, `<a@x>`, `Name <a@x>` or `"Name" <a@x>` (RFC 5322 name-addr, as pasted from
    a From header); the display name is what SES matches against ses:FromDisplayName."""
    raw = text.strip()
    m = re.fullmatch(r"(.*?)\s*<([^<>]*)>", raw, re.DOTALL)
    if m is None:
        if not is_address(raw):
            raise InputError(f"{flag}: {text!r} is not an email address")
        return FromHeader(raw, None)
    name, address = m.group(1).strip(), m.group(2).strip()
    if not is_address(address):
        raise InputError(f"{flag}: {address!r} (in {text!r}) is not an email address")
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = re.sub(r"\\(.)", r"\1", name[1:-1])
    elif '"' in name or any(c in name for c in "<>@,;"):
        raise InputError(f"{flag}: the display name in {text!r} needs quotes")
    if "=?" in name:
        # An RFC 2047 encoded word: SES compares the decoded name.
        try:
            name = str(make_header(decode_header(name)))
        except (ValueError, LookupError) as exc:
            raise InputError(f"{flag}: cannot decode the display name in {text!r}") from exc
    return FromHeader(address, name or None)


def parse_time(text: str, flag: str = "--time") -> str:
    """An ISO-8601 date-time (aws:CurrentTime); returns it normalised to UTC with a Z."""
    raw = text.strip()
    try:
        when = datetime.fromisoformat(raw[:-1] + "+00:00" if raw[-1:] in "zZ" and raw else raw)
    except ValueError:
        raise InputError(
            f"{flag}: {text!r} is not an ISO-8601 time (e.g. 2026-03-01T12:00:00Z)"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_ip(text: str, flag: str = "--source-ip") -> str:
    """One IPv4 or IPv6 address (aws:SourceIp is the caller's address, never a range)."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        raise InputError(f"{flag}: {text!r} is not an IPv4 or IPv6 address") from None


def parse_action(text: str, flag: str = "--action") -> str:
    """A known SES action, spelled as AWS spells it; else the closest one is offered."""
    raw = text.strip()
    found = SES_ACTIONS.get(raw.lower())
    if found is not None:
        return found
    prefix, colon, name = raw.partition(":")
    guess = raw if colon else f"ses:{raw}"
    if colon and prefix.lower() == "email":
        guess = f"ses:{name}"  # the console's old name for the service
    if guess.lower() in SES_ACTIONS:
        hint = f" (did you mean {SES_ACTIONS[guess.lower()]}?)"
    else:
        lowered = {k.lower(): v for k, v in SES_ACTIONS.items()}
        near = difflib.get_close_matches(guess.lower(), list(lowered), n=1, cutoff=0.6)
        hint = f" (did you mean {lowered[near[0]]}?)" if near else ""
    raise InputError(f"{flag}: {text!r} is not an SES action{hint}")


def check_smtp_actions(smtp: bool, actions: tuple[str, ...], flag: str = "--action") -> None:
    """Over SMTP every send is `ses:SendRawEmail` (the SMTP interface is authorized as version 2
    of SendRawEmail, "Controlling access to Amazon SES"): another action is an API call, which
    an SMTP send can never be."""
    if not smtp:
        return
    other = [a for a in actions if a.lower() != "ses:sendrawemail"]
    if other:
        raise InputError(
            f"{flag}: {other[0]} is an API call; over SMTP every send is ses:SendRawEmail "
            "(add --via api-v1 or --via api-v2)"
        )


def parse_region(text: str, flag: str = "--region") -> str:
    raw = text.strip()
    if raw.lower() in ALL_SES_REGIONS:
        return raw.lower()
    hint = did_you_mean(raw.lower(), sorted(ALL_SES_REGIONS))
    raise InputError(f"{flag}: {text!r} is not a region where SES sends{hint}")


@dataclass(frozen=True, slots=True)
class IdentityArn:
    partition: str
    region: str
    account: str
    name: str


def parse_identity(text: str, flag: str = "--identity") -> str | IdentityArn:
    """An email address, a domain, or an SES identity ARN (a delegate sender's SourceArn)."""
    raw = text.strip()
    if raw.startswith("arn:"):
        m = _IDENTITY_ARN.fullmatch(raw)
        if m is None:
            raise InputError(
                f"{flag}: {text!r} is not an SES identity ARN "
                "(arn:aws:ses:REGION:ACCOUNT:identity/NAME)"
            )
        part, region, account, name = m.groups()
        parse_region(region, f"{flag} (its region)")
        if not (is_address(name) or is_domain(name)):
            raise InputError(f"{flag}: {name!r} in {text!r} is not an address or a domain")
        return IdentityArn(part, region, account, name)
    if is_address(raw) or is_domain(raw):
        return raw
    raise InputError(f"{flag}: {text!r} is not an email address, a domain or an identity ARN")


_SESSION_ARN = re.compile(r"arn:aws[a-z-]*:sts::\d{12}:assumed-role/[^/]+/(.+)")


def session_name_of(principal: str) -> str | None:
    """The session name of an assumed-role ARN (`…:assumed-role/ROLE/SESSION`), else None."""
    m = _SESSION_ARN.fullmatch(principal.strip())
    return m.group(1) if m else None


_SES_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


def parse_name(text: str, flag: str) -> str:
    """A configuration set or template name: up to 64 ASCII letters, digits, `_` and `-`
    (SES API reference, CreateConfigurationSet and CreateTemplate)."""
    raw = text.strip()
    if not _SES_NAME.fullmatch(raw):
        raise InputError(
            f"{flag}: {text!r} is not an SES name (up to 64 letters, digits, '_' or '-')"
        )
    return raw
