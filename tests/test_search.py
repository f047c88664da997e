"""/search: ranking, paging, hostile queries."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.briefing.search import MAX_PAGES, search
from bot.errors import QueryError
from bot.models import PreparedArticle
from bot.store import open_db
from bot.store.articles import add_articles

T0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "s.db")
    items = [
        PreparedArticle(
            title=f"Rail report {i}",
            body=f"Train tickets to Pyongyang went on sale, report {i}. Other words here.",
            published_at=T0 + dt.timedelta(hours=i),
            fetched_at=T0,
            content_hash=f"h{i}",
            sentences=[f"Train tickets to Pyongyang went on sale, report {i}."],
            url=f"https://news.test/{i}",
            outlet="News",
        )
        for i in range(12)
    ]
    add_articles(db, items)
    return db


def test_pages_and_totals(db):
    first = search(db, "train tickets", per_page=5)
    assert (first.total, first.pages, first.page) == (12, 3, 1)
    assert len(first.hits) == 5
    last = search(db, "train tickets", page=99, per_page=5)
    assert last.page == 3 and len(last.hits) == 2
    seen = {h.article.id for p in (1, 2, 3) for h in search(db, "train tickets", page=p).hits}
    assert len(seen) == 12


def test_ties_newest_first(db):
    hits = search(db, "pyongyang", per_page=12).hits
    dates = [h.article.published_at for h in hits]
    assert dates == sorted(dates, reverse=True)


def test_no_match_is_an_empty_result(db):
    result = search(db, "zeppelin")
    assert result.total == 0 and result.hits == [] and result.pages == 1


@pytest.mark.parametrize("typed", ["*", '"', "NEAR(", "( ) ^"])
def test_hostile_queries_are_user_errors_or_results(db, typed):
    try:
        search(db, typed)
    except QueryError as exc:
        assert str(exc)


def test_total_is_capped(db):
    assert search(db, "train", per_page=1).total <= MAX_PAGES
