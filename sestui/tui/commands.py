"""Command palette: jump to a check, a principal, an identity or a region."""

from __future__ import annotations

from functools import partial
from itertools import islice
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from sestui.tui.app import SestuiApp

# Shown before anything is typed; typing searches every target of a large account.
DISCOVER_LIMIT = 200


class JumpProvider(Provider):
    def _targets(self) -> list[tuple[str, dict[str, str]]]:
        from sestui.decide import CHECK_TITLES

        app = cast("SestuiApp", self.app)
        targets: list[tuple[str, dict[str, str]]] = []
        for cid, title in CHECK_TITLES.items():
            targets.append((f"check: {title} ({cid})", {"check": cid}))
        accounts = list(app.accounts) if app.accounts is not None else []
        several = len(accounts) > 1
        regions: set[str] = set()
        for account in accounts:
            where = f" · {account.title}" if several else ""
            for p in account.principals:
                targets.append((f"{p.type.value}: {p.name}{where}", {"principal": p.arn}))
            for region, state in account.regions.items():
                regions.add(region)
                for name in state.identities:
                    arn = f"arn:{account.partition}:ses:{region}:{account.account_id}:identity/"
                    targets.append(
                        (
                            f"identity: {name} ({region}{where})",
                            {"region": region, "identity": arn + name if several else name},
                        )
                    )
        targets.extend((f"region: {r}", {"region": r}) for r in sorted(regions))
        return targets

    async def discover(self) -> Hits:
        """The palette opens on the jump targets, so it shows what it can do before typing."""
        app = cast("SestuiApp", self.app)
        for text, target in islice(self._targets(), DISCOVER_LIMIT):
            yield DiscoveryHit(text, partial(app.jump, **target), text=text)

    async def search(self, query: str) -> Hits:
        app = cast("SestuiApp", self.app)
        matcher = self.matcher(query)
        for text, target in self._targets():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(app.jump, **target), text=text)
