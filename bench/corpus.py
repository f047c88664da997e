"""A seeded synthetic news corpus for benchmarks: same seed, same articles, on any machine.

Shaped like a real crawl where it matters for speed: ~400-word bodies of 15-30-word sentences,
a Zipf vocabulary of about 4,000 words (so a few terms are in every article and most are rare),
place names at realistic frequencies (Pyongyang, Beijing, Seoul, Dandong, ...), two years of
publication dates in order, 200 outlets with their own domains, headlines, a small share of
articles on the Beijing-Pyongyang rail story (dated state changes for the event extractor), and
near-duplicates: rewrites of a recent article by another outlet and exact syndicated copies.

    .venv/bin/python bench/corpus.py 1000 --out /tmp/corpus.jsonl   # then: briefbot ingest it
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import json
import random
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.models import RawArticle  # noqa: E402

START = dt.datetime(2024, 3, 13, tzinfo=dt.UTC)
END = dt.datetime(2026, 3, 13, tzinfo=dt.UTC)  # the seed article is from 2026-03-11
N_OUTLETS = 200
VOCABULARY = 4000
ZIPF_S = 1.07
REWRITE_SHARE = 0.03  # same story retold by another outlet: near-duplicate, not exact
SYNDICATED_SHARE = 0.01  # the same text under another url: an exact duplicate
RAIL_STORY_SHARE = 0.02
COUNTRY_SHARE = 0.03  # sentences naming a country: about 1 article in 12 names North Korea


def _words(text: str) -> list[str]:
    return text.split()


# Most frequent first: the head of a news vocabulary.
COMMON = _words(
    """the of to and a in that said for on is was with he it as at by from his be have
has but are not they this which an were had who will their been would its more she after
or her also one two new year people over government than about up there when what first
last into some other out time could all them week officials told can percent against
minister police million no may would since country state including during president
before because between three president world where while however report years day
where city only under national support if public foreign international military security
local most month many former border health economic years trade workers children two"""
)
NEWS = _words(
    """talks agreement crisis election court law market prices energy oil gas power
company companies bank central inflation rates growth exports imports sanctions ministry
spokesperson statement agency reported according conference meeting summit leaders
delegation visit visited capital region province district officials authorities
service services transport passenger passengers train trains rail railway flights flight
airport airline route station tickets tourists tourism travel operators border crossing
bridge port shipping cargo freight trucks factory plant workers strike union protest
protesters rally march vote voters parliament lawmakers party opposition ruling policy
plan plans project budget fund funds aid food water farmers harvest weather storm flood
floods earthquake fire rescue hospital doctors patients vaccine virus pandemic schools
students university teachers research scientists study data technology internet phone
missile missiles launch test nuclear weapons army troops navy forces defence defense
exercise drills war peace ceasefire talks envoy embassy diplomats diplomatic relations
investment investors shares stocks currency yuan won dollar economy recession jobs
unemployment wages housing homes construction roads city rural village residents
families community mayor governor council court judge trial prison sentence charges
suspended resumed halted reopened closed cancelled restored delayed postponed announced
confirmed denied expected scheduled planned agreed decided"""
)
PLACES = [
    "Pyongyang", "Beijing", "Seoul", "Dandong", "Sinuiju", "Tokyo", "Moscow", "Washington",
    "Shanghai", "Vladivostok", "Busan", "Incheon", "Kaesong", "Hong Kong", "Taipei", "Hanoi",
    "Ulaanbaatar", "Shenyang", "Harbin", "Wonsan", "Rason", "Khabarovsk", "Osaka", "Manila",
]  # fmt: skip
COUNTRY_PHRASES = [
    "North Korea", "South Korea", "China", "Russia", "Japan", "the United States",
    "Mongolia", "Vietnam", "the Korean peninsula",
]  # fmt: skip
OUTLET_FIRST = _words(
    """Daily Morning Evening Global National Pacific Northern Eastern Capital Metro
Coastal Continental Independent Free United Royal Central Western Southern Asian"""
)
OUTLET_SECOND = _words(
    """Herald Times Post Courier Tribune Gazette Observer Chronicle Monitor Journal
Record Standard Express Telegraph Review Mail Ledger Dispatch Sentinel Bulletin"""
)
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
RAIL_SENTENCES = [
    "Passenger train services between {a} and {b} are to resume this week, travel operators said.",
    "Train journeys between the two countries were halted in 2020 as borders closed.",
    "The first service is scheduled to leave {a} on {weekday}, {month} {day}.",
    "{country} foreign ministry did not confirm the reports when asked on {weekday}.",
    "Tickets went on sale on {weekday} for workers and students, but tourists are not yet "
    "eligible, agents in {a} said.",
    "Services between {a} and {b} were suspended again on {weekday}, according to {outlet}.",
    "A train from {a} arrived in {b} on {weekday}, the first since 2020, {outlet} reported.",
    "Officials said flights between {a} and {b} could resume as early as next month.",
]


class Zipf:
    """Draw word indices with P(rank r) proportional to 1 / r**s."""

    def __init__(self, n: int, s: float, rng: random.Random) -> None:
        self.rng = rng
        self.cum = list(itertools.accumulate(1.0 / (r**s) for r in range(1, n + 1)))
        self.total = self.cum[-1]

    def draw(self, k: int) -> list[int]:
        rand, cum, total = self.rng.random, self.cum, self.total
        return [bisect.bisect_left(cum, rand() * total) for _ in range(k)]


def build_vocabulary(rng: random.Random, size: int = VOCABULARY) -> list[str]:
    """Real function and news words at the head, place names in the middle, made-up words after."""
    words: list[str] = []
    seen: set[str] = set()
    for w in COMMON + NEWS:
        if w not in seen:
            seen.add(w)
            words.append(w)
    syllables = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"] + ["ing", "er", "tion"]
    while len(words) < size:
        w = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    # Places from rank 600 on (Pyongyang in ~5% of articles): a topic is common, not everywhere.
    for i, place in enumerate(dict.fromkeys(PLACES)):
        words.insert(600 + i * 60, place)
    return words[:size]


def make_outlets(rng: random.Random, n: int = N_OUTLETS) -> list[tuple[str, str]]:
    """(name, domain) pairs: 'Pacific Herald', 'pacificherald.example'."""
    names = [f"{a} {b}" for a in OUTLET_FIRST for b in OUTLET_SECOND]
    rng.shuffle(names)
    return [(name, name.lower().replace(" ", "") + ".example") for name in names[:n]]


class CorpusGenerator:
    def __init__(self, seed: int = 42, *, rail_share: float = RAIL_STORY_SHARE) -> None:
        self.rng = random.Random(seed)
        self.rail_share = rail_share
        self.words = build_vocabulary(self.rng)
        self.zipf = Zipf(len(self.words), ZIPF_S, self.rng)
        self.outlets = make_outlets(self.rng)
        self.recent: deque[RawArticle] = deque(maxlen=200)

    def sentence(self, length: int | None = None) -> str:
        rng = self.rng
        n = length or rng.randint(15, 30)
        words = [self.words[i] for i in self.zipf.draw(n)]
        if rng.random() < COUNTRY_SHARE:
            words.insert(rng.randrange(len(words)), rng.choice(COUNTRY_PHRASES))
        if rng.random() < 0.3:
            words[rng.randrange(2, len(words))] += ","
        words[0] = words[0][:1].upper() + words[0][1:]
        return " ".join(words).rstrip(",") + "."

    def rail_sentence(self, published: dt.datetime) -> str:
        rng = self.rng
        a, b = rng.sample(["Beijing", "Pyongyang", "Dandong", "Sinuiju", "Moscow"], 2)
        when = published + dt.timedelta(days=rng.randint(-3, 10))
        return rng.choice(RAIL_SENTENCES).format(
            a=a,
            b=b,
            weekday=WEEKDAYS[when.weekday()],
            month=when.strftime("%B"),
            day=when.day,
            country=rng.choice(["China's", "North Korea's", "Russia's"]),
            outlet=rng.choice(["Yonhap", "Xinhua", "NK News", "Reuters", "KCNA"]),
        )

    def body(self, published: dt.datetime, *, rail: bool) -> str:
        rng = self.rng
        target = rng.randint(330, 470)
        sentences: list[str] = []
        words = 0
        while words < target:
            s = self.sentence()
            sentences.append(s)
            words += s.count(" ") + 1
        if rail:
            for _ in range(rng.randint(2, 4)):
                sentences.insert(rng.randrange(len(sentences) + 1), self.rail_sentence(published))
        # Paragraphs of 2-4 sentences, one per line, as scraped text usually comes.
        paragraphs: list[str] = []
        i = 0
        while i < len(sentences):
            step = rng.randint(2, 4)
            paragraphs.append(" ".join(sentences[i : i + step]))
            i += step
        return "\n".join(paragraphs)

    def title(self, *, rail: bool) -> str:
        words = [self.words[i] for i in self.zipf.draw(self.rng.randint(6, 11))]
        if rail:
            words[:0] = self.rng.choice(
                [["Beijing-Pyongyang", "trains"], ["North", "Korea", "rail"], ["Dandong", "line"]]
            )
        words[0] = words[0][:1].upper() + words[0][1:]
        return " ".join(words)

    def article(self, i: int, published: dt.datetime) -> RawArticle:
        rng = self.rng
        name, domain = rng.choice(self.outlets)
        url = f"https://www.{domain}/{published:%Y/%m/%d}/story-{i}"
        roll = rng.random()
        if self.recent and roll < SYNDICATED_SHARE:
            src = rng.choice(self.recent)
            return RawArticle(src.title, src.body, published, url, name)
        if self.recent and roll < SYNDICATED_SHARE + REWRITE_SHARE:
            src = rng.choice(self.recent)
            words = src.body.split(" ")
            for _ in range(max(1, len(words) // 20)):
                words[rng.randrange(len(words))] = self.words[self.zipf.draw(1)[0]]
            return RawArticle(src.title + " update", " ".join(words), published, url, name)
        rail = rng.random() < self.rail_share
        art = RawArticle(
            self.title(rail=rail), self.body(published, rail=rail), published, url, name
        )
        self.recent.append(art)
        return art


def publication_times(
    n: int, rng: random.Random, *, start: dt.datetime = START, end: dt.datetime = END
) -> list[dt.datetime]:
    span = (end - start).total_seconds()
    return [
        start + dt.timedelta(seconds=int(x)) for x in sorted(rng.random() * span for _ in range(n))
    ]


def generate(
    n: int,
    *,
    seed: int = 42,
    start: dt.datetime = START,
    end: dt.datetime = END,
    rail_share: float = RAIL_STORY_SHARE,
) -> Iterator[RawArticle]:
    """n articles, oldest first, published between start and end. Deterministic for a given
    (n, seed) and the same keywords. A poll's worth of recent news is a narrow window before
    END; rail_share=0 keeps a corpus off the Beijing-Pyongyang situation (its /status then has
    the same work before and after the corpus is added)."""
    gen = CorpusGenerator(seed, rail_share=rail_share)
    times = publication_times(n, random.Random(seed + 1), start=start, end=end)
    for i, published in enumerate(times):
        yield gen.article(i, published)


def chunks(n: int, size: int, *, seed: int = 42) -> Iterator[list[RawArticle]]:
    """The same corpus in lists of `size` (keeps memory flat at 100k+)."""
    it = generate(n, seed=seed)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


# ----------------------------------------------------------------------------- as feeds


@dataclass
class FeedSite:
    """Articles published as RSS/Atom feeds and HTML article pages, ready to serve.

    `documents` maps a url path to (content type, bytes); `feeds` lists (feed url, outlet).
    A teaser entry carries only its first sentence and an ellipsis, so the poller fetches its
    page and extracts the text (trafilatura); a full entry carries the whole body."""

    documents: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    feeds: list[tuple[str, str]] = field(default_factory=list)
    entries: int = 0
    teasers: int = 0


def feed_site(
    articles: list[RawArticle],
    base_url: str,
    *,
    feeds: int = 20,
    full_text_share: float = 0.5,
    seed: int = 42,
) -> FeedSite:
    """Deal the articles round robin into `feeds` feeds on base_url (half RSS 2.0, half Atom),
    one outlet each; every article also gets its page, whether its entry needs it or not."""
    rng = random.Random(seed)
    base_url = base_url.rstrip("/")
    outlets = make_outlets(random.Random(seed), max(feeds, 1))
    site = FeedSite()
    per_feed: list[list[tuple[RawArticle, str, bool]]] = [[] for _ in range(feeds)]
    for i, art in enumerate(articles):
        name, domain = outlets[i % feeds]
        assert art.published_at is not None
        path = f"/{domain}/{art.published_at:%Y/%m/%d}/story-{i}"
        full = rng.random() < full_text_share
        per_feed[i % feeds].append((art, base_url + path, full))
        site.documents[path] = ("text/html", article_page(art, base_url + path, name))
        site.entries += 1
        site.teasers += not full
    for k, entries in enumerate(per_feed):
        name, domain = outlets[k]
        entries.sort(key=lambda e: e[0].published_at or END, reverse=True)  # newest first
        atom = k % 2 == 1
        path = f"/{domain}/{'atom' if atom else 'rss'}.xml"
        render = atom_feed if atom else rss_feed
        kind = "application/atom+xml" if atom else "application/rss+xml"
        site.documents[path] = (kind, render(name, f"{base_url}/{domain}/", entries))
        site.feeds.append((base_url + path, name))
    return site


def _paragraphs_html(body: str) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in body.split("\n") if p.strip())


def teaser(body: str) -> str:
    """The first sentence, cut at ~200 characters, with the ellipsis feeds mark teasers with."""
    first = body.split("\n", 1)[0].split(". ", 1)[0]
    return first[:200].rsplit(" ", 1)[0] + " …"


def rss_feed(outlet: str, link: str, entries: list[tuple[RawArticle, str, bool]]) -> bytes:
    items = []
    for art, url, full in entries:
        assert art.published_at is not None
        content = (
            f"<content:encoded>{escape(_paragraphs_html(art.body))}</content:encoded>"
            if full
            else ""
        )
        items.append(
            f"<item><title>{escape(art.title)}</title><link>{escape(url)}</link>"
            f'<guid isPermaLink="true">{escape(url)}</guid>'
            f"<pubDate>{format_datetime(art.published_at, usegmt=True)}</pubDate>"
            f"<description>{escape(teaser(art.body))}</description>{content}</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{escape(outlet)}</title><link>{escape(link)}</link>"
        f"<description>News from {escape(outlet)}</description><language>en</language>"
        + "\n".join(items)
        + "</channel></rss>\n"
    ).encode()


def atom_feed(outlet: str, link: str, entries: list[tuple[RawArticle, str, bool]]) -> bytes:
    items = []
    for art, url, full in entries:
        assert art.published_at is not None
        when = art.published_at.isoformat()
        content = (
            f'<content type="html">{escape(_paragraphs_html(art.body))}</content>' if full else ""
        )
        items.append(
            f"<entry><title>{escape(art.title)}</title><id>{escape(url)}</id>"
            f'<link rel="alternate" href="{escape(url)}"/>'
            f"<published>{when}</published><updated>{when}</updated>"
            f'<summary type="text">{escape(teaser(art.body))}</summary>{content}</entry>'
        )
    updated = max((a.published_at or END for a, _, _ in entries), default=END).isoformat()
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">'
        f"<title>{escape(outlet)}</title><id>{escape(link)}</id>"
        f'<link rel="alternate" href="{escape(link)}"/><updated>{updated}</updated>'
        + "\n".join(items)
        + "</feed>\n"
    ).encode()


def article_page(art: RawArticle, url: str, outlet: str) -> bytes:
    """A news page as outlets serve it: navigation, the article, a "most read" box, a footer
    (the boilerplate is what trafilatura has to cut away)."""
    assert art.published_at is not None
    when = art.published_at.isoformat()
    nav = "".join(
        f'<li><a href="/{s.lower()}">{s}</a></li>'
        for s in ("World", "Asia", "Business", "Politics", "Sport", "Opinion")
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(art.title)} | {escape(outlet)}</title>"
        f'<link rel="canonical" href="{escape(url)}">'
        f'<meta property="og:site_name" content="{escape(outlet)}">'
        f'<meta property="article:published_time" content="{when}">'
        "<script>window.dataLayer = window.dataLayer || [];</script></head><body>"
        f'<header><a class="logo" href="/">{escape(outlet)}</a><nav><ul>{nav}</ul></nav></header>'
        f"<main><article><h1>{escape(art.title)}</h1>"
        f'<p class="byline">By staff reporters, <time datetime="{when}">'
        f"{art.published_at:%d %B %Y}</time></p>"
        f"{_paragraphs_html(art.body)}</article>"
        '<aside><h2>Most read</h2><ul><li><a href="/a">Markets close higher</a></li>'
        '<li><a href="/b">Weather warning issued</a></li></ul></aside></main>'
        f"<footer><p>© 2026 {escape(outlet)}. All rights reserved.</p>"
        '<p><a href="/privacy">Privacy</a> <a href="/terms">Terms</a></p></footer>'
        "</body></html>\n"
    ).encode()


def write_jsonl(path: Path, n: int, *, seed: int = 42) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for a in generate(n, seed=seed):
            record = {
                "url": a.url,
                "title": a.title,
                "body": a.body,
                "published_at": a.published_at.isoformat() if a.published_at else None,
                "source": a.outlet,
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "corpus.jsonl")
    args = parser.parse_args(argv)
    write_jsonl(args.out, args.n, seed=args.seed)
    print(f"wrote {args.n} articles to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
