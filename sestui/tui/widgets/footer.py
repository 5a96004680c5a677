"""The footer, rebuilt only when the keys it shows change."""

from __future__ import annotations

from typing import NamedTuple

from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # Textual is pinned (pyproject.toml)


class _Entry(NamedTuple):
    """One key the footer shows, with what its FooterKey is composed from."""

    name: str  # the active binding's key in Screen.active_bindings
    key: str
    description: str
    action: str
    group: object
    enabled: bool
    tooltip: str


class KeysFooter(Footer):
    """Textual's footer recomposes every FooterKey whenever any binding state is refreshed
    (a worker starting or ending, a verdict shown, the focus moving). Most of those refreshes
    show the same keys: nothing is done. Many others only dim or undim keys (a fix appears, a
    list takes the focus): those keys change their class in place. Only a different set of
    keys is composed again (that was a fifth of an app start and of every Pilot test)."""

    _shown: tuple[bool, bool, tuple[_Entry, ...]] | None = None

    def _keys_shown(self) -> tuple[bool, bool, tuple[_Entry, ...]]:
        palette = self.app.COMMAND_PALETTE_BINDING if self.show_command_palette else None
        entries = tuple(
            _Entry(name, b.key, b.description, b.action, b.group, enabled, tooltip)
            for name, (_, b, enabled, tooltip) in self.screen.active_bindings.items()
            if b.show or name == palette
        )
        return (self._bindings_ready, self.compact, entries)

    @staticmethod
    def _layout(shown: tuple[bool, bool, tuple[_Entry, ...]]) -> tuple[object, ...]:
        """What the composed keys depend on besides each key's enabled state."""
        ready, compact, entries = shown
        return (ready, compact, tuple(e._replace(enabled=False) for e in entries))

    def _dim_in_place(self, entries: tuple[_Entry, ...]) -> bool:
        """Set each composed key's enabled state from `entries`; False if a key is not found."""
        enabled = {(e.key, e.action): bool(e.enabled) for e in entries}
        keys = list(self.query(FooterKey))
        if not all((k.key, k.action) in enabled for k in keys):
            return False
        for k in keys:
            off = not enabled[k.key, k.action]
            k._disabled = off
            k.set_class(off, "-disabled")
        return True

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        shown = self._keys_shown()
        if shown == self._shown:
            return
        before, self._shown = self._shown, shown
        if (
            before is not None
            and self._layout(before) == self._layout(shown)
            and self._dim_in_place(shown[2])
        ):
            return
        await super().recompose()
