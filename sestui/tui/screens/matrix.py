"""`m`: who can send in this region — principals × identities; Enter jumps to the cell."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import islice

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from sestui.account import IamPrincipal
from sestui.decide import Outcome
from sestui.matrix.exact import Matrix
from sestui.textsafe import visible
from sestui.tui.findings import OUTCOME_MARKS
from sestui.tui.widgets.footer import KeysFooter
from sestui.tui.widgets.quiet import set_content

CELL = {outcome: OUTCOME_MARKS[outcome.value] for outcome in Outcome}


ROWS_PER_PAINT = 200


class MatrixScreen(ModalScreen[tuple[str, str] | None]):
    DEFAULT_CSS = """
    MatrixScreen { align: center middle; background: $background; }
    MatrixScreen > Vertical { width: 95%; height: 90%; border: round $accent;
        background: $surface; }
    MatrixScreen #matrix-title { height: auto; padding: 0 1; }
    MatrixScreen DataTable { height: 1fr; }
    MatrixScreen #matrix-scroll { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        # m and M open the two views; either key (or esc) closes the one shown.
        Binding("escape,m,M", "dismiss_none", "Close", id="close-matrix"),
        Binding("j", "cursor('down')", "Down", show=False, id="matrix-down"),
        Binding("k", "cursor('up')", "Up", show=False, id="matrix-up"),
    ]

    def __init__(
        self,
        matrix: Matrix,
        about: str = "",
        *,
        title: str | None = None,
        labels: Mapping[str, str] | None = None,
        by_identity: bool = False,
        start: tuple[str | None, str | None] = (None, None),
    ) -> None:
        super().__init__()
        self.matrix = matrix
        # The cell of the send on screen (principal ARN, identity): the cursor starts there.
        self.start = start
        self.about = about  # the send path and action(s) the matrix was worked out for
        self.title_text = title  # instead of "Who can send in REGION"
        self.labels = labels or {}  # principal ARN or identity -> what its row/column says
        # One principal's row shown as a column, an identity per row (readable at any width).
        self.by_identity = by_identity and len(matrix.principals) == 1

    def compose(self) -> ComposeResult:
        m = self.matrix
        with Vertical():
            yield Static(
                Content(
                    (self.title_text or f"Who can send in {m.region}")
                    + (f" {self.about}" if self.about else "")
                    + (
                        f": {len(m.identities)} identities"
                        if self.by_identity
                        else f": {len(m.principals)} principals"
                        if self.title_text and len(m.identities) == 1
                        else f": {len(m.principals)} principals × {len(m.identities)} identities"
                    )
                    + "  (✓ allowed ✗ denied ? undecided; enter opens the cell)"
                ),
                id="matrix-title",
            )
            # The principal column stays put when the identities scroll right.
            yield DataTable(
                cursor_type="cell", zebra_stripes=True, fixed_columns=1, id="matrix-table"
            )
            # Which columns and rows are on screen when not all fit: a scrollbar alone does not
            # say that more identities lie to the right.
            yield Static("", id="matrix-scroll", markup=False)
        yield KeysFooter()  # its own keys (esc), not the main screen's

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        self.watch(table, "scroll_x", self._show_scroll, init=False)
        self.watch(table, "scroll_y", self._show_scroll, init=False)
        m = self.matrix
        self._styled = {outcome: Content.styled(*mark) for outcome, mark in CELL.items()}
        if self.by_identity:
            (p,) = m.principals
            names = [self.labels.get(name, name) for name in m.identities]
            width = max([len(visible(n)) for n in names] + [8])
            table.add_column("identity", key="identity", width=width)
            table.add_column(Text(visible(self._label(p))), key=p.arn)
            for name, label, cell in zip(m.identities, names, m.cells[0], strict=True):
                table.add_row(Content(label), self._styled[cell], key=name)
            table.focus()
            if m.identities:
                row = m.identities.index(self.start[1]) if self.start[1] in m.identities else 0
                table.move_cursor(row=row, column=1)
            self.call_after_refresh(self._show_scroll)
            return
        width = max([len(visible(self._label(p))) for p in m.principals] + [9])  # escaped
        table.add_column("principal", key="principal", width=width)
        for name in m.identities:
            # A Text: names are never markup. DataTable labels are Rich Text, not Content, so
            # they are escaped here (the terminal hook would too, but after the width is taken).
            table.add_column(Text(visible(self.labels.get(name, name))), key=name)
        table.focus()
        self._rows = iter(zip(m.principals, m.cells, strict=True))
        self._fill()  # the last step puts the cursor on the send on screen

    def on_resize(self) -> None:
        self.call_after_refresh(self._show_scroll)

    def _show_scroll(self) -> None:
        if self.is_attached:
            set_content(self.query_one("#matrix-scroll", Static), Content(self.scroll_hint()))

    def scroll_hint(self) -> str:
        """ "identities 1–3 of 6 · → more" for what does not fit; empty when everything does."""
        table = self.query_one(DataTable)
        widths = [column.get_render_width(table) for column in table.columns.values()]
        view = table.scrollable_content_region
        parts: list[str] = []
        if len(widths) > 1 and sum(widths) > view.width:
            # Columns after the fixed one scroll; one counts as shown when it is whole.
            left, right = widths[0] + round(table.scroll_x), round(table.scroll_x) + view.width
            x, shown = widths[0], []
            for index, width in enumerate(widths[1:], 1):
                if x >= left and x + width <= right:
                    shown.append(index)
                x += width
            kind = "principals" if self.by_identity else "identities"
            if shown:
                more = " · ← more" if shown[0] > 1 else ""
                more += " · → more" if shown[-1] < len(widths) - 1 else ""
                parts.append(f"{kind} {shown[0]}–{shown[-1]} of {len(widths) - 1}{more}")
        rows = table.row_count
        height = view.height - table.header_height
        if rows > height > 0:
            top = round(table.scroll_y) + 1
            kind = "identities" if self.by_identity else "principals"
            total = len(self.matrix.identities if self.by_identity else self.matrix.principals)
            parts.append(f"{kind} {top}–{min(rows, top + height - 1)} of {total}")
        return "   ".join(parts)

    def _fill(self) -> None:
        """Add the next rows, then paint before adding more: 5,500 principals × 130 identities
        took seconds of the UI thread in one go, with no key (not even esc or q) answered."""
        if not self.is_attached:
            return  # closed while filling
        table = self.query_one(DataTable)
        styled = self._styled
        for p, row in islice(self._rows, ROWS_PER_PAINT):
            table.add_row(Content(self._label(p)), *(styled[c] for c in row), key=p.arn)
        if table.row_count < len(self.matrix.principals):
            self.call_after_refresh(self._fill)
        else:
            self._to_start()
            self.call_after_refresh(self._show_scroll)

    def _to_start(self) -> None:
        """Put the cursor on the send on screen, once its row is in the table."""
        m = self.matrix
        principal, identity = self.start
        if not m.identities:
            return
        rows = [i for i, p in enumerate(m.principals) if p.arn == principal]
        column = m.identities.index(identity) + 1 if identity in m.identities else 1
        self.query_one(DataTable).move_cursor(row=rows[0] if rows else 0, column=column)

    def _label(self, p: IamPrincipal) -> str:
        return self.labels.get(p.arn, p.label)

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        row, col = event.coordinate.row, event.coordinate.column
        if col == 0 or not self.matrix.identities:
            return
        if self.by_identity:
            self.dismiss((self.matrix.principals[0].arn, self.matrix.identities[row]))
            return
        self.dismiss((self.matrix.principals[row].arn, self.matrix.identities[col - 1]))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    def action_cursor(self, where: str) -> None:
        """j and k move in the table as in the lists."""
        table = self.query_one(DataTable)
        (table.action_cursor_down if where == "down" else table.action_cursor_up)()
