"""Command line: `sestui` (TUI), `sestui eval`, and the headless subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sestui.sources import SourceSpec, parse_regions

if TYPE_CHECKING:
    from sestui.account import Account
    from sestui.checks import Selection

EXIT_OK = 0
EXIT_DENIED = 1
EXIT_USAGE = 2
EXIT_UNDECIDED = 3


def _cmd_eval(args: argparse.Namespace) -> int:
    from sestui.policy.cases import dumps, run_cases
    from sestui.policy.document import load_json
    from sestui.policy.errors import PolicyError

    try:
        text = sys.stdin.read() if args.cases == "-" else Path(args.cases).read_text("utf-8")
        results = run_cases(load_json(text))
    except OSError as exc:
        print(f"sestui eval: cannot read {args.cases}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    except PolicyError as exc:
        print(f"sestui eval: {args.cases}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    output = dumps(results)
    if args.out:
        from sestui.fileio import write_atomic

        write_atomic(Path(args.out), output)
    else:
        sys.stdout.write(output)
    return EXIT_OK


def add_source_args(p: argparse.ArgumentParser, *, live_only: bool = False) -> None:
    g = p.add_argument_group("account source")
    if not live_only:
        g.add_argument("--demo", action="store_true", help="the bundled demo account")
        g.add_argument("--snapshot", metavar="FILE", help="a sestui snapshot file")
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
    return SourceSpec(
        demo=getattr(args, "demo", False),
        snapshot=getattr(args, "snapshot", None),
        iam_json=getattr(args, "iam_json", None),
        profile=args.profile,
        regions=parse_regions(args.regions),
        org_profile=args.org_profile,
    )


def _cmd_snapshot(args: argparse.Namespace) -> int:
    from sestui.account import SnapshotError, save_snapshot
    from sestui.aws.errors import AwsReadError
    from sestui.sources import print_progress, read_live

    spec = source_spec(args)
    print(f"sestui snapshot: reading {spec.describe()} (read-only)", file=sys.stderr)
    try:
        data = read_live(spec, print_progress())
        save_snapshot(data, Path(args.output))
    except AwsReadError as exc:
        print(f"sestui snapshot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SnapshotError as exc:
        print(f"sestui snapshot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"sestui snapshot: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    gaps = data.get("gaps") or []
    print(f"sestui snapshot: wrote {args.output} ({len(gaps)} gaps)", file=sys.stderr)
    for g in gaps:
        need = f" — needs {g['permission']}" if g.get("permission") else ""
        print(f"  unknown: {g['what']} ({g['where']}: {g['message']}){need}", file=sys.stderr)
    return EXIT_OK


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
    g.add_argument("--region", required=required, help="the SES region of the send")
    g.add_argument("--from", dest="from_address", metavar="ADDRESS", help="the From address")
    g.add_argument("--identity", help="the SES identity (email address or domain)")
    g.add_argument(
        "--via",
        choices=["smtp", "api-v1", "api-v2"],
        default="smtp",
        help="how the mail is sent (default: smtp, since a 554 reply is SMTP's)",
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
    from sestui.checks import Selection, SendPath

    principal = args.role or args.user
    values: dict[str, object] = {
        "principal": principal or "",
        "region": args.region,
        "from_address": args.from_address,
        "identity": args.identity,
        "path": SendPath(args.via),
        "actions": tuple(args.action or ()),
        "configuration_set": args.config_set,
        "template": args.template,
        "recipients": tuple(args.recipient) if args.recipient else None,
        "source_ip": args.source_ip,
        "display_name": args.display_name,
        "feedback_address": args.feedback_address,
        "current_time": args.time,
        "secure_transport": not args.insecure,
        "principal_tags": _pairs(args.tag, "--tag"),
        "extra_context": _pairs(args.context, "--context"),
        "role": bool(args.role),
    }
    values.update(override)
    return Selection(**values)  # type: ignore[arg-type]


def _open(args: argparse.Namespace, command: str) -> Account | None:
    """Open the account the flags name; print a clear error and return None on failure."""
    from sestui.account import SnapshotError
    from sestui.sources import open_account, print_progress

    spec = source_spec(args)
    try:
        if spec.live:
            from sestui.aws.errors import AwsReadError
            from sestui.sources import has_credentials

            if not has_credentials(spec.profile):
                print(
                    f"sestui {command}: no AWS credentials found; use --profile, --snapshot "
                    "FILE or --demo",
                    file=sys.stderr,
                )
                return None
            try:
                return open_account(spec, print_progress())[0]
            except AwsReadError as exc:
                print(f"sestui {command}: {exc}", file=sys.stderr)
                return None
        return open_account(spec)[0]
    except SnapshotError as exc:
        print(f"sestui {command}: {exc}", file=sys.stderr)
        return None


def _use_colour() -> bool:
    import os

    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _print_verdict(args: argparse.Namespace, account: Account, selection: Selection) -> int:
    from sestui.checks import SelectionError, run
    from sestui.checks.analysis import find_principal
    from sestui.checks.report import render_json, render_text

    try:
        verdict = run(account, selection)
        principal = find_principal(account, selection)
    except SelectionError as exc:
        print(f"sestui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "json":
        sys.stdout.write(render_json(verdict, selection, principal.arn))
    else:
        sys.stdout.write(
            render_text(
                verdict, selection, principal.label, colour=_use_colour(), verbose=args.verbose
            )
        )
    return verdict.outcome.exit_code


def _cmd_check(args: argparse.Namespace) -> int:
    if args.all:
        if args.user or args.role:
            print("sestui check: --all prints every principal; drop --user/--role", file=sys.stderr)
            return EXIT_USAGE
    elif not (args.user or args.role) or not (args.from_address or args.identity):
        print(
            "sestui check: give --user or --role, and --from or --identity (or --all)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        selection = selection_from(args)
    except ValueError as exc:
        print(f"sestui check: {exc}", file=sys.stderr)
        return EXIT_USAGE
    account = _open(args, "check")
    if account is None:
        return EXIT_USAGE
    if args.all:
        from sestui.checks import SelectionError
        from sestui.checks.matrix import who_can_send
        from sestui.checks.report import matrix_json, render_matrix_text

        try:
            m = who_can_send(account, args.region, path=selection.path, actions=selection.actions)
        except SelectionError as exc:
            print(f"sestui check: {exc}", file=sys.stderr)
            return EXIT_USAGE
        sys.stdout.write(matrix_json(m) if args.format == "json" else render_matrix_text(m))
        return EXIT_OK
    return _print_verdict(args, account, selection)


def _cmd_explain(args: argparse.Namespace) -> int:
    from sestui.checks.errors import ErrorKind, parse_error

    text = sys.stdin.read() if args.text == "-" else args.text
    parsed = parse_error(text)
    if parsed.kind is ErrorKind.UNKNOWN:
        print(f"sestui explain: {parsed.cause} {parsed.advice}", file=sys.stderr)
        return EXIT_USAGE
    if parsed.kind is not ErrorKind.ACCESS_DENIED:
        import json as _json

        if args.format == "json":
            sys.stdout.write(
                _json.dumps(
                    {
                        "schema": "sestui-explain/1",
                        "kind": parsed.kind.value,
                        "cause": parsed.cause,
                        "advice": parsed.advice,
                        "region": parsed.region,
                        "identities": list(parsed.identities),
                    },
                    indent=2,
                )
                + "\n"
            )
        else:
            print(f"{parsed.kind.value}: {parsed.cause}")
            if parsed.identities:
                print(
                    f"  identities: {', '.join(parsed.identities)}"
                    + (f" (region {parsed.region})" if parsed.region else "")
                )
            print(f"  what to do: {parsed.advice}")
            if not args.no_account and (args.demo or args.snapshot or args.iam_json):
                account = _open(args, "explain")
                if account is not None and parsed.region and parsed.region in account.regions:
                    state = account.regions[parsed.region]
                    for name in parsed.identities:
                        found = state.resolve(name).identity
                        print(
                            f"  {name}: "
                            + (
                                f"verified via {found.name}"
                                if found
                                else f"not verified in {parsed.region}"
                            )
                        )
                    if state.sending.sandbox:
                        print(f"  {parsed.region} is in the sandbox: recipients must be verified")
        return EXIT_DENIED
    account = _open(args, "explain")
    if account is None:
        return EXIT_USAGE
    if parsed.account and parsed.account != account.account_id:
        print(
            f"sestui explain: the message names account {parsed.account}, but the account "
            f"loaded is {account.account_id}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    assert parsed.principal_arn is not None
    region = parsed.region or args.region
    if not region:
        print("sestui explain: the message names no SES resource; add --region", file=sys.stderr)
        return EXIT_USAGE
    identity = args.identity
    config_set = None
    if parsed.resource_type == "identity":
        identity = identity or parsed.resource_name
    elif parsed.resource_type == "configuration-set":
        config_set = parsed.resource_name
        if not (identity or args.from_address) and region in account.regions:
            users = [
                i.name
                for i in account.regions[region].identities.values()
                if i.default_configuration_set == config_set
            ]
            identity = users[0] if users else None
    if not (identity or args.from_address):
        print(
            "sestui explain: cannot tell the identity from the message; add --from ADDRESS",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from sestui.checks import SendPath

    via = args.via or ("smtp" if parsed.smtp else "api-v1")
    try:
        selection = selection_from(
            args,
            principal=parsed.principal_arn,
            region=region,
            identity=identity,
            actions=(parsed.action,) if parsed.action else tuple(args.action or ()),
            configuration_set=config_set or args.config_set,
            path=SendPath(via),
        )
    except ValueError as exc:
        print(f"sestui explain: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "text":
        print(
            f"Parsed: {parsed.principal_arn} · {parsed.action or '?'} · "
            f"{parsed.resource_arn or '?'}\n"
        )
    return _print_verdict(args, account, selection)


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
    sub = parser.add_subparsers(dest="command")
    ev = sub.add_parser("eval", help="decide neutral evaluation cases (JSON array) offline")
    ev.add_argument("cases", help="cases file, or - for standard input")
    ev.add_argument("--out", help="write the results here instead of standard output")
    ev.set_defaults(func=_cmd_eval)

    sn = sub.add_parser("snapshot", help="read a live account (read-only) into a snapshot file")
    add_source_args(sn, live_only=True)
    sn.add_argument("-o", "--output", required=True, metavar="FILE", help="snapshot to write")
    sn.set_defaults(func=_cmd_snapshot)

    ck = sub.add_parser(
        "check",
        help="run every check for one send (exit 0 allowed, 1 denied, 3 undecided, 2 bad input)",
    )
    add_selection_args(ck, required=True)
    ck.add_argument("--all", action="store_true", help="the who-can-send matrix of the region")
    ck.add_argument("--format", choices=["text", "json"], default="text")
    ck.add_argument("-v", "--verbose", action="store_true", help="details of passing checks too")
    add_source_args(ck)
    ck.set_defaults(func=_cmd_check)

    ex = sub.add_parser(
        "explain", help="paste an SES error (554 / AccessDenied / other) and get its cause"
    )
    ex.add_argument("text", help="the error message, or - to read it from standard input")
    add_selection_args(ex, required=False)
    ex.add_argument("--format", choices=["text", "json"], default="text")
    ex.add_argument("-v", "--verbose", action="store_true")
    ex.add_argument("--no-account", action="store_true", help=argparse.SUPPRESS)
    add_source_args(ex)
    ex.set_defaults(func=_cmd_explain)
    return parser


def _cmd_tui(args: argparse.Namespace) -> int:
    from sestui.tui.app import SestuiApp, StartAt
    from sestui.tui.asked import start_problems

    principal = args.role or args.user
    start = StartAt(principal, args.region, args.from_address, args.identity, bool(args.role))
    spec = source_spec(args)
    account = None
    if not spec.live and (principal or args.region or args.from_address or args.identity):
        # A file or the demo opens in no time: check the start flags against it before the TUI
        # opens, and refuse what the account lacks as `sestui check` does (a live account is
        # read inside the TUI, which says so there).
        from sestui.account import SnapshotError
        from sestui.sources import open_account

        try:
            account = open_account(spec)[0]
        except SnapshotError as exc:
            print(f"sestui: {exc}", file=sys.stderr)
            return EXIT_USAGE
        problems = start_problems(account, start)
        for problem in problems:
            print(f"sestui: {problem}", file=sys.stderr)
        if problems:
            return EXIT_USAGE
    app = SestuiApp(spec, start, account)
    app.run()
    return app.return_code or 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        args.func = _cmd_tui
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    return code


if __name__ == "__main__":
    sys.exit(main())
