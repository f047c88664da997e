"""Stories filed at ingest (bot.briefing.stories, bot.store.stories).

Filing is conservative: a stored story must never hold two different stories, because /brief
cannot split it again; /brief merges stored stories that its topic shows to be one. So these
tests pin what filing must do (copies and rewrites together, with copies marked; different
stories apart, round-ups included) and that a brief reads the same from stored stories as
from a database whose articles were never filed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests import test_brief_probe as probe
from tests import test_brief_stories as stories_corpora
from tests.test_brief_probe import Ingested


def filed(c: Ingested) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for story, article in c.db.execute("SELECT story_id, article_id FROM story_articles"):
        out.setdefault(story, set()).add(c.labels[article])
    return out


def story_of(c: Ingested, label: str) -> set[str]:
    return next(g for g in filed(c).values() if label in g)


def copies(c: Ingested) -> dict[str, str]:
    rows = c.db.execute("SELECT article_id, copy_of FROM story_articles WHERE copy_of IS NOT NULL")
    return {c.labels[a]: c.labels[b] for a, b in rows}


CORPORA = {
    "dprk": (stories_corpora.DPRK, stories_corpora.DPRK_NOW),
    "japan": (stories_corpora.JAPAN, stories_corpora.JAPAN_NOW),
    "iran": (stories_corpora.IRAN, stories_corpora.IRAN_NOW),
    "china": (probe.CHINA, probe.CHINA_NOW),
    "pair": (probe.PAIR, probe.PAIR_NOW),
}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Ingested]:
    return {
        name: Ingested(tmp_path_factory.mktemp(name), articles, now=now)
        for name, (articles, now) in CORPORA.items()
    }


def test_every_article_is_filed_once(ingested: dict[str, Ingested]) -> None:
    for c in ingested.values():
        labels = [label for g in filed(c).values() for label in g]
        assert sorted(labels) == sorted(c.ids)


def test_syndicated_copies_are_filed_as_copies_of_the_wire(ingested: dict[str, Ingested]) -> None:
    assert copies(ingested["japan"]) == {"boj_copy": "boj_wire"}
    assert copies(ingested["dprk"]) == {"icbm_copy": "icbm_yonhap"}
    assert story_of(ingested["japan"], "boj_copy") >= {"boj_wire", "boj_copy"}


def test_rewrites_from_other_outlets_are_filed_together(ingested: dict[str, Ingested]) -> None:
    assert story_of(ingested["china"], "sea_ap") == {"sea_ap", "sea_reuters", "sea_gt", "sea_us"}
    assert {"li_wire", "li_copy", "li_xinhua"} <= story_of(ingested["pair"], "li_wire")
    # A story that developed over days, told by several outlets.
    assert {"deal_wire", "arrive_afp", "arrive_irna"} <= story_of(ingested["iran"], "deal_wire")


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_no_stored_story_mixes_two_stories(ingested: dict[str, Ingested], name: str) -> None:
    # Labels name their story before the underscore; round-ups and one-offs have no story
    # (the Iran corpus is one developing story under several labels).
    for group in filed(ingested[name]).values():
        kinds = {label.split("_")[0] for label in group}
        if name == "iran":
            kinds -= {"deal", "arrive", "done", "after"}
        assert len(kinds) <= 1, group


def test_two_state_media_pieces_on_one_leader_stay_apart(
    ingested: dict[str, Ingested],
) -> None:
    # Two state-media pieces on Kim Jong Un the same day: a missile test and a farm visit.
    assert "farm" not in story_of(ingested["dprk"], "icbm_kcna")


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_a_brief_reads_the_same_from_stored_stories_as_without(
    ingested: dict[str, Ingested], name: str, tmp_path: Path
) -> None:
    articles, now = CORPORA[name]
    topic = {"dprk": "dprk", "japan": "japan", "iran": "iran", "china": "china",
             "pair": "china-dprk"}[name]  # fmt: skip
    c = ingested[name]
    with_stories = c.stories(c.brief(topic))
    unfiled = Ingested(tmp_path, articles, now=now)
    unfiled.db.execute("DELETE FROM story_articles")  # an older database, before stories
    without = unfiled.stories(unfiled.brief(topic))
    assert with_stories == without


def test_an_older_database_is_filed_by_the_next_ingest(tmp_path: Path) -> None:
    c = Ingested(tmp_path, stories_corpora.JAPAN, now=stories_corpora.JAPAN_NOW)
    before = sorted(map(sorted, filed(c).values()))
    for table in ("story_articles", "story_features", "story_bands", "story_terms", "story_df"):
        c.db.execute(f"DELETE FROM {table}")
    assert filed(c) == {}
    from bot.ingest import ingest_records

    ingest_records(c.db, [], now=stories_corpora.JAPAN_NOW + dt.timedelta(days=1))
    assert sorted(map(sorted, filed(c).values())) == before


def test_a_story_already_sent_sinks_below_fresh_ones(ingested: dict[str, Ingested]) -> None:
    c = ingested["japan"]
    first = c.brief("japan")
    top = c.stories(first)[0]
    assert "boj_wire" in top
    sent = frozenset(c.ids[label] for label in top)
    again = c.brief("japan", seen=sent)
    assert c.stories(again)[0] != top
    assert top in c.stories(again)  # still there, only lower
    # Nothing sent: the order is the plain one.
    assert c.stories(c.brief("japan", seen=frozenset())) == c.stories(first)
