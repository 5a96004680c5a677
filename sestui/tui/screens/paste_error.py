"""`e`: paste a 554 / AccessDenied message; the app selects its principal, identity and region."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea

from sestui.tui.widgets.footer import KeysFooter


class PasteErrorScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    PasteErrorScreen { align: center middle; }
    PasteErrorScreen > Vertical { width: 90; max-width: 95%; height: auto; max-height: 95%;
        border: round $accent; background: $surface; padding: 0 1; }
    PasteErrorScreen TextArea { height: 10; }
    PasteErrorScreen.-answered TextArea { height: 5; }
    PasteErrorScreen #paste-message { height: auto; max-height: 10; margin-bottom: 1; }
    PasteErrorScreen #paste-message.-error { color: $error; text-style: bold; }
    PasteErrorScreen #paste-message.-info { color: $warning; }
    PasteErrorScreen Horizontal { height: 3; align-horizontal: right; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel-paste"),
        Binding("ctrl+s", "submit", "Explain", id="submit-paste"),
    ]

    def __init__(self, text: str = "", message: str = "", *, error: bool = True) -> None:
        """`text`: what was pasted before, kept to correct; `message`: why it was not checked
        (`error`), or what an error that is no access denial means. Both stay on screen, where
        a notification would vanish in seconds."""
        super().__init__(classes="-answered" if message else "")
        self.text, self.message, self.error = text, message, error

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                "Paste the error SES returned (554 Access denied…, AccessDenied…), then ctrl+s:",
                markup=False,
            )
            if self.message:
                yield Static(
                    self.message,
                    id="paste-message",
                    markup=False,
                    classes="-error" if self.error else "-info",
                )
            yield TextArea(self.text, id="error-text", soft_wrap=True, show_line_numbers=False)
            with Horizontal():
                yield Button("Explain", id="explain", variant="primary")
                yield Button("Cancel", id="cancel")
        yield KeysFooter()  # the dialog's own keys (esc, ctrl+s), not the main screen's

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "explain":
            self.action_submit()
        else:
            self.action_cancel()

    def action_submit(self) -> None:
        text = self.query_one(TextArea).text
        if not text.strip():  # the dialog stays: say what it waits for
            self.notify("Nothing pasted yet: paste the error, then ctrl+s (esc cancels).")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
