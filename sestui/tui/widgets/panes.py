"""List panes with a `/` filter: principals, identities, regions, checks (OptionList based)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from sestui.tui.messages import PaneSelected
from sestui.tui.safe_output import one_line


class Rows(OptionList):
    """A list that stops at its ends: Textual's wraps around, and k pressed at the top jumped to
    the bottom (counting key presses to reach the top then landed a row off)."""

    def _at_end(self, direction: int) -> bool:
        options = self.options
        if self.highlighted is None or not options:
            return False
        index = 0 if direction < 0 else len(options) - 1
        while 0 <= index < len(options) and options[index].disabled:  # a header row
            index -= direction
        return self.highlighted == index

    def action_cursor_up(self) -> None:
        if not self._at_end(-1):
            super().action_cursor_up()

    def action_cursor_down(self) -> None:
        if not self._at_end(1):
            super().action_cursor_down()


@dataclass(frozen=True)
class Row:
    key: str  # stable id (ARN, region, identity name, check id)
    prompt: Content | tuple[Content, ...]  # one line, or the lines of a row we chose to wrap
    search: str  # the text the filter matches
    header: bool = False  # a group's title (an account): shown with its rows, never chosen


def shown(prompt: Content | tuple[Content, ...]) -> Content:
    """A row's prompt for the list: each line made one line (a newline in a name cannot draw a
    row of its own); only the line breaks sestui chose stay."""
    if isinstance(prompt, Content):
        return one_line(prompt)
    return Content("\n").join(one_line(line) for line in prompt)


class ListPane(Vertical, can_focus=False):
    """A titled OptionList; `/` opens a filter that keeps the highlighted row by its key."""

    ALLOW_MAXIMIZE = True  # z zooms the pane (title, filter and list), not the bare list

    DEFAULT_CSS = """
    ListPane { border: round $panel; height: 1fr; }
    ListPane:focus-within { border: round $accent; }
    ListPane > OptionList { border: none; height: 1fr; background: transparent; }
    ListPane > OptionList:focus { border: none; }
    ListPane > Input { display: none; border: none; height: 1; padding: 0 1; }
    /* Input's own focus style draws a tall border: in one line it left no room for the text. */
    ListPane > Input:focus { border: none; }
    ListPane.-filtering > Input { display: block; }
    """
    BINDINGS = [
        Binding("escape", "clear_filter", "Clear filter", show=False, id="clear-filter"),
        Binding("j", "cursor_down", "Down", show=False, id="down"),
        Binding("k", "cursor_up", "Up", show=False, id="up"),
    ]

    def __init__(self, pane: str, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pane = pane
        self.border_title = title
        self._rows: list[Row] = []
        self._selected: str | None = None
        self._quiet = False
        # Called as the user moves the highlight, before anything else runs (the screen holds
        # its paint for the verdict of the row moved to).
        self.moving: Callable[[], None] | None = None
        # Mounted hidden from the start, so `/` can focus it at once: keys that arrive with the
        # `/` (a paste, a slow link) must reach the field, not the bindings of the list.
        self._filter = Input(placeholder="filter…", id=f"{pane}-filter")

    def _filter_text(self) -> str:
        return self._filter.value.strip().lower()

    def compose(self) -> ComposeResult:
        yield self._filter  # shown by `/` (the -filtering class)
        yield Rows(id=f"{self.pane}-list")

    def on_mount(self) -> None:
        # Synchronously as the highlight changes: no frame can be painted in between.
        self.watch(self.options, "highlighted", self._moved, init=False)

    def _moved(self) -> None:
        if not self._quiet and self.moving is not None:
            self.moving()

    @property
    def options(self) -> OptionList:
        return self.query_one(OptionList)

    @property
    def selected(self) -> str | None:
        return self._selected or None

    def focus_list(self) -> None:
        # At once, not after a refresh (Widget.focus): the next key may already be queued.
        self.screen.set_focus(self.options)

    def set_rows(self, rows: Sequence[Row], selected: str | None = None) -> None:
        """Replace the rows, keeping the highlighted key (or `selected`) without posting.
        When only the prompts changed (same keys, no filter), they are updated in place."""
        same_keys = [r.key for r in rows] == [r.key for r in self._rows]
        if same_keys and rows and not self._filter_text():
            self.update_prompts({r.key: r.prompt for r in rows})
            if selected is not None and selected != self._selected:
                self.select(selected)
            return
        self._rows = list(rows)
        if selected is not None:
            self._selected = selected
            text = self._filter_text()
            if text and all(r.key != selected for r in self._visible(text) if not r.header):
                # What was chosen elsewhere (a matrix cell, a paste) is shown, never replaced by
                # the filter's first row: the filter goes.
                self._filter.value = ""
        self._refill()

    def update_prompts(self, prompts: Mapping[str, Content | tuple[Content, ...]]) -> None:
        """Change prompts in place (status glyphs) without disturbing the highlight."""
        self._rows = [
            Row(r.key, prompts[r.key], r.search) if r.key in prompts else r for r in self._rows
        ]
        ol = self.options
        for key, prompt in prompts.items():
            try:
                ol.replace_option_prompt(key, shown(prompt))
            except Exception:  # filtered out of view: the stored row has it for later
                continue

    def forget(self) -> None:
        """Drop the remembered choice (the next set_rows picks its default)."""
        self._selected = None

    def unselect(self) -> None:
        """Highlight no row: the choice is none of them (until the user moves)."""
        self._selected = ""  # never a key: _refill leaves the list unhighlighted
        self._quiet = True
        self.options.highlighted = None
        self._quiet = False

    def select(self, key: str) -> None:
        self._selected = key
        ol = self.options
        try:
            index = ol.get_option_index(key)
        except Exception:  # not visible under the current filter: clear it
            self._filter.value = ""
            self._refill()
            try:
                index = ol.get_option_index(key)
            except Exception:
                return
        self._quiet = True
        ol.highlighted = index
        self._quiet = False

    def _visible(self, text: str) -> list[Row]:
        """The rows the filter keeps, each group's title with them (a title that matches keeps
        its whole group: `/central` shows that account's rows)."""
        out: list[Row] = []
        title: Row | None = None
        title_matches = False
        for r in self._rows:
            if r.header:
                if not text:
                    out.append(r)  # unfiltered: every group, an empty one too
                    continue
                title, title_matches = r, text in r.search.lower()
                continue
            if not text or title_matches or text in r.search.lower():
                if title is not None:
                    out.append(title)
                    title = None
                out.append(r)
        return out

    def on_resize(self, event: events.Resize) -> None:
        """Keep the highlighted row in view when the pane changes height (the verdict bar above
        grows or shrinks with each verdict's text)."""
        ol = self.options
        ol.call_after_refresh(ol.scroll_to_highlight)

    def _refill(self) -> None:
        text = self._filter_text()
        visible = self._visible(text)
        ol = self.options
        self._quiet = True
        options = [
            Option(shown(r.prompt), id=f"\0{r.key}", disabled=True)
            if r.header
            else Option(shown(r.prompt), id=r.key)
            for r in visible
        ]
        keys = [None if r.header else r.key for r in visible]
        choosable = [i for i, k in enumerate(keys) if k is not None]
        if text and not choosable:
            # Say so, rather than an empty list: what is checked stays what was chosen.
            note = one_line(Content.assemble("no row matches “", (text, "bold"), "”"))
            options.append(Option(Content("\n").join([note, Content("esc clears")]), disabled=True))
        ol.set_options(options)
        if self._selected in keys:
            ol.highlighted = keys.index(self._selected)
        elif choosable and (self._selected is None or text):
            # Nothing chosen yet, or a filter hides the choice: the first row is a fair start.
            # A choice that is simply absent stays unhighlighted: another row would be checked
            # in its place.
            ol.highlighted = choosable[0]
        else:
            ol.highlighted = None
        self._quiet = False

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        key = event.option.id
        if self._quiet or key is None or key == self._selected:
            return
        if event.option_index != self.options.highlighted:
            return  # stale: posted by set_options before the highlight was restored
        self._selected = key
        self.post_message(PaneSelected(self.pane, key))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()

    @on(Input.Changed)
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._refill()
        highlighted = self.options.highlighted
        if highlighted is not None:
            key = self.options.get_option_at_index(highlighted).id
            if key and key != self._selected:
                self._selected = key
                self.post_message(PaneSelected(self.pane, key))

    @on(Input.Submitted)
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_list()

    def action_filter(self) -> None:
        self.add_class("-filtering")
        self.screen.set_focus(self._filter)

    def action_clear_filter(self) -> None:
        if not self.has_class("-filtering"):
            return
        self._filter.value = ""
        self.remove_class("-filtering")
        self._refill()
        self.focus_list()

    def action_cursor_down(self) -> None:
        self.options.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.options.action_cursor_up()
