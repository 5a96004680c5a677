"""The verdict bar (ALLOWED / DENIED / UNDECIDED and AWS's error text) and the context bar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from sestui.tui.findings import OUTCOME_MARKS
from sestui.tui.widgets.quiet import set_content

if TYPE_CHECKING:
    from sestui.decide import Selection, Verdict

# The glyph, word and style of each outcome, from the one table of marks.
WORDS = {
    value: (f"{glyph} {value.upper()}", style) for value, (glyph, style) in OUTCOME_MARKS.items()
}


def cut_to_height(widget: Static, key: str) -> Content:
    """What `widget` shows, or where its max-height cuts it, its first lines and a last one
    that says so and which key shows it all (reversed: a key to press, not part of the text,
    with or without colour)."""
    full = widget.visual
    if not isinstance(full, Content):
        return Content(str(full))
    limit = widget.styles.max_height
    if limit is None or not limit.is_cells:
        return full
    # The content area (content_size would render the widget again to compute it).
    width = widget.size.width
    if width < 20:
        return full
    rows = int(limit.value)
    lines = full.wrap(width)
    if len(lines) <= rows:
        return full
    hint = Content.assemble(" …", (f" {key} ", "reverse"))
    kept = lines[: rows - 1]
    kept.append(lines[rows - 1].truncate(width - hint.cell_length) + hint)
    return Content("\n").join(kept)


class CutNote(Static):
    """A Static whose text, when its max-height cuts it, ends with the key that shows it all."""

    KEY = ""  # what shows it all, unless given

    def __init__(self, key: str | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.key = key or self.KEY

    def render(self) -> Content:
        return cut_to_height(self, self.key)


class VerdictBar(CutNote):
    KEY = "t shows all"  # narrow screens cut the AWS text: t expands the bar
    DEFAULT_CSS = """
    VerdictBar { height: auto; min-height: 3; padding: 0 1; background: $panel; }
    VerdictBar.-allowed, VerdictBar.-denied, VerdictBar.-undecided { padding: 0 1 0 2; }
    VerdictBar.-allowed { outline-left: thick $success; }
    VerdictBar.-denied { outline-left: thick $error; }
    VerdictBar.-undecided { outline-left: thick $warning; }
    """
    # The outcome's colour is an outline, drawn over the first column of the padding: a border
    # would be part of the layout, and a new colour would lay the whole screen out again.

    def show(self, verdict: Verdict | None, message: str = "") -> None:
        from sestui.decide import Outcome

        # The outcome's class in one change of the classes: removing one and then adding the
        # other clears the outline in between, which lays the screen out (Textual's box rules).
        outcome = {f"-{verdict.outcome.value}"} if verdict is not None else set()
        classes = {c for c in self.classes if c[1:] not in WORDS} | outcome
        if classes != set(self.classes):
            self.set_classes(classes)
        if verdict is None:
            set_content(self, Content(message))
            return
        word, colour = WORDS[verdict.outcome.value]
        line = Content.assemble((word, f"bold {colour}"), "  ", verdict.summary)
        if verdict.error_text:
            # Undecided, it is what AWS answers if it refuses, not what it will answer.
            said = "if refused: " if verdict.outcome is Outcome.UNDECIDED else ""
            line = Content.assemble(line, "\n", (said + verdict.error_text, "$text-muted"))
        elif verdict.outcome is Outcome.UNDECIDED and verdict.reasons:
            # Every reason: one alone as it is, several as a list (each is a possible cause).
            reasons = verdict.reasons
            lines = reasons if len(reasons) == 1 else tuple(f"· {r}" for r in reasons)
            for r in lines:
                line = Content.assemble(line, "\n", (r, "$text-muted"))
        set_content(self, line)


class ContextBar(Static):
    DEFAULT_CSS = """
    ContextBar { height: 1; padding: 0 1; color: $text-muted; text-wrap: nowrap;
        text-overflow: ellipsis; }
    """

    def show(self, selection: Selection | None) -> None:
        if selection is None:
            set_content(self, Content(""))
            return
        parts = [
            f"via {selection.path.value}",
            ", ".join(selection.effective_actions),
            f"From {selection.from_address}" if selection.from_address else "From (the identity)",
        ]
        if selection.recipients:
            parts.append(f"to {', '.join(selection.recipients)}")
        if selection.source_ip:
            parts.append(f"IP {selection.source_ip}")
        if selection.configuration_set is not None:
            parts.append(f"config set {selection.configuration_set or '(none)'}")
        if selection.template:
            parts.append(f"template {selection.template}")
        set_content(self, Content("  ·  ".join(parts) + "   [x] edit"))
