"""Make account data safe to show on a terminal: control, format and bidi characters become
visible escapes (`\\x1b`, `\\u202e`) instead of reaching the terminal.

Names and values in an account (SCP names, tags, condition values, error text someone pasted)
can hold ESC sequences that set the clipboard (OSC 52), the window title or clear the screen,
and bidi overrides that make text read differently from what it is. Every output of sestui goes
through this module: the CLI's streams (`SafeStream`), its JSON (`json_text`) and the TUI's
Content and Strip hooks (sestui/tui/safe_output.py).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TextIO

# Unicode categories Cc (C0, DEL, C1), Cf (format: bidi marks, embeddings, overrides and
# isolates, zero-width characters, the BOM, the invisible "tag" characters), Cs (lone
# surrogates: they cannot even be encoded) and Zl/Zp (U+2028/U+2029, line breaks to some
# terminals). Written out because deriving it from unicodedata at import costs ~0.3 s;
# tests/test_textsafe.py checks it against unicodedata. Includes the Unicode 15 additions.
_RANGES = (
    (0x0000, 0x001F),
    (0x007F, 0x009F),
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xD800, 0xDFFF),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)


def _class(ranges: Iterable[tuple[int, int]]) -> str:
    return "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)


UNSAFE = re.compile(f"[{_class(_RANGES)}]")
"""Every character that never reaches a terminal raw."""
UNSAFE_MULTILINE = re.compile(
    f"[{_class(r for r in _RANGES if r != (0x0000, 0x001F))}"
    "\\x00-\\x08\\x0b-\\x1f]"  # C0 without \t and \n
)
"""The same without newline and tab, for text that may span lines."""
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def escape_char(ch: str) -> str:
    """The visible form of one character, as Python's repr writes it."""
    named = _NAMED.get(ch)
    if named is not None:
        return named
    cp = ord(ch)
    if cp <= 0xFF:
        return f"\\x{cp:02x}"
    if cp <= 0xFFFF:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


def _escape_match(m: re.Match[str]) -> str:
    return escape_char(m.group())


def visible(text: str) -> str:
    """`text` for a single-line label: every unsafe character, newline and tab included,
    becomes its escape. Text without them is returned as is (the common case costs one scan)."""
    if UNSAFE.search(text) is None:
        return text
    return UNSAFE.sub(_escape_match, text)


def visible_lines(text: str) -> str:
    """`text` for multi-line output: like `visible`, but newlines and tabs are kept."""
    if UNSAFE_MULTILINE.search(text) is None:
        return text
    return UNSAFE_MULTILINE.sub(_escape_match, text)


def _json_escape(m: re.Match[str]) -> str:
    cp = ord(m.group())
    if cp <= 0xFFFF:
        return f"\\u{cp:04x}"
    cp -= 0x10000  # JSON spells characters beyond the BMP as a surrogate pair
    return f"\\u{0xD800 + (cp >> 10):04x}\\u{0xDC00 + (cp & 0x3FF):04x}"


def json_text(
    value: Any, *, indent: int | None = 2, default: Callable[[Any], Any] | None = None
) -> str:
    """JSON for output: readable non-ASCII, but every unsafe character escaped as `\\uXXXX`
    (json.dumps escapes only C0; C1, DEL, bidi and the rest would reach the terminal).
    Outside strings JSON is ASCII (and its only controls, newlines of the indentation, are
    kept), so escaping the whole text only touches string contents."""
    raw = json.dumps(value, indent=indent, ensure_ascii=False, default=default)
    return UNSAFE_MULTILINE.sub(_json_escape, raw)


class SafeText(str):
    """Text already made safe here (it may carry sestui's own colour codes): `SafeStream`
    writes it unchanged. Only this module builds it."""

    __slots__ = ()


Span = str | tuple[str, str]  # plain text, or (text, SGR parameters such as "1;31")


def terminal_lines(lines: Iterable[str | list[Span]], *, colour: bool) -> SafeText:
    """Join lines (each a string or a list of spans) for a terminal: each text part made
    `visible` (a newline in data cannot start a forged line), styled parts wrapped in our own
    SGR codes when `colour`."""
    out: list[str] = []
    for line in lines:
        parts: Sequence[Span] = (line,) if isinstance(line, str) else line
        text = []
        for part in parts:
            if isinstance(part, tuple):
                body, sgr = part
                body = visible(body)
                text.append(f"\x1b[{sgr}m{body}\x1b[0m" if colour else body)
            else:
                text.append(visible(part))
        out.append("".join(text))
    return SafeText("\n".join(out) + "\n")


class SafeStream(io.TextIOBase):
    """A text stream that escapes unsafe characters in everything written to it, except
    newlines, tabs and `SafeText`. The CLI replaces sys.stdout and sys.stderr with it, so no
    message, error or report can reach the terminal raw, whoever writes it."""

    def __init__(self, inner: TextIO) -> None:
        super().__init__()
        self.inner = inner

    def write(self, s: str) -> int:
        self.inner.write(s if isinstance(s, SafeText) else visible_lines(s))
        return len(s)

    def flush(self) -> None:
        self.inner.flush()

    def close(self) -> None:
        """The wrapped stream is not ours to close (nor to flush when this one is collected)."""

    def isatty(self) -> bool:
        return self.inner.isatty()

    def fileno(self) -> int:
        return self.inner.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.inner.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return self.inner.errors
