"""Command line: `sestui` (TUI), `sestui eval`, and the headless subcommands."""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sestui.exitcodes import ExitCode

if TYPE_CHECKING:
    from sestui.account import Account
    from sestui.account.accountset import AccountSet
    from sestui.decide import Outcome, Selection
    from sestui.decide.verify import VerifyResult
    from sestui.sources import SourceSpec


def _cmd_eval(args: argparse.Namespace) -> int:
    import gc

    # Decoding and deciding allocate millions of objects and make no cycles worth collecting:
    # the cyclic collector would trace them again and again (on a whole decoded file that cost
    # more than the parse itself). Off before the imports too, which start collections of their
    # own.
    gc.disable()
    try:
        from sestui.fileio import check_output, read_input, write_output
        from sestui.policy.cases import dumps, run_text
        from sestui.policy.errors import PolicyError

        if args.out:
            check_output(Path(args.out))  # refuse a device or a missing folder before the work
        try:
            results = run_text(read_input(args.cases))
        except PolicyError as exc:
            print(f"sestui eval: {args.cases}: {exc}", file=sys.stderr)
            return ExitCode.USAGE
    finally:
        gc.enable()
    output = dumps(results)
    if args.out:
        write_output(Path(args.out), output)
    else:
        sys.stdout.write(output)
    return ExitCode.OK


def add_source_args(p: argparse.ArgumentParser, *, live_only: bool = False) -> None:
    g = p.add_argument_group("account source")
    if not live_only:
        g.add_argument("--demo", action="store_true", help="the bundled demo account")
        g.add_argument(
            "--demo-org",
            action="store_true",
            help="the bundled demo account with its organization: a central email account "
            "and two workload accounts that send as its identities (the TUI shows them all)",
        )
        g.add_argument(
            "--snapshot",
            metavar="FILE",
            action="append",
            help="a sestui snapshot file (one account or an organization); repeat it to load "
            "several together",
        )
        g.add_argument(
            "--iam-json",
            metavar="FILE",
            help="output of `aws iam get-account-authorization-details`",
        )
    g.add_argument("--profile", help="AWS profile (default: the standard credential chain)")
    g.add_argument("--regions", help="comma-separated regions, or 'all' (default: all)")
    g.add_argument(
        "--org-profile",
        metavar="PROFILE",
        help="profile of the management account (or delegated admin) to read SCPs",
    )


def source_spec(args: argparse.Namespace) -> SourceSpec:
    from sestui.sources import SourceSpec, parse_regions  # not on `sestui eval`'s path

    snapshots = getattr(args, "snapshot", None) or []
    return SourceSpec(
        demo=getattr(args, "demo", False) or getattr(args, "demo_org", False),
        demo_org=getattr(args, "demo_org", False),
        snapshot=snapshots[0] if snapshots else None,
        more_snapshots=tuple(snapshots[1:]),
        iam_json=getattr(args, "iam_json", None),
        profile=args.profile,
        regions=parse_regions(args.regions),
        org_profile=args.org_profile,
    )


def _cmd_snapshot(args: argparse.Namespace) -> int:
    from sestui.account import save_snapshot
    from sestui.fileio import check_output
    from sestui.sources import print_progress, read_live

    spec = source_spec(args)
    if args.accounts is not None and not args.org_role:
        print(
            "sestui snapshot: --accounts needs --org-role (an organization read)", file=sys.stderr
        )
        return ExitCode.USAGE
    check_output(Path(args.output))  # before the read: a refused path costs no AWS calls
    if args.org_role:
        return _snapshot_org(args, spec)
    print(f"sestui snapshot: reading {spec.describe()} (read-only)", file=sys.stderr)
    try:
        secrets: list[str] = []
        data = read_live(spec, print_progress(), secrets=secrets)
        save_snapshot(data, Path(args.output), secrets=secrets)
    except OSError as exc:
        print(f"sestui snapshot: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return ExitCode.USAGE
    gaps = data.get("gaps") or []
    print(f"sestui snapshot: wrote {args.output} ({len(gaps)} gaps)", file=sys.stderr)
    for g in gaps:
        need = f" — needs {g['permission']}" if g.get("permission") else ""
        print(f"  unknown: {g['what']} ({g['where']}: {g['message']}){need}", file=sys.stderr)
    return ExitCode.OK


def _snapshot_org(args: argparse.Namespace, spec: SourceSpec) -> int:
    from sestui.sources import print_progress, read_org, save_org_snapshot

    print(
        f"sestui snapshot: reading the organization of {spec.describe()} through role "
        f"{args.org_role} (read-only)",
        file=sys.stderr,
    )
    try:
        secrets: list[str] = []
        data = read_org(spec, args.org_role, args.accounts, print_progress(), secrets=secrets)
        save_org_snapshot(data, Path(args.output), secrets=secrets)
    except OSError as exc:
        print(f"sestui snapshot: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return ExitCode.USAGE
    accounts, unreadable = data["accounts"], data["unreadable"]
    gaps = sum(len(a.get("gaps") or []) for a in accounts)
    print(
        f"sestui snapshot: wrote {args.output} ({len(accounts)} accounts read, "
        f"{len(unreadable)} unreadable, {gaps} gaps)",
        file=sys.stderr,
    )
    for u in unreadable:
        need = f" — needs {u['permission']}" if u.get("permission") else ""
        who = f"{u['account']['Name']} ({u['account']['Id']})"
        print(f"  unreadable: {who} ({u['where']}: {u['message']}){need}", file=sys.stderr)
    for a in accounts:
        for g in a.get("gaps") or []:
            need = f" — needs {g['permission']}" if g.get("permission") else ""
            print(
                f"  unknown in {a['account']['Id']}: {g['what']} ({g['where']}: "
                f"{g['message']}){need}",
                file=sys.stderr,
            )
    return ExitCode.OK


def _pairs(values: list[str] | None, flag: str) -> tuple[tuple[str, str], ...]:
    out = []
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"{flag} takes KEY=VALUE, not {item!r}")
        out.append((key, value))
    return tuple(out)


def add_selection_args(p: argparse.ArgumentParser, *, required: bool) -> None:
    g = p.add_argument_group("selection")
    who = g.add_mutually_exclusive_group()
    who.add_argument("--user", help="IAM user name or ARN")
    who.add_argument("--role", help="IAM role name or ARN (checked as a session of the role)")
    g.add_argument(
        "--account",
        metavar="ID",
        help="the account of --user/--role when several loaded accounts have that name",
    )
    g.add_argument("--region", required=required, help="the SES region of the send")
    g.add_argument("--from", dest="from_address", metavar="ADDRESS", help="the From address")
    g.add_argument("--identity", help="the SES identity (email address or domain)")
    g.add_argument(
        "--via",
        choices=["smtp", "api-v1", "api-v2"],
        default=None,
        help="how the mail is sent (default: smtp for check; explain reads it from the message)",
    )
    g.add_argument(
        "--action",
        action="append",
        metavar="A",
        help="action to check (repeatable; default ses:SendRawEmail)",
    )
    g.add_argument(
        "--config-set", metavar="N", help="configuration set (default: the identity's default set)"
    )
    g.add_argument("--template", metavar="N", help="template, for templated sends")
    g.add_argument("--recipient", action="append", metavar="X", help="recipient (repeatable)")
    g.add_argument("--source-ip", metavar="IP", help="the sender's IP (aws:SourceIp)")
    g.add_argument("--display-name", help="the From display name (ses:FromDisplayName)")
    g.add_argument("--feedback-address", help="the feedback address (ses:FeedbackAddress)")
    g.add_argument("--time", metavar="ISO", help="request time (aws:CurrentTime; default now)")
    g.add_argument("--insecure", action="store_true", help="the request is not over TLS")
    g.add_argument("--tag", action="append", metavar="K=V", help="principal tag (repeatable)")
    g.add_argument(
        "--context",
        action="append",
        metavar="KEY=VALUE",
        help="any other request context key (repeatable)",
    )


def selection_from(args: argparse.Namespace, **override: object) -> Selection:
    """The selection the flags describe; raises InputError (a ValueError) naming a bad flag."""
    from sestui.decide import Selection, SendPath
    from sestui.verdict.inputs import (
        InputError,
        check_smtp_actions,
        parse_action,
        parse_address,
        parse_from_header,
        parse_identity,
        parse_ip,
        parse_name,
        parse_region,
        parse_time,
        session_name_of,
    )

    principal = args.role or args.user
    display_name = args.display_name
    from_address = None
    if args.from_address is not None:
        header = parse_from_header(args.from_address)
        from_address = header.address
        if header.display_name is not None:
            if display_name is not None and display_name != header.display_name:
                raise InputError(
                    f"--from names the display name {header.display_name!r}, but "
                    f"--display-name says {display_name!r}"
                )
            display_name = header.display_name
    identity = None
    if args.identity is not None:
        parse_identity(args.identity)
        identity = args.identity.strip()
    values: dict[str, object] = {
        "principal": principal or "",
        "region": parse_region(args.region) if args.region is not None else None,
        "from_address": from_address,
        "identity": identity,
        "path": SendPath(args.via or "smtp"),
        "actions": tuple(parse_action(a) for a in args.action or ()),
        "configuration_set": (
            parse_name(args.config_set, "--config-set") if args.config_set else args.config_set
        ),
        "template": parse_name(args.template, "--template") if args.template else args.template,
        "recipients": (
            tuple(parse_address(r, "--recipient") for r in args.recipient)
            if args.recipient
            else None
        ),
        "source_ip": parse_ip(args.source_ip) if args.source_ip is not None else None,
        "display_name": display_name,
        "feedback_address": (
            parse_address(args.feedback_address, "--feedback-address")
            if args.feedback_address is not None
            else None
        ),
        "current_time": parse_time(args.time) if args.time is not None else None,
        "secure_transport": not args.insecure,
        "principal_tags": _pairs(args.tag, "--tag"),
        "extra_context": _pairs(args.context, "--context"),
        "role": bool(args.role),
    }
    values.update(override)
    check_smtp_actions(values["path"] is SendPath.SMTP, values["actions"])  # type: ignore[arg-type]
    values["session_name"] = session_name_of(str(values["principal"]))
    return Selection(**values)  # type: ignore[arg-type]


def _open(args: argparse.Namespace, command: str) -> AccountSet | None:
    """Open the accounts the flags name; None (said why) without credentials.

    A file or read that fails raises a SestuiError, which `main` reports.
    """
    from sestui.sources import open_accounts, print_progress

    spec = source_spec(args)
    if spec.live:
        from sestui.sources import has_credentials

        if not has_credentials(spec.profile):
            print(
                f"sestui {command}: no AWS credentials found; use --profile, --snapshot "
                "FILE or --demo",
                file=sys.stderr,
            )
            return None
        return open_accounts(spec, print_progress())[0]
    return open_accounts(spec)[0]


def _use_colour() -> bool:
    import os

    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _print_verdict(
    args: argparse.Namespace,
    accounts: AccountSet,
    selection: Selection,
    *,
    pasted_denial: bool = False,
) -> int:
    from sestui.decide import SelectionError, run
    from sestui.decide.locate import locate
    from sestui.report.verdict import render_json, render_text
    from sestui.verdict.analysis import find_principal

    try:
        located = locate(accounts, selection, getattr(args, "account", None))
        account = located.caller
        verdict = run(account, selection, owner=located.owner)
        principal = find_principal(account, selection)
    except SelectionError as exc:
        print(f"sestui: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    if pasted_denial:
        from sestui.explain.resolve import contradicted, unseen

        owner = None
        if selection.identity and selection.identity.startswith("arn:"):
            owner = selection.identity.split(":")[4]
            owner = None if owner == account.account_id else owner
        verdict = contradicted(
            verdict, unseen(account, principal, owner, loaded=located.owner is not None)
        )
    verify = (
        _verify(args, account, selection, located.owner, len(accounts) > 1)
        if getattr(args, "verify", False)
        else None
    )
    if args.format == "json":
        sys.stdout.write(render_json(verdict, selection, principal.arn, verify))
        if verify is not None and verify.error is not None:
            print(f"sestui: {verify.headline}", file=sys.stderr)
    elif args.format == "commands":
        from sestui.report.commands import render_fix_commands

        sys.stdout.write(
            render_fix_commands(verdict, account, principal, selection.region, located.owner)
        )
    else:
        sys.stdout.write(
            render_text(
                verdict,
                selection,
                principal.label,
                colour=_use_colour(),
                verbose=args.verbose,
                verify=verify,
            )
        )
    return verify.exit_code(verdict.outcome) if verify else verdict.outcome.exit_code


def _verify(
    args: argparse.Namespace,
    account: Account,
    selection: Selection,
    owner: Account | None = None,
    several: bool = False,
) -> VerifyResult:
    """AWS's policy simulator on this selection (the source's credentials; for a file, the
    standard chain or --profile). A failure is a result that leaves the local verdict alone.
    Several accounts loaded (or --org-role): the simulation runs in the caller's account, with
    the owner's sending-authorization policy as the resource policy."""
    from sestui.decide.verify import unverified
    from sestui.verdict.analysis import analyze

    if getattr(args, "demo", False) or getattr(args, "demo_org", False):
        return unverified("the demo account is not a real AWS account")
    from sestui.aws.simulate import verify

    return verify(
        analyze(account, selection, owner=owner),
        args.profile,
        source=account.source,
        cross_account=several,
        role=getattr(args, "org_role", None),
    )


def _org_role_without_verify(args: argparse.Namespace, command: str) -> bool:
    """--org-role only chooses the account AWS's simulator runs in: alone it is a usage error."""
    if args.org_role and not args.verify:
        print(
            f"sestui {command}: --org-role is for --verify (the simulator's account)",
            file=sys.stderr,
        )
        return True
    return False


def _cmd_check(args: argparse.Namespace) -> int:
    if _org_role_without_verify(args, "check"):
        return ExitCode.USAGE
    if args.all:
        if args.verify:
            print(
                "sestui check: --verify checks one send; it is not offered with --all",
                file=sys.stderr,
            )
            return ExitCode.USAGE
        if (args.user or args.role) and args.identity:
            print(
                "sestui check: --all with --identity lists who can send as it, with --user/--role "
                "as which identities that principal can send: give one of them",
                file=sys.stderr,
            )
            return ExitCode.USAGE
    elif not (args.user or args.role) or not (args.from_address or args.identity):
        # Name only what is missing: the flags given are fine so far.
        missing = [
            "--user or --role" if not (args.user or args.role) else "",
            "--from or --identity" if not (args.from_address or args.identity) else "",
        ]
        print(
            f"sestui check: give {' and '.join(m for m in missing if m)} (or --all)",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    try:
        selection = selection_from(args)
    except ValueError as exc:
        print(f"sestui check: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    if args.all:
        from sestui.matrix.exact import unapplied

        left_out = (*unapplied(selection), *(["--from"] if selection.from_address else []))
        if left_out:
            print(
                f"sestui check: --all decides each identity's own default send (its address as "
                f"From, its default configuration set, no template or recipients); "
                f"{', '.join(left_out)} would not be applied: check that send with --user/--role "
                "and --identity",
                file=sys.stderr,
            )
            return ExitCode.USAGE
    accounts = _open(args, "check")
    if accounts is None:
        return ExitCode.USAGE
    account = accounts.primary  # the matrix: the primary account (organization views: the TUI)
    if args.all and getattr(args, "account", None):
        # --all shows one account's matrix: the one asked for, never silently another.
        chosen = accounts.account(args.account)
        if chosen is None:
            loaded = ", ".join(a.account_id for a in accounts)
            print(
                f"sestui check: --account {args.account} is not loaded (loaded: {loaded})",
                file=sys.stderr,
            )
            return ExitCode.USAGE
        account = chosen
    if args.all and (args.identity or args.user or args.role):
        return _sends_as(args, accounts, selection)
    if args.all:
        from sestui.decide import SelectionError
        from sestui.matrix.exact import who_can_send
        from sestui.report.verdict import matrix_json, render_matrix_text

        try:
            m = who_can_send(account, args.region, path=selection.path, actions=selection.actions)
        except SelectionError as exc:
            print(f"sestui check: {exc}", file=sys.stderr)
            return ExitCode.USAGE
        sys.stdout.write(matrix_json(m) if args.format == "json" else render_matrix_text(m))
        return ExitCode.OK
    conflict = _from_identity_conflict(account, selection)
    if conflict:
        print(f"sestui check: {conflict}", file=sys.stderr)
        return ExitCode.USAGE
    return _print_verdict(args, accounts, selection)


def _sends_as(args: argparse.Namespace, accounts: AccountSet, selection: Selection) -> int:
    """`check --all --identity X`: who in every loaded account can send as X; `check --all
    --user/--role P`: as which identities of every loaded account P can send (one region)."""
    from sestui.decide import SelectionError
    from sestui.decide.locate import accounts_word, find_principal_in, locate_identity
    from sestui.matrix.org import OrgMatrix, identity_arn
    from sestui.report.verdict import sends_json, sends_text

    region = selection.region
    org = OrgMatrix(accounts, region, path=selection.path, actions=selection.actions)
    title_of = {a.account_id: a.title for a in accounts}
    try:
        if args.identity:
            owner, name = locate_identity(accounts, args.identity, region, args.account)
            arn = identity_arn(owner, region, name)
            col = org.column(owner, name)
            groups = [
                (a.title, [(p.label, p.arn, col[p.arn]) for p in a.principals])
                for a in accounts
                if a.principals
            ]
            title = f"Who in {accounts_word(accounts)} can send as {arn}"
            subject = {"identity": arn}
        else:
            principal = args.role or args.user
            caller, p = find_principal_in(accounts, principal, bool(args.role), args.account)
            row = org.row(caller, p)
            by_account: dict[str, list[tuple[str, str, Outcome]]] = {}
            for arn, outcome in row.items():
                by_account.setdefault(arn.split(":")[4], []).append(
                    (arn.rsplit("/", 1)[1], arn, outcome)
                )
            groups = [(title_of[a], lines) for a, lines in by_account.items()]
            title = f"As which identities in {region} {p.arn} can send"
            subject = {"principal": p.arn}
    except SelectionError as exc:
        print(f"sestui check: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    about = f"via {selection.path.value} · {', '.join(selection.effective_actions)}"
    if args.format == "json":
        sys.stdout.write(sends_json(region, selection, subject, groups))
    else:
        sys.stdout.write(sends_text(f"{title} ({about})", groups))
    return ExitCode.OK


def _from_identity_conflict(account: Account, selection: Selection) -> str | None:
    """--from and --identity together must name one identity: the one SES authorizes for that
    From address. Neither is dropped for the other. (Another account's identity ARN is a
    delegate send: the analysis refuses a From address that identity does not cover.)"""
    from dataclasses import replace

    from sestui.decide import SelectionError
    from sestui.verdict.analysis import analyze

    given = selection.identity
    if not given or not selection.from_address:
        return None
    name = given
    if given.startswith("arn:"):
        if given.split(":")[4] != account.account_id:
            return None
        name = given.rpartition("/")[2]
    try:
        resolved = analyze(account, replace(selection, identity=None)).identity_name
    except SelectionError:
        return None  # an unknown principal or region: the check itself says so
    if resolved.casefold() == name.casefold():
        return None
    return (
        f"--from {selection.from_address} is sent as identity {resolved}, but --identity names "
        f"{given}: give one of them, or the identity the From address resolves to"
    )


def _cmd_explain(args: argparse.Namespace) -> int:
    from sestui.explain.parse import ErrorKind, denials_in, parse_error

    if _org_role_without_verify(args, "explain"):
        return ExitCode.USAGE

    if args.text == "-":
        from sestui.fileio import MAX_PASTE, InputError, read_input

        try:
            text = read_input("-", limit=MAX_PASTE)
        except InputError as exc:
            print(f"sestui explain: {exc}", file=sys.stderr)
            return ExitCode.USAGE
    else:
        text = args.text
    parsed = parse_error(text)
    denials = denials_in(text)
    if parsed.kind is ErrorKind.ACCESS_DENIED and denials > 1:
        print(
            f"sestui explain: the text holds {denials} access denials; the first is explained "
            "(paste the others one at a time)",
            file=sys.stderr,
        )
    if parsed.kind is ErrorKind.UNKNOWN:
        print(f"sestui explain: {parsed.cause} {parsed.advice}", file=sys.stderr)
        return ExitCode.USAGE
    if parsed.kind is not ErrorKind.ACCESS_DENIED:
        from sestui.textsafe import json_text

        if args.format == "json":
            sys.stdout.write(
                json_text(
                    {
                        "schema": "sestui-explain/1",
                        "kind": parsed.kind.value,
                        "cause": parsed.cause,
                        "advice": parsed.advice,
                        "region": parsed.region,
                        "identities": list(parsed.identities),
                    }
                )
                + "\n"
            )
        else:
            print(f"{parsed.kind.value}: {parsed.cause}")
            if parsed.named_identities:
                print(f"  {parsed.named_identities}")
            print(f"  what to do: {parsed.advice}")
            if not args.no_account and (
                args.demo or args.demo_org or args.snapshot or args.iam_json
            ):
                opened = _open(args, "explain")
                if opened is not None and parsed.region:
                    _explain_identities(opened, parsed.region, parsed.identities)
        return ExitCode.DENIED
    accounts = _open(args, "explain")
    if accounts is None:
        return ExitCode.USAGE
    from sestui.decide import SelectionError, SendPath
    from sestui.explain.asked import NoRegionNamed, pasted_send

    try:
        send = pasted_send(parsed, text, accounts, region=args.region, identity=args.identity)
    except NoRegionNamed as exc:
        print(f"sestui explain: {exc}; add --region", file=sys.stderr)
        return ExitCode.USAGE
    except (SelectionError, ValueError) as exc:
        print(f"sestui explain: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    if not (send.identity or args.from_address):
        print(
            "sestui explain: cannot tell the identity from the message; add --from ADDRESS",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    via = args.via or send.path.value
    reason = f"--via {args.via}" if args.via else send.path_reason
    try:
        selection = selection_from(
            args,
            principal=send.principal_arn,
            region=send.region,
            identity=send.identity,
            actions=(send.action,) if send.action else tuple(args.action or ()),
            configuration_set=send.configuration_set or args.config_set,
            path=SendPath(via),
        )
    except ValueError as exc:
        print(f"sestui explain: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    if args.format == "text":
        print(
            f"Parsed: {parsed.principal_arn} · {parsed.action or '?'} · "
            f"{parsed.resource_arn or '?'}\nSend path: {reason}\n"
        )
    return _print_verdict(args, accounts, selection, pasted_denial=True)


def _explain_identities(accounts: AccountSet, region: str, names: Sequence[str]) -> None:
    from sestui.explain.resolve import where_verified

    for line in where_verified(accounts, region, names):
        print(f"  {line}")


def _cmd_diff(args: argparse.Namespace) -> int:
    """Two snapshots of one account, or of several accounts (organization snapshots): each
    account's own diff, and then the delegate sends across accounts."""
    from sestui.account.orgsnapshot import load_account_set
    from sestui.decide import SendPath
    from sestui.matrix.diff import diff_accounts
    from sestui.matrix.orgdiff import diff_account_sets
    from sestui.report.diff import (
        render_diff_json,
        render_diff_text,
        render_org_diff_json,
        render_org_diff_text,
    )
    from sestui.verdict.inputs import InputError, check_smtp_actions, parse_action, parse_region

    old = load_account_set(Path(args.old))[0]
    new = load_account_set(Path(args.new))[0]
    several = len(old) > 1 or len(new) > 1
    if several and not {a.account_id for a in old} & {a.account_id for a in new}:
        print(
            f"sestui diff: {args.old} and {args.new} have no account in common: compare "
            "snapshots of the same accounts",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    if not several and old.primary.account_id != new.primary.account_id:
        print(
            f"sestui diff: {args.old} is account {old.primary.account_id} but {args.new} is "
            f"account {new.primary.account_id}: compare snapshots of one account",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    from sestui.sources import parse_regions

    regions = parse_regions(args.regions)
    try:
        for r in regions or ():
            parse_region(r, "--regions")
    except InputError as exc:
        print(f"sestui diff: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    if regions:
        have = {r for a in old for r in a.regions} & {r for a in new for r in a.regions}
        missing = [r for r in regions if r not in have]
        if missing:
            print(f"sestui diff: not in both snapshots: {', '.join(missing)}", file=sys.stderr)
            return ExitCode.USAGE
    path = SendPath(args.via)
    try:
        # As `sestui check` reads them: a misspelt action is refused, never matched against
        # nothing (which would report "no verdict changed").
        actions = tuple(parse_action(a) for a in args.action or ())
        check_smtp_actions(path is SendPath.SMTP, actions)
    except InputError as exc:
        print(f"sestui diff: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    if several:
        d = diff_account_sets(old, new, path=path, actions=actions, regions=regions)
        org = render_org_diff_json if args.format == "json" else render_org_diff_text
        sys.stdout.write(org(d, args.old, args.new))
        return ExitCode.DENIED if d.verdict_changed else ExitCode.OK
    one = diff_accounts(old.primary, new.primary, path=path, actions=actions, regions=regions)
    render = render_diff_json if args.format == "json" else render_diff_text
    sys.stdout.write(render(one, args.old, args.new))
    return ExitCode.DENIED if one.verdict_changed else ExitCode.OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sestui",
        description="Find out why Amazon SES answers '554 Access denied'.",
    )
    add_source_args(parser)
    tui = parser.add_argument_group("open on (TUI)")
    who = tui.add_mutually_exclusive_group()
    who.add_argument("--user", help="open on this IAM user")
    who.add_argument("--role", help="open on this IAM role")
    tui.add_argument("--region", help="open on this region")
    tui.add_argument("--from", dest="from_address", metavar="ADDRESS", help="open on this From")
    tui.add_argument("--identity", help="open on this identity")
    tui.add_argument(
        "--theme",
        choices=["sestui-dark", "sestui-light", "sestui-no-color"],
        help="the TUI's colours (default: dark; sestui-no-color when NO_COLOR is set); ctrl+t "
        "switches light/dark",
    )
    tui.add_argument(
        "--baseline",
        metavar="OLD",
        help="an older snapshot: mark rows whose verdict differs and policy changes since it",
    )
    sub = parser.add_subparsers(dest="command")
    ev = sub.add_parser("eval", help="decide neutral evaluation cases (JSON array) offline")
    ev.add_argument("cases", help="cases file, or - for standard input")
    ev.add_argument("--out", help="write the results here instead of standard output")
    ev.set_defaults(func=_cmd_eval)

    sn = sub.add_parser("snapshot", help="read a live account (read-only) into a snapshot file")
    add_source_args(sn, live_only=True)
    sn.add_argument("-o", "--output", required=True, metavar="FILE", help="snapshot to write")
    sn.add_argument(
        "--org-role",
        metavar="ROLE_NAME",
        help="read every active account of the organization of --profile (the management "
        "account or a delegated administrator), assuming this role in each",
    )
    sn.add_argument(
        "--accounts",
        metavar="ID,…",
        help="with --org-role: only these accounts (each must be in the organization)",
    )
    sn.set_defaults(func=_cmd_snapshot)

    ck = sub.add_parser(
        "check",
        help="run every check for one send (exit 0 allowed, 1 denied, 3 undecided, 2 bad input)",
    )
    add_selection_args(ck, required=True)
    ck.add_argument("--all", action="store_true", help="the who-can-send matrix of the region")
    ck.add_argument(
        "--format",
        choices=["text", "json", "commands"],
        default="text",
        help="commands: each suggested fix as the AWS CLI command that applies it (never run)",
    )
    ck.add_argument("-v", "--verbose", action="store_true", help="details of passing checks too")
    ck.add_argument(
        "--verify",
        action="store_true",
        help="confirm with AWS's policy simulator (iam:SimulatePrincipalPolicy, read-only; "
        "exit 3 if it disagrees). Not offered with --all: one call per cell would be slow "
        "and rate-limited",
    )
    ck.add_argument(
        "--org-role",
        metavar="ROLE_NAME",
        help="with --verify: simulate in the sender's account by assuming this role there "
        "(not needed when the credentials already are that account)",
    )
    add_source_args(ck)
    ck.set_defaults(func=_cmd_check)

    df = sub.add_parser(
        "diff",
        help="who could send as what in OLD and in NEW, and the changes behind each difference "
        "(exit 0 no verdict changed, 1 some did, 2 bad input)",
    )
    df.add_argument("old", help="the older snapshot file")
    df.add_argument("new", help="the newer snapshot file")
    df.add_argument(
        "--via", choices=["smtp", "api-v1", "api-v2"], default="smtp", help="send path (smtp)"
    )
    df.add_argument(
        "--action", action="append", metavar="A", help="action (repeatable; ses:SendRawEmail)"
    )
    df.add_argument("--regions", help="comma-separated regions (default: every region in both)")
    df.add_argument("--format", choices=["text", "json"], default="text")
    df.set_defaults(func=_cmd_diff)

    ex = sub.add_parser(
        "explain", help="paste an SES error (554 / AccessDenied / other) and get its cause"
    )
    ex.add_argument("text", help="the error message, or - to read it from standard input")
    add_selection_args(ex, required=False)
    ex.add_argument("--format", choices=["text", "json"], default="text")
    ex.add_argument("-v", "--verbose", action="store_true")
    ex.add_argument(
        "--verify",
        action="store_true",
        help="confirm with AWS's policy simulator (iam:SimulatePrincipalPolicy, read-only; "
        "exit 3 if it disagrees)",
    )
    ex.add_argument(
        "--org-role",
        metavar="ROLE_NAME",
        help="with --verify: simulate in the sender's account by assuming this role there "
        "(not needed when the credentials already are that account)",
    )
    ex.add_argument("--no-account", action="store_true", help=argparse.SUPPRESS)
    add_source_args(ex)
    ex.set_defaults(func=_cmd_explain)
    return parser


def _cmd_tui(args: argparse.Namespace) -> int:
    from sestui.tui.app import SestuiApp, StartAt
    from sestui.tui.asked import start_problems
    from sestui.verdict.inputs import parse_from_header, parse_identity, parse_region

    principal = args.role or args.user
    # The same rules as `check`: refuse before the TUI opens, never open on something else.
    region = parse_region(args.region) if args.region else None
    header = parse_from_header(args.from_address) if args.from_address else None
    identity = args.identity.strip() if args.identity else None
    if identity:
        parse_identity(identity)
    start = StartAt(
        principal,
        region,
        header.address if header else None,
        identity,
        bool(args.role),
        header.display_name if header else None,
    )
    spec = source_spec(args)
    accounts = None
    if not spec.live and (
        principal or args.region or args.from_address or args.identity or args.baseline
    ):
        # A file or the demo opens in no time: check the start flags against it before the TUI
        # opens, and refuse what the accounts lack as `sestui check` does (a live account is
        # read inside the TUI, which says so there).
        from sestui.sources import SpecSource

        accounts = SpecSource(spec).open()
        problems = start_problems(accounts, start)
        if args.baseline:
            problems += _baseline_problems(args.baseline, accounts)
        for problem in problems:
            print(f"sestui: {problem}", file=sys.stderr)
        if problems:
            return ExitCode.USAGE
    app = SestuiApp(spec, start, accounts, baseline=args.baseline, theme=args.theme)
    # Textual drives the terminal itself (sestui/tui/safe_output.py guards what it draws): give
    # it the real streams for as long as it runs; everything printed before went through ours.
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = getattr(out, "inner", out), getattr(err, "inner", err)
    try:
        app.run()
    finally:
        sys.stdout, sys.stderr = out, err
    return app.return_code or 0


def _baseline_problems(path: str, accounts: AccountSet) -> tuple[str, ...]:
    """What makes --baseline unusable with these accounts (refused before the TUI opens)."""
    from sestui.account import SnapshotError, load_snapshot
    from sestui.matrix.diff import other_account

    if len(accounts) > 1:
        return ("--baseline compares one account; several are loaded",)
    try:
        old = load_snapshot(Path(path))[0]
    except SnapshotError as exc:
        return (f"--baseline: {exc}",)
    refused = other_account(path, old, accounts.primary)
    return (f"--baseline: {refused}",) if refused else ()


def _bad_argument(argv: Sequence[str]) -> str | None:
    """An argument that is not UTF-8 (Python hands such bytes over as lone surrogates)."""
    for i, arg in enumerate(argv, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return f"argument {i} ({arg.encode('utf-8', 'backslashreplace').decode()})"
    return None


def _silence_stdout() -> None:
    """After stdout failed: point it at /dev/null so the exit flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    from sestui.textsafe import SafeStream

    argv = list(sys.argv[1:] if argv is None else argv)
    # Everything the headless commands print (reports, errors echoing flags, file names, pasted
    # text, argparse's own messages) goes through streams that make control characters visible.
    # The TUI writes to the terminal through Textual, which sestui/tui/safe_output.py guards.
    out, err = sys.stdout, sys.stderr
    sys.stdout = SafeStream(out) if out is not None else None
    sys.stderr = SafeStream(err) if err is not None else None
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = out, err


def _main(argv: list[str]) -> int:
    bad = _bad_argument(argv)
    if bad:
        print(f"sestui: {bad} is not valid UTF-8", file=sys.stderr)
        return ExitCode.USAGE
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        args.func = _cmd_tui
    writes_file = args.func is _cmd_snapshot or getattr(args, "out", None)
    if sys.stdout is None and not writes_file:
        if sys.stderr is not None:
            print("sestui: standard output is closed; nothing to write to", file=sys.stderr)
        return ExitCode.USAGE
    from sestui.errors import SestuiError

    try:
        code: int = args.func(args)
        if sys.stdout is not None:
            sys.stdout.flush()  # here, not at exit: a full device is an error we report
    except SestuiError as exc:
        # The one boundary for our own errors: each already says what and where.
        command = args.func.__name__.removeprefix("_cmd_")
        prefix = "sestui" if args.func is _cmd_tui else f"sestui {command}"
        print(f"{prefix}: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _silence_stdout()  # the reader went away (`| head`): a quiet end
        return ExitCode.OK
    except OSError as exc:
        if sys.stdout is None or exc.errno not in (errno.ENOSPC, errno.EIO, errno.EDQUOT):
            raise
        _silence_stdout()
        print(f"sestui: cannot write to standard output: {exc.strerror}", file=sys.stderr)
        return ExitCode.USAGE
    return code


if __name__ == "__main__":
    sys.exit(main())
