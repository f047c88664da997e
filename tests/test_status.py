"""bot.briefing.status on the seed article alone: the acceptance questions of issue 4."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.briefing.status import build_status
from bot.briefing.topics import Catalog
from bot.config import ROOT
from bot.ingest import ingest_paths
from bot.models import Situation, Status, to_jsonable
from bot.store import open_db

SEED = ROOT / "seeds" / "000_eba980bd3d31b10d.txt"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    db = open_db(tmp_path_factory.mktemp("status") / "seed.db")
    summary = ingest_paths(db, [SEED], now=at("2026-03-11 12:00"))
    assert summary.added == 1
    yield db
    db.conn.close()


@pytest.fixture(scope="module")
def situation() -> Situation:
    return Catalog.load().resolve_situation("beijing-pyongyang")


def test_as_of_publication_day(seed_db, situation: Situation) -> None:  # type: ignore[no-untyped-def]
    st = build_status(seed_db, situation, as_of=at("2026-03-11 18:00"))
    assert st.state == "suspended"
    assert st.since is not None and (st.since.precision, st.since.value.year) == ("year", 2020)
    assert st.upcoming is not None
    assert st.upcoming.state == "operating"
    assert st.upcoming.date is not None
    assert (st.upcoming.date.value, st.upcoming.date.precision) == (dt.date(2026, 3, 12), "day")
    assert st.upcoming.overdue is False
    # The plan is announced by several of the article's sentences, official ones included.
    assert len(st.upcoming.sources) >= 3
    assert any(s.attribution and s.attribution.kind == "official" for s in st.upcoming.sources)


def test_as_of_after_the_date_the_plan_is_overdue_not_done(seed_db, situation) -> None:  # type: ignore[no-untyped-def]
    st = build_status(seed_db, situation, as_of=at("2026-03-14 12:00"))
    assert st.state == "suspended"
    assert st.upcoming is not None and st.upcoming.overdue is True
    assert st.upcoming.date is not None and st.upcoming.date.value == dt.date(2026, 3, 12)
    # Never shown as done: no timeline entry reports it running.
    assert not any(e.state == "operating" and e.modality == "reported" for e in st.timeline)


def test_caveats_tourists_and_ministry(seed_db, situation) -> None:  # type: ignore[no-untyped-def]
    st = build_status(seed_db, situation, as_of=at("2026-03-11 18:00"))
    kinds = {(c.kind, c.text) for c in st.caveats}
    assert ("limited", "However, tourists are not yet eligible to buy tickets.") in kinds
    unconfirmed = [c for c in st.caveats if c.kind == "unconfirmed"]
    assert any("foreign ministry" in c.text and "did not confirm" in c.text for c in unconfirmed)


def test_sources_name_the_guardian_via_the_copy(seed_db, situation) -> None:  # type: ignore[no-untyped-def]
    st = build_status(seed_db, situation, as_of=at("2026-03-11 18:00"))
    assert len(st.sources) == 1
    assert st.sources[0].outlet.startswith("The Guardian (via ")
    outlets = {s.outlet for e in st.timeline for s in e.sources}
    assert outlets == {st.sources[0].outlet}
    assert st.newest_report == at("2026-03-11 00:00")


def test_timeline_merges_this_week_and_march_12(seed_db, situation) -> None:  # type: ignore[no-untyped-def]
    st = build_status(seed_db, situation, as_of=at("2026-03-11 18:00"))
    shape = [(e.date.label() if e.date else None, e.state, e.modality) for e in st.timeline]
    assert shape == [("2020", "suspended", "reported"), ("2026-03-12", "operating", "planned")]
    # Russia's trains, China's borders: other subjects in the same sentence are left out.
    sentences = {s.sentence for e in st.timeline for s in e.sources}
    assert not any("Russia" in s for s in sentences)


def test_before_publication_nothing_is_known(seed_db, situation) -> None:  # type: ignore[no-untyped-def]
    st = build_status(seed_db, situation, as_of=at("2026-03-10 12:00"))
    assert st.state == "unknown"
    assert st.timeline == [] and st.upcoming is None and st.sources == []
    assert st.confidence == 0.0


def test_confidence_in_range_and_json_keys(seed_db, situation) -> None:  # type: ignore[no-untyped-def]
    st: Status = build_status(seed_db, situation, as_of=at("2026-03-11 18:00"))
    assert 0.2 < st.confidence < 0.8
    data = to_jsonable(st)
    for key in (
        "situation",
        "title",
        "as_of",
        "state",
        "since",
        "previous",
        "upcoming",
        "timeline",
        "caveats",
        "confidence",
        "newest_report",
    ):
        assert key in data
    assert set(data["upcoming"]) >= {"state", "date", "overdue", "sources"}
    entry = data["timeline"][0]
    assert set(entry) >= {"date", "state", "modality", "sources"}
    assert set(entry["sources"][0]) >= {"outlet", "url", "published_at", "sentence"}


def test_unknown_situation_words_give_unknown(tmp_path: Path) -> None:
    db = open_db(tmp_path / "empty.db")
    sit = Situation("x", "Nowhere ferry", [["Atlantis"], ["Lemuria"]], ["ferry"])
    st = build_status(db, sit, as_of=at("2026-03-11 00:00"))
    assert (st.state, st.timeline, st.caveats, st.newest_report) == ("unknown", [], [], None)
