"""Verdicts on matches (relevant, not relevant, applied, won, lost), kept for learning."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from matcher.store.feedback import give_feedback, page_feedback
from matcher.store.keys import Role
from service.auth import ensure_startup_access
from service.deps import SessionDep, StartupOrStaffDep
from service.errors import declare
from service.params import Limit, Offset
from service.schemas import FeedbackCreate, FeedbackPublic, FeedbacksPublic

router = APIRouter(tags=["feedback"])

RefId = Annotated[str | None, Query(max_length=128)]


@router.post(
    "/feedback",
    status_code=201,
    summary="Give feedback on a match",
    description="A startup for its own matches, or staff for any startup. One row per (startup, tender, "
    "verdict): the same verdict posted again answers 200 with the stored row and creates nothing; a new "
    "verdict answers 201, so a startup can go from 'applied' to 'won'.",
    responses=declare(401, 403, 404, 422) | {200: {"model": FeedbackPublic, "description": "Already given."}},
)
def post_feedback(
    body: FeedbackCreate, response: Response, session: SessionDep, identity: StartupOrStaffDep
) -> FeedbackPublic:
    ensure_startup_access(identity, body.startup_id)
    record, created = give_feedback(
        session,
        body.startup_id,
        body.tender_id,
        body.verdict,
        actor_role=identity.role.value,
        actor_key_id=identity.key_id,
        note=body.note,
    )
    session.commit()
    if not created:
        response.status_code = 200
    return FeedbackPublic.model_validate(record)


@router.get(
    "/feedback",
    summary="List feedback",
    description="Staff see every verdict; a startup sees its own (its `startup_id` is filled in). Newest first.",
    responses=declare(401, 403, 422),
)
def list_feedback(
    session: SessionDep,
    identity: StartupOrStaffDep,
    startup_id: RefId = None,
    tender_id: RefId = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> FeedbacksPublic:
    if identity.role is Role.startup:
        startup_id = startup_id or identity.startup_id
    if startup_id is not None:
        ensure_startup_access(identity, startup_id)
    rows, total = page_feedback(session, startup_id=startup_id, tender_id=tender_id, limit=limit, offset=offset)
    return FeedbacksPublic(
        data=[FeedbackPublic.model_validate(row) for row in rows], total=total, limit=limit, offset=offset
    )
