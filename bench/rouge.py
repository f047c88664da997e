"""ROUGE of `briefbot summarize` against Lead-3 and TextRank on real news articles.

The articles: Wikinews stories of the NewsReader MEANTIME corpus (English), read at run time
from ../shared/data/meantime-en (never copied here; the bench skips with a message when it is
absent). Each article is rebuilt from the corpus tokens: its first sentence is the headline,
its second the date line, the rest the body, one corpus sentence a line.

The references: bench/data/rouge_refs.jsonl, 40 articles (every third file of the corpus in
path order), one abstractive summary of 2-3 sentences each (~48 words), written by hand from the
article as an editor would write a highlight: what happened, who, when, the key figure, without
copying sentences and without looking at any system's output. They were written before the
summariser was tuned. Articles alternate dev/test in path order; the weights in
bot/briefing/summarize.py were tuned on dev only (`--grid` shows that search).

Scores: ROUGE-1/2/L F1 from Google's rouge-score package with its Porter stemmer, per article,
then mean and median over a split. K = 3 sentences for every system (Lead-3's setting).

    .venv/bin/python bench/rouge.py [--data DIR] [--split dev|test|all] [--k 3] [--grid] [--show N]
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dates_meantime import _NO_SPACE_AFTER, _NO_SPACE_BEFORE, _QUOTES  # noqa: E402

from bot.analysis.sentences import split_sentences  # noqa: E402
from bot.briefing import summarize as summ  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "meantime-en"
REFS = ROOT / "bench" / "data" / "rouge_refs.jsonl"
METRICS = ("rouge1", "rouge2", "rougeL")


@dataclass
class Article:
    path: str
    split: str
    title: str
    dateline: str
    body: str  # one corpus sentence a paragraph
    reference: str


# ----------------------------------------------------------------------------- data


def rebuild(xml_path: Path) -> list[str]:
    """The corpus's sentences as text, tokens joined the way they were written."""
    root = ET.parse(xml_path).getroot()
    by_sentence: dict[int, list[str]] = {}
    for tok in root.iter("token"):
        text = _QUOTES.get(tok.text or "", tok.text or "")
        by_sentence.setdefault(int(tok.get("sentence", "0")), []).append(text)
    out = []
    for number in sorted(by_sentence):
        text = previous = ""
        for word in by_sentence[number]:
            if text and word not in _NO_SPACE_BEFORE and previous not in _NO_SPACE_AFTER:
                text += " "
            text += word
            previous = word
        out.append(text)
    return out


def load(data: Path, refs: Path = REFS) -> list[Article]:
    articles = []
    for line in refs.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        sentences = rebuild(data / rec["path"])
        articles.append(
            Article(
                path=rec["path"],
                split=rec["split"],
                title=sentences[0],
                dateline=sentences[1],
                body="\n\n".join(sentences[2:]),
                reference=rec["summary"],
            )
        )
    return articles


# ----------------------------------------------------------------------------- systems


def lead(text: str, k: int = 3) -> list[str]:
    """Lead-k: the first k sentences, as the splitter cuts them."""
    return split_sentences(text)[:k]


def textrank(text: str, k: int = 3) -> list[str]:
    """Plain TextRank (Mihalcea & Tarau 2004): PageRank over sentences linked by word overlap,
    |Si ∩ Sj| / (log|Si| + log|Sj|) on stemmed content words; no position prior, no penalties.
    The top k by rank, printed in text order."""
    sentences = split_sentences(text)
    words = [set(summ.terms_of(s)) for s in sentences]
    n = len(sentences)
    if n <= k:
        return sentences
    weights = [[0.0] * n for _ in range(n)]
    for i, j in itertools.combinations(range(n), 2):
        a, b = words[i], words[j]
        if len(a) > 1 and len(b) > 1:
            w = len(a & b) / (math.log(len(a)) + math.log(len(b)))
            weights[i][j] = weights[j][i] = w
    out_sum = [sum(row) for row in weights]
    rank = [1.0 / n] * n
    for _ in range(100):
        rank = [
            0.15 / n
            + 0.85 * sum(rank[i] * weights[i][j] / out_sum[i] for i in range(n) if out_sum[i])
            for j in range(n)
        ]
    top = sorted(range(n), key=lambda i: -rank[i])[:k]
    return [sentences[i] for i in sorted(top)]


def systems(k: int) -> dict[str, Callable[[Article], list[str]]]:
    return {
        "ours (+headline)": lambda a: summ.summarize(a.body, title=a.title, k=k),
        "ours (body only)": lambda a: summ.summarize(a.body, k=k),
        "ours (plain file)": lambda a: summ.summarize(
            f"{a.title}\n\n{a.dateline}\n\n{a.body}", k=k
        ),
        "Lead-3": lambda a: lead(a.body, k),
        "TextRank": lambda a: textrank(a.body, k),
    }


# ----------------------------------------------------------------------------- scoring


def scorer():  # type: ignore[no-untyped-def]
    try:
        from rouge_score import rouge_scorer
    except ImportError:
        sys.exit("rouge-score is not installed: .venv/bin/pip install -e '.[dev]'")
    return rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)


def evaluate(
    articles: Sequence[Article], system: Callable[[Article], list[str]], rs: object
) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {m: [] for m in METRICS}
    out["words"] = []
    for a in articles:
        summary = "\n".join(system(a))
        result = rs.score(a.reference, summary)  # type: ignore[attr-defined]
        for m in METRICS:
            out[m].append(result[m].fmeasure)
        out["words"].append(len(summary.split()))
    return out


def report(articles: Sequence[Article], k: int, rs: object, label: str) -> None:
    print(f"\n{label}: {len(articles)} articles, K = {k}")
    print(
        f"  {'system':20} {'R-1 mean':>8} {'median':>7} {'R-2 mean':>8} {'median':>7}"
        f" {'R-L mean':>8} {'median':>7}  {'words':>5}  {'R-1/R-2 vs Lead-3':>17}"
    )
    results = {name: evaluate(articles, fn, rs) for name, fn in systems(k).items()}
    base = results["Lead-3"]
    for name, res in results.items():
        cells = "".join(
            f" {statistics.mean(res[m]) * 100:8.2f} {statistics.median(res[m]) * 100:7.2f}"
            for m in METRICS
        )
        ratio = "/".join(
            f"{statistics.mean(res[m]) / statistics.mean(base[m]):.3f}"
            for m in ("rouge1", "rouge2")
        )
        wins = sum(a > b for a, b in zip(res["rouge2"], base["rouge2"], strict=True))
        losses = sum(a < b for a, b in zip(res["rouge2"], base["rouge2"], strict=True))
        lo, hi = bootstrap([a - b for a, b in zip(res["rouge2"], base["rouge2"], strict=True)])
        print(
            f"  {name:20}{cells}  {statistics.mean(res['words']):5.1f}  {ratio:>17}"
            f"  R-2 vs Lead-3: {wins} better, {losses} worse, 95% CI of the mean"
            f" difference [{lo * 100:+.2f}, {hi * 100:+.2f}]"
        )


def bootstrap(diffs: Sequence[float], rounds: int = 2000, seed: int = 5) -> tuple[float, float]:
    """Paired bootstrap: the 2.5th and 97.5th percentiles of the mean difference."""
    rng = random.Random(seed)
    n = len(diffs)
    means = sorted(sum(rng.choice(diffs) for _ in range(n)) / n for _ in range(rounds))
    return means[int(0.025 * rounds)], means[int(0.975 * rounds) - 1]


def grid(articles: Sequence[Article], k: int, rs: object) -> None:
    """The search the weights came from: a coarse grid, scored by mean R-1 + R-2 on `articles`."""
    space = {
        "POSITION_DECAY": (1.5, 3.0, 6.0),
        "CENTRALITY_WEIGHT": (0.0, 0.35, 0.7),
        "TITLE_WEIGHT": (0.0, 0.35, 0.7),
        "REDUNDANCY": (0.3, 0.6),
        "QUOTE_PENALTY": (0.3, 0.6),
    }
    saved = {name: getattr(summ, name) for name in space}
    rows = []
    try:
        for values in itertools.product(*space.values()):
            for name, value in zip(space, values, strict=True):
                setattr(summ, name, value)
            res = evaluate(articles, lambda a: summ.summarize(a.body, title=a.title, k=k), rs)
            r1, r2 = statistics.mean(res["rouge1"]), statistics.mean(res["rouge2"])
            rows.append((r1 + r2, r1, r2, dict(zip(space, values, strict=True))))
    finally:
        for name, value in saved.items():
            setattr(summ, name, value)
    rows.sort(key=lambda r: -r[0])
    print(f"\ngrid on {len(articles)} articles ({len(rows)} settings), best first:")
    for _, r1, r2, params in rows[:10]:
        print(f"  R-1 {r1 * 100:.2f}  R-2 {r2 * 100:.2f}  {params}")
    print(f"  current: { {name: getattr(summ, name) for name in space} }")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--grid", action="store_true", help="search the weights on dev")
    parser.add_argument("--show", type=int, default=0, help="print N articles' summaries")
    args = parser.parse_args(argv)
    if not (args.data / "intra-doc_annotation").is_dir():
        print(f"skipped: the MEANTIME corpus is not at {args.data} (see DESIGN.md)")
        return 0
    rs = scorer()
    started = time.perf_counter()
    articles = load(args.data)
    print(
        "references: bench/data/rouge_refs.jsonl, hand-written abstractive summaries (2-3"
        " sentences, ~48 words) of MEANTIME Wikinews articles, written from the article, not"
        " from any system's output; weights tuned on dev only"
    )
    print("ROUGE F1 x 100, rouge-score with the Porter stemmer")
    if args.grid:
        grid([a for a in articles if a.split == "dev"], args.k, rs)
        return 0
    for split in ("dev", "test") if args.split == "all" else (args.split,):
        report([a for a in articles if a.split == split], args.k, rs, split)
    if args.split == "all":
        report(articles, args.k, rs, "all")
    for a in articles[: args.show]:
        print(f"\n{a.path} [{a.split}]\n  ref:  {a.reference}")
        for name, fn in systems(args.k).items():
            if name in ("ours (+headline)", "Lead-3", "TextRank"):
                print(f"  {name}:\n" + "\n".join(f"    - {s}" for s in fn(a)))
    print(f"\n({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
