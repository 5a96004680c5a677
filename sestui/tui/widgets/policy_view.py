"""The policy viewer: highlighted JSON with line numbers, a gutter glyph and a background on the
statements the focused check blames. Reads without colour: the glyph and bold carry the mark.

The body is a line-API widget: only the lines on screen are rendered, each once (cached), so a
policy of thousands of lines scrolls and repaints as fast as a short one.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content, Span
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

if TYPE_CHECKING:
    from sestui.policy import LineRange


@dataclass(frozen=True)
class PolicyShown:
    title: str  # "identity policy X (via group Y) — arn"
    text: str  # the canonical pretty-printed JSON
    marks: tuple[LineRange, ...] = ()
    note: str = ""  # e.g. the finding's reason


@lru_cache(maxsize=64)
def render_policy(text: str, marks: tuple[LineRange, ...] = ()) -> tuple[Content, ...]:
    """One Content per line: a gutter (▶ on blamed lines), the line number, the highlighted JSON,
    and a background on blamed lines. The text is highlighted once and the highlighter's spans
    are moved onto each line (JSON tokens never cross a line)."""
    from textual.highlight import highlight  # pygments: loaded when a policy is first shown

    body = highlight(text, language="json")
    lines = text.split("\n")
    marked = {n for r in marks for n in range(r.first, r.last + 1)}
    width = len(str(len(lines)))
    longest = max((len(line) for line in lines), default=0)
    gutter = width + 2  # glyph, number, space
    starts: list[int] = []
    offset = 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    per_line: list[list[Span]] = [[] for _ in lines]
    for span in body.spans:
        index = bisect_right(starts, span.start) - 1
        base = starts[index] - gutter
        per_line[index].append(Span(span.start - base, span.end - base, span.style))
    out = []
    for n, line in enumerate(lines, 1):
        hit = n in marked
        row = ("▶" if hit else " ") + f"{n:>{width}} " + line
        if hit:
            row += " " * (longest - len(line) + 1)
            spans = [Span(0, len(row), "on $error 18%"), Span(0, gutter, "bold $error")]
        else:
            spans = [Span(1, gutter, "$text-muted")]
        out.append(Content(row, spans + per_line[n - 1]))
    return tuple(out)


class PolicyBody(ScrollView, can_focus=True):
    """Renders only the visible lines of a (possibly very long) policy."""

    DEFAULT_CSS = """
    PolicyBody { height: 1fr; background: transparent; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: tuple[Content, ...] = ()
        self._strips: dict[int, Strip] = {}

    def set_lines(self, lines: tuple[Content, ...]) -> None:
        self.lines = lines
        self._strips = {}
        width = max((line.cell_length for line in lines), default=0)
        self.virtual_size = Size(width, len(lines))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        if index >= len(self.lines):
            return Strip.blank(width, self.rich_style)
        strip = self._strips.get(index)
        if strip is None:
            line = self.lines[index]
            strips = Content.to_strips(self, line, max(1, line.cell_length), 1, self.visual_style)
            strip = strips[0] if strips else Strip.blank(0)
            self._strips[index] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style)

    @property
    def plain(self) -> str:
        return "\n".join(line.plain for line in self.lines)


class PolicyView(Vertical):
    DEFAULT_CSS = """
    PolicyView { border: round $panel; height: 1fr; }
    PolicyView:focus-within { border: round $accent; }
    PolicyView > #policy-header { height: 1; color: $text-muted; padding: 0 1;
        text-wrap: nowrap; text-overflow: ellipsis; }
    PolicyView > #policy-note { height: 2; padding: 0 1; text-style: bold; }
    """

    def __init__(self, *, id: str | None = None, title: str = "Policy") -> None:
        super().__init__(id=id)
        self.border_title = title
        self.shown: PolicyShown | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="policy-header", markup=False)
        yield Static(id="policy-note", markup=False)
        yield PolicyBody(id="policy-scroll")

    def show(self, shown: PolicyShown | None, *, empty: str = "") -> None:
        if shown is not None and shown == self.shown:
            return  # the same policy and marks: nothing to redraw
        self.shown = shown
        header = self.query_one("#policy-header", Static)
        note = self.query_one("#policy-note", Static)
        body = self.query_one(PolicyBody)
        if shown is None:
            header.update(Content(empty))
            note.update(Content(""))
            body.set_lines(())
            return
        header.update(Content(shown.title))
        note.update(Content.styled(("▶ " + shown.note) if shown.note else "", "$error"))
        body.set_lines(render_policy(shown.text, shown.marks))
        self.scroll_to_mark()

    def scroll_to_mark(self) -> None:
        body = self.query_one(PolicyBody)
        first = self.shown.marks[0].first if self.shown and self.shown.marks else 1
        # After the refresh: the body's new virtual size must be laid out before it can scroll.
        self.call_after_refresh(body.scroll_to, 0, max(0, first - 2), animate=False)

    @property
    def marked_lines(self) -> tuple[LineRange, ...]:
        return self.shown.marks if self.shown else ()
