"""Date resolution measured on the MEANTIME corpus (English, intra-document annotation).

Every TIMEX3 of type DATE (except the document creation time itself) is a gold date; its
sentence is rebuilt from the corpus tokens and given to bot.analysis.dates.find_dates with the
document creation time as the publication date. A gold date counts as correct when a resolved
expression overlaps its tokens and has the same value at the same precision
(2009-06-03 = day, 2009-06 = month, 2009 = year).

Gold values that our precisions cannot express (weeks "2008-W50", quarters, seasons, decades,
PRESENT_REF/PAST_REF/FUTURE_REF, XXXX) are counted and listed apart, not scored.

    .venv/bin/python bench/dates_meantime.py [--data DIR] [--dateparser] [--errors N]

--dateparser also scores dateparser's search_dates alone on the same sentences (slow: ~10 ms a
sentence) for comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.analysis.dates import find_dates  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "meantime-en"

_NO_SPACE_BEFORE = {
    ",",
    ".",
    ";",
    ":",
    "%",
    ")",
    "]",
    "'s",
    "n't",
    "'re",
    "'ve",
    "'ll",
    "'d",
    "'m",
    "''",
    "”",
    "'",
    "?",
    "!",
    "...",
}
_NO_SPACE_AFTER = {"(", "[", "$", "US$", "``", "“", "#"}
_QUOTES = {"``": "“", "''": "”"}


@dataclass
class Gold:
    start: int
    end: int
    value: str
    words: str


@dataclass
class Sentence:
    text: str
    golds: list[Gold] = field(default_factory=list)


@dataclass
class Doc:
    name: str
    dct: dt.date
    sentences: list[Sentence]


def _precision(value: str) -> str | None:
    if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return "day"
    if re.fullmatch(r"\d{4}-\d\d", value):
        return "month"
    if re.fullmatch(r"\d{4}", value):
        return "year"
    return None


def _dct(value: str) -> dt.date:
    # One document writes its creation time day-first ("03-02-2009").
    if re.fullmatch(r"\d\d-\d\d-\d{4}", value):
        d, m, y = value.split("-")
        return dt.date(int(y), int(m), int(d))
    return dt.date.fromisoformat(value[:10])


def load(data: Path) -> list[Doc]:
    docs: list[Doc] = []
    for path in sorted(data.glob("intra-doc_annotation/*/*.xml")):
        root = ET.parse(path).getroot()
        tokens: dict[str, tuple[int, str]] = {}
        by_sentence: dict[int, list[tuple[str, str]]] = {}
        for tok in root.iter("token"):
            text = _QUOTES.get(tok.text or "", tok.text or "")
            by_sentence.setdefault(int(tok.get("sentence", "0")), []).append(
                (tok.get("t_id", ""), text)
            )
        sentences: dict[int, Sentence] = {}
        offsets: dict[str, tuple[int, int, int]] = {}  # t_id -> sentence, start, end
        for number, toks in by_sentence.items():
            text = ""
            previous = ""
            for t_id, word in toks:
                if text and word not in _NO_SPACE_BEFORE and previous not in _NO_SPACE_AFTER:
                    text += " "
                offsets[t_id] = (number, len(text), len(text) + len(word))
                text += word
                previous = word
            sentences[number] = Sentence(text)
        del tokens
        dct: dt.date | None = None
        golds: list[tuple[int, Gold]] = []
        for tx in root.iter("TIMEX3"):
            if tx.get("functionInDocument") == "CREATION_TIME":
                dct = _dct(tx.get("value", ""))
                continue
            if tx.get("type") != "DATE":
                continue
            anchors = [
                offsets[a.get("t_id", "")]
                for a in tx.iter("token_anchor")
                if a.get("t_id") in offsets
            ]
            if not anchors:
                continue
            number = anchors[0][0]
            start = min(a[1] for a in anchors)
            end = max(a[2] for a in anchors)
            text = sentences[number].text
            golds.append((number, Gold(start, end, tx.get("value", ""), text[start:end])))
        if dct is None:
            continue
        for number, gold in golds:
            sentences[number].golds.append(gold)
        docs.append(Doc(path.stem, dct, [sentences[k] for k in sorted(sentences)]))
    return docs


def _label(value: dt.date, precision: str) -> str:
    if precision == "day":
        return value.isoformat()
    if precision == "month":
        return value.strftime("%Y-%m")
    return f"{value.year}"


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score(docs: list[Doc], resolver: str, show_errors: int) -> None:
    totals: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    found: Counter[str] = Counter()
    unscored: Counter[str] = Counter()
    spurious = 0
    predictions = 0
    errors: list[str] = []
    started = time.perf_counter()
    sentences = 0
    for doc in docs:
        for sentence in doc.sentences:
            sentences += 1
            if resolver == "ours":
                preds = [
                    ((m.start, m.end), _label(m.ref.value, m.ref.precision))
                    for m in find_dates(sentence.text, published=doc.dct)
                ]
            else:
                preds = _dateparser_predictions(sentence.text, doc.dct)
            predictions += len(preds)
            for span, _ in preds:
                if not any(_overlaps(span, (g.start, g.end)) for g in sentence.golds):
                    spurious += 1
            for gold in sentence.golds:
                precision = _precision(gold.value)
                if precision is None:
                    unscored[re.sub(r"\d", "9", gold.value)] += 1
                    continue
                totals[precision] += 1
                hits = [label for span, label in preds if _overlaps(span, (gold.start, gold.end))]
                if hits:
                    found[precision] += 1
                if gold.value in hits:
                    correct[precision] += 1
                elif len(errors) < show_errors:
                    errors.append(
                        f"  {doc.dct} {gold.words!r}: gold {gold.value}, got {hits or '-'}"
                        f"  | {sentence.text[:140]}"
                    )
    elapsed = time.perf_counter() - started
    all_n = sum(totals.values())
    all_ok = sum(correct.values())
    print(
        f"resolver: {resolver}  ({len(docs)} documents, {sentences} sentences,"
        f" {elapsed * 1000 / max(sentences, 1):.2f} ms a sentence)"
    )
    for precision in ("day", "month", "year"):
        n = totals[precision]
        print(
            f"  {precision:5} dates: {correct[precision]:4}/{n:<4} correct"
            f" = {correct[precision] / max(n, 1):6.1%}   (found {found[precision]}/{n})"
        )
    print(
        f"  overall    : {all_ok:4}/{all_n:<4} correct = {all_ok / max(all_n, 1):6.1%}"
        f"   (found {sum(found.values())}/{all_n})"
    )
    print(
        f"  predictions: {predictions}, of which {spurious} overlap no gold DATE"
        " (many overlap DURATION/SET timexes or unannotated mentions)"
    )
    print(
        f"  unscored gold (no day/month/year precision): {sum(unscored.values())}"
        f"  {dict(unscored.most_common())}"
    )
    if errors:
        print("  first errors:")
        print("\n".join(errors))


def _dateparser_predictions(text: str, dct: dt.date) -> list[tuple[tuple[int, int], str]]:
    from dateparser.search import search_dates

    base = dt.datetime.combine(dct, dt.time(12))
    found = search_dates(text, languages=["en"], settings={"RELATIVE_BASE": base}) or []
    out: list[tuple[tuple[int, int], str]] = []
    cursor = 0
    for words, value in found:
        start = text.find(words, cursor)
        if start < 0:
            continue
        cursor = start + len(words)
        # dateparser has no precision: call it a year or a month when the words name no day.
        if re.fullmatch(r"(?:in\s+)?\d{4}", words.strip()):
            label = f"{value.year}"
        elif not re.search(r"\d{1,2}(?!\d)|day|yesterday|today|tomorrow|ago", words, re.I):
            label = value.strftime("%Y-%m")
        else:
            label = value.date().isoformat()
        out.append(((start, cursor), label))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--dateparser", action="store_true", help="also score dateparser alone")
    parser.add_argument("--errors", type=int, default=0, help="print the first N errors")
    args = parser.parse_args(argv)
    if not (args.data / "intra-doc_annotation").is_dir():
        print(f"MEANTIME not found under {args.data}", file=sys.stderr)
        return 2
    docs = load(args.data)
    score(docs, "ours", args.errors)
    if args.dateparser:
        score(docs, "dateparser", args.errors)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
