"""`x`: edit the request context — send path, action, From, recipients, source IP, config set."""

from __future__ import annotations

from dataclasses import replace

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from sestui.decide import Selection, SendPath
from sestui.tui.widgets.footer import KeysFooter
from sestui.verdict.inputs import (
    InputError,
    check_smtp_actions,
    parse_action,
    parse_address,
    parse_from_header,
    parse_ip,
)

# The request-context keys the editor sets, by the field that sets them (lower case, as the
# verdict's missing_keys name them): `f` on an UNDECIDED verdict opens the editor there.
# (The app's `f` bindings name the same field ids, one per field, so the footer says which.)
FIELD_OF_KEY: dict[str, str] = {
    "ses:fromaddress": "ctx-from",
    "ses:recipients": "ctx-recipients",
    "aws:sourceip": "ctx-ip",
}


def field_for(missing_keys: tuple[str, ...]) -> str | None:
    """The editor field of the first unset key the editor can set, else None."""
    for key in missing_keys:
        field = FIELD_OF_KEY.get(key.lower())
        if field is not None:
            return field
    return None


def _split(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in text.replace(";", ",").split(",") if x.strip())


class ContextScreen(ModalScreen[Selection | None]):
    DEFAULT_CSS = """
    ContextScreen { align: center middle; }
    ContextScreen > VerticalScroll { width: 84; max-width: 98%; height: auto; max-height: 95%;
        border: round $accent; background: $surface; padding: 0 1; }
    ContextScreen Grid { grid-size: 2; grid-columns: 18 1fr; grid-rows: 3; height: auto; }
    ContextScreen Label { padding: 1 0 0 0; }
    ContextScreen Horizontal { height: 3; align-horizontal: right; }
    ContextScreen #ctx-error { color: $error; text-style: bold; height: auto; }
    /* A placeholder must not read as a value (NO_COLOR drops the dimmed colour): italic. */
    ContextScreen Input > .input--placeholder { text-style: italic; }
    /* The focused field's name is reversed: a border a shade lighter is all Textual gives it,
       and under NO_COLOR that shade is hard to see. */
    ContextScreen Label.-current { text-style: bold reverse; }
    ContextScreen > VerticalScroll.-refused { border-subtitle-color: $error;
        border-subtitle-style: bold; border-subtitle-align: left; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel-context"),
        Binding("ctrl+s", "apply", "Apply", id="apply-context"),
    ]

    def __init__(self, selection: Selection, focus: str = "ctx-from", why: str = "") -> None:
        super().__init__()
        self.selection = selection
        self.focus_field = focus  # the Input's id to start in
        self.why = why  # why the editor opened at that field (f on an undecided verdict)

    def compose(self) -> ComposeResult:
        s = self.selection
        # Scrolls: at 80×24 the fields and buttons are taller than the screen, and a focused
        # field (tab, or f opening the editor at the unset one) scrolls into view.
        with VerticalScroll(id="ctx-body"):
            yield Static("Request context (empty = unset; ctrl+s applies)", markup=False)
            if self.why:
                yield Static(self.why, id="ctx-why", markup=False)
            with Grid():
                yield Label("Send path")
                yield Select(
                    [(p.value, p.value) for p in SendPath],
                    value=s.path.value,
                    allow_blank=False,
                    id="ctx-path",
                )
                yield Label("Actions")
                yield Input(
                    ", ".join(s.actions), placeholder="unset: ses:SendRawEmail", id="ctx-actions"
                )
                yield Label("From address")
                yield Input(
                    s.from_address or "",
                    placeholder="unset: an address at the identity",
                    id="ctx-from",
                )
                yield Label("Recipients")
                yield Input(
                    ", ".join(s.recipients or ()),
                    placeholder="unset (e.g. a@x.com, b@y.org)",
                    id="ctx-recipients",
                )
                yield Label("Source IP")
                yield Input(s.source_ip or "", placeholder="unset (e.g. 203.0.113.7)", id="ctx-ip")
                yield Label("Config set")
                yield Input(
                    s.configuration_set or "",
                    placeholder="unset: the identity's default",
                    id="ctx-config-set",
                )
                yield Label("Template")
                yield Input(s.template or "", placeholder="unset: none", id="ctx-template")
            yield Static("", id="ctx-error", markup=False)
            with Horizontal():
                yield Button("Apply", id="apply", variant="primary")
                yield Button("Cancel", id="cancel")
        yield KeysFooter()  # the dialog's own keys (esc, ctrl+s), not the main screen's

    def on_mount(self) -> None:
        self.query_one(f"#{self.focus_field}", Input).focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Each field follows its label in the grid: mark the label of the field with focus.
        grid = self.query_one(Grid)
        label: Widget | None = None
        for child in grid.children:
            if isinstance(child, Label):
                label = child
            elif label is not None:
                focused = event.widget
                label.set_class(child is focused or child in focused.ancestors, "-current")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "apply":
            self.action_apply()
        else:
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_apply()

    def action_apply(self) -> None:
        def text(wid: str) -> str:
            return self.query_one(f"#{wid}", Input).value.strip()

        path = self.query_one("#ctx-path", Select).value
        # The command line's rules (verdict/inputs.py): refuse what AWS could not receive.
        field = "ctx-actions"
        try:
            actions = tuple(parse_action(a, "Actions") for a in _split(text("ctx-actions")))
            check_smtp_actions(str(path) == SendPath.SMTP.value, actions, "Actions")
            field = "ctx-from"
            header = parse_from_header(text("ctx-from"), "From") if text("ctx-from") else None
            field = "ctx-recipients"
            recipients = tuple(
                parse_address(r, "Recipients") for r in _split(text("ctx-recipients"))
            )
            field = "ctx-ip"
            source_ip = parse_ip(text("ctx-ip"), "Source IP") if text("ctx-ip") else None
        except InputError as exc:
            self._refuse(field, f"✗ {exc}")
            return
        display_name = self.selection.display_name
        if header is not None and header.display_name is not None:
            display_name = header.display_name
        self.dismiss(
            replace(
                self.selection,
                path=SendPath(str(path)),
                actions=actions,
                from_address=header.address if header else None,
                display_name=display_name,
                recipients=recipients or None,
                source_ip=source_ip,
                configuration_set=text("ctx-config-set") or None,
                template=text("ctx-template") or None,
            )
        )

    def _refuse(self, field: str, message: str) -> None:
        """Say why on the dialog's lower border, which is always on screen (at 80×24 the line
        under the fields is not), in full under the fields, and go to the field to correct."""
        self.query_one("#ctx-error", Static).update(message)
        body = self.query_one("#ctx-body", VerticalScroll)
        body.border_subtitle = message
        body.add_class("-refused")
        self.query_one(f"#{field}", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
