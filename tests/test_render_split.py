"""split_message: every chunk fits Telegram (UTF-16 length, valid HTML), nothing is lost."""

from __future__ import annotations

import html
import random
import re
import unicodedata

import pytest

from bot.render import check_html, split_message, utf16_len

PIECES = [
    "word", "North Korea", "朝鲜", "평양", "😀", "👩‍👩‍👧", "👍🏽", "🇰🇵", "𝕏", "e\u0301", "Ω",
    "&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#x1F600;", ". ", "! ", "? ", "。", " ", " ",
    "\n", "\n\n", "—", "“quoted.” ",
]  # fmt: skip
TAGS = ["b", "i", "u", "s", "tg-spoiler", "code", 'a href="https://example.org/a?b=1&amp;c=2"',
        "blockquote", "pre"]  # fmt: skip
_TAG = re.compile(r"<[^>]+>")


def visible(markup: str) -> str:
    """The text a reader sees, without whitespace (cuts may drop whitespace, nothing else)."""
    return re.sub(r"\s+", "", html.unescape(_TAG.sub("", markup)))


def random_html(rng: random.Random, size: int) -> str:
    """Random Telegram HTML: allowed tags, properly nested, over mixed scripts and entities."""
    out: list[str] = []
    stack: list[str] = []
    length = 0
    while length < size:
        roll = rng.random()
        if roll < 0.06 and len(stack) < 3 and "code" not in stack and "pre" not in stack:
            tag = rng.choice(TAGS)
            name = tag.split()[0]
            if name == "a" and "a" in stack:
                continue
            if name in {"code", "pre"} and "a" in stack:
                continue
            if name == "blockquote" and "blockquote" in stack:
                continue
            out.append(f"<{tag}>")
            stack.append(name)
        elif roll < 0.10 and stack:
            out.append(f"</{stack.pop()}>")
        else:
            piece = rng.choice(PIECES) * (rng.randint(1, 400) if rng.random() < 0.02 else 1)
            out.append(piece)
            length += len(piece)
    while stack:
        out.append(f"</{stack.pop()}>")
    return "".join(out)


def assert_good(markup: str, chunks: list[str], limit: int) -> None:
    for chunk in chunks:
        assert utf16_len(chunk) <= limit
        check_html(chunk, limit)
        chunk.encode("utf-8")  # no lone surrogates
        first = _TAG.sub("", chunk)[:1]
        assert first != "\u200d" and not unicodedata.combining(first or "a")
    assert visible("".join(chunks)) == visible(markup)


@pytest.mark.parametrize("seed", range(60))
def test_random_html(seed: int) -> None:
    rng = random.Random(seed)
    markup = random_html(rng, rng.choice([50, 500, 3000, 12000]))
    for limit in (200, 1000, 4096):
        assert_good(markup, split_message(markup, limit), limit)


def test_short_message_is_one_chunk_unchanged() -> None:
    markup = '<b>Hi</b> &amp; <a href="https://x.org/?a=1&amp;b=2">there</a> 😀'
    assert split_message(markup) == [markup]


@pytest.mark.parametrize(
    "text",
    [
        "a" * 20000,
        "😀" * 5000,
        "中" * 9000,
        "𝕏" * 4097,
        "👩‍👩‍👧" * 2000,
        "e\u0301" * 5000,
        "&amp;" * 5000,
    ],
)
def test_long_unbroken_text(text: str) -> None:
    chunks = split_message(text)
    assert len(chunks) > 1
    assert_good(text, chunks, 4096)


def test_prefers_paragraphs_then_lines_then_sentences() -> None:
    para = "First sentence here. " * 100
    chunks = split_message(para.strip() + "\n\n" + para.strip(), 4096)
    assert len(chunks) == 2 and chunks[0] == chunks[1] == para.strip()

    lines = "\n".join(f"line {i} " + "x" * 50 for i in range(200))
    for chunk in split_message(lines, 1000):
        assert chunk.startswith("line ") and chunk.endswith("x")

    sentences = " ".join(f"Sentence {i} is here." for i in range(600))
    for chunk in split_message(sentences, 500):
        assert chunk.startswith("Sentence ") and chunk.endswith(".")


def test_words_before_characters() -> None:
    text = " ".join(["word"] * 3000)
    for chunk in split_message(text, 100):
        assert chunk.startswith("word") and chunk.endswith("word")


def test_tags_reopened_across_cuts() -> None:
    link = '<a href="https://example.org/x?y=1&amp;z=2">'
    markup = "<b>" + link + "Sentence. " * 1000 + "</a></b> tail"
    chunks = split_message(markup, 500)
    assert len(chunks) > 5
    for chunk in chunks[:-1]:
        assert chunk.startswith("<b>" + link) and chunk.endswith("</a></b>")
    assert_good(markup, chunks, 500)


def test_cut_does_not_leave_empty_elements() -> None:
    markup = ("<b>Title</b>\n" + "text " * 30 + "\n\n") * 40
    for chunk in split_message(markup, 300):
        assert "<b></b>" not in chunk
        assert not chunk.endswith("<b>")


def test_entity_cap() -> None:
    markup = " ".join(f"<b>{i}</b>" for i in range(1000))
    chunks = split_message(markup, max_entities=100)
    assert len(chunks) >= 10
    for chunk in chunks:
        assert chunk.count("<b>") <= 100
    assert_good(markup, chunks, 4096)
    nested = "<b><i>" + " ".join(f"<u>{i}</u>" for i in range(300)) + "</i></b>"
    for chunk in split_message(nested, max_entities=50):
        assert chunk.count("<") // 2 <= 50 and chunk.startswith("<b><i>")


def test_stray_markup_is_escaped() -> None:
    [chunk] = split_message("1 < 2 & 3 > 2 <script>x</script> </b> <b>ok")
    check_html(chunk)
    assert chunk == "1 &lt; 2 &amp; 3 &gt; 2 &lt;script&gt;x&lt;/script&gt;  <b>ok</b>"


def test_huge_link_is_unwrapped() -> None:
    url = "https://example.org/" + "x" * 5000
    chunks = split_message(f'<a href="{url}">text</a> more', 4096)
    assert chunks == ["text more"]


def test_empty_and_tiny_limit() -> None:
    assert split_message("") == []
    assert split_message(" \n\n <b> </b> ") == []
    with pytest.raises(ValueError):
        split_message("x", 10)


# ----------------------------------------------------------------------------- check_html


@pytest.mark.parametrize(
    "good",
    [
        "plain",
        "<b>a</b><i>b</i><u>c</u><s>d</s><tg-spoiler>e</tg-spoiler>",
        '<span class="tg-spoiler">x</span>',
        '<a href="https://x.org/?a=1&amp;b=2"><b>x</b></a>',
        '<pre><code class="language-python">x &lt; y</code></pre>',
        "<blockquote>q <b>b</b></blockquote>",
        "&lt;&gt;&amp;&quot;&#39;&#x1F600;",
    ],
)
def test_check_html_accepts(good: str) -> None:
    check_html(good)


@pytest.mark.parametrize(
    "bad",
    [
        "<b>unclosed",
        "<b><i>x</b></i>",
        "</b>",
        "<script>x</script>",
        "<p>x</p>",
        '<a href="javascript:alert(1)">x</a>',
        "<a>x</a>",
        '<a href="https://x.org" onclick="y">x</a>',
        '<a href="https://x.org"><a href="https://y.org">x</a></a>',
        "<code><b>x</b></code>",
        "<blockquote><blockquote>x</blockquote></blockquote>",
        "a & b",
        "a < b",
        "&nbsp;",
        '<span class="red">x</span>',
        "   ",
        "x" * 4097,
    ],
)
def test_check_html_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        check_html(bad)
