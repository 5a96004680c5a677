"""Recognise a pasted SES error (554 SMTP reply, API AccessDenied, localized wording, wrapped
lines) and pull out principal, action, resource, account and region; answer other SES errors
(unverified address, sandbox, throttling, 535, paused account) with their own cause."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

# IAM and SES names are ASCII: a localized message may glue words to an ARN without a space.
_ARN_BODY = r"[A-Za-z0-9+=.@_/:*-]+"
PRINCIPAL_ARN = re.compile(rf"arn:aws[\w-]*:(?:iam|sts)::\d{{12}}:{_ARN_BODY}")
RESOURCE_ARN = re.compile(rf"arn:aws[\w-]*:ses:[a-z0-9-]+:\d{{12}}:{_ARN_BODY}")
ACTION = re.compile(r"(?<![A-Za-z0-9_:-])(?:ses|email):[A-Z][A-Za-z0-9]+")
_WORDS = frozenset(
    {
        "is",
        "not",
        "on",
        "because",
        "with",
        "when",
        "to",
        "for",
        "in",
        "and",
        "calling",
        "an",
        "the",
        "user",
        "resource",
        "perform",
    }
)


class ErrorKind(Enum):
    ACCESS_DENIED = "access-denied"
    NOT_VERIFIED = "not-verified"
    MAIL_FROM_NOT_VERIFIED = "mail-from-not-verified"
    ACCOUNT_PAUSED = "account-paused"
    QUOTA = "daily-quota"
    THROTTLING = "throttling"
    SIGV2 = "sigv2-smtp-credentials"
    AUTH_INVALID = "smtp-auth-invalid"
    AUTH_REQUIRED = "smtp-auth-required"
    NOT_SUBSCRIBED = "not-subscribed"
    CONFIG_SET_MISSING = "configuration-set-missing"
    TOO_LONG = "message-too-long"
    UNKNOWN = "unknown"

    @property
    def title(self) -> str:
        """The kind in words, for a heading."""
        return _TITLES[self]


_TITLES = {
    ErrorKind.ACCESS_DENIED: "Access denied",
    ErrorKind.NOT_VERIFIED: "Identity not verified",
    ErrorKind.MAIL_FROM_NOT_VERIFIED: "MAIL FROM domain not verified",
    ErrorKind.ACCOUNT_PAUSED: "Sending paused for the account",
    ErrorKind.QUOTA: "Daily sending quota reached",
    ErrorKind.THROTTLING: "Sending rate exceeded",
    ErrorKind.SIGV2: "SMTP password of the old kind (SigV2)",
    ErrorKind.AUTH_INVALID: "SMTP credentials invalid",
    ErrorKind.AUTH_REQUIRED: "SMTP authentication required",
    ErrorKind.NOT_SUBSCRIBED: "Account not subscribed to SES",
    ErrorKind.CONFIG_SET_MISSING: "Configuration set does not exist",
    ErrorKind.TOO_LONG: "Message too long",
    ErrorKind.UNKNOWN: "Not an SES error sestui recognises",
}


@dataclass(frozen=True, slots=True)
class ParsedError:
    kind: ErrorKind
    cause: str
    advice: str
    principal_arn: str | None = None
    action: str | None = None
    resource_arn: str | None = None
    account: str | None = None
    region: str | None = None
    identities: tuple[str, ...] = ()
    smtp: bool = False

    @property
    def named_identities(self) -> str:
        """ "identities: a, b (region r)" for an error that names identities, else "" (as
        `explain` prints it and the TUI's paste dialog shows it)."""
        if not self.identities:
            return ""
        where = f" (region {self.region})" if self.region else ""
        return f"identities: {', '.join(self.identities)}{where}"

    @property
    def resource_type(self) -> str | None:
        if not self.resource_arn:
            return None
        return self.resource_arn.split(":", 5)[5].split("/", 1)[0]

    @property
    def resource_name(self) -> str | None:
        if not self.resource_arn:
            return None
        return self.resource_arn.split(":", 5)[5].split("/", 1)[-1]


_MARKERS = ("arn:", "ses:", "email:")
_MARKER_TAIL = max(map(len, _MARKERS)) - 1  # characters a marker may straddle a join with
_QUOTE_ENDS = ("'", "`", "’", "”")


def _unwrap(text: str) -> str:
    """Rejoin ARNs and actions that a terminal or mail client broke across lines.

    A line is glued to the previous one when the text so far ends in a word that contains
    `arn:`, `ses:` or `email:` (and not in a closing quote), and the line does not start with an
    ordinary English word. Linear in the text: what is known about the last word (does it hold a
    marker, its last few characters) is carried along instead of searched for in the joined text
    again for every line.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    parts = [lines[0]]
    inside, tail = _last_word(lines[0], False, "")
    for nxt in lines[1:]:
        stripped = nxt.lstrip()
        head = stripped.split(None, 1)[0] if stripped else ""
        if (
            inside
            and head
            and head.strip("'`’").lower() not in _WORDS
            and not tail.endswith(_QUOTE_ENDS)
        ):
            parts.append(stripped)
            inside, tail = _last_word(stripped, inside, tail)
        else:
            parts.append("\n" + nxt)
            inside, tail = _last_word(nxt, False, "")
    return "".join(parts)


def _last_word(added: str, inside: bool, tail: str) -> tuple[bool, str]:
    """After `added` is appended to text whose last word has a marker (`inside`) and ends in
    `tail`: whether the new last word has a marker, and its last few characters."""
    if not added or added[-1].isspace():
        return False, ""
    words = added.split()
    word = words[-1]
    if len(words) > 1 or added[0].isspace():
        inside, tail = False, ""  # the old last word ended inside `added`
    joined = tail + word
    inside = inside or any(m in joined for m in _MARKERS)
    return inside, joined[-_MARKER_TAIL:]


_LOCAL_PART = re.compile(r"[\w.+-]*")
_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)+")


def _addresses(text: str) -> list[str]:
    """Every `local@domain.tld` in `text`, as `re.findall` of `_LOCAL_PART`, `@`, `_DOMAIN`
    finds them (local part non-empty), in linear time: that single regex retried a long run of
    name characters from every position in it (a 100 KB word took minutes). Here each `@` is
    visited once; its local part is read backwards (to the previous `@` at most) and its domain
    forwards (to the next one)."""
    found: list[str] = []
    floor = 0  # where the next local part may start: after the last match or the last `@`
    at = text.find("@")
    while at >= 0:
        # Reversed, the local part is a prefix: matched in one pass, no retries.
        local = _LOCAL_PART.match(text[floor:at][::-1])
        size = local.end() if local else 0
        domain = _DOMAIN.match(text, at + 1) if size else None
        if domain:
            found.append(text[at - size : domain.end()])
            floor = domain.end()
        else:
            floor = at + 1
        at = text.find("@", floor)
    return found


_SIMPLE: tuple[tuple[str, ErrorKind, str, str], ...] = (
    (
        r"mail from domain is not verified",
        ErrorKind.MAIL_FROM_NOT_VERIFIED,
        "The custom MAIL FROM domain of the identity is not verified (its MX/SPF records).",
        "Publish the MX and SPF records SES shows for the MAIL FROM domain, or turn the custom "
        "MAIL FROM off.",
    ),
    (
        r"maximum sigv2 smtp sending rate exceeded",
        ErrorKind.SIGV2,
        "These SMTP credentials were made before 2019-01-10 with Signature Version 2.",
        "Create new SMTP credentials (a new access key, and its SigV4 password for the region).",
    ),
    (
        r"account (?:is )?paused|sending (?:is )?paused|sending paused",
        ErrorKind.ACCOUNT_PAUSED,
        "SES has paused sending for the account in this region (reputation or review).",
        "See the SES account dashboard and the enforcement status; this is not a policy problem.",
    ),
    (
        r"daily message quota exceeded",
        ErrorKind.QUOTA,
        "The 24-hour sending quota is used up.",
        "Wait for the quota window or request a higher quota; this is not a policy problem.",
    ),
    (
        r"maximum sending rate exceeded|throttling",
        ErrorKind.THROTTLING,
        "Too many messages per second for the account's maximum send rate.",
        "Slow down and retry with backoff, or request a higher rate.",
    ),
    (
        r"535 authentication credentials invalid|authentication credentials invalid",
        ErrorKind.AUTH_INVALID,
        "The SMTP user name or password is wrong for this region's endpoint.",
        "The user name is the access key ID; the password is derived from the secret key AND the "
        "region. Derive it for this region, from an active key of an IAM user (not a role).",
    ),
    (
        r"530 authentication required|authentication required",
        ErrorKind.AUTH_REQUIRED,
        "The SMTP client sent mail without logging in.",
        "Enable SMTP AUTH (with STARTTLS or TLS) in the client.",
    ),
    (
        r"not subscribed to ses|account not subscribed",
        ErrorKind.NOT_SUBSCRIBED,
        "The account is not signed up for SES in this region, or the credentials belong to "
        "another account.",
        "Check which account the access key belongs to (sts:GetAccessKeyInfo).",
    ),
    (
        # Atomic: only the first "configuration set" is tried (if no "does not exist" follows it,
        # none follows a later one), so a paste full of them is read once, not once per mention.
        r"^(?>.*?configuration set ).*does not exist",
        ErrorKind.CONFIG_SET_MISSING,
        "The request (or the identity's default) names a configuration set missing in this region.",
        "Create the configuration set in this region or stop naming it.",
    ),
    (
        r"message is too long|552 ",
        ErrorKind.TOO_LONG,
        "The message is larger than SES accepts (40 MB by default).",
        "Send a smaller message.",
    ),
)


def denials_in(text: str) -> int:
    """How many access denials a paste holds (a log excerpt often has several): only the first
    is explained, and the caller says so when there are more."""
    return len(re.findall(r"not\s+authorized\s+to\s+perform", text, re.IGNORECASE))


def parse_error(text: str) -> ParsedError:
    joined = _unwrap(text.strip())
    flat = " ".join(joined.split())
    low = flat.lower()
    smtp = bool(re.match(r"^\s*(?:5\d\d|4\d\d)\b", flat)) or "`" in flat
    principal = PRINCIPAL_ARN.search(joined)
    resource = RESOURCE_ARN.search(joined)
    action = ACTION.search(joined)

    if "not verified" in low and "mail from" not in low:
        region = None
        names: tuple[str, ...] = ()
        m = re.search(r"in region ([A-Za-z0-9-]+)\s*:\s*(.+)$", flat, re.IGNORECASE)
        if m:
            region = m.group(1).lower()
            names = tuple(n.strip(" .") for n in m.group(2).split(",") if n.strip(" ."))
        else:
            names = tuple(dict.fromkeys(_addresses(flat)))
        return ParsedError(
            ErrorKind.NOT_VERIFIED,
            "SES refused the message because an address in it is not a verified identity in "
            "this region (From, Source, Sender or Return-Path; in the sandbox also every "
            "recipient).",
            "Verify the identity (or its domain) in this region, or, if the names are "
            "recipients, leave the sandbox.",
            region=region,
            identities=names,
            smtp=smtp,
        )

    denied = principal is not None and (resource is not None or action is not None)
    if (
        denied
        or "not authorized to perform" in low
        or "access denied" in low
        or "accessdenied" in low
    ):
        res = resource.group(0).rstrip(".") if resource else None
        prin = principal.group(0).rstrip(".") if principal else None
        account = region = None
        if res:
            parts = res.split(":")
            region, account = parts[3], parts[4]
        elif prin:
            account = prin.split(":")[4]
        if prin is None:
            return ParsedError(
                ErrorKind.UNKNOWN,
                "An access denial without the principal's ARN.",
                "Paste the whole message, including the User ARN.",
                smtp=smtp,
            )
        return ParsedError(
            ErrorKind.ACCESS_DENIED,
            "A policy does not allow this principal to send as this resource.",
            "Run the checks on this principal, identity and region to find the statement.",
            principal_arn=prin,
            action=action.group(0) if action else None,
            resource_arn=res,
            account=account,
            region=region,
            smtp=smtp,
        )

    for pattern, kind, cause, advice in _SIMPLE:
        if re.search(pattern, low):
            return ParsedError(kind, cause, advice, smtp=smtp)
    return ParsedError(
        ErrorKind.UNKNOWN,
        "This does not look like an SES error message.",
        "Paste the complete reply, e.g. '554 Access denied: User `arn:…' is not "
        "authorized to perform `ses:SendRawEmail' on resource `arn:…''.",
        smtp=smtp,
    )
