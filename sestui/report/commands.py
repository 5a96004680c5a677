"""A suggested fix as the exact AWS CLI command that would apply it (sestui never runs it).

The command is built as a call (service, operation, parameters) first, so tests can make the same
request with an SDK; the shell text writes the document with a quoted here-doc (no expansion
inside) and passes it as `file://`, and quotes every name with shlex.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from sestui.account import Account, IamPrincipal
from sestui.policy import PolicyKind
from sestui.verdict.model import Fix, FixKind, Outcome, Verdict

DOCUMENT_FILE = "sestui-fix-policy.json"
NEW_POLICY_NAME = "sestui-ses-sending"


class CommandUnavailable(Exception):
    """The fix cannot be applied with one command (an AWS-managed policy, an unknown owner)."""


@dataclass(frozen=True, slots=True)
class AwsCall:
    """One AWS API call: the CLI's service and operation (snake_case, as SDKs name it), its
    parameters by API name, and the parameter that carries the policy document."""

    service: str  # iam | sesv2 | organizations
    operation: str  # put_user_policy, create_policy_version, …
    params: tuple[tuple[str, str | bool], ...]
    document_param: str  # PolicyDocument | Policy | Content
    document: str  # the JSON text, as the here-doc writes it (without the final newline)
    region: str | None = None  # for regional services
    note: str = ""

    def sdk_params(self) -> dict[str, str | bool]:
        """The same request as keyword arguments for an SDK client."""
        return {**dict(self.params), self.document_param: self.document}


def _flag(name: str) -> str:
    """The CLI's option name for an API parameter: PolicyArn → --policy-arn."""
    return "--" + re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def _delimiter(text: str) -> str:
    lines = set(text.splitlines())
    tag = "SESTUI_POLICY"
    n = 0
    while (tag if n == 0 else f"{tag}_{n}") in lines:
        n += 1
    return tag if n == 0 else f"{tag}_{n}"


def render_shell(call: AwsCall, title: str = "") -> str:
    """The call as shell text: a here-doc writing the document, then the aws command."""
    end = _delimiter(call.document)
    words = ["aws", call.service, call.operation.replace("_", "-")]
    for name, value in call.params:
        if value is True:
            words.append(_flag(name))
        elif value is not False:
            words += [_flag(name), shlex.quote(str(value))]
    words += [_flag(call.document_param), f"file://{DOCUMENT_FILE}"]
    if call.region:
        words += ["--region", shlex.quote(call.region)]
    head = [f"# {line}" for line in (title, call.note) if line]
    return (
        "\n".join(
            [
                *head,
                f"cat > {DOCUMENT_FILE} <<'{end}'",
                call.document,
                end,
                " \\\n  ".join(_wrap(words)),
            ]
        )
        + "\n"
    )


def _wrap(words: list[str]) -> list[str]:
    """One option (with its value) per continuation line, so long commands stay readable."""
    out = [" ".join(words[:3])]
    i = 3
    while i < len(words):
        if i + 1 < len(words) and not words[i + 1].startswith("--"):
            out.append(f"{words[i]} {words[i + 1]}")
            i += 2
        else:
            out.append(words[i])
            i += 1
    return out


def _fresh_name(principal: IamPrincipal) -> str:
    taken = {d.source.name for d in principal.inline_policies}
    name, n = NEW_POLICY_NAME, 1
    while name in taken:  # put-*-policy on an existing name would replace that policy
        n += 1
        name = f"{NEW_POLICY_NAME}-{n}"
    return name


def fix_call(
    fix: Fix,
    account: Account,
    principal: IamPrincipal,
    region: str,
    identity_owner: Account | None = None,
) -> AwsCall:
    """The API call that applies the fix to the account (raises CommandUnavailable).

    `identity_owner`: the account of a delegate send's identity, whose policies a fix may edit."""
    document = fix.text()
    if fix.kind is FixKind.ADD_IDENTITY_POLICY or fix.replaces is None:
        op = "put_user_policy" if principal.is_user else "put_role_policy"
        owner = ("UserName" if principal.is_user else "RoleName", principal.name)
        return AwsCall(
            "iam", op, (owner, ("PolicyName", _fresh_name(principal))), "PolicyDocument", document
        )
    src = fix.replaces.source
    if src.kind in (PolicyKind.IDENTITY, PolicyKind.BOUNDARY) and src.arn:
        if ":iam::aws:policy/" in src.arn:
            raise CommandUnavailable(
                f"{src.name} is an AWS-managed policy: it cannot be edited; create a customer "
                "managed policy with this document and attach it instead"
            )
        return AwsCall(
            "iam",
            "create_policy_version",
            (("PolicyArn", src.arn), ("SetAsDefault", True)),
            "PolicyDocument",
            document,
            note="A managed policy keeps at most 5 versions: delete an old one first if needed.",
        )
    if src.kind is PolicyKind.IDENTITY and src.via and src.via.startswith("group "):
        group = src.via.removeprefix("group ")
        return AwsCall(
            "iam",
            "put_group_policy",
            (("GroupName", group), ("PolicyName", src.name)),
            "PolicyDocument",
            document,
        )
    if src.kind is PolicyKind.IDENTITY:
        if not any(d.source == src for d in principal.inline_policies):
            raise CommandUnavailable(
                f"{src.describe()} is not an inline policy of {principal.label}"
            )
        op = "put_user_policy" if principal.is_user else "put_role_policy"
        owner = ("UserName" if principal.is_user else "RoleName", principal.name)
        return AwsCall("iam", op, (owner, ("PolicyName", src.name)), "PolicyDocument", document)
    if src.kind is PolicyKind.RESOURCE and src.via and src.via.startswith("identity "):
        identity = src.via.removeprefix("identity ")
        state = (identity_owner or account).regions.get(region)
        known = state.identity(identity) if state else None
        exists = known is not None and any(d.source.name == src.name for d in known.policies)
        # SES v2 has no Put: Update replaces an existing policy, Create adds a new one.
        op = "update_email_identity_policy" if exists else "create_email_identity_policy"
        return AwsCall(
            "sesv2",
            op,
            (("EmailIdentity", identity), ("PolicyName", src.name)),
            "Policy",
            document,
            region,
        )
    if src.kind is PolicyKind.SCP and src.arn:
        return AwsCall(
            "organizations",
            "update_policy",
            (("PolicyId", src.arn.rsplit("/", 1)[-1]),),
            "Content",
            document,
            note="Run it in the organization's management account.",
        )
    raise CommandUnavailable(f"sestui cannot tell which API call changes {src.describe()}")


def fix_command(
    fix: Fix, account: Account, principal: IamPrincipal, region: str, owner: Account | None = None
) -> str:
    """The shell text of the fix's command (raises CommandUnavailable)."""
    return render_shell(fix_call(fix, account, principal, region, owner), fix.title)


def render_fix_commands(
    verdict: Verdict,
    account: Account,
    principal: IamPrincipal,
    region: str,
    owner: Account | None = None,
) -> str:
    """Every suggested fix of a verdict as a command (`sestui check --format commands`)."""
    out: list[str] = []
    seen: set[str] = set()
    for check in verdict.checks:
        if check.fix is None:
            continue
        try:
            text = fix_command(check.fix, account, principal, region, owner)
        except CommandUnavailable as exc:
            text = f"# {check.fix.title}\n# no command: {exc}\n"
        text = f"# apply in account {check.fix.account or account.title}\n{text}"
        if text not in seen:
            seen.add(text)
            out.append(f"# check {check.check_id}\n{text}")
    first = ""
    if verdict.outcome is Outcome.UNDECIDED and verdict.missing_keys:
        from sestui.decide.decision import how_to_set

        first = f"# First: give {how_to_set(verdict.missing_keys)} and check again.\n"
    if not out:
        if verdict.outcome is Outcome.ALLOWED:
            return first + "# no suggested fix: the send is allowed\n"
        return first + f"# no fix sestui can write as a command: {verdict.summary}\n"
    head = first + "# sestui never runs these; review each before you do.\n"
    if len(out) > 1:
        # Alternatives, one per check, not steps: pasted whole they would all be applied.
        head += (
            f"# {len(out)} alternative fixes, one per failing check: choose ONE (each may be "
            "enough alone; they reuse one file name). Run them one at a time, never as a "
            "script.\n"
        )
        out = [f"# --- fix {n} of {len(out)} ---\n{text}" for n, text in enumerate(out, 1)]
    return head + "\n" + "\n".join(out)
