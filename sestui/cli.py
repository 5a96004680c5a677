"""Command line: `sestui` (TUI), `sestui eval`, and the headless subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

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
