"""The policy viewer: highlighted JSON with line numbers, a gutter glyph and a background on the
statements the focused check blames (▶, error colour) or that allow the send (✓, success colour).
Reads without colour: the glyph and bold carry the mark. A check without a policy document shows
its explanation, evidence and fix as text instead.

The body is a line-API widget: only the lines on screen are rendered, each once (cached), so a
policy of thousands of lines scrolls and repaints as fast as a short one.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content, Span
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from sestui.tui.widgets.bars import CutNote
from sestui.tui.widgets.quiet import fits, set_content

if TYPE_CHECKING:
    from collections.abc import Callable

    from rich.style import Style
    from textual.style import Style as VisualStyle

    from sestui.policy import LineRange


@dataclass(frozen=True)
class PolicyShown:
    title: str  # "identity policy X (via group Y) — arn"
    text: str  # the canonical pretty-printed JSON
    marks: tuple[LineRange, ...] = ()  # blamed statements
    note: str = ""  # e.g. the finding's reason
    allows: tuple[LineRange, ...] = ()  # statements that allow the send (never drawn as blamed)
    tone: str = "blame"  # of the note: blame | allow | info


# One table for a statement's mark: the gutter glyph and colour of the blamed and allowing lines,
# and the note above the policy.
STATEMENT_MARKS = {"blame": ("▶", "$error"), "allow": ("✓", "$success")}
NOTE_STYLE = {
    "blame": (STATEMENT_MARKS["blame"][0] + " ", STATEMENT_MARKS["blame"][1]),
    "allow": (STATEMENT_MARKS["allow"][0] + " allowing — ", STATEMENT_MARKS["allow"][1]),
    "info": ("", ""),
}


@lru_cache(maxsize=64)
def render_policy(
    text: str, marks: tuple[LineRange, ...] = (), allows: tuple[LineRange, ...] = ()
) -> tuple[Content, ...]:
    """One Content per line: a gutter (▶ on blamed lines, ✓ on allowing ones), the line number,
    the highlighted JSON, and a background on marked lines. The text is highlighted once and the
    highlighter's spans are moved onto each line (JSON tokens never cross a line)."""
    from textual.highlight import highlight  # pygments: loaded when a policy is first shown

    body = highlight(text, language="json")
    lines = text.split("\n")
    marked = {n for r in marks for n in range(r.first, r.last + 1)}
    allowing = {n for r in allows for n in range(r.first, r.last + 1)} - marked
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
        ok = n in allowing
        tone = "blame" if hit else "allow" if ok else None
        glyph, colour = STATEMENT_MARKS[tone] if tone else (" ", "")
        row = glyph + f"{n:>{width}} " + line
        if tone:
            row += " " * (longest - len(line) + 1)
            spans = [Span(0, len(row), f"on {colour} 18%"), Span(0, gutter, f"bold {colour}")]
        else:
            spans = [Span(1, gutter, "$text-muted")]
        out.append(Content(row, spans + per_line[n - 1]))
    return tuple(out)


def key_lines(text: str, first: int, last: int) -> tuple[int, int]:
    """The lines (1-based, first and last) of a statement `first`..`last` that name what it
    applies to. A statement with a `Principal` (a sending-authorization policy) turns on whom it
    names: from its first line (its Effect) to the end of its Principal. Otherwise its
    `Resource` / `NotResource` up to the end of its list (the ARN a denial turns on), else the
    statement's last line."""
    lines = text.split("\n")
    for n in range(first, min(last, len(lines)) + 1):
        if lines[n - 1].lstrip().startswith(('"Principal"', '"NotPrincipal"')):
            end = n
            if lines[n - 1].rstrip().endswith(("{", "[")):  # an object or list: to its close
                while end < last and not lines[end - 1].strip().startswith(("}", "]")):
                    end += 1
            return first, end
    for n in range(first, min(last, len(lines)) + 1):
        if lines[n - 1].lstrip().startswith(('"Resource"', '"NotResource"')):
            end = n
            if lines[n - 1].rstrip().endswith("["):  # a list: up to its closing bracket
                while end < last and not lines[end - 1].strip().startswith("]"):
                    end += 1
            return n, end
    return last, last


def key_line(text: str, first: int, last: int) -> int:
    """The `Resource` line of a statement (else its last line)."""
    return key_lines(text, first, last)[0]


def _gutter_width(lines: tuple[Content, ...]) -> int:
    """Glyph, line number and a space: as render_policy lays them out."""
    return len(str(len(lines))) + 2 if lines else 0


def _mark_style(line: Content) -> str:
    """The background of a marked line (the glyph in column 0 says which), else none."""
    glyph = line.plain[:1]
    colour = next((c for g, c in STATEMENT_MARKS.values() if g == glyph), None)
    return f"on {colour} 18%" if colour else ""


class PolicyBody(ScrollView, can_focus=True):
    """Renders only the visible lines of a (possibly very long) policy. Wraps long lines at the
    widget's width by default (`w` toggles): continuation lines keep the gutter mark of their
    statement and leave the line number blank. The visual-line index is computed once per width."""

    DEFAULT_CSS = """
    PolicyBody { height: 1fr; background: transparent; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: tuple[Content, ...] = ()
        self.text: Content | None = None  # text shown instead of a policy (wrapped by words)
        self.wrap = True
        self._strips: dict[tuple[int, int], Strip] = {}
        # Per width: where each source line's first visual line starts (cumulative), and the
        # stripped cell length of each source line (the padding of marked lines re-flows).
        self._starts: dict[int, list[int]] = {}
        self._lengths: list[int] = []
        self._gutter = 0
        self._width = 0
        self.resized: Callable[[], None] | None = None
        self._frame_styles: tuple[Style, VisualStyle] | None = None

    def set_lines(self, lines: tuple[Content, ...]) -> None:
        self.text = None
        self._set(lines, _gutter_width(lines))

    def set_text(self, text: Content) -> None:
        """Text instead of a policy (a check's explanation), wrapped by words at the body's
        width, one column in from each edge, with no gutter and no marks. In this widget, not
        one beside it: showing one or the other then changes no layout."""
        self.text = text
        self._set(self._wrapped(text, self._text_width()), 0)
        self.scroll_to(0, 0, animate=False, force=True)

    @staticmethod
    def _wrapped(text: Content, width: int) -> tuple[Content, ...]:
        pad = Content(" ")
        return tuple(pad + line for line in text.wrap(max(1, width - 2)))

    def _set(self, lines: tuple[Content, ...], gutter: int) -> None:
        self.lines = lines
        self._strips = {}
        self._starts = {}
        self._gutter = gutter
        self._lengths = [len(line.plain.rstrip()) for line in lines]
        self._update_size()
        self.refresh()

    @property
    def scrollbars_shown(self) -> tuple[bool, bool]:
        """Which scrollbars show (one appearing or going lays the screen out)."""
        return (self.show_vertical_scrollbar, self.show_horizontal_scrollbar)

    def toggle_wrap(self) -> None:
        self.wrap = not self.wrap
        self._strips = {}
        self._update_size()
        self.scroll_to(0, self.scroll_y, animate=False)
        self.refresh()

    def _text_width(self) -> int:
        width = self.scrollable_content_region.width or self.size.width
        return max(width, self._gutter + 8)

    def _index(self, width: int) -> list[int]:
        starts = self._starts.get(width)
        if starts is None:
            room = max(1, width - self._gutter)
            starts = [0]
            total = 0
            for length in self._lengths:
                body = max(0, length - self._gutter)
                total += 1 if body <= room else -(-body // room)
                starts.append(total)
            self._starts[width] = starts
        return starts

    def _update_size(self) -> None:
        if not self.wrap and self.text is None:
            width = max((line.cell_length for line in self.lines), default=0)
            self._set_virtual_size(Size(width, len(self.lines)))
            return
        self._width = self._text_width()
        # No width: wrapped text never scrolls sideways, so no horizontal scrollbar can take a
        # row from the view while the vertical one appears and the text is wrapped again.
        self._set_virtual_size(Size(0, self._index(self._width)[-1]))

    def _set_virtual_size(self, size: Size) -> None:
        """The scrollable size, without a layout of the screen (the reactive's default): the
        body's own size is its pane's, whatever it holds. Its scrollbars are updated here; one
        that appears or goes still lays the screen out (their own reactive)."""
        if size == self.virtual_size:
            return
        if not self.is_mounted or not self.container_size:
            self.virtual_size = size  # not laid out yet: the first layout sizes it
            return
        self.set_reactive(PolicyBody.virtual_size, size)
        self._scroll_update(size)
        self.refresh()

    def on_resize(self) -> None:
        self._rewrap()

    def watch_show_vertical_scrollbar(self) -> None:
        # The scrollbar appearing (or going) narrows (or widens) the text without a resize:
        # wrap again at the new width, or the lines and the scrollbar's extent go stale.
        self._rewrap()

    def _rewrap(self) -> None:
        if self.text is not None and self._text_width() != self._width:
            self._set(self._wrapped(self.text, self._text_width()), 0)
        elif self.wrap and self._text_width() != self._width:
            self._strips = {}
            self._update_size()
        if self.resized is not None:
            self.resized()  # the lines moved (re-wrapped, or the view grew): find the mark again

    def _visual(self, index: int, width: int) -> Content:
        """The visual line `index` of the wrapped text at `width`."""
        starts = self._index(width)
        n = bisect_right(starts, index) - 1
        line = self.lines[n]
        part = index - starts[n]
        gutter = self._gutter
        room = max(1, width - gutter)
        end = self._lengths[n]
        if part == 0:
            piece = line[: min(end, gutter + room)]
        else:
            # The glyph (with its styles) and a blank number column, then the next slice.
            start = gutter + part * room
            blank = Content.styled(" " * (gutter - 1), _mark_style(line) if gutter else "")
            piece = line[:1] + blank + line[start : min(end, start + room)]
        style = _mark_style(line) if self.text is None else ""
        if style and piece.cell_length < width:
            pad = width - piece.cell_length
            piece = piece + Content.styled(" " * pad, style)
        return piece

    def render_lines(self, crop: Region) -> list[Strip]:
        # The widget's styles, once per frame rather than once per line (each look-up walks
        # the widget's ancestors' backgrounds): a new policy renders every line in view.
        self._frame_styles = (self.rich_style, self.visual_style)
        try:
            return super().render_lines(crop)
        finally:
            self._frame_styles = None

    def render_line(self, y: int) -> Strip:
        rich_style, visual_style = self._frame_styles or (self.rich_style, self.visual_style)
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        wrap = self.wrap or self.text is not None
        total = self.virtual_size.height if wrap else len(self.lines)
        if index >= total or not self.lines:
            return Strip.blank(width, rich_style)
        key = (self._width if wrap else 0, index)
        strip = self._strips.get(key)
        if strip is None:
            line = self._visual(index, self._width) if wrap else self.lines[index]
            strips = Content.to_strips(self, line, max(1, line.cell_length), 1, visual_style)
            strip = strips[0] if strips else Strip.blank(0)
            self._strips[key] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, rich_style)

    def line_of(self, source_line: int) -> int:
        """The first visual line of a 1-based source line (for scrolling to a mark)."""
        if not (self.wrap or self.text is not None) or not self.lines:
            return source_line - 1
        starts = self._index(self._width)
        return starts[min(max(0, source_line - 1), len(starts) - 1)]

    @property
    def visual_plain(self) -> list[str]:
        """Every visual line as shown (for tests and copying what is on screen)."""
        if not (self.wrap or self.text is not None):
            return [line.plain for line in self.lines]
        total = self._index(self._width)[-1] if self.lines else 0
        return [self._visual(i, self._width).plain for i in range(total)]

    @property
    def plain(self) -> str:
        return "\n".join(line.plain for line in self.lines)


class PolicyView(Vertical):
    ALLOW_MAXIMIZE = True  # z zooms the whole view: header, note and policy
    # Shown in the footer while the policy has focus (the app's w works from every pane).
    BINDINGS = [Binding("w", "app.toggle_wrap", "Wrap", id="policy-wrap")]
    DEFAULT_CSS = """
    PolicyView { border: round $panel; height: 1fr; }
    PolicyView:focus-within { border: round $accent; }
    PolicyView > #policy-header { height: 1; color: $text-muted; padding: 0 1;
        text-wrap: nowrap; text-overflow: ellipsis; }
    PolicyView > #policy-note { height: auto; max-height: 6; padding: 0 1; text-style: bold; }
    """

    def __init__(self, *, id: str | None = None, title: str = "Policy") -> None:
        super().__init__(id=id)
        self.border_title = title
        self.shown: PolicyShown | None = None
        self.text: Content | None = None  # the explanation shown instead of a policy
        # (Marks "-text" while the body shows it: no style depends on the class, as a display
        # toggle would lay the whole screen out on every move between such checks.)
        self._scroll_request = 0

    def compose(self) -> ComposeResult:
        yield Static(id="policy-header", markup=False)
        # At 80 columns the note keeps to two lines: cut, it says that z (in the pane) shows it.
        yield CutNote("5 z shows all", id="policy-note")
        body = PolicyBody(id="policy-scroll")
        body.resized = self._body_resized
        yield body

    def show_text(self, title: str, text: Content) -> None:
        """A check without a policy document: its explanation, evidence and fix, wrapped."""
        self.shown = None
        self.text = text
        self._scroll_request += 1  # a pending scroll to a mark no longer applies
        set_content(self.query_one("#policy-header", Static), Content(title))
        # Its head (the check, its status and summary: up to the first blank line) where a
        # finding's note goes, the rest below; only its first line when the head would make
        # the note taller than its steady height (which would lay the screen out).
        note = self.query_one("#policy-note", Static)
        cut = text.plain.find("\n\n")
        head, rest = (text[:cut], text[cut + 2 :]) if cut >= 0 else (text, Content(""))
        if not fits(note, head):
            cut = text.plain.find("\n")
            head, rest = (text[:cut], text[cut + 1 :]) if cut >= 0 else (text, Content(""))
        set_content(note, head)
        self.query_one(PolicyBody).set_text(rest)
        self.add_class("-text")

    def set_subtitle(self, text: str) -> None:
        """The text on the bottom border (the finding counter), repainting that row only:
        `border_subtitle` repaints the whole pane, every row of its border."""
        if text == (self.border_subtitle or ""):
            return
        height = self.outer_size.height
        if not height:
            self.border_subtitle = text
            return
        # As the border_subtitle setter stores it, without its refresh of the whole widget.
        self._border_subtitle = self.render_str(text).expand_tabs(4).split()[0] if text else None
        # Widget regions are relative to the content area (inside the border).
        x, y = self.content_offset
        self.refresh(Region(-x, height - 1 - y, self.outer_size.width, 1))

    @property
    def explanation(self) -> str:
        return self.text.plain if self.text is not None and self.has_class("-text") else ""

    def show(self, shown: PolicyShown | None, *, empty: str = "") -> None:
        if shown is not None and shown == self.shown and not self.has_class("-text"):
            return  # the same policy and marks: nothing to redraw
        self.shown = shown
        self.text = None
        self.remove_class("-text")
        header = self.query_one("#policy-header", Static)
        note = self.query_one("#policy-note", Static)
        body = self.query_one(PolicyBody)
        if shown is None:
            set_content(header, Content(empty))
            set_content(note, Content(""))
            body.set_lines(())
            return
        set_content(header, Content(shown.title))
        prefix, style = NOTE_STYLE[shown.tone]
        note_text = Content.styled((prefix + shown.note) if shown.note else "", style)
        relayout = set_content(note, note_text)  # a taller or shorter note
        bars = body.scrollbars_shown
        body.set_lines(render_policy(shown.text, shown.marks, shown.allows))
        relayout = relayout or bars != body.scrollbars_shown
        self.scroll_to_mark(now=not relayout)

    def _body_resized(self) -> None:
        if self.shown is not None and not self.has_class("-text"):
            self.scroll_to_mark()

    def scroll_to_mark(self, *, now: bool = False) -> None:
        """Scroll the first marked statement into view: its first line near the top, and its
        `Resource` line (what SES compares with the ARN) wholly visible even when the statement
        is taller than the view, as at 80×24. `now`: the body's size is what the next frame
        shows (no layout pending), so the scroll is painted in the same frame as the policy;
        else after the refresh that lays it out."""
        body = self.query_one(PolicyBody)
        shown = self.shown
        marks = (shown.marks or shown.allows) if shown else ()
        first, last = (marks[0].first, marks[0].last) if marks else (1, 1)
        start, key = key_lines(shown.text, first, last) if shown and marks else (1, 1)
        # Only the latest request scrolls: an earlier one still waiting for its layout must not
        # land after it (on the previous policy's mark).
        self._scroll_request += 1
        request = self._scroll_request

        def scroll(tries: int = 10) -> None:
            # The body's new virtual size must be laid out first (on a busy machine that can
            # take more than one refresh; scrolling earlier is clamped to 0).
            if request != self._scroll_request:
                return
            if not marks:
                body.scroll_to(0, 0, animate=False, force=True)
                return
            top = max(0, body.line_of(first) - 1)
            end = body.line_of(key + 1) if key < len(body.lines) else body.virtual_size.height
            height = body.scrollable_content_region.height
            if (not height or body.max_scroll_y < min(top, end - height)) and tries:
                self.call_after_refresh(scroll, tries - 1)
                return
            if height and end - top > height:
                # The statement is taller than the view: its Resource, from the key's line
                # down (a long list of ARNs: from its start).
                top = max(0, min(body.line_of(start), end - height))
            # force: Textual refuses to scroll a widget whose scrollbar is not laid out yet.
            body.scroll_to(0, top, animate=False, force=True)

        if now and body.container_size:
            scroll()
        else:
            self.call_after_refresh(scroll)

    @property
    def marked_lines(self) -> tuple[LineRange, ...]:
        return self.shown.marks if self.shown else ()

    @property
    def allowing_lines(self) -> tuple[LineRange, ...]:
        return self.shown.allows if self.shown else ()
