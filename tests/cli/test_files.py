"""Files and standard streams: bounded reads, writes only to regular files, never a traceback.

Real devices, FIFOs, sockets and sparse files; the standard streams of a real subprocess.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import sestui.fileio as fileio
from sestui.cli import main
from sestui.demo.build import build
from tests.paths import ROOT

CHECK = ["check", "--user", "iam-user-name", "--region", "eu-west-1", "--from", "info@example.com"]
CASE: dict[str, Any] = {
    "id": "c1",
    "principal": "arn:aws:iam::111122223333:user/alice",
    "action": "ses:SendRawEmail",
    "resource": "arn:aws:ses:eu-west-1:111122223333:identity/example.com",
    "context": {},
    "identity_policies": [
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "ses:*", "Resource": "*"}],
        }
    ],
    "permissions_boundary": None,
    "scps": [],
    "resource_policies": [],
}


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def cli(
    *args: str | bytes, stdin: Any = None, shell_tail: str = ""
) -> subprocess.CompletedProcess[bytes]:
    """sestui in a subprocess; `shell_tail` (redirections) goes through sh."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if shell_tail:
        quoted = " ".join(f"'{a!s}'" for a in args if isinstance(a, str))  # plain ASCII here
        command = f"exec {sys.executable} -m sestui.cli {quoted} {shell_tail}"
        return subprocess.run(["sh", "-c", command], env=env, capture_output=True, timeout=120)
    return subprocess.run(
        [sys.executable, "-m", "sestui.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([CASE]))
    return path


@pytest.fixture
def specials(tmp_path: Path) -> Iterator[dict[str, Path]]:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    sock_path = tmp_path / "sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    folder = tmp_path / "folder"
    folder.mkdir()
    try:
        yield {"fifo": fifo, "socket": sock_path, "directory": folder, "device": Path("/dev/null")}
    finally:
        sock.close()


# -- writing ---------------------------------------------------------------------------------


def test_out_refuses_fifos_devices_sockets_and_directories(
    cases: Path, specials: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    for kind, path in specials.items():
        before = os.stat(path)
        for argv in (
            ["eval", str(cases), "--out", str(path)],
            ["snapshot", "-o", str(path)],  # refused before any AWS call
        ):
            code, err = run(argv, capsys)
            assert code == 2, (kind, argv)
            assert f"refusing to write {path}: it is a" in err
            after = os.stat(path)
            assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode)
            assert after.st_ino == before.st_ino  # the very same node, untouched


def test_out_into_a_missing_or_unwritable_folder(
    cases: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-folder" / "out.json"
    code, err = run(["eval", str(cases), "--out", str(missing)], capsys)
    assert code == 2 and "the folder" in err and "does not exist" in err
    code, err = run(["snapshot", "-o", str(missing)], capsys)
    assert code == 2 and "does not exist" in err
    # /proc/self refuses new files even to root, where permission bits would not.
    code, err = run(["eval", str(cases), "--out", "/proc/self/out.json"], capsys)
    assert code == 2 and "cannot write /proc/self/out.json" in err


def test_out_through_a_symlink_writes_its_target(cases: Path, tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert main(["eval", str(cases), "--out", str(link)]) == 0
    assert link.is_symlink() and json.loads(target.read_text())[0]["decision"] == "Allowed"


# -- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("flag", ["--snapshot", "--iam-json", "eval"])
def test_devices_and_directories_are_refused_at_once(
    flag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path, words in (("/dev/zero", "a device"), (str(tmp_path), "a directory")):
        argv = ["eval", path] if flag == "eval" else [*CHECK, flag, path]
        code, err = run(argv, capsys)
        assert code == 2
        assert f"{path}: {words}, not a file sestui can read" in err


def test_a_file_over_the_bound_is_refused_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as fh:  # sparse: 600 MiB that take no disk and are never read
        fh.truncate(600 * 1024 * 1024)
    for argv in ([*CHECK, "--snapshot", str(big)], ["eval", str(big)]):
        code, err = run(argv, capsys)
        assert code == 2
        assert "larger than 512 MiB (600 MiB)" in err


def test_a_fifo_that_never_closes_ends_the_read(
    specials: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(fileio, "STREAM_IDLE", 0.3)
    fifo = specials["fifo"]
    # No writer at all, then a writer that holds the FIFO open and never writes.
    code, err = run([*CHECK, "--snapshot", str(fifo)], capsys)
    assert code == 2 and "nothing arrived for 0.3 seconds" in err
    keep = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    writer = os.open(fifo, os.O_WRONLY)
    try:
        code, err = run(["eval", str(fifo)], capsys)
        assert code == 2 and "nothing arrived for 0.3 seconds" in err
    finally:
        os.close(writer)
        os.close(keep)


def test_a_fifo_that_streams_more_than_the_bound_ends_the_read(
    specials: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = specials["fifo"]
    stop = threading.Event()

    def endless() -> None:
        fd = os.open(fifo, os.O_WRONLY)
        try:
            while not stop.is_set():
                os.write(fd, b"[" * 65536)
        except BrokenPipeError:
            pass
        finally:
            os.close(fd)

    thread = threading.Thread(target=endless, daemon=True)
    thread.start()
    try:
        with pytest.raises(fileio.InputError, match="larger than 4 MiB; sestui stops reading"):
            fileio.read_input(str(fifo), limit=4 * 1024 * 1024)
    finally:
        stop.set()
        thread.join(timeout=10)


def test_a_fifo_that_delivers_a_snapshot_is_read(
    specials: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = specials["fifo"]
    text = json.dumps(build()).encode()

    def writer() -> None:
        fd = os.open(fifo, os.O_WRONLY)
        for i in range(0, len(text), 4096):
            os.write(fd, text[i : i + 4096])
        os.close(fd)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    code = main([*CHECK, "--snapshot", str(fifo), "--format", "json"])
    thread.join(timeout=10)
    assert code in (0, 1, 3)
    assert json.loads(capsys.readouterr().out)["schema"].startswith("sestui")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("[]".encode("utf-16"), "UTF-16 text; save it as UTF-8"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary (it holds NUL bytes)"),
        (b'[{"id": "caf\xe9"}]', "not UTF-8 text (byte 0xe9 on line 1)"),
        (b'[{"id": "\\udc80"}]', "$[0].id: the string holds a lone surrogate"),
    ],
)
def test_text_that_is_not_utf8_is_refused(
    data: bytes, words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cases.json"
    path.write_bytes(data)
    code, err = run(["eval", str(path)], capsys)
    assert code == 2 and words in err


# -- nesting ---------------------------------------------------------------------------------


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def deep_document(depth: int) -> str:
    return (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:*", '
        f'"Resource": "*", "Condition": {{"StringEquals": {{"k": {nested(depth)}}}}}}}]}}'
    )


@pytest.mark.parametrize("depth", [70, 5_000, 200_000])
def test_nesting_in_string_form_documents_is_located(
    depth: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snap = build()
    identities = snap["ses"]["regions"]["eu-west-1"]["identities"]
    index = next(i for i, e in enumerate(identities) if e.get("Policies"))
    name = next(iter(identities[index]["Policies"]))
    identities[index]["Policies"][name] = deep_document(depth)
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(snap))
    code, err = run([*CHECK, "--snapshot", str(path)], capsys)
    assert code == 2
    assert f"ses.regions.eu-west-1.identities[{index}].Policies.{name}" in err
    assert "nested deeper than 64 levels (line 1 column" in err

    snap = build()
    level = snap["organizations"]["levels"][0]
    level["Policies"][0]["Content"] = deep_document(depth)
    path.write_text(json.dumps(snap))
    code, err = run([*CHECK, "--snapshot", str(path)], capsys)
    assert code == 2 and "Policies[0].Content" in err and "nested deeper than 64" in err

    case = dict(CASE, identity_policies=[deep_document(depth)])
    path.write_text(json.dumps([case]))
    assert main(["eval", str(path)]) == 0  # one bad case never stops the rest: its own error
    (result,) = json.loads(capsys.readouterr().out)
    assert "nested deeper than 64 levels" in result["error"]


def test_nesting_in_iam_json_string_documents_is_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import urllib.parse

    iam = build()["iam"]
    user = iam["UserDetailList"][0]
    user["UserPolicyList"] = [
        {"PolicyName": "deep", "PolicyDocument": urllib.parse.quote(deep_document(3_000))}
    ]
    path = tmp_path / "iam.json"
    path.write_text(json.dumps(iam))
    code, err = run([*CHECK, "--iam-json", str(path)], capsys)
    assert code == 2
    assert "UserPolicyList[0].PolicyDocument" in err and "nested deeper than 64 levels" in err


def test_object_form_nesting_in_a_document_is_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "snap.json"
    snap = build()
    user = snap["iam"]["UserDetailList"][0]
    user["UserPolicyList"] = [
        {"PolicyName": "deep", "PolicyDocument": json.loads(deep_document(70))}
    ]
    path.write_text(json.dumps(snap, indent=1))
    # A document sestui cannot parse is a located finding and leaves the verdict undecided,
    # whatever the reason (grammar or nesting); the account itself opens.
    assert main([*CHECK, "--snapshot", str(path)]) == 3
    out = capsys.readouterr().out
    assert "policy deep, $.Statement[0].Condition.StringEquals.k[0][0]" in out
    assert "…: nested deeper than 64 levels" in out


def test_nesting_past_the_parser_is_located_by_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "snap.json"
    text = json.dumps(build(), indent=1)
    assert '"Tags": []' in text
    path.write_text(text.replace('"Tags": []', f'"Tags": {nested(100_000)}', 1))
    line = text[: text.index('"Tags": []')].count("\n") + 1
    code, err = run([*CHECK, "--snapshot", str(path)], capsys)
    assert code == 2
    assert f"{path}:{line}:" in err and "nested deeper than 64 levels" in err


# -- standard streams ------------------------------------------------------------------------


def test_explain_reads_a_bounded_paste() -> None:
    paste = b"554 Access denied: " + b"x" * (2 * 1024 * 1024)
    done = cli("explain", "-", "--demo", stdin=paste)
    assert done.returncode == 2
    assert b"standard input: larger than 1 MiB" in done.stderr
    assert b"Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "tail", "words"),
    [
        (("explain", "-", "--demo"), "<&-", b"standard input: it is closed"),
        (("eval", "-"), "<&-", b"standard input: it is closed"),
        (("check", "--demo", *CHECK[1:]), ">&-", b"standard output is closed"),
        (("check", "--demo", *CHECK[1:]), ">/dev/full", b"No space left on device"),
    ],
)
def test_closed_and_full_standard_streams(args: tuple[str, ...], tail: str, words: bytes) -> None:
    done = cli(*args, shell_tail=tail)
    assert done.returncode == 2, done.stderr
    assert words in done.stderr and b"Traceback" not in done.stderr


def test_a_closed_pipe_is_a_quiet_end(tmp_path: Path) -> None:
    many = tmp_path / "many.json"
    many.write_text(json.dumps([dict(CASE, id=f"case-{i}") for i in range(4000)]))
    # Far more than a pipe holds, so the writes go on after `head` has gone.
    done = cli("eval", str(many), shell_tail="| head -c 10")
    assert done.stdout == b"[\n  {\n    "
    assert done.stderr == b""


def test_non_utf8_arguments_and_stdin() -> None:
    done = cli("check", "--demo", "--user", b"al\xffce", "--region", "eu-west-1")
    assert done.returncode == 2
    assert b"argument 4" in done.stderr and b"is not valid UTF-8" in done.stderr
    done = cli("explain", "-", "--demo", stdin=b"554 Access denied \xff\xfe\xfd")
    assert done.returncode == 2 and b"not UTF-8 text" in done.stderr
    assert b"Traceback" not in done.stderr
