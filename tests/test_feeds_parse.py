"""bot.ingest.feeds: feed documents to entries, OPML, discovery, seeds/feeds.toml.

Fixtures in tests/data/feeds/ are modelled on real outlets' feeds (WordPress RSS 2.0, an Atom
feed with xml:base, an RDF feed, legacy encodings); the hostile and huge documents are built here.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bot.config import ROOT
from bot.ingest import feeds
from bot.ingest.feeds import (
    FULL_TEXT_MIN_CHARS,
    KEY_MAX_CHARS,
    MAX_ENTRIES,
    MAX_ENTRY_CHARS,
    FeedError,
    discover_feeds,
    entry_key,
    load_feed_specs,
    looks_like_html,
    parse_feed,
    read_opml,
    write_opml,
)
from bot.models import FeedEntry, FeedSpec, ParsedFeed

DATA = Path(__file__).parent / "data" / "feeds"
FETCHED = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
UTC = dt.UTC


def parse(
    name: str,
    url: str = "https://www.example.com/feed/",
    *,
    content_type: str | None = None,
    charset: str | None = None,
) -> ParsedFeed:
    data = (DATA / name).read_bytes()
    return parse_feed(data, url=url, content_type=content_type, charset=charset, fetched_at=FETCHED)


def rss(items: str, *, head: str = '<?xml version="1.0" encoding="UTF-8"?>') -> bytes:
    return (
        f'{head}\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Test</title><link>https://example.com/</link>{items}</channel></rss>"
    ).encode()


def by_title(parsed: ParsedFeed) -> dict[str, FeedEntry]:
    return {e.title: e for e in parsed.entries}


def dated(*dates: str, language: str | None = None, element: str = "pubDate") -> ParsedFeed:
    """A feed with one entry per date, in `language` (<language>), fetched at FETCHED."""
    items = "".join(
        f"<item><title>Story {i}</title><guid>g{i}</guid><{element}>{date}</{element}></item>"
        for i, date in enumerate(dates)
    )
    head = f"<language>{language}</language>" if language else ""
    return parse_feed(rss(head + items), url="https://example.com/feed", fetched_at=FETCHED)


# ----------------------------------------------------------------------------- RSS 2.0


@pytest.fixture(scope="module")
def nknews() -> ParsedFeed:
    return parse("rss2_nknews.xml", "https://www.nknews.org/feed/")


def test_rss2_feed_metadata(nknews: ParsedFeed) -> None:
    assert nknews.title == "NK News – North Korea News"
    assert nknews.link == "https://www.nknews.org"
    assert nknews.language == "en"  # "en-US"


def test_rss2_full_article_from_content_encoded(nknews: ParsedFeed) -> None:
    entry = nknews.entries[0]
    assert entry.key == "guid:https://www.nknews.org/?p=1001"
    assert entry.title == "North Korea opens Rason border crossing to Russian tour groups"
    assert entry.author == "Jeongmin Kim"  # dc:creator in CDATA
    # "Tue, 24 Nov 2026 09:30:00 +0900" is 00:30 UTC, as an aware datetime.
    assert entry.published_at == dt.datetime(2026, 11, 24, 0, 30, tzinfo=UTC)
    assert entry.published_at.utcoffset() == dt.timedelta(0)
    assert not entry.date_estimated
    assert entry.full_text and len(entry.text) >= FULL_TEXT_MIN_CHARS
    assert entry.text.startswith("North Korea reopened the Tumangang crossing")
    assert "“The border guards were polite" in entry.text  # entities decoded
    assert "<p>" not in entry.text and "__nkTrack" not in entry.text  # tags and scripts gone
    assert "appeared first on" not in entry.text  # the WordPress footer is not the story
    assert entry.language == "en"


def test_rss2_teaser_html_entities_and_relative_link(nknews: ParsedFeed) -> None:
    entry = by_title(nknews)["Kim Yo Jong’s statement & Seoul's response"]  # &#8217; &amp;amp;
    assert entry.link == "https://www.nknews.org/2026/11/kim-yo-jong-statement-seoul-response/"
    assert entry.text.startswith("Kim Yo Jong called the drills “a rehearsal for invasion”")
    assert not entry.full_text
    assert entry.author == "Chad O'Carroll"


def test_rss2_entry_without_date_is_estimated(nknews: ParsedFeed) -> None:
    entry = by_title(nknews)["Kim Yo Jong’s statement & Seoul's response"]
    assert entry.published_at == FETCHED and entry.date_estimated


def test_rss2_keys_guid_link_hash(nknews: ParsedFeed) -> None:
    entries = by_title(nknews)
    marathon = entries["Photos: Pyongyang marathon returns"]  # no guid: the link, without #gallery
    assert marathon.link == "https://www.nknews.org/2026/11/photos-pyongyang-marathon-returns/"
    assert marathon.key == "link:" + marathon.link
    untitled = next(e for e in nknews.entries if e.key.startswith("hash:"))  # no guid, no link
    assert untitled.link is None
    assert untitled.title == (
        "Briefly: the Korean Central News Agency said a new reservoir opened in South Hamgyong."
    )
    assert untitled.key == entry_key(None, None, untitled.title, untitled.text)
    assert len(untitled.key) == len("hash:") + 40


def test_rss2_permalink_guid_becomes_the_link(nknews: ParsedFeed) -> None:
    podcast = by_title(nknews)["Podcast: the North Korea News Podcast, episode 300"]
    assert podcast.link == "https://www.nknews.org/podcast/episode-300/"
    assert podcast.key == "guid:https://www.nknews.org/podcast/episode-300/"
    assert podcast.published_at == dt.datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_rss2_empty_entry_is_a_problem_and_duplicates_keep_the_first(nknews: ParsedFeed) -> None:
    assert nknews.problems == [("entry 5", "no title and no text")]
    keys = [e.key for e in nknews.entries]
    assert len(keys) == len(set(keys)) == 7
    rason = [e for e in nknews.entries if e.key == "guid:https://www.nknews.org/?p=1001"]
    assert rason[0].title.endswith("tour groups")  # not the "(updated)" repeat


def test_future_dates_are_not_trusted(nknews: ParsedFeed) -> None:
    entries = by_title(nknews)
    scheduled = entries["Scheduled: KCNA schedule announcement"]  # four days ahead
    assert scheduled.published_at == FETCHED and scheduled.date_estimated
    # Eleven hours ahead: a zone error or an early scheduled post, not a clock running fast. It
    # would sort above today's news; the two-day tolerance this replaces let it through.
    tomorrow = entries["Tomorrow morning in Korea"]
    assert tomorrow.published_at == FETCHED and tomorrow.date_estimated


@pytest.mark.parametrize(
    ("ahead", "trusted"),
    [
        (dt.timedelta(minutes=-30), True),
        (dt.timedelta(minutes=10), True),  # a publisher's clock running a little fast
        (dt.timedelta(minutes=15), True),
        (dt.timedelta(minutes=16), False),
        (dt.timedelta(hours=9), False),  # a Seoul time read as UTC
    ],
)
def test_future_tolerance_is_a_quarter_hour(ahead: dt.timedelta, trusted: bool) -> None:
    when = email.utils.format_datetime(FETCHED + ahead)
    (entry,) = dated(when).entries
    assert entry.date_estimated is not trusted
    assert entry.published_at == (FETCHED + ahead if trusted else FETCHED)


def test_long_summary_that_is_not_a_teaser_is_full_text() -> None:
    body = "Seoul said the talks went well. " * 40  # ~1,300 characters
    parsed = parse_feed(
        rss(
            f"<item><title>Long</title><guid>a</guid><description>{body}</description></item>"
            f"<item><title>Cut</title><guid>b</guid><description>{body} […]</description></item>"
            f"<item><title>Short</title><guid>c</guid><content:encoded>Two lines."
            "</content:encoded></item>"
        ),
        url="https://example.com/feed",
        fetched_at=FETCHED,
    )
    flags = {e.title: e.full_text for e in parsed.entries}
    assert flags == {"Long": True, "Cut": False, "Short": False}


# ----------------------------------------------------------------------------- Atom, RSS 1.0


def test_atom_xml_base_updated_and_content_kinds() -> None:
    parsed = parse("atom_38north.xml", "https://www.38north.org/feed/atom/")
    assert parsed.title == "38 North: Informed Analysis of North Korea"
    assert parsed.link == "https://www.38north.org/"
    assert parsed.language == "en"
    sohae, hwasong, qa = parsed.entries
    # xml:base on the feed and on the entry: "/" + "/2026/11/" + "sohae-new-pad-nearly-complete/"
    assert sohae.link == "https://www.38north.org/2026/11/sohae-new-pad-nearly-complete/"
    assert (
        sohae.title == "Sohae Satellite Launching Station: New Pad Construction “Nearly Complete”"
    )
    assert sohae.published_at == dt.datetime(2026, 11, 23, 23, 0, tzinfo=UTC)  # updated only
    assert sohae.full_text and sohae.text.startswith("Commercial satellite imagery")
    assert "[…]" not in sohae.text  # the html content, not the shorter summary
    assert sohae.author == "Jenny Town"
    assert hwasong.link == "https://www.38north.org/2026/11/hwasong-street-apartments/"
    assert hwasong.text == (
        "Lights are on in most of the Hwasong Street towers.\n"
        "Imagery from November shows cars & buses in the new parking areas."
    )  # xhtml content
    assert hwasong.published_at == dt.datetime(2026, 11, 22, 0, 15, tzinfo=UTC)
    # type="text": the angle brackets are the title's own characters, not markup.
    assert qa.title == 'Q&A: What does "<b>denuclearization</b>" mean now?'
    assert qa.text == "Three experts answer: 5 < 10, and words matter."


def test_rss1_rdf_with_dc_date_and_language() -> None:
    parsed = parse("rdf_nhk.rdf", "https://www3.nhk.or.jp/rss/news/cat6.xml")
    assert parsed.title == "NHKニュース 国際" and parsed.language == "ja"
    missile, talks = parsed.entries
    assert missile.title == "北朝鮮 弾道ミサイル発射か 防衛省"
    assert missile.published_at == dt.datetime(2026, 11, 24, 0, 30, tzinfo=UTC)
    assert missile.author == "NHK" and missile.language == "ja"
    assert missile.key == "guid:https://www3.nhk.or.jp/news/html/20261124/k10014000001000.html"
    assert talks.published_at == dt.datetime(2026, 11, 23, tzinfo=UTC)  # a date alone
    assert talks.language == "en"  # the item's dc:language over the channel's


# ----------------------------------------------------------------------------- dates

# FETCHED is 12:00 UTC, 21:00 in Seoul: 15:10 Seoul time is 06:10 UTC, in the past.
SEOUL_1510 = dt.datetime(2026, 11, 24, 6, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("date", "language", "expected"),
    [
        # Abbreviations feedparser does not know, and reads as UTC: 9 hours in the future.
        ("Tue, 24 Nov 2026 15:10:00 KST", None, SEOUL_1510),
        ("Tue, 24 Nov 2026 15:10:00 KST", "en", SEOUL_1510),
        ("Tue, 24 Nov 2026 15:10:00 JST", "ja", SEOUL_1510),
        ("Tue, 24 Nov 2026 15:10 (KST)", "ko", SEOUL_1510),
        ("2026-11-24 15:10:00 KST", "ko", SEOUL_1510),  # feedparser: 00:00, the time dropped
        ("Tue, 24 Nov 2026 15:10:00 HKT", None, dt.datetime(2026, 11, 24, 7, 10, tzinfo=UTC)),
        ("Tue, 24 Nov 2026 15:10:00 SGT", None, dt.datetime(2026, 11, 24, 7, 10, tzinfo=UTC)),
        ("Tue, 24 Nov 2026 15:10:00 PHT", None, dt.datetime(2026, 11, 24, 7, 10, tzinfo=UTC)),
        ("Tue, 24 Nov 2026 15:10:00 ICT", None, dt.datetime(2026, 11, 24, 8, 10, tzinfo=UTC)),
        ("Tue, 24 Nov 2026 15:10:00 IST", None, dt.datetime(2026, 11, 24, 9, 40, tzinfo=UTC)),
        # CST: China Standard Time in a Chinese feed, US Central (feedparser's reading) elsewhere.
        ("Tue, 24 Nov 2026 15:10:00 CST", "zh", dt.datetime(2026, 11, 24, 7, 10, tzinfo=UTC)),
        ("Tue, 24 Nov 2026 05:10:00 CST", "en", dt.datetime(2026, 11, 24, 11, 10, tzinfo=UTC)),
        # No zone at all: the clock of the feed's country, for ko, ja and zh; UTC otherwise.
        ("2026-11-24 15:10:00", "ko", SEOUL_1510),
        ("2026-11-24T15:10:00", "ja", SEOUL_1510),
        ("Tue, 24 Nov 2026 15:10:00", "ko", SEOUL_1510),
        ("2026-11-24 15:10:00", "zh", dt.datetime(2026, 11, 24, 7, 10, tzinfo=UTC)),
        ("2026-11-24 10:10:00", "en", dt.datetime(2026, 11, 24, 10, 10, tzinfo=UTC)),
        ("2026-11-24 10:10:00", None, dt.datetime(2026, 11, 24, 10, 10, tzinfo=UTC)),
        # A zone given is a zone kept, whatever the language.
        ("Tue, 24 Nov 2026 15:10:00 +0900", "ko", SEOUL_1510),
        ("2026-11-24T15:10:00+09:00", "zh", SEOUL_1510),
        ("2026-11-24T10:10:00Z", "ko", dt.datetime(2026, 11, 24, 10, 10, tzinfo=UTC)),
        ("Tue, 24 Nov 2026 10:10:00 GMT", "ja", dt.datetime(2026, 11, 24, 10, 10, tzinfo=UTC)),
        # A date alone names a day: midnight UTC, not the day before (midnight in Seoul).
        ("2026-11-23", "ko", dt.datetime(2026, 11, 23, tzinfo=UTC)),
        # The dotted Korean form: feedparser reads "2026.11.24 15:10" as 2026-11-01.
        ("2026.11.24 15:10", "ko", SEOUL_1510),
        ("2026.11.24 15:10:30", "ko", SEOUL_1510 + dt.timedelta(seconds=30)),
        ("2026.11.24. 15:10", "ko", SEOUL_1510),
        ("2026.11.24", "ko", dt.datetime(2026, 11, 24, tzinfo=UTC)),
        ("2026/11/24 15:10", "ko", SEOUL_1510),
        ("2026.11.24 10:10", "en", dt.datetime(2026, 11, 24, 10, 10, tzinfo=UTC)),
        ("2026.11.24 15:10 KST", "en", SEOUL_1510),
    ],
)
def test_asian_dates(date: str, language: str | None, expected: dt.datetime) -> None:
    (entry,) = dated(date, language=language).entries
    assert entry.published_at == expected
    assert not entry.date_estimated


def test_naive_time_in_a_korean_feed_is_not_nine_hours_ahead() -> None:
    # 20:30 in Seoul is 11:30 UTC, half an hour before the fetch. Read as UTC it was 8.5 hours
    # in the future, and the old two-day tolerance let it sort above the day's news.
    (entry,) = dated("2026-11-24 20:30:00", language="ko").entries
    assert entry.published_at == dt.datetime(2026, 11, 24, 11, 30, tzinfo=UTC)


def test_entry_language_stands_in_for_a_missing_feed_language() -> None:
    items = (
        "<item><title>A</title><dc:language>ja</dc:language>"
        "<pubDate>2026-11-24 15:10:00</pubDate></item>"
    )
    data = rss(items).replace(b"<rss ", b'<rss xmlns:dc="http://purl.org/dc/elements/1.1/" ')
    (entry,) = parse_feed(data, url="https://example.com/f", fetched_at=FETCHED).entries
    assert entry.published_at == SEOUL_1510


@pytest.mark.parametrize(
    "date", ["2026.13.45 10:00", "2026.02.30", "0001-01-01 05:00:00", "0001.01.01 05:00 KST"]
)
def test_impossible_dates_are_no_dates(date: str) -> None:
    (entry,) = dated(date, language="ko").entries
    assert entry.published_at == FETCHED and entry.date_estimated  # not feedparser's half


def test_other_forms_are_cross_checked_on_the_day() -> None:
    # Not RFC 822 or ISO 8601: readers.parse_date reads it too, and wins when the day differs.
    parsed = dated("2026년 11월 24일", "24.11.2026", "Sun Nov 22 12:00:00 2026", language="ko")
    assert [e.published_at for e in parsed.entries] == [
        dt.datetime(2026, 11, 24, tzinfo=UTC),  # feedparser: 2026-11-01
        dt.datetime(2026, 11, 24, tzinfo=UTC),  # feedparser: nothing
        dt.datetime(2026, 11, 22, 12, 0, tzinfo=UTC),  # asctime: the two agree
    ]


def test_plain_doctype_without_entities_still_parses() -> None:
    parsed = parse("rss091_netscape.xml", "http://www.example.co.kr/rss.xml")
    assert [e.title for e in parsed.entries] == ["Seoul stocks close higher"]
    assert parsed.language == "ko"


def test_text_plain_content_type_still_parses() -> None:
    parsed = parse("rdf_nhk.rdf", content_type="text/plain", charset=None)
    assert len(parsed.entries) == 2


def test_feed_served_as_text_html_is_still_a_feed() -> None:
    parsed = parse("rss2_nknews.xml", content_type="text/html; charset=UTF-8")
    assert len(parsed.entries) == 7


def test_html_entities_undefined_in_xml_still_parse() -> None:
    # &nbsp; and &eacute; without a DTD are not XML: expat fails, feedparser's lenient parser copes.
    parsed = parse_feed(
        rss(
            "<item><title>S&eacute;oul&nbsp;talks &mdash; day 2</title><link>/1</link>"
            "<description>Ministers&nbsp;met &amp; agreed.</description></item>"
        ),
        url="https://example.com/feed",
        fetched_at=FETCHED,
    )
    (entry,) = parsed.entries
    assert entry.title == "Séoul talks — day 2"
    assert entry.text == "Ministers met & agreed."
    assert entry.link == "https://example.com/1"


def test_truncated_feed_keeps_the_entries_before_the_break() -> None:
    data = (DATA / "rss2_nknews.xml").read_bytes()
    cut = data.index(b"<title>Photos: Pyongyang marathon")
    parsed = parse_feed(data[:cut], url="https://www.nknews.org/feed/", fetched_at=FETCHED)
    assert [e.key for e in parsed.entries][:2] == [
        "guid:https://www.nknews.org/?p=1001",
        "guid:https://www.nknews.org/?p=1002",
    ]


# ----------------------------------------------------------------------------- encodings


def test_iso_8859_1_feed_decodes() -> None:
    parsed = parse("latin1_lemonde.xml", "https://www.lemonde.fr/asie-pacifique/rss_full.xml")
    (entry,) = parsed.entries
    assert entry.title == "Séoul et Pékin relancent leur dialogue stratégique"
    assert "« C’est un signal »" in entry.text  # the curly quote: Windows-1252's 0x92
    assert entry.published_at == dt.datetime(2026, 11, 24, 7, 15, tzinfo=UTC)
    assert entry.language == "fr"


def test_the_documents_declaration_wins_over_the_http_charset() -> None:
    parsed = parse("latin1_lemonde.xml", charset="utf-8")
    assert parsed.entries[0].title.startswith("Séoul")


def test_http_charset_when_the_document_declares_none() -> None:
    data = rss("<item><title>Séoul, Pékin</title></item>", head="").lstrip()
    parsed = parse_feed(
        data.decode().encode("cp1252"), url="https://x.org/f", charset="windows-1252",
        fetched_at=FETCHED,
    )  # fmt: skip
    assert parsed.entries[0].title == "Séoul, Pékin"


def test_latin1_label_on_utf8_bytes_reads_utf8() -> None:
    data = rss(
        "<item><title>Séoul — 서울</title></item>",
        head='<?xml version="1.0" encoding="ISO-8859-1"?>',
    )
    parsed = parse_feed(data, url="https://x.org/f", fetched_at=FETCHED)
    assert parsed.entries[0].title == "Séoul — 서울"


def test_euc_kr_label_is_read_as_cp949() -> None:
    # "똠" is in CP949 only; Korean publishers label such pages EUC-KR.
    parsed = parse("euckr_yonhap.xml", "https://www.yna.co.kr/rss/northkorea.xml")
    (entry,) = parsed.entries
    assert entry.title == '北, 동해상으로 탄도미사일 발사…합참 "추가 정보 분석 중"'
    assert entry.text.endswith("똠방각하.")
    assert entry.published_at == dt.datetime(2026, 11, 24, 0, 30, tzinfo=UTC)
    assert entry.language == "ko" and parsed.title == "연합뉴스 북한"


def test_utf16_with_bom() -> None:
    text = (DATA / "rdf_nhk.rdf").read_text(encoding="utf-8")
    data = text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert parse_feed(data, url="https://x.org/f", fetched_at=FETCHED).title == "NHKニュース 国際"


def test_invalid_utf8_names_the_byte_and_offset() -> None:
    data = (DATA / "rss2_nknews.xml").read_bytes()
    offset = data.index(b"Pyongyang marathon")
    broken = data[:offset] + b"\xff" + data[offset:]
    with pytest.raises(FeedError) as caught:
        parse_feed(broken, url="https://www.nknews.org/feed/", fetched_at=FETCHED)
    assert str(caught.value) == f"not valid UTF-8 (invalid byte 0xff at offset {offset})"


def test_invalid_bytes_in_a_declared_charset_name_it() -> None:
    data = (DATA / "euckr_yonhap.xml").read_bytes()
    offset = data.index(b"</title>")
    with pytest.raises(FeedError, match=r"^not valid EUC-KR \(invalid byte 0x\w\w at offset "):
        parse_feed(data[:offset] + b"\xff" + data[offset:], url="https://x", fetched_at=FETCHED)


# ----------------------------------------------------------------------------- hostile input


def test_billion_laughs_is_refused_without_expanding() -> None:
    started = time.perf_counter()
    with pytest.raises(FeedError) as caught:
        parse("billion_laughs.xml")
    assert time.perf_counter() - started < 5  # expanding would take minutes and gigabytes
    assert str(caught.value) == (
        "refused: the feed declares XML entities (a possible entity-expansion attack)"
    )


def test_external_entity_is_refused() -> None:
    with pytest.raises(FeedError, match=r"^refused: the feed declares XML entities"):
        parse("xxe.xml")


BOMB = '<!ENTITY boom "EXPANDED">'
FEED_BODY = (
    '<rss version="2.0"><channel><title>T &boom;</title>'
    "<item><title>x &boom;</title></item></channel></rss>"
)


@pytest.mark.parametrize(
    "prolog",
    [
        # A "<a" in a comment ended the prolog the check looked at: the declaration after it
        # was missed, and feedparser expanded &boom;.
        f"<!-- <a --><!DOCTYPE rss [{BOMB}]>",
        f"<!DOCTYPE rss [<!-- <a --> {BOMB}]>",
        f'<?xml-stylesheet href="<a"?><!DOCTYPE rss [{BOMB}]>',
        # Markup hidden from a pattern in the DOCTYPE's system id: expat's own reading finds it.
        f'<!DOCTYPE rss SYSTEM "<rss " [{BOMB}]>',
        # CDATA in the prolog: expat gives up, the scan skips the CDATA and finds the entity.
        f"<![CDATA[<a]]><!DOCTYPE rss [{BOMB}]>",
        f"<![CDATA[<rss ]]><!DOCTYPE rss [{BOMB}]>",
        # A parameter entity, and lower case where a lenient parser might take it.
        '<!DOCTYPE rss [<!ENTITY % ext SYSTEM "http://evil.example/x.dtd"> %ext;]>',
        f"<!-- <rss> --><!doctype rss [{BOMB.lower()}]>",
    ],
)
def test_entity_declarations_hidden_from_the_check_are_refused(prolog: str) -> None:
    for head in ('<?xml version="1.0" encoding="UTF-8"?>\n', ""):
        data = (head + prolog + FEED_BODY).encode()
        with pytest.raises(FeedError, match=r"^refused: the feed declares XML entities"):
            parse_feed(data, url="https://x.org/f", fetched_at=FETCHED)


def test_comments_and_instructions_before_the_root_still_parse() -> None:
    prolog = (
        '<?xml-stylesheet type="text/xsl" href="/rss.xsl"?>\n'
        "<!-- generated by <b>WordPress</b>; never write <!ENTITY x> here -->\n"
    )
    body = FEED_BODY.replace("&boom;", "&amp;")
    parsed = parse_feed((prolog + body).encode(), url="https://x.org/f", fetched_at=FETCHED)
    assert parsed.title == "T &" and [e.title for e in parsed.entries] == ["x &"]


def test_entity_mentioned_in_an_article_is_not_a_declaration() -> None:
    parsed = parse_feed(
        rss("<item><title>XXE</title><description><![CDATA[Never allow <!ENTITY x SYSTEM "
            '"file:///etc/passwd"> in XML.]]></description></item>'),
        url="https://x.org/f", fetched_at=FETCHED,
    )  # fmt: skip
    assert parsed.entries[0].text.startswith("Never allow")


def test_gigantic_entry_is_skipped_and_the_rest_come_through() -> None:
    paragraph = "<p>The quick brown fox &amp; the <a href='/x'>lazy</a> dog, 38 fences.</p>\n"
    huge = paragraph * (5_000_000 // len(paragraph))
    data = rss(
        "<item><title>Before</title><guid>1</guid><description>First.</description></item>"
        f"<item><title>Huge</title><link>https://example.com/huge</link><guid>2</guid>"
        f"<content:encoded><![CDATA[{huge}]]></content:encoded></item>"
        "<item><title>After</title><guid>3</guid><description>Third.</description></item>"
    )
    assert len(data) > 5_000_000
    started = time.perf_counter()
    parsed = parse_feed(data, url="https://example.com/feed", fetched_at=FETCHED)
    elapsed = time.perf_counter() - started
    assert [e.title for e in parsed.entries] == ["Before", "After"]
    ((label, reason),) = parsed.problems
    assert label == "https://example.com/huge"
    assert reason.startswith("entry too large (") and f"{MAX_ENTRY_CHARS:,}" in reason
    assert elapsed < 30, f"5 MB took {elapsed:.2f} s"


def test_unclosed_scripts_do_not_take_quadratic_time() -> None:
    hostile = "<script>x " * 50_000  # every tag unclosed
    items = (
        f"<item><title>H</title><description><![CDATA[<p>Kept.</p>{hostile}]]></description></item>"
    )
    started = time.perf_counter()
    parsed = parse_feed(rss(items), url="https://example.com/feed", fetched_at=FETCHED)
    assert time.perf_counter() - started < 10  # quadratic took minutes
    assert parsed.entries[0].text == "Kept."  # an unclosed script runs to the end, as in a browser


def test_entries_beyond_the_limit_are_ignored() -> None:
    items = "".join(
        f"<item><title>Story {i}</title><guid>g{i}</guid></item>" for i in range(MAX_ENTRIES + 20)
    )
    parsed = parse_feed(rss(items), url="https://example.com/feed", fetched_at=FETCHED)
    assert len(parsed.entries) == MAX_ENTRIES
    assert parsed.entries[-1].title == f"Story {MAX_ENTRIES - 1}"
    assert parsed.problems == [
        (
            f"entries {MAX_ENTRIES + 1}-{MAX_ENTRIES + 20}",
            "beyond the first 500 entries of the feed",
        ),
    ]


# ----------------------------------------------------------------------------- not a feed


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the document is empty"),
        (b"  \r\n\t ", "the document is empty"),
        (bytes(range(256)) * 8, "binary data"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        (b"Service temporarily unavailable", "text without XML markup"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "without XML markup"),
        (b'<?xml version="1.0"?><sitemap><url><loc>https://x</loc></url></sitemap>', "no RSS"),
        (b"<<<&&&>>> not xml", "not well-formed XML"),
    ],
)
def test_not_a_feed(data: bytes, reason: str) -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed(data, url="https://example.com/feed", fetched_at=FETCHED)
    assert str(caught.value).startswith("not a feed (")
    assert reason in str(caught.value)


def test_empty_channel_is_a_feed_with_no_entries() -> None:
    parsed = parse_feed(rss(""), url="https://example.com/feed", fetched_at=FETCHED)
    assert parsed.title == "Test" and parsed.entries == [] and parsed.problems == []


def test_html_page_is_not_a_feed_and_its_feeds_are_discovered() -> None:
    page = (DATA / "koreaherald_article.html").read_bytes()
    with pytest.raises(FeedError, match=r"^this is a web page, not a feed$"):
        parse_feed(page, url="https://www.koreaherald.com/article/10612345", fetched_at=FETCHED)
    assert discover_feeds(page, "https://www.koreaherald.com/article/10612345") == [
        "https://www.koreaherald.com/rss/newsAll",  # relative, resolved; its #top twin dropped
        "https://www.koreaherald.com/atom/national.xml",  # rel="Alternate", type with charset
        "https://www.koreaherald.com/article/comments/rss",
    ]  # not the hreflang alternate, the JSON feed, nor javascript:


def test_discover_feeds_honours_base_and_copes_with_nothing() -> None:
    page = (
        b'<html><head><base href="https://cdn.example.org/site/">'
        b'<link rel="alternate" type="application/rss+xml" href="rss.xml"></head></html>'
    )
    assert discover_feeds(page, "https://example.org/a/b") == [
        "https://cdn.example.org/site/rss.xml"
    ]
    assert discover_feeds(b"", "https://example.org/") == []
    assert discover_feeds(b"<html><body>No feeds</body></html>", "https://example.org/") == []


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        (b"<!DOCTYPE html><html><head></head></html>", None, True),
        (b"\xef\xbb\xbf\n  <html lang='ko'>", "application/octet-stream", True),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN">',
            None,
            True,
        ),
        (b"<!-- cached --><html>", None, True),
        (b'<?xml version="1.0"?><rss version="2.0">', "text/html", False),
        (b'<feed xmlns="http://www.w3.org/2005/Atom">', "text/html; charset=utf-8", False),
        (b"<p>Error 503</p>", "text/html", True),
        (b'<?xml version="1.0"?><rss version="2.0">', "application/rss+xml", False),
    ],
)
def test_looks_like_html(data: bytes, content_type: str | None, expected: bool) -> None:
    assert looks_like_html(data, content_type) is expected


# ----------------------------------------------------------------------------- entry keys


def test_entry_key_priority() -> None:
    assert entry_key(" tag:x,2026:1 ", "https://x.org/a", "T", "B") == "guid:tag:x,2026:1"
    assert entry_key("   ", "https://x.org/a#top", "T", "B") == "link:https://x.org/a"
    assert entry_key(None, "javascript:alert(1)", "T", "B").startswith("hash:")
    assert entry_key(None, None, "Title  here", "Body\ntext") == entry_key(
        "", "", "title here", "body text"
    )  # whitespace and case do not make a new entry
    assert entry_key(None, None, "A", "B") != entry_key(None, None, "A", "C")


def test_a_guid_shared_by_different_links_keys_them_by_link() -> None:
    # A CMS bug: every item carries the homepage as its guid. Five stories, not one.
    items = "".join(
        f"<item><title>Story {i}</title><link>https://x.kr/news/{i}</link>"
        "<guid>https://x.kr/</guid></item>"
        for i in range(5)
    )
    parsed = parse_feed(rss(items), url="https://x.kr/rss", fetched_at=FETCHED)
    assert [e.key for e in parsed.entries] == [f"link:https://x.kr/news/{i}" for i in range(5)]
    assert parsed.problems == [("https://x.kr/", "guid repeated by 5 entries; keyed by link")]


def test_a_guid_repeated_with_its_link_is_still_one_entry() -> None:
    items = (
        "<item><title>A</title><link>https://x.kr/a</link><guid>tag:x.kr,2026:g1</guid></item>"
        "<item><title>A (again)</title><link>https://x.kr/a</link><guid>tag:x.kr,2026:g1</guid></item>"
        "<item><title>B</title><link>https://x.kr/b</link><guid>tag:x.kr,2026:g2</guid></item>"
        "<item><title>C</title><link>https://x.kr/c</link><guid>tag:x.kr,2026:g2</guid></item>"
        "<item><title>B (again)</title><link>https://x.kr/b</link><guid>tag:x.kr,2026:g2</guid></item>"
        "<item><title>D</title><guid>tag:x.kr,2026:g3</guid></item>"
        "<item><title>D, no link</title><guid>tag:x.kr,2026:g3</guid></item>"
    )
    parsed = parse_feed(rss(items), url="https://x.kr/rss", fetched_at=FETCHED)
    assert [(e.title, e.key) for e in parsed.entries] == [
        ("A", "guid:tag:x.kr,2026:g1"),  # same guid, same link: the repeat is dropped
        ("B", "link:https://x.kr/b"),  # g2 names two links: keyed by link, B's repeat dropped
        ("C", "link:https://x.kr/c"),
        ("D", "guid:tag:x.kr,2026:g3"),  # no links to tell them apart: one entry, as before
    ]
    assert parsed.problems == [("tag:x.kr,2026:g2", "guid repeated by 3 entries; keyed by link")]


def test_long_keys_are_hashed() -> None:
    key = entry_key("x" * 5000, None, "T", "B")
    assert key.startswith("guid:sha1:") and len(key) <= KEY_MAX_CHARS
    long_url = "https://example.com/?" + "q=1&" * 200
    assert entry_key(None, long_url, "T", "B").startswith("link:sha1:")
    assert (
        entry_key(None, "https://example.com/short", "T", "B") == "link:https://example.com/short"
    )


# ----------------------------------------------------------------------------- OPML


def test_opml_round_trip_is_lossless() -> None:
    specs = [
        FeedSpec("https://en.yna.co.kr/RSS/news.xml", "Yonhap News Agency", "en"),
        FeedSpec("https://example.com/feed?a=1&b=2", "Kim & \"Sons\" <Daily> 'NK'", "ko"),
        FeedSpec("https://www.yna.co.kr/rss/northkorea.xml", "연합뉴스 · 北韓 — Ñandú", None),
        FeedSpec("http://example.org/atom.xml", None, "zh"),
        FeedSpec("https://example.net/rss", None, None),
    ]
    text = write_opml(specs, created=dt.datetime(2026, 11, 24, 9, 30, tzinfo=UTC))
    assert read_opml(text.encode("utf-8")) == specs
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    root = ET.fromstring(text.encode("utf-8"))
    assert root.findtext("head/title") == "briefbot feeds"
    assert root.findtext("head/dateCreated") == "Tue, 24 Nov 2026 09:30:00 GMT"
    outline = root.find("body/outline")
    assert outline is not None and outline.attrib == {
        "type": "rss",
        "text": "Yonhap News Agency",
        "title": "Yonhap News Agency",
        "xmlUrl": "https://en.yna.co.kr/RSS/news.xml",
        "language": "en",
    }
    assert "&amp;" in text and "&lt;Daily&gt;" in text and "&quot;Sons&quot;" in text


def test_opml_empty_round_trip() -> None:
    assert read_opml(write_opml([]).encode()) == []


def test_nested_opml_import() -> None:
    specs = read_opml((DATA / "subscriptions_nested.opml").read_bytes())
    assert specs == [
        FeedSpec("https://en.yna.co.kr/RSS/news.xml", "Yonhap News Agency", None),
        FeedSpec("https://www.nknews.org/feed/", "NK News & NK Pro", "en"),
        FeedSpec("https://www.38north.org/feed/", "38 North", None),
        FeedSpec("https://www.dailynk.com/english/feed/", "Daily NK", None),  # text="": the title
        FeedSpec("https://www.scmp.com/rss/4/feed", "SCMP China", None),
        FeedSpec("https://feeds.bbci.co.uk/zhongwen/simp/rss.xml", "BBC 中文", "zh"),
    ]  # the #dup of Yonhap, feed://, an outline without url and a bookmark are not feeds


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa">]><opml><body/></opml>',
            "refused",
        ),
        (b"<!DOCTYPE opml><opml version='2.0'><body/></opml>", "refused"),
        (b"<opml><body><outline", "not valid OPML"),
        (b"", "not valid OPML"),
        (b'<rss version="2.0"><channel/></rss>', "not OPML (the document is <rss>)"),
        (b"<opml version='2.0'><head/></opml>", "not OPML (no <body>)"),
        (b"<opml><body><outline text='\xff' xmlUrl='https://x'/></body></opml>", "not valid UTF-8"),
    ],
)
def test_bad_opml(data: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_opml(data)


# ----------------------------------------------------------------------------- feeds.toml


def test_seed_feeds_are_valid() -> None:
    specs = load_feed_specs(ROOT / "seeds" / "feeds.toml")
    assert 10 <= len(specs) <= 16
    assert len({s.url for s in specs}) == len(specs)
    assert all(s.url.startswith(("https://", "http://")) and s.outlet for s in specs)
    assert all(s.language and len(s.language) == 2 for s in specs)
    assert {"en", "ko", "zh"} <= {s.language for s in specs}
    assert specs[0] == FeedSpec("https://en.yna.co.kr/RSS/news.xml", "Yonhap News Agency", "en")


def test_feed_specs_language_is_optional(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text('[[feed]]\noutlet = " 38 North "\nurl = "https://www.38north.org/feed/"\n')
    assert load_feed_specs(path) == [FeedSpec("https://www.38north.org/feed/", "38 North", None)]
    path.write_text("# nothing yet\n")
    assert load_feed_specs(path) == []


GOOD = 'outlet = "NK News"\nurl = "https://www.nknews.org/feed/"\nlanguage = "en"\n'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[feed]]\noutlet = "X"\nurl = "ftp://example.com/rss"\n', "feed 2: url must be an http"),
        ('[[feed]]\nurl = "https://example.com/rss"\n', "feed 2: outlet must be a non-empty"),
        ('[[feed]]\noutlet = "  "\nurl = "https://example.com/rss"\n', "feed 2: outlet"),
        ('[[feed]]\noutlet = "X"\nurl = "https://e.com/r"\nlanguage = "english"\n', "feed 2: lang"),
        ('[[feed]]\noutlet = "X"\nurl = "https://e.com/r"\nlanguage = "xx"\n', "feed 2: language"),
        ('[[feed]]\noutlet = "X"\nurl = "https://e.com/r"\nlanguage = "EN"\n', "feed 2: language"),
        ('[[feed]]\noutlet = "X"\nurl = "https://e.com/r"\nlang = "en"\n', "unknown key 'lang'"),
        ('[[feed]]\noutlet = "Y"\nurl = "https://www.nknews.org/feed/"\n', "feed 2: duplicate url"),
        ('[[feeds]]\noutlet = "Y"\nurl = "https://e.com/r"\n', "unknown table 'feeds'"),
        ('[[feed]]\noutlet = "Y"\nurl = https://e.com/r\n', "invalid TOML"),
        ("feed = 3\n", "'feed' must be [[feed]] tables"),
    ],
)
def test_bad_feed_specs(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text("[[feed]]\n" + GOOD + "\n" + body if body.startswith("[[feed]]") else body)
    with pytest.raises(FeedError) as caught:
        load_feed_specs(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_missing_feed_specs_file(tmp_path: Path) -> None:
    with pytest.raises(FeedError, match="cannot read"):
        load_feed_specs(tmp_path / "nope.toml")


def test_feed_error_is_an_ingest_error() -> None:
    from bot.errors import IngestError

    assert issubclass(feeds.FeedError, IngestError)
