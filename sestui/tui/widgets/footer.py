"""The footer, rebuilt only when the keys it shows change."""

from __future__ import annotations

from textual.widgets import Footer


class KeysFooter(Footer):
    """Textual's footer recomposes every FooterKey whenever any binding state is refreshed
    (a worker starting or ending, a verdict shown): most of those refreshes show the same
    keys, and rebuilding them was a fifth of an app start. Recompose only on a real change."""

    _shown: tuple[object, ...] | None = None

    def _keys_shown(self) -> tuple[object, ...]:
        palette = self.app.COMMAND_PALETTE_BINDING if self.show_command_palette else None
        return (
            self._bindings_ready,
            self.compact,
            tuple(
                (key, b.key, b.description, b.action, b.group, enabled, tooltip)
                for key, (_, b, enabled, tooltip) in self.screen.active_bindings.items()
                if b.show or key == palette
            ),
        )

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        shown = self._keys_shown()
        if shown == self._shown:
            return
        self._shown = shown
        await super().recompose()
