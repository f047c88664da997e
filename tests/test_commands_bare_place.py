"""/status with a place alone: the best-covered declared situation it takes part in, or a reply
asking for a pair or a subject when it takes part in none."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.commands import Router
from bot.config import Settings
from bot.models import ChatContext

NOW = dt.datetime(2026, 3, 11, 18, 0, tzinfo=dt.UTC)


@pytest.fixture
def router(seeded_db_path: Path) -> Router:
    return Router(Settings(db_path=seeded_db_path))


def ask(router: Router, text: str):  # type: ignore[no-untyped-def]
    return router.handle(text, ChatContext(now=NOW, chat_type="private"))


@pytest.mark.parametrize("place", ["pyongyang", "dprk", "north korea", "N. Korea", "china"])
def test_a_place_in_declared_situations_answers_the_best_covered(router, place) -> None:  # type: ignore[no-untyped-def]
    reply = ask(router, f"/status {place}")
    assert reply.kind == "status"
    assert reply.model.situation == "beijing-pyongyang"
    assert reply.model.state == "suspended"
    presses = [b.callback for row in reply.buttons for b in row if b.callback]
    assert "t:beijing-pyongyang" in presses
    if place != "china":  # North Korea also takes part in russia-dprk: one press away
        assert len(presses) >= 2


def test_the_same_articles_back_status_for_every_name_of_north_korea(router) -> None:  # type: ignore[no-untyped-def]
    cited = {
        place: {ref.id for ref in ask(router, f"/status {place}").model.sources}
        for place in ("dprk", "north korea", "pyongyang")
    }
    assert cited["dprk"] == cited["north korea"] == cited["pyongyang"] != set()


def test_a_place_in_no_declared_situation_asks_for_a_pair_or_subject(router) -> None:  # type: ignore[no-untyped-def]
    reply = ask(router, "/status mongolia")
    assert reply.kind == "notfound"
    assert "alone is not a situation" in reply.model["message"]
