"""Old coverage keeps its caveats: only newer reports make a caveat history, not the calendar.

Asked months after the seed article (as `make run` does today), /status still has nothing newer
to go on, so what that article qualified stays qualified; staleness is shown separately.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.briefing.status import build_status
from bot.briefing.topics import Catalog
from bot.config import ROOT
from bot.ingest import ingest_paths, ingest_records
from bot.models import RawArticle
from bot.store import open_db

SEED = ROOT / "seeds" / "000_eba980bd3d31b10d.txt"
MONTHS_LATER = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def seed_db(tmp_path):  # type: ignore[no-untyped-def]
    db = open_db(tmp_path / "seed.db")
    ingest_paths(db, [SEED], now=dt.datetime(2026, 3, 11, 12, 0, tzinfo=dt.UTC))
    yield db
    db.conn.close()


def test_caveats_survive_when_nothing_newer_was_reported(seed_db) -> None:  # type: ignore[no-untyped-def]
    st = build_status(
        seed_db, Catalog.load().resolve_situation("beijing-pyongyang"), as_of=MONTHS_LATER
    )
    texts = " ".join(c.text for c in st.caveats)
    assert "tourists are not yet eligible" in texts
    assert "did not confirm" in texts
    assert st.upcoming is not None and st.upcoming.overdue is True


def test_caveats_age_out_against_newer_coverage(seed_db) -> None:  # type: ignore[no-untyped-def]
    # A report a year later about the same link makes the seed's doubts history.
    later = dt.datetime(2027, 3, 20, 9, 0, tzinfo=dt.UTC)
    text = (
        "Passenger trains between Beijing and Pyongyang ran four times a week throughout the"
        " winter, China State Railway Group said on Friday."
    )
    ingest_records(
        seed_db,
        [
            RawArticle(
                title="Beijing-Pyongyang trains keep running",
                body=text,
                published_at=later,
                url="https://example.test/later",
                outlet="Xinhua",
            )
        ],
        now=later,
    )
    st = build_status(
        seed_db,
        Catalog.load().resolve_situation("beijing-pyongyang"),
        as_of=later + dt.timedelta(days=1),
    )
    assert not any("did not confirm" in c.text for c in st.caveats)
