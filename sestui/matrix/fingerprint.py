"""What a decision can depend on about a principal: equal fingerprints, equal matrix rows."""

from __future__ import annotations

from functools import lru_cache

from sestui.account import Account, IamPrincipal

_PERSONAL_WORDS = ("aws:username", "principalarn", "aws:userid", "${aws:", "principaltag")


@lru_cache(maxsize=1 << 16)
def _personal(fingerprint_text: str) -> bool:
    """Whether a document reads keys that differ between principals with equal policies."""
    low = fingerprint_text.lower()
    return any(word in low for word in _PERSONAL_WORDS)


class Fingerprinter:
    """Everything about a principal that a decision can depend on, except its name and ARN when
    no policy reads them: principals with equal fingerprints get equal rows."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self._seen: dict[str, tuple[object, ...]] = {}  # by principal ARN
        levels = account.organization.levels or ()
        self.scp_personal = any(
            _personal(d.fingerprint) or "principal" in d.fingerprint.lower()
            for lv in levels
            for d in lv.policies
        )

    def __call__(self, p: IamPrincipal) -> tuple[object, ...]:
        found = self._seen.get(p.arn)
        if found is None:
            found = self._seen[p.arn] = self._compute(p)
        return found

    def _compute(self, p: IamPrincipal) -> tuple[object, ...]:
        pp = self.account.policies_for(p)
        docs = tuple(d.fingerprint for d in pp.identity)
        boundary = pp.boundary.fingerprint if pp.boundary else None
        personal = (
            self.scp_personal
            or any(map(_personal, docs))
            or (boundary is not None and _personal(boundary))
        )
        login = p.has_active_key if p.is_user else None  # SMTP needs an active access key
        return (p.type, docs, boundary, pp.unknown, p.tags, login, p.arn if personal else None)
