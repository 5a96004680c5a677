"""Bounded reads and safe writes: every file sestui reads or writes goes through here.

Reads stop at a size bound and refuse what never ends (devices, a FIFO nobody writes to);
writes go only to a new path or an existing regular file, atomically, with mode 0600.
"""

from __future__ import annotations

import contextlib
import os
import select
import stat
from pathlib import Path

from sestui.errors import SestuiError

MAX_INPUT = 512 * 1024 * 1024  # a snapshot, an --iam-json or a case file
MAX_PASTE = 1024 * 1024  # `explain -`: an error message, perhaps with the log around it
STREAM_IDLE = 10.0  # seconds a pipe or FIFO may stay silent before the read gives up
_CHUNK = 1024 * 1024


class InputError(SestuiError, ValueError):
    """A file or standard input that cannot be read as text: `label: reason`, no traceback."""

    def __init__(self, label: str, reason: str) -> None:
        self.label = label
        self.reason = reason
        super().__init__(f"{label}: {reason}")


class OutputError(SestuiError, ValueError):
    """A path sestui refuses to write, or cannot (what and why)."""


def _mib(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n >= 1024 * 1024 else f"{n // 1024} KiB"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    return "not a regular file"


def read_input(name: str, *, limit: int | None = None, idle: float | None = None) -> str:
    """The text of file `name` (`-`: standard input), UTF-8, at most `limit` bytes.

    A regular file over the bound is refused before it is read; a pipe or FIFO is read until it
    closes, the bound is passed or it stays silent for `idle` seconds (a terminal has no idle
    bound: a person is typing); devices, sockets and directories are refused. Raises InputError.
    """
    limit = MAX_INPUT if limit is None else limit
    idle = STREAM_IDLE if idle is None else idle
    stdin = name == "-"
    label = "standard input" if stdin else name
    if stdin:
        fd = 0
        try:
            os.fstat(fd)
        except OSError:
            raise InputError(label, "it is closed") from None
    else:
        try:
            # O_NONBLOCK: opening a FIFO that has no writer must not hang here.
            fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            raise InputError(label, f"cannot read it: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        tty = os.isatty(fd)
        if stat.S_ISREG(mode):
            size = os.fstat(fd).st_size
            if size > limit:
                raise InputError(label, f"larger than {_mib(limit)} ({_mib(size)})")
            data = _read_all(fd, label, limit, None, first=size + 1)
        elif stat.S_ISFIFO(mode) or tty or (stdin and stat.S_ISSOCK(mode)):
            data = _read_all(fd, label, limit, None if tty else idle)
        else:
            raise InputError(label, f"{_kind(mode)}, not a file sestui can read")
    finally:
        if not stdin:
            os.close(fd)
    return decode_text(data, label)


def _read_all(fd: int, label: str, limit: int, idle: float | None, *, first: int = _CHUNK) -> bytes:
    """Read until the end; `first` bytes at most in the first read (a regular file: its size
    and one more, so one read takes it all, without chunks to join, and the next sees its end
    or that it grew)."""
    chunks: list[bytes] = []
    total = 0
    want = first
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    while True:
        if idle is not None and not poller.poll(int(idle * 1000)):
            raise InputError(
                label,
                f"nothing arrived for {idle:g} seconds and it was not closed; "
                "sestui reads a pipe until its writer closes it",
            )
        try:
            chunk = os.read(fd, min(want, limit + 1 - total))
            want = _CHUNK
        except BlockingIOError:  # a FIFO with no writer yet, or a spurious wake-up
            if idle is None:
                poller.poll()
            continue
        except OSError as exc:
            raise InputError(label, f"cannot read it: {exc.strerror or exc}") from None
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise InputError(label, f"larger than {_mib(limit)}; sestui stops reading there")


_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def decode_text(data: bytes, label: str) -> str:
    """UTF-8 text (a UTF-8 byte order mark is dropped); UTF-16/32 and binary data are refused."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise InputError(label, f"{name} text; save it as UTF-8")
    if b"\x00" in data[:4096]:
        raise InputError(label, "binary (it holds NUL bytes), not UTF-8 text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            label, f"not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line})"
        ) from None


def check_output(path: Path) -> Path:
    """The file a write to `path` would create or replace; OutputError if sestui must not.

    Only a new path or an existing regular file: a FIFO, device, socket or directory is refused
    and left untouched (an atomic rename would replace a device node with a regular file); a
    symlink to a regular file means its target.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            raise OutputError(
                f"refusing to write {path}: it is {_kind(st.st_mode)}; "
                "sestui writes only to a new path or a regular file"
            )
        path = Path(os.path.realpath(path))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise OutputError(f"cannot write {path}: the folder {folder} is not writable")
    return path


def write_output(path: Path, text: str) -> None:
    """Write a file the user named (`-o`, `--out`) atomically; OutputError says why not."""
    target = check_output(path)
    try:
        write_atomic(target, text)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    except UnicodeEncodeError:
        raise OutputError(f"cannot write {path}: the text holds a lone surrogate") from None


def write_atomic(path: Path, text: str, *, mode: int = 0o600) -> None:
    """Write text to path so that readers see the old file or the whole new one, never half."""
    directory = path.parent if str(path.parent) else Path(".")
    import tempfile  # here: it imports shutil, random and the compressors (startup of `eval`)

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
