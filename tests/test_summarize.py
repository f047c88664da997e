"""The single-document summariser: what it picks, what it never picks, and `briefbot summarize`."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from bot.analysis.sentences import split_sentences
from bot.briefing.summarize import candidates_of, lexrank, split_headline, summarize, tfidf
from bot.cli import main
from bot.config import ROOT

# A wire story as scraped: dateline, a quote, page furniture, a photo credit, background.
WIRE = "\n\n".join(
    [
        "SEOUL, March 9 (Reuters) - North Korea fired two ballistic missiles into the sea off its"
        " east coast on Monday, South Korea's military said.",
        '"We will respond strongly to any provocation," a spokesman for the defence ministry told'
        " reporters.",
        "Sign up now for our free Asia morning newsletter.",
        "The launches came a day after South Korea and the United States began their annual joint"
        " military drills, which Pyongyang calls a rehearsal for invasion.",
        "Japan's defence ministry said the missiles landed outside Japan's exclusive economic zone"
        " and caused no damage to ships or aircraft.",
        "Photo: Reuters/Kim Hong-Ji",
        "Why does Pyongyang keep testing missiles?",
        "North Korea has conducted dozens of missile tests since 2022, when it declared itself an"
        " irreversible nuclear power.",
        "Follow us on Twitter for the latest updates from the Korean peninsula.",
    ]
)


def test_dateline_is_trimmed_and_lead_comes_first() -> None:
    out = summarize(WIRE)
    assert out[0].startswith("North Korea fired two ballistic missiles")
    assert not any("Reuters) -" in s or s.startswith("SEOUL") for s in out)


def test_quotes_questions_and_boilerplate_are_not_chosen() -> None:
    for k in (1, 3, 4):
        out = summarize(WIRE, k=k)
        assert len(out) == k
        for s in out:
            assert not s.startswith('"')
            assert not s.endswith("?")
            assert "Sign up" not in s and "Follow us" not in s and "Photo:" not in s


def test_k_is_respected_and_output_keeps_text_order() -> None:
    sentences = [c.text for c in candidates_of(WIRE)]
    for k in (1, 2, 3, 5):
        out = summarize(WIRE, k=k)
        assert len(out) == k
        positions = [sentences.index(s) for s in out]
        assert positions == sorted(positions)


def test_fewer_sentences_than_k() -> None:
    assert summarize("The ferry sank off the coast of Jeju island on Tuesday morning.", k=3) == [
        "The ferry sank off the coast of Jeju island on Tuesday morning."
    ]
    two = (
        "The ferry sank on Tuesday near Jeju island."
        " All 40 passengers were rescued by the coast guard."
    )
    assert summarize(two, k=5) == [
        "The ferry sank on Tuesday near Jeju island.",
        "All 40 passengers were rescued by the coast guard.",
    ]


def test_empty_and_degenerate_inputs() -> None:
    assert summarize("") == []
    assert summarize("   \n\n  ") == []
    assert summarize("Something happened today in the city centre.", k=0) == []
    # Only furniture: the least bad line rather than nothing.
    assert summarize("Sign up for our newsletter today and never miss a story.") != []


def test_scraped_page_furniture_is_dropped() -> None:
    # The Daily Mail's scraped header and CNN's dateline, as they appear in news dumps.
    mail = (
        "By . Daniel Miller . PUBLISHED: . 07:56 EST, 17 June 2013 . | . UPDATED: . 08:05 EST,"
        " 17 June 2013 . A British tourist was killed by a shark off Egypt on Sunday, officials"
        " said. The man from Leeds was attacked near Sharm el-Sheikh. Scroll down for video ."
        " Local authorities closed the beaches for two days after the attack."
    )
    assert summarize(mail) == [
        "A British tourist was killed by a shark off Egypt on Sunday, officials said.",
        "The man from Leeds was attacked near Sharm el-Sheikh.",
        "Local authorities closed the beaches for two days after the attack.",
    ]
    cnn = (
        "Atlanta, Georgia (CNN) -- A gunman opened fire at a shopping mall on Saturday, killing"
        " two people, police said. The mall will remain closed through Monday."
    )
    assert summarize(cnn, k=1) == [
        "A gunman opened fire at a shopping mall on Saturday, killing two people, police said."
    ]
    # A short sentence is held back, not thrown away: it still fills a summary of a short story.
    assert summarize("Paris (AFP) - Farmers blocked roads on Monday. Police made no arrests.") == [
        "Farmers blocked roads on Monday.",
        "Police made no arrests.",
    ]


def test_baselines_in_bench() -> None:
    saved = list(sys.path)
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import rouge  # bench/rouge.py: Lead-3 and TextRank, for the ROUGE comparison
    finally:
        sys.path[:] = saved  # the bench puts bench/ on the path; keep it off the tests' path
    assert rouge.lead(WIRE, 2) == split_sentences(WIRE)[:2]
    ranked = rouge.textrank(WIRE, 3)
    sentences = split_sentences(WIRE)
    assert len(ranked) == 3
    assert [sentences.index(s) for s in ranked] == sorted(sentences.index(s) for s in ranked)
    assert rouge.textrank("One short sentence here.", 3) == ["One short sentence here."]


def test_redundant_restatement_is_skipped() -> None:
    text = (
        "Boeing delivered the last 717 jet to AirTran Airways in Long Beach on Tuesday.\n\n"
        "Boeing delivered the last 717 jet to AirTran Airways in Long Beach, California.\n\n"
        "The 717 sold only 155 units over its history, far fewer than its rivals.\n\n"
        "The C-17 is now the only jet aircraft still built in the state of California."
    )
    out = summarize(text, k=2)
    assert len(out) == 2
    assert sum(s.startswith("Boeing delivered") for s in out) == 1


def test_headline_is_split_off_and_used_as_title() -> None:
    text = "Ferry sinks off Jeju\n\nA ferry sank off Jeju island on Tuesday, the coast guard said."
    _, headline = split_headline(text)
    assert headline == "Ferry sinks off Jeju"
    assert summarize(text) == ["A ferry sank off Jeju island on Tuesday, the coast guard said."]
    # A first line that ends like a sentence is the lead, not a headline.
    assert split_headline("The ferry sank.\n\nAll were saved.")[1] is None


def test_quotation_continued_over_sentences_is_held_back() -> None:
    text = (
        "Canada will lend GM and Chrysler C$4 billion, Prime Minister Stephen Harper said on "
        "Monday.\n\n"
        "“This is a regrettable but necessary step to protect the Canadian economy. We cannot "
        "afford a catastrophic collapse of the whole industry in this country.” said Harper.\n\n"
        "Chrysler must agree a partnership with Fiat within 30 days to qualify for more aid.\n\n"
        "GM has until the end of May to present a new restructuring plan to the government."
    )
    out = summarize(text, k=3)
    assert not any("regrettable" in s or "catastrophic" in s for s in out)


def test_odd_unicode_and_other_languages_do_not_crash() -> None:
    texts = [
        "北朝鮮は月曜日、弾道ミサイル2発を発射した。韓国軍が明らかにした。日本政府は抗議した。",
        "Северная Корея запустила две ракеты в понедельник. Об этом сообщили военные Южной Кореи.",
        "كوريا الشمالية أطلقت صاروخين. قال الجيش الكوري الجنوبي ذلك يوم الاثنين.",
        "Emoji 🚀🚀 launched today from the pad near the coast! 🎉 Everyone cheered."
        " Zero\u200bwidth.",
        "\ufeffSão Paulo\u00a0— the mayor\u00ad announced a plan on Monday."
        "\u2028New line here now.",
        "x" * 5000,
        "...\n\n???\n\n“”\n\n— — —",
    ]
    for text in texts:
        out = summarize(text, k=2)
        assert isinstance(out, list)
        assert all(isinstance(s, str) and s for s in out)
        assert len(out) <= 2


def test_long_article_is_bounded() -> None:
    # 400 distinct sentences: only the first MAX_SENTENCES are ranked (LexRank is quadratic).
    names = [f"{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}ville" for i in range(400)]
    text = "\n\n".join(f"A new rail line to {n} opened on Monday with a ceremony." for n in names)
    out = summarize(text, k=3)
    assert len(out) == 3
    assert all(any(n in s for n in names[:200]) for s in out)


def test_lexrank_prefers_the_sentence_others_echo() -> None:
    docs = [
        ["train", "resume", "pyongyang", "beijing"],
        ["train", "resume", "beijing"],
        ["train", "pyongyang", "resume"],
        ["weather", "sunny"],
    ]
    ranks = lexrank(tfidf(docs))
    assert abs(sum(ranks) - 1) < 1e-6
    assert ranks[0] == max(ranks)
    assert ranks[3] == min(ranks)
    assert lexrank([]) == [] and lexrank([{"a": 1.0}]) == [1.0]


# ----------------------------------------------------------------------------- CLI


def test_cli_prints_one_sentence_a_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "wire.txt"
    path.write_text(WIRE, encoding="utf-8")
    assert main(["summarize", str(path), "--sentences", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == summarize(WIRE, k=2)
    assert main(["summarize", str(path)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_cli_reads_the_seed_format(capsys: pytest.CaptureFixture[str]) -> None:
    seed = next((ROOT / "seeds").glob("000_*.txt"))
    assert main(["summarize", str(seed), "-k", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3
    assert not out[0].startswith("date ")  # the dump format's date prefix is not text
    assert any("train" in s.lower() for s in out)


def test_cli_text_headers_are_not_sentences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a.md"
    path.write_text(
        "Title: Ferry sinks\nSource: Example News\n\nA ferry sank off Jeju island on Tuesday."
        " All 40 passengers were rescued by the coast guard within the hour.\n",
        encoding="utf-8",
    )
    assert main(["summarize", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Title:" not in out and "Source:" not in out
    assert out.splitlines()[0] == "A ferry sank off Jeju island on Tuesday."


def test_cli_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = io.TextIOWrapper(io.BytesIO(WIRE.encode("utf-8")), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", fake)
    assert main(["summarize", "-", "--sentences", "1"]) == 0
    assert capsys.readouterr().out.splitlines() == summarize(WIRE, k=1)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"\n  \n", "empty"),
    ],
)
def test_cli_unreadable_input_exits_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, message: str
) -> None:
    path = tmp_path / "article.txt"
    if content is not None:
        path.write_bytes(content)
    assert main(["summarize", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err and "Traceback" not in captured.err
    assert len(captured.err.splitlines()) == 1


def test_cli_directory_and_bad_k(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", str(tmp_path)]) == 2
    assert "directory" in capsys.readouterr().err
    path = tmp_path / "a.txt"
    path.write_text(WIRE, encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["summarize", str(path), "--sentences", "0"])
    assert exc.value.code == 2
    assert "at least 1" in capsys.readouterr().err
