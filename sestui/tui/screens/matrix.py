"""`m`: who can send in this region — principals × identities; Enter jumps to the cell."""

from __future__ import annotations

from itertools import islice

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from sestui.decide import Outcome
from sestui.matrix.exact import Matrix
from sestui.textsafe import visible

CELL = {
    Outcome.ALLOWED: ("✓", "$success"),
    Outcome.DENIED: ("✗", "$error"),
    Outcome.UNDECIDED: ("?", "$warning"),
}


ROWS_PER_PAINT = 200


class MatrixScreen(ModalScreen[tuple[str, str] | None]):
    DEFAULT_CSS = """
    MatrixScreen { align: center middle; }
    MatrixScreen > Vertical { width: 95%; height: 90%; border: round $accent;
        background: $surface; }
    MatrixScreen #matrix-title { height: auto; padding: 0 1; }
    MatrixScreen DataTable { height: 1fr; }
    """
    BINDINGS = [Binding("escape,m", "dismiss_none", "Close", id="close-matrix")]

    def __init__(self, matrix: Matrix, about: str = "") -> None:
        super().__init__()
        self.matrix = matrix
        self.about = about  # the send path and action(s) the matrix was worked out for

    def compose(self) -> ComposeResult:
        m = self.matrix
        with Vertical():
            yield Static(
                Content(
                    f"Who can send in {m.region}"
                    + (f" {self.about}" if self.about else "")
                    + f": {len(m.principals)} principals × "
                    f"{len(m.identities)} identities  (✓ allowed ✗ denied ? "
                    "undecided; enter opens the cell)"
                ),
                id="matrix-title",
            )
            # The principal column stays put when the identities scroll right.
            yield DataTable(
                cursor_type="cell", zebra_stripes=True, fixed_columns=1, id="matrix-table"
            )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        m = self.matrix
        width = max([len(visible(p.label)) for p in m.principals] + [9])  # shown escaped
        table.add_column("principal", key="principal", width=width)
        for name in m.identities:
            # A Text: names are never markup. DataTable labels are Rich Text, not Content, so
            # they are escaped here (the terminal hook would too, but after the width is taken).
            table.add_column(Text(visible(name)), key=name)
        table.focus()
        self._rows = iter(zip(m.principals, m.cells, strict=True))
        self._styled = {outcome: Content.styled(*mark) for outcome, mark in CELL.items()}
        self._fill()
        if m.identities:
            table.move_cursor(column=1)

    def _fill(self) -> None:
        """Add the next rows, then paint before adding more: 5,500 principals × 130 identities
        took seconds of the UI thread in one go, with no key (not even esc or q) answered."""
        if not self.is_attached:
            return  # closed while filling
        table = self.query_one(DataTable)
        styled = self._styled
        for p, row in islice(self._rows, ROWS_PER_PAINT):
            table.add_row(Content(p.label), *(styled[c] for c in row), key=p.arn)
        if table.row_count < len(self.matrix.principals):
            self.call_after_refresh(self._fill)

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        row, col = event.coordinate.row, event.coordinate.column
        if col == 0 or not self.matrix.identities:
            return
        self.dismiss((self.matrix.principals[row].arn, self.matrix.identities[col - 1]))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
