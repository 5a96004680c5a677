"""No account data reaches the terminal raw from the TUI: two hooks into Textual (pinned exactly,
so its internals are stable) make control, format and bidi characters visible.

1. `Content.__init__`: every piece of text a Textual widget shows (our labels, OptionList rows,
   notifications, the palette, titles, the policy view) becomes a Content, and every
   Content operation (`+`, assemble, markup, split, wrap) builds its result with `Content(...)`.
   Escaping here gives the escape its real width, so layout stays right; style spans are moved
   with the text they cover. Newlines and tabs are kept (multi-line labels need them); list
   rows, which must stay one line, go through `one_line`.
2. `Strip.render`: where the compositor turns rendered segments into the string written to the
   terminal. A net for whatever does not go through Content (Rich `Text`: Input and TextArea
   values, DataTable labels): the segment text is escaped there (which may push that line's
   layout by the escape's width, but never lets a control through). Control segments
   (Textual's own cursor moves) pass.

Textual sets no terminal title; the clipboard (OSC 52) only ever gets our fix JSON, which
json.dumps writes in ASCII, and it is base64-encoded in the sequence anyway.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any

from rich.console import Console
from rich.segment import Segment
from textual.content import Content, Span
from textual.strip import Strip

from sestui.textsafe import UNSAFE, UNSAFE_MULTILINE, escape_char, visible_lines

_installed = False


def escape_content(
    text: str, spans: list[Span] | None, unsafe: re.Pattern[str] = UNSAFE_MULTILINE
) -> tuple[str, list[Span] | None]:
    """`text` with each `unsafe` character escaped, and `spans` moved to cover the same
    characters."""
    pieces: list[str] = []
    starts: list[int] = []  # positions of the escaped characters in `text`
    growth: list[int] = []  # extra length added by the escapes up to and including each one
    last = 0
    extra = 0
    for m in unsafe.finditer(text):
        escape = escape_char(m.group())
        pieces.append(text[last : m.start()])
        pieces.append(escape)
        last = m.end()
        extra += len(escape) - 1
        starts.append(m.start())
        growth.append(extra)
    pieces.append(text[last:])
    if not spans:
        return "".join(pieces), spans

    def moved(offset: int) -> int:
        # An offset after k escaped characters moves by their growth; an offset at an escaped
        # character stays before its escape (a span starting there covers all of it).
        k = bisect_right(starts, offset - 1)
        return offset + (growth[k - 1] if k else 0)

    return "".join(pieces), [Span(moved(s.start), moved(s.end), s.style) for s in spans]


def one_line(content: Content) -> Content:
    """`content` for a one-line label (a list row): newlines and tabs become visible too, so a
    name holding a newline cannot draw a second row."""
    if UNSAFE.search(content.plain) is None:
        return content
    text, spans = escape_content(content.plain, list(content.spans), UNSAFE)
    return Content(text, spans)


def install() -> None:
    """Hook Content and Strip (once per process)."""
    global _installed
    if _installed:
        return
    _installed = True
    content_init = Content.__init__
    strip_render = Strip.render
    unsafe = UNSAFE_MULTILINE.search  # bound once: these hooks run for every Content and line

    def safe_init(
        self: Content,
        text: str = "",
        spans: list[Span] | None = None,
        cell_length: int | None = None,
        strip_control_codes: bool = True,
    ) -> None:
        if text and unsafe(text) is not None:
            text, spans = escape_content(text, spans)
            cell_length = None  # the given length was of the raw text
        content_init(self, text, spans, cell_length, strip_control_codes)

    def safe_render(self: Strip, console: Console) -> str:
        segments: Any = self._segments
        # One scan of the line's text (cheaper than one per segment); only a line holding an
        # unsafe character (or a control segment of Textual's own) is looked at segment by segment.
        if self._render_cache is None and unsafe("".join([s[0] for s in segments])) is not None:
            clean = Strip(
                [
                    Segment(visible_lines(text), style)
                    if not control
                    else Segment(text, style, control)
                    for text, style, control in segments
                ]
            )
            self._render_cache = strip_render(clean, console)
        return strip_render(self, console)

    Content.__init__ = safe_init  # type: ignore[method-assign]
    Strip.render = safe_render  # type: ignore[method-assign]
