"""Readers: every input format, every way a file can be unusable."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bot.config import ROOT
from bot.errors import IngestError
from bot.ingest import readers
from bot.ingest.readers import parse_date, read_file, read_file_detailed

SEED = ROOT / "seeds" / "000_eba980bd3d31b10d.txt"
SEED_LEAD = (
    "China and North Korea has decided strengthen relationship amid escalating conflict "
    "in the Middle East."
)
UTC = dt.UTC


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def one(path: Path) -> readers.RawArticle:
    found = read_file(path)
    assert len(found) == 1
    return found[0]


# ----------------------------------------------------------------------------- seed format


def test_seed_file() -> None:
    art = one(SEED)
    assert art.published_at == dt.datetime(2026, 3, 11, tzinfo=UTC)
    assert art.title == SEED_LEAD
    assert art.body.startswith(SEED_LEAD + "\n")
    assert "The Guardian reported" in art.body
    assert art.body.rstrip().endswith("since the start of the Ukraine war.")
    assert "date 2026" not in art.body
    assert art.url is None and art.outlet is None  # attribution in the text is not the outlet
    assert art.source_path == str(SEED)


def test_seed_with_bom_crlf_and_leading_space(tmp_path: Path) -> None:
    text = "\ufeff date 2026-03-11 First sentence here.\r\nSecond line.\r\nThird line.\r\n"
    art = one(write(tmp_path, "a.txt", text))
    assert art.title == "First sentence here."
    assert art.body == "First sentence here.\nSecond line.\nThird line."
    assert "\r" not in art.body


def test_seed_long_lead_title_trimmed_at_word(tmp_path: Path) -> None:
    lead = " ".join(["Pyongyang"] * 30) + " finally."
    art = one(write(tmp_path, "a.txt", f"date 2026-03-11 {lead}\nMore text.\n"))
    assert len(art.title) <= readers.TITLE_LIMIT + 1
    assert art.title.endswith("Pyongyang…")
    assert art.body.startswith(lead)


def test_seed_lead_with_two_sentences_titles_the_first(tmp_path: Path) -> None:
    art = one(write(tmp_path, "a.txt", "date 2026-03-11 Trains resume. Tickets on sale.\nBody.\n"))
    assert art.title == "Trains resume."
    assert art.body.startswith("Trains resume. Tickets on sale.")


def test_seed_bad_date(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="invalid date"):
        read_file(write(tmp_path, "a.txt", "date 2026-13-45 Something happened.\nBody.\n"))


def test_seed_date_only_line(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no article text"):
        read_file(write(tmp_path, "a.txt", "date 2026-03-11\n\n"))


# ----------------------------------------------------------------------------- text & markdown


def test_text_with_header_lines(tmp_path: Path) -> None:
    text = (
        "Title: Trains to resume\n"
        "Author: Jane Doe\n"
        "Date: 11 March 2026\n"
        "Source: The Example Times\n"
        "URL: https://www.example.com/trains#comments\n"
        "\n"
        "Passenger trains will run again. Tickets are on sale.\n"
    )
    art = one(write(tmp_path, "a.txt", text))
    assert art.title == "Trains to resume"
    assert art.published_at == dt.datetime(2026, 3, 11, tzinfo=UTC)
    assert art.outlet == "The Example Times"
    assert art.url == "https://www.example.com/trains"
    assert art.body == "Passenger trains will run again. Tickets are on sale."


def test_text_outlet_from_url_when_no_source(tmp_path: Path) -> None:
    text = "Date: 2026-03-11T08:30:00+09:00\nURL: https://www.nknews.org/x\n\nSomething happened.\n"
    art = one(write(tmp_path, "a.txt", text))
    assert art.outlet == "nknews.org"
    assert art.published_at == dt.datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    assert art.title == "Something happened."


def test_markdown_front_matter_and_heading(tmp_path: Path) -> None:
    text = (
        "---\n"
        "date: 2026-03-11\n"
        'source: "Yonhap"\n'
        "tags: [dprk, rail]\n"
        "---\n"
        "\n"
        "# Beijing–Pyongyang train to resume\n"
        "\n"
        "The **first** service leaves on [Thursday](https://example.com/t), officials said.\n"
        "\n"
        "## Background\n"
        "\n"
        "> Services were halted in 2020.\n"
    )
    art = one(write(tmp_path, "a.md", text))
    assert art.title == "Beijing–Pyongyang train to resume"
    assert art.outlet == "Yonhap"
    assert art.published_at == dt.datetime(2026, 3, 11, tzinfo=UTC)
    assert "The first service leaves on Thursday, officials said." in art.body
    assert "Background" in art.body and "#" not in art.body
    assert "Services were halted in 2020." in art.body
    assert "https://" not in art.body


def test_markdown_setext_heading(tmp_path: Path) -> None:
    text = "Date: 2026-03-11\n\nTrains resume\n=============\n\nThe service restarts.\n"
    art = one(write(tmp_path, "a.md", text))
    assert art.title == "Trains resume"
    assert art.body == "The service restarts."


def test_text_headline_line_becomes_title(tmp_path: Path) -> None:
    text = (
        "Date: 2026-03-11\n\nTrains resume after six years\n\nThe service restarts on Thursday.\n"
    )
    art = one(write(tmp_path, "a.txt", text))
    assert art.title == "Trains resume after six years"
    assert art.body == "The service restarts on Thursday."


def test_text_without_date_is_skipped(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no publication date"):
        read_file(write(tmp_path, "a.txt", "Title: Trains\n\nTrains resume on Thursday.\n"))
    with pytest.raises(IngestError, match="no publication date"):
        read_file(write(tmp_path, "b.md", "# Trains\n\nTrains resume on Thursday.\n"))


def test_text_with_unparseable_date(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="unparseable publication date"):
        read_file(write(tmp_path, "a.txt", "Date: last Tuesday\n\nTrains resume.\n"))


def test_body_that_looks_like_a_header_is_kept(tmp_path: Path) -> None:
    text = "Date: 2026-03-11\nNote: this line is text, not a header.\nMore text.\n"
    art = one(write(tmp_path, "a.txt", text))
    assert art.body.startswith("Note: this line is text")


# ----------------------------------------------------------------------------- encodings & junk


@pytest.mark.parametrize("content", [b"", b"   \n\n\t  \n", "\ufeff\n".encode()])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(IngestError, match="empty file"):
        read_file(write(tmp_path, "a.txt", content))


@pytest.mark.parametrize(
    "content",
    [
        b"date 2026-03-11 Hello\x00\x01\x02 world\n",
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 50 + b"text",
    ],
)
def test_binary_file(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(IngestError, match="binary file"):
        read_file(write(tmp_path, "a.txt", content))


def test_latin1_text_is_read_as_cp1252(tmp_path: Path) -> None:
    text = "date 2026-03-11 Caf\xe9 owners in S\xe3o Paulo pay \xa35 more.\nIt\x92s dearer.\n"
    art = one(write(tmp_path, "a.txt", text.encode("latin-1")))
    assert art.title == "Café owners in São Paulo pay £5 more."
    assert "It’s dearer." in art.body  # 0x92 is cp1252's right single quote


@pytest.mark.parametrize(
    ("content", "label"),
    [
        ("date 2026-03-11 Поезд между Пекином и Пхеньяном.\n".encode("koi8-r"), "koi8-r"),
        ("date 2026-03-11 北京と平壌の間の列車が再開。\n".encode("shift_jis"), "shift_jis"),
        # UTF-8 with one corrupt byte: reading it as cp1252 would index mojibake ("CafÃ©").
        ("date 2026-03-11 Café owners.\n".encode() + b"\xff\n", "corrupt utf-8"),
    ],
)
def test_undecodable(tmp_path: Path, content: bytes, label: str) -> None:
    with pytest.raises(IngestError, match="undecodable"):
        read_file(write(tmp_path, "a.txt", content))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-16-le", "utf-8-sig", "utf-32"])
def test_unicode_with_bom(tmp_path: Path, encoding: str) -> None:
    text = "date 2026-03-11 Pyongyang’s trains resume.\r\nMore.\r\n"
    data = text.encode(encoding)
    if encoding in ("utf-16-be", "utf-16-le"):
        data = ("\ufeff" + text).encode(encoding)
    art = one(write(tmp_path, "a.txt", data))
    assert art.title == "Pyongyang’s trains resume."
    assert art.body == "Pyongyang’s trains resume.\nMore."


def test_unsupported_extension(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"unsupported file type '\.pdf'"):
        read_file(write(tmp_path, "a.pdf", b"%PDF-1.7"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="cannot read"):
        read_file(tmp_path / "nope.txt")


# ----------------------------------------------------------------------------- HTML

BOILERPLATE_HTML = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>Trains to resume between China and North Korea | The Example Post</title>
<meta property="og:site_name" content="The Example Post">
<link rel="canonical" href="https://www.examplepost.com/world/trains-resume">
<meta property="article:published_time" content="2026-03-11T07:30:00+09:00">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/culture">Culture</a></li></ul></nav>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies.</div>
<article>
<h1>Trains to resume between China and North Korea</h1>
<p>Passenger train services between China and North Korea are to resume this week, six years
after their suspension because of the Covid-19 pandemic, travel operators have said.</p>
<p>Train journeys between the two countries were halted in 2020 as strict border closures were
imposed to prevent the virus spreading.</p>
<p>China’s foreign ministry spokesperson did not confirm the reports when asked at a media
briefing on Tuesday.</p>
</article>
<aside class="related"><h3>Most read</h3><ul><li><a href="/a">Celebrity chef opens cafe</a></li>
<li><a href="/b">Ten best beaches</a></li></ul></aside>
<footer><p>Sign up to our newsletter.</p><p>© 2026 The Example Post. All rights reserved.</p>
</footer></body></html>
"""


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    art = one(write(tmp_path, "a.html", BOILERPLATE_HTML))
    assert art.title.startswith("Trains to resume between China and North Korea")
    assert art.published_at == dt.datetime(2026, 3, 10, 22, 30, tzinfo=UTC)
    assert art.outlet == "The Example Post"
    assert art.url == "https://www.examplepost.com/world/trains-resume"
    assert art.language == "en"
    assert "halted in 2020" in art.body
    assert "did not confirm the reports" in art.body
    for junk in ("cookies", "Sign up", "All rights reserved", "Most read", "beaches", "Home"):
        assert junk not in art.body
    # The headline is the title, not a first "sentence" run into the lead.
    assert not art.body.startswith("Trains to resume")


def test_html_json_ld_date_and_domain_outlet(tmp_path: Path) -> None:
    ld = json.dumps({"@type": "NewsArticle", "datePublished": "2026-03-09T10:00:00Z"})
    html = (
        BOILERPLATE_HTML.replace('<meta property="og:site_name" content="The Example Post">', "")
        .replace('<meta property="article:published_time" content="2026-03-11T07:30:00+09:00">', "")
        .replace(" | The Example Post", "")
        .replace("</head>", f'<script type="application/ld+json">{ld}</script></head>')
    )
    art = one(write(tmp_path, "a.htm", html))
    assert art.published_at == dt.datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
    assert art.outlet in ("examplepost.com", "Examplepost.com")


def test_html_without_date(tmp_path: Path) -> None:
    html = BOILERPLATE_HTML.replace(
        '<meta property="article:published_time" content="2026-03-11T07:30:00+09:00">', ""
    )
    with pytest.raises(IngestError, match="no publication date"):
        read_file(write(tmp_path, "a.html", html))


def test_html_without_text(tmp_path: Path) -> None:
    html = "<html><head><title>x</title></head><body><nav><a href='/'>Home</a></nav></body></html>"
    with pytest.raises(IngestError, match="no article text"):
        read_file(write(tmp_path, "a.html", html))


def test_html_declared_latin1(tmp_path: Path) -> None:
    html = BOILERPLATE_HTML.replace('charset="utf-8"', 'charset="iso-8859-1"').replace(
        "China’s", "Caf\xe9 owners and China's"
    )
    art = one(write(tmp_path, "a.html", html.replace("©", "(c)").encode("latin-1")))
    assert "Café owners" in art.body


# ----------------------------------------------------------------------------- JSON & JSONL

RECORD = {
    "url": "https://www.example.com/a",
    "title": "Trains resume",
    "body": "The first service left on Thursday.",
    "published_at": "2026-03-12T09:00:00Z",
    "source": "Example News",
}


def test_json_object(tmp_path: Path) -> None:
    art = one(write(tmp_path, "a.json", json.dumps(RECORD)))
    assert art.title == "Trains resume"
    assert art.body == "The first service left on Thursday."
    assert art.published_at == dt.datetime(2026, 3, 12, 9, tzinfo=UTC)
    assert art.outlet == "Example News"
    assert art.url == "https://www.example.com/a"


def test_json_key_variants(tmp_path: Path) -> None:
    record = {
        "link": "https://www.yna.co.kr/x",
        "headline": "Trains resume",
        "content": "<p>The first service left.</p><p>More <b>detail</b>.</p>",
        "date": "Thu, 12 Mar 2026 09:00:00 +0900",
        "source": {"id": "yonhap", "name": "Yonhap"},
        "lang": "en",
    }
    art = one(write(tmp_path, "a.json", json.dumps({"articles": [record]})))
    assert art.body == "The first service left.\nMore detail."
    assert art.published_at == dt.datetime(2026, 3, 12, 0, tzinfo=UTC)
    assert art.outlet == "Yonhap"
    assert art.language == "en"


def test_json_outlet_from_url_and_title_from_body(tmp_path: Path) -> None:
    record = {"url": "https://www.nknews.org/x", "text": "One. Two.", "published": "2026-03-12"}
    art = one(write(tmp_path, "a.json", json.dumps(record)))
    assert art.outlet == "nknews.org"
    assert art.title == "One."


def test_json_list_with_bad_records(tmp_path: Path) -> None:
    records = [RECORD, {**RECORD, "published_at": None}, "just a string", {"title": "", "body": ""}]
    path = write(tmp_path, "a.json", json.dumps(records))
    good, problems = read_file_detailed(path)
    assert [a.title for a in good] == ["Trains resume"]
    assert good[0].source_path == f"{path}[0]"
    assert problems == [
        (f"{path}[1]", "no publication date"),
        (f"{path}[2]", "record is a JSON str, not an object"),
        (f"{path}[3]", "no title or body text"),
    ]
    assert read_file(path) == good


def test_json_malformed(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="invalid JSON"):
        read_file(write(tmp_path, "a.json", '{"title": "x", '))
    with pytest.raises(IngestError, match="neither"):
        read_file(write(tmp_path, "b.json", "42"))
    with pytest.raises(IngestError, match="empty JSON list"):
        read_file(write(tmp_path, "c.json", "[]"))


def test_json_all_records_bad_raises(tmp_path: Path) -> None:
    path = write(tmp_path, "a.json", json.dumps([{"title": "x"}, {"title": "y"}]))
    with pytest.raises(IngestError, match="no usable records"):
        read_file(path)


def test_jsonl_keeps_good_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps(RECORD),
        '{"title": "broken", ',
        json.dumps({**RECORD, "url": "https://www.example.com/b", "published_at": "someday"}),
        "",
        json.dumps({**RECORD, "url": "https://www.example.com/c", "title": "Third"}),
    ]
    path = write(tmp_path, "a.jsonl", "\r\n".join(lines) + "\r\n")
    good, problems = read_file_detailed(path)
    assert [a.title for a in good] == ["Trains resume", "Third"]
    assert [a.source_path for a in good] == [f"{path}:1", f"{path}:5"]
    assert [label for label, _ in problems] == [f"{path}:2", f"{path}:3"]
    assert problems[0][1].startswith("invalid JSON")
    assert problems[1][1] == "unparseable publication date 'someday'"


# ----------------------------------------------------------------------------- dates & helpers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-11", dt.datetime(2026, 3, 11, tzinfo=UTC)),
        ("2026-3-1", dt.datetime(2026, 3, 1, tzinfo=UTC)),
        ("2026-03-11T08:00:00Z", dt.datetime(2026, 3, 11, 8, tzinfo=UTC)),
        ("2026-03-11T08:00:00+09:00", dt.datetime(2026, 3, 10, 23, tzinfo=UTC)),
        ("2026-03-11 08:00 UTC", dt.datetime(2026, 3, 11, 8, tzinfo=UTC)),
        ("2026-03-11T08:00:00", dt.datetime(2026, 3, 11, 8, tzinfo=UTC)),  # naive = UTC
        ("Wed, 11 Mar 2026 08:00:00 +0000", dt.datetime(2026, 3, 11, 8, tzinfo=UTC)),
        ("11.03.2026", dt.datetime(2026, 3, 11, tzinfo=UTC)),  # day first
        ("March 11, 2026", dt.datetime(2026, 3, 11, tzinfo=UTC)),
        ("Wednesday, March 11, 2026", dt.datetime(2026, 3, 11, tzinfo=UTC)),
        ("11 марта 2026", dt.datetime(2026, 3, 11, tzinfo=UTC)),  # dateparser fallback
        ("11 March 2026", dt.datetime(2026, 3, 11, tzinfo=UTC)),
        (1773187200, dt.datetime(2026, 3, 11, tzinfo=UTC)),
        (1773187200000, dt.datetime(2026, 3, 11, tzinfo=UTC)),
        # Nothing that would need today's date to complete.
        ("yesterday", None),
        ("3 days ago", None),
        ("Tuesday", None),
        ("March 2026", None),
        ("", None),
        (None, None),
        (True, None),
        ("2026-02-30", None),
    ],
)
def test_parse_date(value: object, expected: dt.datetime | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("url", "outlet"),
    [
        ("https://www.theguardian.com/world/2026/mar/10/x", "theguardian.com"),
        ("http://english.news.cn/x", "english.news.cn"),
        ("not a url", None),
        (None, None),
    ],
)
def test_outlet_from_url(url: str | None, outlet: str | None) -> None:
    assert readers.outlet_from_url(url) == outlet


def test_campaign_tags_are_not_part_of_an_articles_url() -> None:
    from bot.ingest.readers import clean_url

    assert (
        clean_url("https://x.kr/a?id=3&utm_source=rss&utm_medium=feed#top") == "https://x.kr/a?id=3"
    )
    assert clean_url("https://x.kr/a?fbclid=abc") == "https://x.kr/a"
    assert clean_url("https://x.kr/a?page=2") == "https://x.kr/a?page=2"
