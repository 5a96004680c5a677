"""Updating a Static only when what it shows changes, and laying the screen out again only when
its size does."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.content import Content
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.css.styles import RulesMap


def set_content(static: Static, content: Content) -> bool:
    """`static.update(content)` unless it already shows exactly that (text and styles).

    Every `Static.update` asks for a new layout of the whole screen by default, and a layout
    re-renders every widget on it: on a selection change that was most of the time to the next
    frame. A widget whose height cannot change (a fixed height, or the same number of wrapped
    lines at its width) is only repainted. (Content's own == compares the text only, not its
    styles.) Returns whether a layout was asked for."""
    shown = static.content
    if isinstance(shown, Content) and shown.plain == content.plain and shown.spans == content.spans:
        return False
    layout = resizes(static, shown, content)
    static.update(content, layout=layout)
    return layout


def resizes(static: Static, old: object, new: Content) -> bool:
    """Whether showing `new` instead of `old` may change the widget's size (True when unsure)."""
    styles = static.styles
    width = static.size.width
    if not static.is_mounted or not width or not isinstance(old, Content):
        return True  # not laid out yet, or nothing to compare with
    if styles.width is not None and styles.width.is_auto:
        return True  # its width follows its text
    height = styles.height
    if height is not None and not height.is_auto:
        return False  # cells, a fraction or a percentage: its text does not set its height
    return _rows(static, old, width) != _rows(static, new, width)


def fits(static: Static, content: Content) -> bool:
    """Whether `content` takes no more rows than the widget's min-height (its steady height)."""
    low = static.styles.min_height
    width = static.size.width
    if not width or low is None or not low.is_cells:
        return True
    rows = content.get_height(cast("RulesMap", static.styles), width)
    return rows <= int(low.value) - static.styles.gutter.height


def _rows(static: Static, content: Content, width: int) -> int:
    """The height the widget's layout gives `content` at `width` (its min/max height applied)."""
    styles = static.styles
    # As Widget.get_content_height measures it (its styles stand for the rules map).
    rows = content.get_height(cast("RulesMap", styles), width)
    low, high = styles.min_height, styles.max_height
    if low is not None and low.is_cells:
        rows = max(rows, int(low.value) - styles.gutter.height)
    if high is not None and high.is_cells:
        rows = min(rows, int(high.value) - styles.gutter.height)
    return rows
