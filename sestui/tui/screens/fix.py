"""`f`: the suggested fix beside the policy it changes, and what the verdict becomes with it."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content, Span
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from sestui.decide import Fix, FixKind, Outcome
from sestui.fileio import OutputError, check_output, write_output
from sestui.tui.widgets.footer import KeysFooter
from sestui.tui.widgets.policy_view import PolicyBody, PolicyShown, PolicyView, render_policy

REMOVED = "−"  # U+2212: the glyph alone says "removed" without colour
ADDED = "+"


Opcodes = Sequence[tuple[str, int, int, int, int]]


def line_opcodes(before: str, after: str) -> Opcodes:
    """How `after` differs from `before`, line by line (difflib's opcodes): computed once, read
    for the marks and for the alignment."""
    matcher = difflib.SequenceMatcher(None, before.split("\n"), after.split("\n"), autojunk=False)
    return matcher.get_opcodes()


def diff_lines(opcodes: Opcodes) -> tuple[set[int], set[int]]:
    """0-based indices of the lines removed from the old text and of those added in the new."""
    removed: set[int] = set()
    added: set[int] = set()
    for tag, i1, i2, j1, j2 in opcodes:
        if tag in ("replace", "delete"):
            removed.update(range(i1, i2))
        if tag in ("replace", "insert"):
            added.update(range(j1, j2))
    return removed, added


def aligned(
    opcodes: Opcodes, before: tuple[Content, ...], after: tuple[Content, ...]
) -> tuple[tuple[Content, ...], tuple[Content, ...], int]:
    """The two sides' lines with blank rows where the other side has more (a removal, an
    addition, a longer replacement), so that row n of one side faces row n of the other however
    far they scroll; and the row of the first change."""
    left: list[Content] = []
    right: list[Content] = []
    first: int | None = None
    for tag, i1, i2, j1, j2 in opcodes:
        if tag != "equal" and first is None:
            first = len(left)
        rows = max(i2 - i1, j2 - j1)
        left += [*before[i1:i2], *[Content("")] * (rows - (i2 - i1))]
        right += [*after[j1:j2], *[Content("")] * (rows - (j2 - j1))]
    return tuple(left), tuple(right), first or 0


def source_row(body: PolicyBody, y: int) -> int:
    """The 0-based source line shown at visual line `y` (wrapped lines take several)."""
    low, high = 0, max(0, len(body.lines) - 1)
    while low < high:
        mid = (low + high + 1) // 2
        if body.line_of(mid + 1) <= y:
            low = mid
        else:
            high = mid - 1
    return low


def mark_lines(
    lines: tuple[Content, ...], changed: set[int], glyph: str, colour: str
) -> tuple[Content, ...]:
    """The rendered policy lines with the diff glyph in the gutter and a tint on changed lines."""
    out = []
    longest = max((line.cell_length for line in lines), default=0)
    for n, line in enumerate(lines):
        if n not in changed:
            out.append(line)
            continue
        row = glyph + line.plain[1:]
        row += " " * (longest - len(row) + 1)  # the tint spans the widest line, as marks do
        spans = [Span(0, len(row), f"on {colour} 18%"), Span(0, 1, f"bold {colour}")]
        out.append(Content(row, spans + list(line.spans)))
    return tuple(out)


def default_save_path(fix: Fix) -> str:
    name = fix.replaces.source.describe() if fix.replaces else "policy"
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")[:60] or "policy"
    return f"./sestui-fix-{slug}.json"


class SavePrompt(ModalScreen[str | None]):
    """Asks for the path to save the suggested policy to (esc cancels)."""

    DEFAULT_CSS = """
    SavePrompt { align: center middle; }
    SavePrompt > Vertical { width: 70; height: auto; border: round $accent; background: $surface;
        padding: 0 1; }
    SavePrompt #save-error { color: $error; text-style: bold; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, default: str, error: str = "") -> None:
        """`error`: why the last path was refused, shown above the path to correct."""
        super().__init__()
        self.default = default
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Save the suggested policy to (enter saves, esc cancels):", markup=False)
            if self.error:
                yield Static(f"✗ {self.error}", id="save-error", markup=False)
            yield Input(self.default, id="save-path")
        yield KeysFooter()  # its own keys (esc), not the main screen's

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmOverwrite(ModalScreen[bool]):
    """y overwrites the existing file; n or esc keeps it."""

    DEFAULT_CSS = """
    ConfirmOverwrite { align: center middle; }
    ConfirmOverwrite > Static { width: 70; height: auto; border: round $warning;
        background: $surface; padding: 0 1; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Overwrite"),
        Binding("n,escape", "answer(False)", "Keep it"),
    ]

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        yield Static(f"{self.path} exists. Overwrite it? (y/n)", markup=False)
        yield KeysFooter()  # y, n, esc: not the main screen's keys

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class FixScreen(ModalScreen[None]):
    # An opaque backdrop: the diff needs none, and the main screen behind must not show.
    DEFAULT_CSS = """
    FixScreen { align: center middle; background: $background; }
    FixScreen > Vertical { width: 98%; height: 95%; border: round $accent; background: $surface; }
    FixScreen #fix-title { height: auto; padding: 0 1; }
    FixScreen Horizontal { height: 1fr; }
    FixScreen PolicyView { width: 1fr; }
    """
    BINDINGS = [
        Binding("escape,f", "close", "Close", id="close-fix"),
        Binding("c", "copy", "Copy policy", id="copy-fix-modal"),
        Binding("x", "copy_command", "Copy as command", id="copy-fix-command"),
        Binding("s", "save", "Save to file", id="save-fix"),
        Binding("j,down", "scroll(True)", "Scroll down (both sides)", show=False),
        Binding("k,up", "scroll(False)", "Scroll up (both sides)", show=False),
    ]

    def __init__(
        self,
        fix: Fix,
        original: PolicyShown | None,
        after: Outcome | None,
        command: str | None = None,
        no_command: str = "",
    ) -> None:
        super().__init__()
        self.fix = fix
        self.original = original
        self.after = after
        self.command = command  # the AWS CLI command that applies the fix (never run here)
        self.no_command = no_command  # why there is none

    def compose(self) -> ComposeResult:
        verdict = (
            f" — with this fix the send would be {self.after.value.upper()}" if self.after else ""
        )
        with Vertical():
            yield Static(
                Content.assemble(
                    (self.fix.title, "bold"),
                    verdict,
                    "\n",
                    (
                        self.fix.note
                        or "Never applied by sestui: copy it with c (or as an AWS CLI command "
                        "with x), save it with s, and apply it yourself.",
                        "$text-muted",
                    ),
                ),
                id="fix-title",
            )
            with Horizontal():
                yield PolicyView(id="fix-before", title="Now")
                yield PolicyView(id="fix-after", title="Suggested")
        yield KeysFooter()  # the modal's own keys: c, x, s, esc

    def on_mount(self) -> None:
        before = self.query_one("#fix-before", PolicyView)
        if self.fix.kind is FixKind.ADD_IDENTITY_POLICY:
            before.show(None, empty="(a new policy: nothing to replace)")
        else:
            before.show(self.original)
        title = (
            "new inline policy"
            if self.fix.kind is FixKind.ADD_IDENTITY_POLICY
            else f"replaces {self.fix.replaces.source.describe()}"
            if self.fix.replaces
            else ""
        )
        after = self.query_one("#fix-after", PolicyView)
        after.show(PolicyShown(title, self.suggested))
        self._mark_diff()
        # The keys scroll at once (both sides move together): no Tab first.
        self.query_one("#fix-after PolicyBody", PolicyBody).focus()

    @property
    def suggested(self) -> str:
        return json.dumps(self.fix.document, indent=2)

    def _mark_diff(self) -> None:
        """Mark removed (−) and added (+) lines; scroll both sides together, first change shown."""
        before_text = self.original.text if self.original is not None else ""
        if self.fix.kind is FixKind.ADD_IDENTITY_POLICY:
            before_text = ""
        opcodes = line_opcodes(before_text, self.suggested)
        removed, added = diff_lines(opcodes)
        self.removed, self.added = removed, added
        before = self.query_one("#fix-before PolicyBody", PolicyBody)
        after = self.query_one("#fix-after PolicyBody", PolicyBody)
        right = mark_lines(render_policy(self.suggested), added, ADDED, "$success")
        first = min(added, default=0)
        if before.lines:
            left = mark_lines(render_policy(before_text), removed, REMOVED, "$error")
            left, right, first = aligned(opcodes, left, right)
            before.set_lines(left)
        after.set_lines(right)
        # force: the scrollbars may not be laid out yet (see PolicyView.scroll_to_mark).
        self.call_after_refresh(self._show_row, max(0, first - 2))
        self.watch(before, "scroll_y", lambda y: self._follow(before, after), init=False)
        self.watch(after, "scroll_y", lambda y: self._follow(after, before), init=False)

    def _show_row(self, row: int) -> None:
        for body in self.query(PolicyBody):
            body.scroll_to(0, body.line_of(row + 1), animate=False, force=True)

    def _follow(self, source: PolicyBody, other: PolicyBody) -> None:
        """Both sides show the same row at the top (rows face each other, see `aligned`); with
        wrapping a row can take more lines on one side, so rows are compared, not offsets."""
        if not other.lines or not source.lines:
            return
        row = source_row(source, round(source.scroll_y))
        if source_row(other, round(other.scroll_y)) != row:
            other.scroll_to(y=min(other.line_of(row + 1), other.max_scroll_y), animate=False)

    def action_scroll(self, down: bool) -> None:
        """j and k scroll the focused side (the other follows), as the arrows do."""
        body = self.focused
        if isinstance(body, PolicyBody):
            (body.action_scroll_down if down else body.action_scroll_up)()

    def action_save(self) -> None:
        self.app.push_screen(SavePrompt(default_save_path(self.fix)), self._save_to)

    def _save_to(self, name: str | None) -> None:
        if name is None:
            return
        path = Path(name).expanduser()
        try:
            check_output(path)
        except OutputError as exc:
            # The prompt again, with the path as typed and why: correct it or esc.
            self.app.push_screen(SavePrompt(name, str(exc)), self._save_to)
            return
        if path.exists():
            self.app.push_screen(
                ConfirmOverwrite(name), lambda yes: self._write(path) if yes else self._kept(path)
            )
            return
        self._write(path)

    def _kept(self, path: Path) -> None:
        self.notify(f"Not saved: {path} left as it was", markup=False)

    def _write(self, path: Path) -> None:
        try:
            write_output(path, self.suggested + "\n")
        except OutputError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(f"Suggested policy saved to {path} (mode 0600)", markup=False)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.fix.text())
        self.notify("Fix copied to the clipboard (OSC 52)", markup=False)

    def action_copy_command(self) -> None:
        if self.command is None:
            self.notify(
                f"No command for this fix: {self.no_command}", severity="warning", markup=False
            )
            return
        self.app.copy_to_clipboard(self.command)
        self.notify("AWS CLI command copied to the clipboard (OSC 52)", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
