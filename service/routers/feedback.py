"""Verdicts on matches (relevant, not relevant, applied, won, lost), kept for learning."""

from __future__ import annotations

from fastapi import APIRouter

from matcher.store.feedback import record_feedback
from service.auth import ensure_startup_access
from service.deps import SessionDep, StartupOrStaffDep
from service.errors import declare
from service.schemas import FeedbackCreate, FeedbackPublic

router = APIRouter(tags=["feedback"])


@router.post(
    "/feedback",
    status_code=201,
    summary="Give feedback on a match",
    description="A startup for its own matches, or staff for any startup. Every verdict is kept, so a "
    "startup can go from 'applied' to 'won'.",
    responses=declare(401, 403, 404, 422),
)
def give_feedback(body: FeedbackCreate, session: SessionDep, identity: StartupOrStaffDep) -> FeedbackPublic:
    ensure_startup_access(identity, body.startup_id)
    record = record_feedback(
        session,
        body.startup_id,
        body.tender_id,
        body.verdict,
        actor_role=identity.role.value,
        actor_key_id=identity.key_id,
        note=body.note,
    )
    session.commit()
    return FeedbackPublic.model_validate(record)
