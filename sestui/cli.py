"""Command line: `sestui` (TUI), `sestui eval`, and the headless subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sestui.sources import SourceSpec, parse_regions

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sestui",
        description="Find out why Amazon SES answers '554 Access denied'.",
    )
    sub = parser.add_subparsers(dest="command")
    ev = sub.add_parser("eval", help="decide neutral evaluation cases (JSON array) offline")
    ev.add_argument("cases", help="cases file, or - for standard input")
    ev.add_argument("--out", help="write the results here instead of standard output")
    ev.set_defaults(func=_cmd_eval)

    sn = sub.add_parser("snapshot", help="read a live account (read-only) into a snapshot file")
    add_source_args(sn, live_only=True)
    sn.add_argument("-o", "--output", required=True, metavar="FILE", help="snapshot to write")
    sn.set_defaults(func=_cmd_snapshot)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    return code


if __name__ == "__main__":
    sys.exit(main())
