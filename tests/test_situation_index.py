"""The articles about each declared situation, marked at ingest (bot.store.situations).

/status reads a declared situation's articles from this index; it must answer exactly what
searching and testing every candidate would, and never trust marks made under another
definition of the situation.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

from bot.analysis.entities import build_tagger
from bot.analysis.relevance import SituationTag, signature
from bot.briefing.status import build_status
from bot.briefing.topics import Catalog, default_tagger, situation_match
from bot.ingest import ingest_paths, ingest_records
from bot.models import RawArticle, to_jsonable
from bot.store import open_db, situations
from tests.conftest import SEEDS

AS_OF = dt.datetime(2026, 3, 14, 12, 0, tzinfo=dt.UTC)
SITUATION = Catalog.load().resolve_situation("beijing-pyongyang")


def marked(db: Any, key: str) -> list[str]:
    rows = db.execute(
        "SELECT a.title FROM situation_articles s JOIN articles a ON a.id = s.article_id"
        " WHERE s.situation = ? ORDER BY a.id",
        [key],
    ).fetchall()
    return [r[0] for r in rows]


def raw(title: str, body: str, day: int) -> RawArticle:
    return RawArticle(
        title=title,
        body=body,
        published_at=dt.datetime(2026, 3, day, 9, 0, tzinfo=dt.UTC),
        url=f"https://example.test/{day}/{abs(hash(title))}",
        outlet="Example News",
    )


def test_the_seed_article_is_marked_with_the_current_definition(seeded_db: Any) -> None:
    assert len(marked(seeded_db, "beijing-pyongyang")) == 1
    assert situations.is_tagged(seeded_db, "beijing-pyongyang", signature(SITUATION))


def test_status_from_the_index_equals_status_from_search(seeded_db: Any) -> None:
    indexed = to_jsonable(build_status(seeded_db, SITUATION, as_of=AS_OF))
    seeded_db.execute("DELETE FROM situation_tags")  # the index is no longer trusted
    assert not situations.is_tagged(seeded_db, "beijing-pyongyang", signature(SITUATION))
    searched = to_jsonable(build_status(seeded_db, SITUATION, as_of=AS_OF))
    assert json.dumps(indexed, sort_keys=True) == json.dumps(searched, sort_keys=True)
    assert indexed["state"] == "suspended"
    assert indexed["upcoming"]["overdue"] is True


def test_new_articles_are_marked_only_when_about_the_situation(seeded_db: Any) -> None:
    ingest_records(
        seeded_db,
        [
            raw(
                "First Beijing-Pyongyang train arrives",
                "The K27 passenger train from Beijing arrived in Pyongyang on Friday, the first"
                " service between the two capitals since 2020.",
                13,
            ),
            raw(
                "China and North Korea sign trade deal",
                "China and North Korea signed an agreement on customs procedures in Beijing on"
                " Friday. Officials did not mention transport.",
                13,
            ),
        ],
        now=AS_OF,
    )
    titles = marked(seeded_db, "beijing-pyongyang")
    assert "First Beijing-Pyongyang train arrives" in titles
    assert "China and North Korea sign trade deal" not in titles
    st = build_status(seeded_db, SITUATION, as_of=AS_OF)
    assert st.state == "operating"


def test_a_changed_definition_is_retagged_by_the_next_ingest(seeded_db: Any) -> None:
    narrower = dataclasses.replace(SITUATION, facets=["marathon"])
    tag = SituationTag.of(narrower, situation_match(narrower))
    assert tag.signature != signature(SITUATION)
    with seeded_db.conn:
        done = situations.sync(seeded_db, [tag])
    assert done == {"beijing-pyongyang": 0}  # the seed says nothing of a marathon
    assert marked(seeded_db, "beijing-pyongyang") == []
    assert not situations.is_tagged(seeded_db, "beijing-pyongyang", signature(SITUATION))
    # The next ordinary ingest puts the real definition back.
    ingest_records(seeded_db, [], now=AS_OF)
    assert len(marked(seeded_db, "beijing-pyongyang")) == 1
    assert situations.is_tagged(seeded_db, "beijing-pyongyang", signature(SITUATION))
    with seeded_db.conn:
        assert situations.sync(seeded_db, default_tagger().situations) == {}  # nothing to redo


def test_a_database_ingested_without_marks_still_answers(tmp_path: Path) -> None:
    db = open_db(tmp_path / "old.db")
    ingest_paths(db, [SEEDS], now=AS_OF, tagger=build_tagger([]))  # marks nothing
    assert marked(db, "beijing-pyongyang") == []
    st = build_status(db, SITUATION, as_of=AS_OF)  # searched, then tested
    assert st.state == "suspended"
    assert st.upcoming is not None and st.upcoming.date.value == dt.date(2026, 3, 12)
    db.conn.close()


def test_one_side_and_the_subject_is_not_another_pair_situation() -> None:
    """A Beijing–Pyongyang train report names Pyongyang and trains throughout; it is not about
    Russia–North Korea travel until it names Russia somewhere."""
    from bot.analysis.sentences import split_sentences

    tagger = default_tagger()
    beijing = (
        "The passenger train between Beijing and Pyongyang resumed on Monday. "
        "The Pyongyang-bound train left at 17:27, the operator said. "
        "Trains to Pyongyang will run four times a week."
    )
    title = "Pyongyang passenger train resumes after six years"
    about = tagger.situations_of(title, split_sentences(beijing))
    assert "beijing-pyongyang" in about
    assert "russia-dprk" not in about
    moscow = beijing + " A separate service from Moscow resumed in 2025."
    assert "russia-dprk" in tagger.situations_of(title, split_sentences(moscow))
