"""What the TUI shows, without Textual: the loaded accounts, the caller (the account of the
principal checked) and the selection, and how each user action changes the selection. The app
renders what this decides; tests/tui/test_session.py drives it without Pilot.

Identities keep their meaning when the principal changes account: a selection names an identity
by its bare name in the caller's own account (as with one account) and by its ARN in another (a
delegate send); `apply` re-expresses it for the new caller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from sestui.tui.asked import identity_key, relative_identity, start_problems

if TYPE_CHECKING:  # the domain is imported on use, after the first frame is painted
    from sestui.account import Account, IamPrincipal
    from sestui.account.accountset import AccountSet
    from sestui.decide import Selection, Verdict
    from sestui.explain.parse import ParsedError
    from sestui.matrix.exact import Matrix


@dataclass(frozen=True)
class StartAt:
    """Where to open (from the command line, or a reload)."""

    principal: str | None = None
    region: str | None = None
    from_address: str | None = None
    identity: str | None = None
    role: bool = False
    display_name: str | None = None  # from a `Name <address>` --from


@dataclass(frozen=True)
class Opening:
    """Where a load opens: the selection (None: no principal loaded) and what the start flags
    name that the accounts lack (said out loud, never replaced)."""

    selection: Selection | None
    problems: tuple[str, ...]
    region: str | None  # the region to show when there is no selection


@dataclass(frozen=True)
class Pasted:
    """What a pasted error asks to check, and the note that says so."""

    selection: Selection
    note: str
    choose_identity: bool  # the message names no identity: the user must choose one


@dataclass
class Session:
    accounts: AccountSet
    account: Account = field(init=False)  # the caller: the account of the principal checked
    selection: Selection | None = None

    def __post_init__(self) -> None:
        self.account = self.accounts.primary
        self.principals: dict[str, IamPrincipal] = {
            p.arn: p for a in self.accounts for p in a.principals
        }

    @property
    def multi(self) -> bool:
        """Several accounts: rows grouped by account, identities keyed by ARN."""
        return len(self.accounts) > 1

    # -- lookups ----------------------------------------------------------------------------

    def region_counts(self) -> dict[str, int]:
        """Identities per region, over every account."""
        count: dict[str, int] = {}
        for a in self.accounts:
            for r, state in a.regions.items():
                count[r] = count.get(r, 0) + len(state.identities)
        return count

    def regions(self) -> list[str]:
        """Regions with SES identities first, the busiest first: that is where people send."""
        count = self.region_counts()
        return sorted(count, key=lambda r: (-count[r], r))

    def caller_of(self, principal_arn: str) -> Account | None:
        """The loaded account a principal ARN belongs to."""
        found = self.accounts.principal_by_arn(principal_arn)
        return found[0] if found is not None else None

    def principal(self, name: str, role: bool = False) -> IamPrincipal | None:
        from sestui.decide import SelectionError
        from sestui.decide.locate import find_principal_in

        try:
            return find_principal_in(self.accounts, name, role)[1]
        except SelectionError:
            return None

    def first_identity(self, region: str) -> str | None:
        """The identity to open on when none was asked: the caller's first in the region, else
        (several accounts) the first another account has there, as its ARN."""
        for a in (self.account, *self.accounts):
            state = a.regions.get(region)
            if state is not None and state.identities:
                name = min(state.identities)
                return relative_identity(self.account, identity_key(a, region, name))
        return None

    def identity_in(self, region: str, identity: str | None) -> str | None:
        """The same identity in another region, if its account has it there (as the selection
        names it), else None."""
        if not identity:
            return None
        here = self.selection.region if self.selection else region
        key = identity_key(self.account, here, identity)
        if key is None or not key.startswith("arn:"):
            return None
        parts = key.split(":", 5)
        moved = ":".join([*parts[:3], region, *parts[4:]])
        found = self.accounts.identity_owner(moved)
        if found is None or found[1] is None:
            return None
        return relative_identity(self.account, moved)

    def owner(self, selection: Selection) -> Account | None:
        """The loaded account of another account's identity the selection names (a delegate
        send, decided on both sides), if any."""
        identity = selection.identity or ""
        if not identity.startswith("arn:"):
            return None
        found = self.accounts.identity_owner(identity)
        caller = self.caller_of(selection.principal)
        if found is None or caller is None or found[0] is caller:
            return None
        return found[0]

    def checked_identity(self, verdict: Verdict | None, shown: Selection | None) -> str | None:
        """The identity row that stands for what is checked: the one asked for or, when a From
        address is given, the identity SES authorizes for it (once its verdict, for `shown`,
        is in). With several accounts, as its ARN (the rows' key)."""
        from sestui.tui.asked import identity_of

        sel = self.selection
        if sel is None:
            return None
        if not sel.from_address:
            wanted = sel.identity
        elif verdict is not None and shown is sel:
            wanted = verdict.identity_arn if self.multi else identity_of(verdict.identity_arn)
        else:
            return None
        if self.multi:
            return identity_key(self.account, sel.region, wanted)
        return wanted

    # -- changes of selection ----------------------------------------------------------------

    def opening(self, start: StartAt) -> Opening:
        """The selection a load opens on: what the start flags name, found or not; defaults only
        for what they leave out."""
        from sestui.decide import Selection

        regions = self.regions()
        problems = start_problems(self.accounts, start)
        principal = self.principal(start.principal, start.role) if start.principal else None
        if principal is None and not start.principal:
            principal = next(iter(self.principals.values()), None)
            if principal is None:
                return Opening(None, problems, regions[0] if regions else None)
        if principal is not None:
            self.account = self.caller_of(principal.arn) or self.account
        region = start.region or (regions[0] if regions else "us-east-1")
        identity = start.identity
        if not identity and not start.from_address:
            identity = self.first_identity(region)
        who = principal.arn if principal is not None else (start.principal or "")
        base = self.selection or Selection(who, region)
        self.selection = replace(
            base,
            principal=who,
            role=start.role if principal is None else False,
            region=region,
            identity=identity,
            from_address=start.from_address,
            display_name=(
                start.display_name if start.display_name is not None else base.display_name
            ),
        )
        return Opening(self.selection, problems, region)

    def picked(self, pane: str, value: str) -> Selection | None:
        """The selection after a row is chosen in the principals, regions or identities pane."""
        sel = self.selection
        if sel is None:
            return None
        if pane == "principals":
            return replace(sel, principal=value, role=False)
        if pane == "regions":
            # The identity moves along when the new region has it (in its own account); a From
            # address (the request's, not the region's) stays and is resolved in the new region.
            keep = self.identity_in(value, sel.identity)
            if keep is None and not sel.from_address:
                keep = self.first_identity(value)
            return replace(sel, region=value, identity=keep)
        if pane == "identities":
            identity = relative_identity(self.account, value) or value
            return replace(sel, identity=identity, from_address=None)
        return sel

    def jumped(
        self,
        principal: str | None = None,
        region: str | None = None,
        identity: str | None = None,
        action: str | None = None,
        path: str | None = None,  # a SendPath value
        session: str | None = None,
    ) -> Selection | None:
        """The selection a palette entry or a matrix cell names: exactly that."""
        sel = self.selection
        if sel is None:
            return None
        if principal:
            sel = replace(sel, principal=principal, role=False, session_name=session)
        if path:
            from sestui.decide import SendPath

            sel = replace(sel, path=SendPath(path))
        if region and region != sel.region:
            keep = self.identity_in(region, sel.identity)
            if keep is None and not identity and not sel.from_address:
                keep = self.first_identity(region)  # a default: no identity was named
            sel = replace(sel, region=region, identity=keep)
        if identity:
            # An ARN of the caller's own identity reads as its name (as the lists name it).
            identity = relative_identity(self.account, identity) or identity
            sel = replace(sel, identity=identity, from_address=None)
        if action:
            sel = replace(sel, actions=(action,))
        return sel

    def apply(self, sel: Selection) -> tuple[Selection | None, bool]:
        """Make `sel` the selection; returns the one before and whether it changed. The caller
        follows the principal, and the identity keeps meaning the same one."""
        old = self.selection
        was = self.account
        caller = self.caller_of(sel.principal) or was
        if caller is not was and sel.identity and old is not None:
            absolute = identity_key(was, sel.region, sel.identity)
            sel = replace(sel, identity=relative_identity(caller, absolute))
        self.account = caller
        changed = sel != old
        self.selection = sel
        return old, changed

    def as_caller_names(self, identity: str, caller: Account, region: str) -> str | None:
        """An identity named for `caller`, as the current caller names it (apply then
        re-expresses it for the new principal)."""
        return relative_identity(self.account, identity_key(caller, region, identity))

    def pasted(self, parsed: ParsedError, text: str) -> Pasted:
        """The selection a pasted AccessDenied describes, mapped as `sestui explain` maps it
        (what the message names, never a row that happens to exist instead), with the note
        that says what is checked. Raises SelectionError or ValueError."""
        from sestui.decide.locate import find_principal_in
        from sestui.explain.asked import pasted_send
        from sestui.explain.parse import denials_in
        from sestui.verdict.inputs import session_name_of

        sel = self.selection
        assert sel is not None
        send = pasted_send(parsed, text, self.accounts, region=sel.region)
        caller, principal = find_principal_in(self.accounts, send.principal_arn)
        region, identity = send.region, send.identity
        if identity is not None:
            # Named as the current caller names it: apply re-expresses it for the new caller.
            identity = self.as_caller_names(identity, caller, region)
        # Keep what the message says: its send path and the session name of an assumed role.
        target = replace(
            sel,
            principal=principal.arn,
            role=False,
            region=region,
            identity=identity,
            from_address=None,
            configuration_set=send.configuration_set,
            actions=(send.action,) if send.action else sel.actions,
            path=send.path,
            session_name=session_name_of(send.principal_arn),
        )
        what = f"identity {identity}" if identity else (parsed.resource_arn or "no resource")
        if send.identity_unknown:
            read = any(region in a.regions for a in self.accounts)
            what += f" (not an identity in {region})" if read else f" ({region} was not read)"
        note = f"Checking {principal.name} · {target.effective_actions[0]} · {what} in {region}"
        if not parsed.region:
            note += f" (the message names no region: {region} is the one selected)"
        denials = denials_in(text)
        if denials > 1:
            note += (
                f" (the paste holds {denials} access denials: the first is checked; paste the "
                "others one at a time)"
            )
        if identity is None:
            note += ". The message does not tell which identity sent it: choose one."
        return Pasted(target, note, identity is None)


def decide(accounts: AccountSet, selection: Selection, *, pasted: bool = False) -> Verdict:
    """The verdict for a selection among the loaded accounts: the principal's account decides
    its side, a loaded owner of another account's identity the sending-authorization side (as
    `sestui check`). `pasted`: the selection comes from a pasted denial, so an ALLOWED verdict
    is the finding that the cause is in what sestui cannot see (as `sestui explain` says).
    Raises SelectionError."""
    from sestui.decide import run
    from sestui.decide.locate import locate
    from sestui.explain.resolve import contradicted, unseen
    from sestui.verdict.analysis import find_principal

    located = locate(accounts, selection)
    verdict = run(located.caller, selection, owner=located.owner)
    if not pasted:
        return verdict
    account = located.caller
    owner = None
    if selection.identity and selection.identity.startswith("arn:"):
        owner = selection.identity.split(":")[4]
        owner = None if owner == account.account_id else owner
    principal = find_principal(account, selection)
    return contradicted(
        verdict, unseen(account, principal, owner, loaded=located.owner is not None)
    )


@dataclass(frozen=True)
class MatrixView:
    """A who-can-send matrix as the matrix screen shows it: the cells, and (across accounts)
    a title and labels that name each row's and column's account."""

    matrix: Matrix
    title: str | None = None
    labels: dict[str, str] | None = None
    by_identity: bool = False  # one principal's row, shown as one identity per line


def region_matrix(account: Account, s: Selection, cancelled: Callable[[], bool]) -> MatrixView:
    """`m` with one account: every principal × every identity of the region."""
    from sestui.matrix.exact import who_can_send

    m = who_can_send(account, s.region, path=s.path, actions=s.actions, cancelled=cancelled)
    return MatrixView(m)


def org_column(
    accounts: AccountSet, s: Selection, owner: Account, name: str, cancelled: Callable[[], bool]
) -> MatrixView:
    """`m` with several accounts: who in all of them can send as one identity."""
    from sestui.matrix.exact import Matrix
    from sestui.matrix.org import OrgMatrix, identity_arn

    org = OrgMatrix(accounts, s.region, path=s.path, actions=s.actions)
    col = org.column(owner, name, cancelled)
    people = tuple(p for a in accounts for p in a.principals)
    arn = identity_arn(owner, s.region, name)
    title_of = {a.account_id: a.title for a in accounts}
    labels = {p.arn: f"{p.label} · {title_of[p.arn.split(':')[4]]}" for p in people}
    labels[arn] = name
    return MatrixView(
        Matrix(s.region, people, (arn,), tuple((col[p.arn],) for p in people), 0),
        f"Who in the {len(accounts)} accounts can send as {name} of account {owner.title} "
        f"in {s.region}",
        labels,
    )


def principal_row(
    accounts: AccountSet, s: Selection, caller: Account, principal: IamPrincipal
) -> MatrixView:
    """`M`: as which identities of every loaded account one principal can send."""
    from sestui.matrix.exact import Matrix
    from sestui.matrix.org import OrgMatrix

    row = OrgMatrix(accounts, s.region, path=s.path, actions=s.actions).row(caller, principal)
    arns = tuple(row)
    title_of = {a.account_id: a.title for a in accounts}
    return MatrixView(
        Matrix(s.region, (principal,), arns, (tuple(row.values()),), 0),
        f"As which identities {principal.name} of account {caller.title} can send in {s.region}",
        {a: f"{a.rsplit('/', 1)[1]} · {title_of[a.split(':')[4]]}" for a in arns},
        by_identity=True,
    )
