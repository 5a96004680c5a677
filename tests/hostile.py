"""An adversarial snapshot: the demo account with terminal escape sequences appended to every
text field a user could control (names, paths, ARNs, tags, Sids, condition keys and values,
actions, identity, configuration set, template, SCP and OU names, gaps, `source`, ...)."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from sestui.demo.build import build

# OSC 52 (set the clipboard to "hacked"), OSC 0 (window title), CSI clear screen, a C1 CSI,
# bell, backspace, carriage return, DEL, bidi override and isolate, a zero-width space, a line
# separator and an invisible tag character. No ':' or '/', so ARNs still split where they did.
PAYLOAD = (
    "\x1b]52;c;aGFja2Vk\x07\x1b]0;PWNED\x07\x1b[2J\x9b31m\x07\x08\r\x7f"
    "\u202egnp.exe\u202c\u2066\u200b\u2028\U000e0041"
)

# What a terminal must never receive from data: C0 (the renderers' own newline, and ESC of
# their own SGR/cursor sequences, are allowed by the checks that use this), DEL, C1, format
# characters (bidi, zero width, tags), surrogates, line/paragraph separators.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\ufeff\ud800-\udfff\U000e0000-\U000e007f]"
)

# Fields whose value the loader checks against a fixed vocabulary or format: poisoning them
# only makes the snapshot unreadable (which tests elsewhere cover).
_FIXED = {
    "format",
    "created",
    "Partition",
    "Version",
    "Effect",
    "IdentityType",
    "VerificationStatus",
    "DkimVerificationStatus",
    "MailFromDomainStatus",
    "EnforcementStatus",
    "Status",
    "status",
    "Type",
    "CreateDate",
    "UpdateDate",
    "LastUsedDate",
    "DefaultVersionId",
    "VersionId",
    "AccessKeyId",
    "management_account_id",
}
_OPERATORS = re.compile(r"^(ForAllValues:|ForAnyValue:)?[A-Z][A-Za-z]+(IfExists)?$")


def _poison(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            new_key = k
            if _OPERATORS.match(key) and ":" in k:
                new_key = k + PAYLOAD  # a condition key under its operator
            out[new_key] = _poison(v, k)
        return out
    if isinstance(value, list):
        return [_poison(v, key) for v in value]
    if isinstance(value, str):
        if key in _FIXED or (key == "Id" and value.isdigit()):
            return value
        if value.startswith("{") and value.rstrip().endswith("}"):  # a policy held as a string
            try:
                return json.dumps(_poison(json.loads(value)))
            except ValueError:
                pass
        if key == "Path":
            return value + PAYLOAD.replace("\u2028", "") + "/"
        return value + PAYLOAD
    return value


def hostile_snapshot(*, org_unknown: bool = False) -> dict[str, Any]:
    """The demo snapshot with PAYLOAD in every free-text field, plus a gap and a source;
    `org_unknown`: the SCPs were not read, for a reason that carries PAYLOAD too."""
    data: dict[str, Any] = _poison(copy.deepcopy(build()))
    for region in data["ses"]["regions"].values():
        for identity in region["identities"]:  # sending-authorization policies, by name
            policies = identity.get("Policies") or {}
            identity["Policies"] = {name + PAYLOAD: doc for name, doc in policies.items()}
    if org_unknown:
        data["organizations"] = {"status": "member", "unknown_reason": "denied" + PAYLOAD}
    data["source"] = "shared" + PAYLOAD
    data["gaps"] = [
        {
            "what": "configuration sets" + PAYLOAD,
            "where": "eu-west-1" + PAYLOAD,
            "message": "AccessDenied" + PAYLOAD,
            "permission": "ses:ListConfigurationSets" + PAYLOAD,
        }
    ]
    return data
