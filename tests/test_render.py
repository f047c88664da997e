"""Templates and filters: every reply kind renders, hostile text stays text, wording is right."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest

from bot.config import ROOT
from bot.models import DateRef, Reply
from bot.render import (
    age,
    check_html,
    clip,
    dateref,
    environment,
    on_date,
    plural,
    render,
    render_json,
    safe_url,
    short_date,
    state_emoji,
    utf16_len,
)
from tests.test_render_samples import NOW, brief, replies, search, status

TEXT_ONLY = {"banner", "buttons"}


def kinds_in_templates() -> set[str]:
    names = {p.name for p in (ROOT / "templates").glob("*.j2") if not p.name.startswith("_")}
    return {n.split(".")[0] for n in names}


def test_every_kind_has_both_formats() -> None:
    names = {p.name for p in (ROOT / "templates").glob("*.j2")}
    for kind in kinds_in_templates() - TEXT_ONLY:
        assert f"{kind}.html.j2" in names and f"{kind}.txt.j2" in names, kind


def test_samples_cover_every_kind() -> None:
    covered = {r.kind for r in replies()} | TEXT_ONLY | {"slow_down"}
    assert kinds_in_templates() <= covered


@pytest.mark.parametrize("reply", replies(), ids=lambda r: r.kind)
def test_html_is_valid_telegram_html(reply: Reply) -> None:
    chunks = render(reply, "html")
    assert chunks
    for chunk in chunks:
        check_html(chunk)
        assert utf16_len(chunk) <= 4096
        # Hostile text never becomes markup.
        assert "<script" not in chunk and "<pre>" not in chunk
        assert 'href="javascript' not in chunk
        for href in re.findall(r'href="([^"]*)"', chunk):
            assert safe_url(html.unescape(href))


@pytest.mark.parametrize("reply", replies(), ids=lambda r: r.kind)
def test_text_renders_unescaped(reply: Reply) -> None:
    [text] = render(reply, "text")
    assert text.strip()
    assert "\n\n\n" not in text


def test_text_keeps_hostile_strings_literal() -> None:
    [text] = render(Reply("message", {"text": "<b>x</b> & y"}), "text")
    assert text == "<b>x</b> & y"
    [chunk] = render(Reply("message", {"text": "<b>x</b> & y"}), "html")
    assert chunk == "&lt;b&gt;x&lt;/b&gt; &amp; y"


def test_slow_down_renders_with_and_without_model() -> None:
    for model in ({"retry_in": 12}, None):
        [chunk] = render(Reply("slow_down", model))
        check_html(chunk)
    assert "12 seconds" in render(Reply("slow_down", {"retry_in": 12}))[0]


def test_environment_escapes_html_only() -> None:
    env = environment()
    assert env.autoescape("x.html.j2") is True  # type: ignore[operator]
    assert env.autoescape("x.txt.j2") is False  # type: ignore[operator]
    with pytest.raises(Exception, match="undefined"):
        env.from_string("{{ nothing }}").render()


def test_unknown_format_rejected() -> None:
    with pytest.raises(ValueError):
        render(Reply("busy", {}), "markdown")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- wording


def test_brief_header_stories_and_links() -> None:
    [chunk] = render(Reply("brief", brief()))
    assert "· last 7 days" in chunk
    assert "1 outlet · newest 30m ago" in chunk
    assert "2 outlets · newest 5h ago" in chunk
    assert "Stories 1–5 of 12." in chunk
    # Up to 3 links a story.
    first = chunk.split("<b>2.</b>")[0]
    assert first.count(" · ") <= 4


def test_brief_fallback_note() -> None:
    b = brief(fallback=True)
    # The asked week was empty; the stories are the most recent coverage, the 10th and 11th.
    b.as_of = dt.datetime(2026, 3, 25, 12, tzinfo=dt.UTC)
    b.requested_from = b.as_of - dt.timedelta(days=7)  # type: ignore[attr-defined]
    b.requested_to = b.as_of  # type: ignore[attr-defined]
    b.window_from = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)
    b.window_to = dt.datetime(2026, 3, 11, 9, tzinfo=dt.UTC)
    [text] = render(Reply("brief", b), "text")
    assert "· last 7 days" in text
    assert "Nothing in the last 7 days; the most recent coverage, 2026-03-10 to 2026-03-11:" in text
    del b.requested_from, b.requested_to  # type: ignore[attr-defined]
    [text] = render(Reply("brief", b), "text")
    assert "Nothing in the period you asked for; the most recent coverage, 2026-03-10" in text


def test_brief_windows() -> None:
    b = brief(empty=True)
    b.window_from = b.window_to - dt.timedelta(hours=24)
    assert "last 24 hours" in render(Reply("brief", b), "text")[0]
    b.window_from = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    b.window_to = dt.datetime(2026, 3, 8, 23, 59, 59, tzinfo=dt.UTC)
    [text] = render(Reply("brief", b), "text")
    assert "2026-03-01 to 2026-03-08" in text
    assert "Nothing about" in text and "from 2026-03-01 to 2026-03-08" in text


def test_status_parts() -> None:
    [chunk] = render(Reply("status", status()))
    assert "🔴 <b>Suspended</b> since 2020" in chunk
    assert "Before that: operating" in chunk
    assert "on 2026-03-12" in chunk and "<b>overdue</b>" in chunk
    assert "confidence 62%" in chunk  # 0.625: Jinja rounds half to even
    assert "newest report 3h ago" in chunk
    # 3-5 newest entries, newest first.
    latest = chunk.split("<b>Latest changes</b>")[1].split("<b>Caveats</b>")[0]
    assert 3 <= latest.count("•") <= 5
    assert latest.index("2026-03-12") < latest.index("May 2025") < latest.index("2020 —")
    assert "and 2 more" in chunk


def test_status_not_overdue_and_empty() -> None:
    s = status()
    assert s.upcoming is not None
    s.upcoming.overdue = False
    [text] = render(Reply("status", s), "text")
    assert "Next: operating on 2026-03-12" in text and "OVERDUE" not in text
    [text] = render(Reply("status", status(empty=True)), "text")
    assert "❔ Unknown" in text and "No reported changes" in text


def test_timeline_oldest_first() -> None:
    [text] = render(Reply("timeline", status()), "text")
    assert text.index("2020 · suspended") < text.index("May 2025") < text.index("2026-03-12 ·")
    assert "3 outlets" in text


def test_search_hits_bold_and_paging() -> None:
    chunk = "\n".join(render(Reply("search", search())))
    assert chunk.count("<b>") >= 5
    assert "<b>6.</b>" in chunk  # page 2 of 5 a page
    assert "Page 2/5" in chunk
    assert "No articles match" in render(Reply("search", search(empty=True)))[0]


def test_help_has_an_example_for_every_command() -> None:
    from tests.test_render_samples import COMMANDS

    [text] = render(Reply("help", {"commands": COMMANDS, "command": None, "bot_username": "b"}))
    for c in COMMANDS:
        assert f"e.g. <code>/{c['name']}" in text


def test_long_reply_splits_into_valid_chunks() -> None:
    b = brief()
    for s in b.stories:
        s.key_sentence = "Word " * 130  # clipped at 700 characters each
    long_status = status()
    long_status.timeline = long_status.timeline * 200
    chunks = render(Reply("timeline", long_status))
    assert len(chunks) > 1
    for chunk in chunks:
        check_html(chunk)


def test_render_json() -> None:
    data = json.loads(render_json(Reply("status", status())))
    assert data["state"] == "suspended"
    assert data["as_of"] == "2026-03-11T12:00:00Z"
    assert data["upcoming"]["precision"] == "day" and data["upcoming"]["date"]
    assert "中文" in render_json(Reply("message", {"text": "中文"}))


# ----------------------------------------------------------------------------- filters


def test_age() -> None:
    assert age(NOW, NOW) == "just now"
    assert age(NOW - dt.timedelta(minutes=5), NOW) == "5m ago"
    assert age(NOW - dt.timedelta(hours=2, minutes=59), NOW) == "2h ago"
    assert age(NOW - dt.timedelta(days=3), NOW) == "3d ago"
    assert age(dt.datetime(2026, 3, 3, tzinfo=dt.UTC), NOW) == "3 Mar"
    assert age(dt.datetime(2025, 3, 3, tzinfo=dt.UTC), NOW) == "3 Mar 2025"
    assert age(NOW + dt.timedelta(days=1), NOW) == "12 Mar"
    assert age(None, NOW) == ""
    assert age(NOW.replace(tzinfo=None) - dt.timedelta(hours=1), NOW) == "1h ago"


def test_dates() -> None:
    assert short_date(dt.date(2026, 3, 3)) == "3 Mar 2026"
    assert dateref(DateRef(dt.date(2020, 1, 1), "year")) == "2020"
    assert dateref(DateRef(dt.date(2020, 3, 1), "month")) == "March 2020"
    assert dateref(DateRef(dt.date(2026, 3, 12), "day")) == "2026-03-12"
    assert on_date(DateRef(dt.date(2020, 1, 1), "year")) == "in 2020"
    assert on_date(DateRef(dt.date(2026, 3, 12), "day")) == "on 2026-03-12"
    assert dateref(None) == on_date(None) == ""


def test_small_filters() -> None:
    assert plural(1, "outlet") == "1 outlet"
    assert plural(0, "outlet") == "0 outlets"
    assert plural(2, "story", "stories") == "2 stories"
    assert state_emoji("operating") == "🟢" and state_emoji("nonsense") == "❔"
    assert clip("short", 10) == "short"
    assert len(clip("word " * 100, 50)) <= 50 and clip("word " * 100, 50).endswith("…")


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.org/x?a=1&b=2", True),
        ("http://例え.jp/", True),
        ("HTTPS://EXAMPLE.ORG", True),
        ("javascript:alert(1)", False),
        ("data:text/html,x", False),
        ("tg://user?id=1", False),
        ("//example.org", False),
        ("https://", False),
        ("https://exa mple.org", False),
        ("https://example.org/\x00", False),
        ("https://example.org/" + "x" * 3000, False),
        (None, False),
    ],
)
def test_safe_url(url: str | None, ok: bool) -> None:
    assert safe_url(url) is ok
