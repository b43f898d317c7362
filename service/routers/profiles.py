"""Supplier profiles for buyers and staff, side-by-side comparison, and the startup's trust settings."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy.orm import Session

from matcher.errors import NotFoundError
from matcher.linkage.link import set_company_id
from matcher.ranking.catalogue import summary_of
from matcher.store import AwardLink, DeclaredReference, Startup, repository
from matcher.store.buyer_tools import contact_granted
from matcher.store.keys import Identity, Role
from matcher.store.profile import build_profile
from matcher.store.trust import add_declared_reference, audit
from service.auth import ensure_startup_access
from service.deps import CurrentKeyDep, SessionDep, StartupOrStaffDep
from service.errors import declare, forbidden, invalid
from service.trust_schemas import (
    ActivityOut,
    CertificationOut,
    ContactOut,
    DeclaredIn,
    ReferenceOut,
    ReferencesOut,
    SupplierComparison,
    SupplierProfile,
    TrustSettings,
    TrustSettingsOut,
)

router = APIRouter(tags=["suppliers"])

SupplierId = Annotated[str, Path(max_length=128, description="External id of the supplier (startup).")]


def viewable_supplier(session: Session, identity: Identity, supplier_id: str) -> Startup:
    """The supplier as this caller may see it: 404 when hidden from buyers, 403 for other startups."""
    startup = repository.get_startup(session, supplier_id)
    if identity.is_staff:
        return startup
    if identity.role is Role.startup:
        if identity.startup_pk != startup.id:
            raise forbidden("a startup key may only open its own profile")
        return startup
    if identity.role is Role.buyer and startup.profile_visible:
        return startup
    raise NotFoundError("supplier", supplier_id)  # hidden profiles do not exist for buyers


def may_see_contact(session: Session, identity: Identity, startup: Startup) -> bool:
    if identity.is_staff or (identity.role is Role.startup and identity.startup_pk == startup.id):
        return True
    return (
        identity.role is Role.buyer
        and identity.buyer_pk is not None
        and contact_granted(session, identity.buyer_pk, startup.id)
    )


def profile_out(session: Session, identity: Identity, startup: Startup) -> SupplierProfile:
    owner = identity.is_staff or identity.startup_pk == startup.id
    profile = build_profile(session, startup, include_private=owner)
    return SupplierProfile(
        id=startup.external_id,
        name=startup.name,
        summary=summary_of(startup),
        description=startup.description or "",
        sectors=list(startup.sectors or []),
        technologies=list(startup.technologies or []),
        city=startup.city,
        region=startup.region,
        founding_year=startup.founding_year,
        headcount=startup.headcount,
        revenue_band=profile.revenue_band,
        revenue_currency=startup.revenue_currency,
        labels=list(startup.labels or []),
        certifications=[CertificationOut(**asdict(c)) for c in profile.certifications],
        references=ReferencesOut(
            verified=[ReferenceOut(**asdict(r)) for r in profile.verified],
            buyer_confirmed=[ReferenceOut(**asdict(r)) for r in profile.buyer_confirmed],
            declared=[ReferenceOut(**asdict(r)) for r in profile.declared],
        ),
        activity=ActivityOut(bids_recorded=profile.bids_recorded, contracts_won=profile.contracts_won),
        updated_at=startup.updated_at,
        visible=startup.profile_visible,
        contact=ContactOut(email=startup.contact_email) if may_see_contact(session, identity, startup) else None,
    )


@router.get(
    "/suppliers/compare",
    summary="Compare 2 to 4 suppliers",
    description="Staff or buyers. Profiles side by side, in the order given.",
    responses=declare(401, 403, 404, 422),
)
def compare_suppliers(
    session: SessionDep,
    identity: CurrentKeyDep,
    ids: Annotated[list[str], Query(min_length=2, max_length=4, description="2 to 4 supplier ids.")],
) -> SupplierComparison:
    if identity.role not in (Role.staff, Role.buyer):
        raise forbidden("this route is for staff, buyer keys")
    if len(set(ids)) != len(ids):
        raise invalid("query.ids", "each supplier once")
    return SupplierComparison(
        data=[profile_out(session, identity, viewable_supplier(session, identity, i)) for i in ids]
    )


@router.get(
    "/suppliers/{supplier_id}",
    summary="Supplier profile",
    description="Staff, buyers (visible profiles only) and the startup itself. References in three tiers "
    "(verified against award records, buyer-confirmed, declared), a revenue band, certifications with their "
    "expiry, platform activity. Contact details only for staff, the startup, or a buyer whose contact "
    "request the startup accepted.",
    responses=declare(401, 403, 404, 422),
)
def get_supplier(supplier_id: SupplierId, session: SessionDep, identity: CurrentKeyDep) -> SupplierProfile:
    return profile_out(session, identity, viewable_supplier(session, identity, supplier_id))


@router.put(
    "/startups/{supplier_id}/trust",
    summary="Trust settings of a startup",
    description="Staff or the startup itself: national company id (ICE, SIREN, SIRET, UK_CH; validated), "
    "profile visibility to buyers, and which references stay private.",
    responses=declare(401, 403, 404, 422),
    tags=["startups"],
)
def put_trust_settings(
    supplier_id: SupplierId, body: TrustSettings, session: SessionDep, identity: StartupOrStaffDep
) -> TrustSettingsOut:
    ensure_startup_access(identity, supplier_id)
    startup = repository.get_startup(session, supplier_id)
    actor = f"{identity.role.value}:{identity.prefix}"
    if "company_id" in body.model_fields_set:
        set_company_id(session, startup, body.company_id_scheme, body.company_id, actor)
    if body.profile_visible is not None and body.profile_visible != startup.profile_visible:
        startup.profile_visible = body.profile_visible
        audit(session, "visibility", startup.id, actor, "profile_visible", value=body.profile_visible)
    if body.private_links is not None:
        for link in session.query(AwardLink).filter(AwardLink.startup_id == startup.id):
            link.public = link.id not in body.private_links
    if body.private_declared is not None:
        for ref in session.query(DeclaredReference).filter(DeclaredReference.startup_id == startup.id):
            ref.public = ref.id not in body.private_declared
    return TrustSettingsOut(
        company_id=startup.company_id,
        company_id_scheme=startup.company_id_scheme,
        profile_visible=startup.profile_visible,
    )


@router.post(
    "/startups/{supplier_id}/references",
    summary="Declare a reference",
    description="Staff or the startup itself: a reference the startup reports (shown as 'declared').",
    status_code=201,
    responses=declare(401, 403, 404, 422),
    tags=["startups"],
)
def declare_reference(
    supplier_id: SupplierId, body: DeclaredIn, session: SessionDep, identity: StartupOrStaffDep
) -> ReferenceOut:
    ensure_startup_access(identity, supplier_id)
    ref = add_declared_reference(session, supplier_id, body.title, body.buyer_name, body.year, body.amount)
    return ReferenceOut(tier="declared", title=ref.title, buyer_name=ref.buyer_name, year=ref.year, amount=ref.amount)
