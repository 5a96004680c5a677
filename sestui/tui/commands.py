"""Command palette: jump to a check, a principal, an identity or a region."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import Hit, Hits, Provider

if TYPE_CHECKING:
    from sestui.tui.app import SestuiApp


class JumpProvider(Provider):
    async def search(self, query: str) -> Hits:
        from sestui.checks import CHECK_TITLES

        app = cast("SestuiApp", self.app)
        matcher = self.matcher(query)
        targets: list[tuple[str, dict[str, str]]] = []
        for cid, title in CHECK_TITLES.items():
            targets.append((f"check: {title} ({cid})", {"check": cid}))
        if app.account is not None:
            for p in app.account.principals:
                targets.append((f"{p.type.value}: {p.name}", {"principal": p.arn}))
            for region, state in app.account.regions.items():
                targets.append((f"region: {region}", {"region": region}))
                for name in state.identities:
                    targets.append(
                        (f"identity: {name} ({region})", {"region": region, "identity": name})
                    )
        for text, target in targets:
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(app.jump, **target), text=text)
