"""The policy viewer: highlighted JSON with line numbers, a gutter glyph and a background on the
statements the focused check blames. Reads without colour: the glyph and bold carry the mark."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import ScrollableContainer, Vertical
from textual.content import Content
from textual.highlight import highlight
from textual.widgets import Static

from sestui.policy import LineRange


@dataclass(frozen=True)
class PolicyShown:
    title: str  # "identity policy X (via group Y) — arn"
    text: str  # the canonical pretty-printed JSON
    marks: tuple[LineRange, ...] = ()
    note: str = ""  # e.g. the finding's reason


def render_policy(text: str, marks: tuple[LineRange, ...] = ()) -> Content:
    body = highlight(text, language="json")
    lines = body.split("\n", allow_blank=True)
    marked = {n for r in marks for n in range(r.first, r.last + 1)}
    width = len(str(len(lines)))
    longest = max((line.cell_length for line in lines), default=0)
    out = []
    for n, line in enumerate(lines, 1):
        hit = n in marked
        gutter = Content.styled("▶" if hit else " ", "bold $error") if hit else Content(" ")
        number = Content.styled(f"{n:>{width}} ", "bold $error" if hit else "$text-muted")
        row = Content.assemble(gutter, number, line)
        if hit:
            row = row.pad_right(longest - line.cell_length + 1).stylize_before("on $error 18%")
        out.append(row)
    return Content("\n").join(out)


class PolicyView(Vertical):
    DEFAULT_CSS = """
    PolicyView { border: round $panel; height: 1fr; }
    PolicyView:focus-within { border: round $accent; }
    PolicyView > #policy-header { height: auto; max-height: 3; color: $text-muted; padding: 0 1; }
    PolicyView > #policy-note { height: auto; max-height: 2; padding: 0 1; text-style: bold; }
    PolicyView > ScrollableContainer { height: 1fr; }
    PolicyView Static#policy-body { width: auto; text-wrap: nowrap; text-overflow: clip; }
    """

    def __init__(self, *, id: str | None = None, title: str = "Policy") -> None:
        super().__init__(id=id)
        self.border_title = title
        self.shown: PolicyShown | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="policy-header", markup=False)
        yield Static(id="policy-note", markup=False)
        with ScrollableContainer(id="policy-scroll", can_focus=True):
            yield Static(id="policy-body", markup=False)

    def show(self, shown: PolicyShown | None, *, empty: str = "") -> None:
        self.shown = shown
        header = self.query_one("#policy-header", Static)
        note = self.query_one("#policy-note", Static)
        body = self.query_one("#policy-body", Static)
        if shown is None:
            header.update(Content(empty))
            note.update(Content(""))
            body.update(Content(""))
            return
        header.update(Content(shown.title))
        note.update(Content.styled(("▶ " + shown.note) if shown.note else "", "$error"))
        body.update(render_policy(shown.text, shown.marks))
        self.scroll_to_mark()

    def scroll_to_mark(self) -> None:
        scroll = self.query_one("#policy-scroll", ScrollableContainer)
        if self.shown and self.shown.marks:
            first = self.shown.marks[0].first
            self.call_after_refresh(scroll.scroll_to, 0, max(0, first - 2), animate=False)
        else:
            scroll.scroll_home(animate=False)

    @property
    def marked_lines(self) -> tuple[LineRange, ...]:
        return self.shown.marks if self.shown else ()
