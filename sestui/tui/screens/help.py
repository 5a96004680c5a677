"""`?`: every key, read from the bindings themselves (keymaps are data)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

EXTRA = (
    ("tab / shift+tab", "next / previous pane"),
    ("j / k, ↑ / ↓", "move in a list"),
    ("/", "filter the focused list (esc clears)"),
    ("enter", "in the matrix: open that principal and identity"),
    ("ctrl+p", "command palette: jump to a check, principal or identity"),
    ("ctrl+q", "quit, also while typing in a text field"),
    ("c / x / s", "in the fix view: copy policy / copy as command / save to a file"),
)


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 72; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,question_mark", "dismiss", "Close", id="close-help")]

    def __init__(self, bindings: list[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = bindings

    def compose(self) -> ComposeResult:
        lines = [Content.styled("sestui — keys", "bold"), Content("")]
        for key, text in [*self.rows, *EXTRA]:
            lines.append(Content.assemble((f"{key:>16}", "bold $accent"), "  ", text))
        lines += [
            Content(""),
            Content(
                "Glyphs: ✓ pass/allowed  ✗ fail/denied  ! warn  ? unknown/"
                "undecided  · not applicable  ▶ blamed statement"
            ),
        ]
        with VerticalScroll():
            yield Static(Content("\n").join(lines), markup=False)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
