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
from pathlib import Path

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
    def __init__(self, seed: int = 42) -> None:
        self.rng = random.Random(seed)
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
        rail = rng.random() < RAIL_STORY_SHARE
        art = RawArticle(
            self.title(rail=rail), self.body(published, rail=rail), published, url, name
        )
        self.recent.append(art)
        return art


def publication_times(n: int, rng: random.Random) -> list[dt.datetime]:
    span = (END - START).total_seconds()
    return [
        START + dt.timedelta(seconds=int(x)) for x in sorted(rng.random() * span for _ in range(n))
    ]


def generate(n: int, *, seed: int = 42) -> Iterator[RawArticle]:
    """n articles, oldest first. Deterministic for a given (n, seed)."""
    gen = CorpusGenerator(seed)
    for i, published in enumerate(publication_times(n, random.Random(seed + 1))):
        yield gen.article(i, published)


def chunks(n: int, size: int, *, seed: int = 42) -> Iterator[list[RawArticle]]:
    """The same corpus in lists of `size` (keeps memory flat at 100k+)."""
    it = generate(n, seed=seed)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


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
