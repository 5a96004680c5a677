"""`?`: every key, read from the bindings themselves (keymaps are data), and a legend."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from sestui.tui.widgets.footer import KeysFooter
from sestui.tui.widgets.quiet import set_content

KEY_NAMES = {
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "question_mark": "?",
    "escape": "esc",
    "slash": "/",
}

# Keys that come from Textual's widgets rather than from our bindings.
EXTRA = (
    ("tab / shift+tab", "next / previous pane"),
    ("↑ ↓ / j k", "move in a list"),
    ("← → ↑ ↓", "scroll the policy (focus it with 5)"),
    ("pgup / pgdn", "scroll a page; home / end: top / bottom"),
    ("enter", "choose the highlighted row (in the matrix: open that principal and identity)"),
    ("ctrl+p", "command palette: jump to a check, principal or identity"),
    ("ctrl+q", "quit, also while typing in a text field"),
)

LEGEND = (
    ("✓ ✗ ! ? ·", "pass/allowed, fail/denied, warn, unknown/undecided, not applicable"),
    ("✓ / ✗ in Identities", "the identity is verified / not verified in SES"),
    ("▶", "a statement the focused check blames (✓ in the gutter: a statement that allows)"),
    ("§", "the identity has a sending-authorization policy"),
    ("(1g)", "the principal gets policies through that many groups"),
    ("pending / failed", "the identity's verification is pending / has failed in SES"),
    ("eu-west-1  (3)", "a region and how many SES identities it holds"),
    ("not read", "a region the snapshot or the read does not cover: its identities are unknown"),
    ("not an identity", "asked for (a paste, a flag) but not an SES identity in that region"),
    ("bold check", "a check that fails (✗): one of the causes of the refusal"),
    ("… t / … 5 z", "text cut to fit: t shows the whole verdict, z in the policy pane the note"),
)


def key_name(keys: str) -> str:
    return ", ".join(KEY_NAMES.get(k, k) for k in keys.split(","))


def binding_rows(bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    """One row per key: as a person types it, and what it does. A key bound to several actions
    (f: set the value an undecided verdict waits for, else the fix) is one row listing them, the
    one the footer shows at the time."""
    rows: dict[str, list[str]] = {}
    for b in bindings:
        if isinstance(b, Binding):
            key, what = key_name(b.key), b.description
        else:
            key, what = key_name(b[0]), b[2] if len(b) > 2 else b[1]
        rows.setdefault(key, []).append(what)
    return [(key, " / ".join(whats)) for key, whats in rows.items()]


def key_sections() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every binding of the App, its list panes and each dialog, by where it applies."""
    from sestui.tui.app import SestuiApp
    from sestui.tui.screens.context import ContextScreen
    from sestui.tui.screens.fix import ConfirmOverwrite, FixScreen, SavePrompt
    from sestui.tui.screens.matrix import MatrixScreen
    from sestui.tui.screens.paste_error import PasteErrorScreen
    from sestui.tui.screens.verify import VerifyScreen
    from sestui.tui.widgets.panes import ListPane
    from sestui.tui.widgets.policy_view import PolicyView

    return [
        ("Everywhere", binding_rows(SestuiApp.BINDINGS) + list(EXTRA)),
        ("In a list", binding_rows(ListPane.BINDINGS)),
        ("In the policy (5)", binding_rows(PolicyView.BINDINGS)),
        ("Paste error (e)", binding_rows(PasteErrorScreen.BINDINGS)),
        ("Context (x)", binding_rows(ContextScreen.BINDINGS)),
        ("Matrix (m)", binding_rows(MatrixScreen.BINDINGS)),
        ("Fix (f)", binding_rows(FixScreen.BINDINGS)),
        ("Save the fix (s in the fix view)", binding_rows(SavePrompt.BINDINGS)),
        ("Overwrite? (saving onto a file)", binding_rows(ConfirmOverwrite.BINDINGS)),
        ("Verify (v)", binding_rows(VerifyScreen.BINDINGS)),
        ("Help (?)", binding_rows(HelpScreen.BINDINGS)),
    ]


KEY_WIDTH = 18


def _rows(rows: Sequence[tuple[str, str]], width: int) -> list[Content]:
    """Each key right-aligned in its column, what it does wrapped under itself (a line that
    wrapped back to the first column read as a key)."""
    hang = " " * (KEY_WIDTH + 2)
    out = []
    for key, text in rows:
        lines = textwrap.wrap(text, max(width - len(hang), 20)) or [""]
        out.append(
            Content.assemble(
                (f"{key:>{KEY_WIDTH}}", "bold $accent"),
                "  ",
                lines[0],
                *(f"\n{hang}{line}" for line in lines[1:]),
            )
        )
    return out


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; overflow-y: hidden; }
    HelpScreen > VerticalScroll { width: 84; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1; }
    """
    # One scroll area, focused from the start: arrows, j/k, pgup/pgdn, home/end move it (the
    # screen itself scrolled too, under a second scrollbar, and took half the keys).
    BINDINGS = [
        Binding("escape,question_mark", "dismiss", "Close", id="close-help"),
        Binding("j", "scroll(1)", "Scroll down", show=False, id="help-down"),
        Binding("k", "scroll(-1)", "Scroll up", show=False, id="help-up"),
    ]

    def compose(self) -> ComposeResult:
        self.text = self._text(80)
        with VerticalScroll():
            yield Static(self.text, markup=False)
        yield KeysFooter()  # its own keys (esc, ?), not the main screen's

    def _text(self, width: int) -> Content:
        lines = [Content.styled("sestui — keys", "bold")]
        for title, rows in key_sections():
            lines += [Content(""), Content.styled(title, "bold underline"), *_rows(rows, width)]
        lines += [Content(""), Content.styled("Legend", "bold underline"), *_rows(LEGEND, width)]
        return Content("\n").join(lines)

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_scroll(self, lines: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)

    def on_resize(self) -> None:
        self.call_after_refresh(self._rewrap)

    def _rewrap(self) -> None:
        width = self.query_one(VerticalScroll).scrollable_content_region.width
        if width > 0:
            self.text = self._text(width)
            set_content(self.query_one(Static), self.text)

    @property
    def rows(self) -> list[tuple[str, str]]:
        """Every (keys, what they do) row, across the sections."""
        return [row for _, rows in key_sections() for row in rows]

    @property
    def plain(self) -> str:
        return self.text.plain

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
