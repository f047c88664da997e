"""/search: ranked full-text hits with snippets, paged."""

from __future__ import annotations

import sqlite_utils

from bot.models import SearchResult
from bot.store import fts
from bot.store.search import count_matches, snippets

# Beyond this a user should refine the query; counting every match of a very common word
# costs as much as ranking them all.
MAX_PAGES = 20


def search(
    db: sqlite_utils.Database, text: str, *, page: int = 1, per_page: int = 5
) -> SearchResult:
    """Search articles for what the user typed; raises QueryError for an unsearchable query."""
    match = fts.user_query(text)
    total = count_matches(db, match, cap=MAX_PAGES * per_page)
    page = max(1, min(page, max(1, -(-total // per_page))))
    hits = snippets(db, match, limit=per_page, offset=(page - 1) * per_page)
    return SearchResult(
        query=" ".join(text.split()), hits=hits, total=total, page=page, per_page=per_page
    )
