"""`tremplin link awards`: attribute official award rows to registered startups.

Award files (DECP, OCDS) create supplier profiles of their own (source 'decp' / 'ocds'). A registered
startup is linked to a supplier's awards by national id when both have one (link confirmed at once:
the id is authoritative), otherwise by name through `NameIndex` (link *proposed*, for staff to
confirm). When a name fits several startups about equally well, context may break the tie per award
(method 'context', proposed too): a startup's region and its confirmed awards (buyers, CPV divisions,
regions) against the award's buyer, CPV and region — with the same rules as `tremplin eval linkage`
(`matcher.linkage.context.break_tie`): a startup known from one record only (one confirmed award, or
just its declared region) wins on the buyer or the region, never on a CPV division alone. Nothing below
the threshold or too close to a second company is linked otherwise. Pairs already linked — whatever
their status, rejected included — are left alone, so a re-run changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.linkage.context import Clues, History, break_tie
from matcher.linkage.ids import CompanyIdError, company_key
from matcher.linkage.similarity import NameIndex
from matcher.store.models import Award, Startup, Tender
from matcher.store.repository import FieldError
from matcher.store.trust import audit, propose_link
from matcher.store.trust_models import AwardLink

AWARD_SOURCES = ("decp", "ocds")
ACTOR = "linker"
_KEYED_PREFIXES = {"SIREN:": "SIREN", "ICE:": "ICE", "UK_CH:": "UK_CH"}


def set_company_id(session: Session, startup: Startup, scheme: str | None, value: str | None, actor: str) -> None:
    """Store a validated national id (or clear it with an empty value); FieldError names the field."""
    if not value:
        startup.company_id, startup.company_id_scheme = None, None
    else:
        try:
            key = company_key(scheme or "", value)
        except CompanyIdError as exc:
            raise FieldError("company_id", str(exc)) from exc
        startup.company_id_scheme, startup.company_id = key.split(":", 1)
    audit(session, "visibility", startup.id, actor, "company_id", scheme=startup.company_id_scheme)


def supplier_key(startup: Startup) -> str | None:
    """The national-id key of a startup or of an award-built supplier, if it has one."""
    if startup.company_id and startup.company_id_scheme:
        return f"{startup.company_id_scheme}:{startup.company_id}"
    for prefix, scheme in _KEYED_PREFIXES.items():
        if startup.external_id.startswith(prefix):
            try:
                return company_key(scheme, startup.external_id.removeprefix(prefix))
            except CompanyIdError:
                return None
    return None


def _clues(buyer_id: int | None, cpv_codes: list[str] | None, region: str | None) -> Clues:
    division = next((code[:2] for code in cpv_codes or [] if code[:2].isdigit()), None)
    return Clues(str(buyer_id) if buyer_id else None, division, region or None)


def _history(session: Session, registered: list[Startup]) -> History:
    """Each registered startup's region and the awards already confirmed as its own."""
    history = History()
    for startup in registered:
        if startup.region:
            history.add(str(startup.id), Clues(place=startup.region))
    confirmed = session.execute(
        select(AwardLink.startup_id, Tender.buyer_id, Tender.cpv_codes, Tender.region)
        .join(Award, Award.id == AwardLink.award_id)
        .join(Tender, Tender.id == Award.tender_id)
        .where(AwardLink.status == "confirmed")
    )
    for startup_id, buyer_id, cpv_codes, region in confirmed:
        history.add(str(startup_id), _clues(buyer_id, cpv_codes, region))
    return history


def _by_context(session: Session, supplier: Startup, tied: tuple[str, ...], history: History) -> dict[int, int]:
    """Award id → startup id, for the awards whose own context singles out one tied startup."""
    rows = session.execute(
        select(Award.id, Tender.buyer_id, Tender.cpv_codes, Tender.region)
        .join(Tender, Tender.id == Award.tender_id)
        .where(Award.startup_id == supplier.id)
        .order_by(Award.id)
    )
    found = {}
    for award_id, buyer_id, cpv_codes, region in rows:
        winner = break_tie(tied, _clues(buyer_id, cpv_codes, region), history)
        if winner is not None:
            found[award_id] = int(winner)
    return found


def link_awards(session: Session, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Propose (by name) or make (by id) links from award-built suppliers to registered startups."""
    registered = list(session.scalars(select(Startup).where(Startup.source.not_in(AWARD_SOURCES))))
    by_key = {key: s.id for s in registered if (key := supplier_key(s))}
    index = NameIndex((str(s.id), s.name) for s in registered)
    history = _history(session, registered)
    suppliers = list(
        session.scalars(
            select(Startup)
            .where(Startup.source.in_(AWARD_SOURCES), Startup.id.in_(select(Award.startup_id)))
            .order_by(Startup.id)
        )
    )
    counts: Counter[str] = Counter(suppliers=len(suppliers), registered=len(registered))
    for done, supplier in enumerate(suppliers, start=1):
        key = supplier_key(supplier)
        target: int | None = by_key.get(key) if key else None
        method, score = "id", None
        if target is None:
            decision = index.resolve(supplier.name)
            if decision.key is not None:
                target, method, score = int(decision.key), "name", round(decision.score, 3)
            elif decision.tied:
                chosen = _by_context(session, supplier, decision.tied, history)
                counts["matched_by_context"] += bool(chosen)
                for award_id, startup_id in chosen.items():
                    made = propose_link(session, award_id, startup_id, "context", round(decision.score, 3), ACTOR)
                    counts["links_created" if made else "links_kept"] += 1
        if target is not None:
            counts[f"matched_by_{method}"] += 1
            award_ids = session.scalars(select(Award.id).where(Award.startup_id == supplier.id).order_by(Award.id))
            for award_id in award_ids:
                made = propose_link(session, award_id, target, method, score, ACTOR)
                counts["links_created" if made else "links_kept"] += 1
        if progress:
            progress(done, len(suppliers))
    session.flush()
    return dict(counts)
