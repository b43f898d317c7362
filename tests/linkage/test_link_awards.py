"""`link awards` on a store: by id at once, by name for review, nothing silent, re-runs change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from matcher.errors import ConflictError
from matcher.ingest import ingest_file, ingest_records
from matcher.linkage.link import link_awards, set_company_id
from matcher.store import AwardLink, Startup, Store, TrustAudit
from matcher.store.models import Award, Tender
from matcher.store.repository import FieldError, get_startup
from matcher.store.trust import audit_trail, claim_award, decide_link, propose_link, review_queue

SAMPLE = Path(__file__).parent.parent / "fixtures" / "ingest" / "decp_sample.json"


@pytest.fixture
def linked_store(store: Store) -> Store:
    ingest_file(store, "tenders", SAMPLE)
    ingest_records(
        store,
        "startups",
        [
            {"external_id": "ST-LOG", "name": "Logitud", "description": "Logiciels police municipale"},
            {"external_id": "ST-SF", "name": "Sté Sensor Frigo SARL", "description": "Capteurs froid"},
            {"external_id": "ST-X", "name": "Atlas Nuage", "description": "Cloud marocain"},
        ],
    )
    with store.session() as session:
        set_company_id(session, get_startup(session, "ST-LOG"), "SIRET", "481 259 596 00023", "staff:test")
    return store


def _links(store: Store) -> list[tuple[str, str, str]]:
    with store.session() as session:
        rows = session.execute(
            select(Startup.external_id, AwardLink.status, AwardLink.method)
            .join(Startup, Startup.id == AwardLink.startup_id)
            .order_by(AwardLink.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_links_by_id_then_by_name_and_rerun_changes_nothing(linked_store: Store) -> None:
    with linked_store.session() as session:
        first = link_awards(session)
    assert first["matched_by_id"] == 1 and first["matched_by_name"] == 1
    links = _links(linked_store)
    assert ("ST-LOG", "confirmed", "id") in links  # the SIREN says so: verified at once
    assert ("ST-SF", "proposed", "name") in links  # a name alone: staff must confirm
    assert all(owner != "ST-X" for owner, *_ in links)  # nothing under the threshold
    with linked_store.session() as session:
        audits = session.scalar(select(func.count()).select_from(TrustAudit))
        second = link_awards(session)
    assert second.get("links_created", 0) == 0 and second["links_kept"] == first["links_created"]
    assert _links(linked_store) == links
    with linked_store.session() as session:
        assert session.scalar(select(func.count()).select_from(TrustAudit)) == audits


def test_cli_link_awards_twice(linked_store: Store) -> None:
    from matcher.cli import app

    runner = CliRunner()
    first = runner.invoke(app, ["link", "awards", "--json"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["link", "awards", "--json"])
    assert '"links_created"' not in second.output and '"links_kept"' in second.output


def test_staff_decisions_are_audited_and_rejections_survive_reruns(linked_store: Store) -> None:
    with linked_store.session() as session:
        link_awards(session)
        queue, total = review_queue(session)
    assert total == len(queue) >= 1 and queue[0].startup_id == "ST-SF"
    assert queue[0].supplier_name == "SENSOR FRIGO"
    with linked_store.session() as session:
        decide_link(session, queue[0].id, "reject", "staff:amina", "staff", note="homonyme")
        with pytest.raises(ConflictError):
            decide_link(session, queue[0].id, "confirm", "startup:ST-SF", "startup")
    with linked_store.session() as session:
        link_awards(session)
        assert session.get(AwardLink, queue[0].id).status == "rejected"  # type: ignore[union-attr]
        claimed = claim_award(session, "ST-SF", queue[0].award_id, "startup:ST-SF", note="c'est bien nous")
        decide_link(session, claimed.id, "confirm", "staff:amina", "staff")
        trail = [(a.action, a.detail.get("after")) for a in audit_trail(session, "link", claimed.id)]
    assert trail == [("proposed", None), ("reject", "rejected"), ("claim", "claimed"), ("confirm", "confirmed")]


def test_company_id_is_validated(linked_store: Store) -> None:
    with linked_store.session() as session, pytest.raises(FieldError, match="check digit"):
        set_company_id(session, get_startup(session, "ST-X"), "SIREN", "481259597", "staff:test")


def test_two_startups_with_one_name_are_told_apart_by_region_and_reruns_change_nothing(store: Store) -> None:
    ingest_file(store, "tenders", SAMPLE)
    with store.session() as session:
        region = session.scalar(
            select(Tender.region)
            .join(Award, Award.tender_id == Tender.id)
            .join(Startup, Startup.id == Award.startup_id)
            .where(Startup.name == "TEAMNET", Tender.region.is_not(None))
        )
    assert region
    ingest_records(
        store,
        "startups",
        [
            {"external_id": "ST-T1", "name": "Teamnet SARL", "description": "Réseaux", "region": "Souss-Massa"},
            {"external_id": "ST-T2", "name": "TEAMNET", "description": "Réseaux", "region": region},
        ],
    )
    with store.session() as session:
        first = link_awards(session)
    links = _links(store)
    assert first["matched_by_context"] == 1
    assert links and set(links) == {("ST-T2", "proposed", "context")}  # only awards in its region, for review
    with store.session() as session:
        second = link_awards(session)
    assert second.get("links_created", 0) == 0 and _links(store) == links


def test_a_startup_known_from_one_confirmed_award_needs_more_than_a_shared_cpv_division(store: Store) -> None:
    ingest_file(store, "tenders", SAMPLE)  # TEAMNET's award: IT services (CPV 72), Île-de-France
    ingest_records(
        store,
        "startups",
        [
            {"external_id": "ST-T1", "name": "Teamnet SARL", "description": "Réseaux", "region": "Souss-Massa"},
            {"external_id": "ST-T2", "name": "TEAMNET", "description": "Réseaux"},
        ],
    )
    with store.session() as session:
        t2 = get_startup(session, "ST-T2").id
        logitud = select(Award.id).join(Startup, Startup.id == Award.startup_id).where(Startup.name.like("LOGITUD%"))
        it_award, other_award = session.scalars(logitud.order_by(Award.id))  # CPV 72 (no region), then 48
        link = propose_link(session, it_award, t2, "name", 0.9, "linker")
        assert link is not None
        decide_link(session, link.id, "confirm", "staff:test", "staff")
    with store.session() as session:
        first = link_awards(session)
    assert first.get("matched_by_context", 0) == 0  # one past contract in the same CPV division: too little
    assert ("ST-T2", "proposed", "context") not in _links(store)
    with store.session() as session:
        link = propose_link(session, other_award, t2, "name", 0.9, "linker")
        assert link is not None
        decide_link(session, link.id, "confirm", "staff:test", "staff")
    with store.session() as session:
        second = link_awards(session)
    assert second["matched_by_context"] == 1  # a history of two records: the shared division now counts
    assert ("ST-T2", "proposed", "context") in _links(store)
