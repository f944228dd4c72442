from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import consistency
from consistency import clean, segment
from consistency.records import Document

from .conftest import DATA, SEEDS


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("© 2025 Benzinga.com. Benzinga does not provide investment advice.", "copyright"),
        ("Copyright 2013 The Associated Press. All rights reserved.", "copyright"),
        ("Thank you for reading this post, don't forget to subscribe!", "subscribe"),
        ("Sign up for our daily newsletter", "subscribe"),
        ("Comments", "comments"),
        ("You must be logged in to post a comment.", "comments"),
        ("Share post:", "share"),
        ("Share on Facebook", "share"),
        ("× How can I help you?", "chat"),
        (
            "See Also: G7 Leaders Approve $50B Ukraine Loan Funded By Frozen Russian Assets",
            "teaser",
        ),
        ("More like this", "teaser"),
        ("Read more: Quake survivors wait for aid", "teaser"),
        ("Geopolitical Implications", "heading"),
        ("The Strategic Pact: Peaceful and Defensive?", "heading"),
        ("By Jane Smith", "byline"),
        ("Updated: July 02, 2013 15:50 IST", "timestamp"),
        ("Tue Jul 2, 2013 1: 28PM GMT", "timestamp"),
        ("PUBLISHED: 02:31 GMT, 12 March 2013 | UPDATED: 22:19 GMT, 12 March 2013", "timestamp"),
        ("Tuesday, July 2nd, 2013", "timestamp"),
        # ECB+ writes one sentence a line: quoted speech is no heading, even when short.
        ("“What can we do?", ""),
        ("Where should we go?”", ""),
        ('The rest have only light injuries like minor cuts and grazes. "', ""),
        ("Putin signed a mutual defense pledge with Kim Jong-un on Wednesday.", ""),
        ("Kim, meanwhile, described the new “alliance” as a “watershed moment.”", ""),
        # A long sentence that mentions a newsletter is article text, not a prompt.
        (
            "The ministry said in its weekly newsletter that fuel imports rose for a third month, "
            "driven by demand from transport companies and by the subsidy the government pays "
            "on every litre landed in the country's ports and terminals this year.",
            "",
        ),
    ],
)
def test_furniture_reason(line: str, reason: str) -> None:
    assert clean.furniture_reason(line) == reason


def test_headline_is_not_a_heading() -> None:
    assert clean.furniture_reason("Putin Visits Pyongyang", title=True) == ""


def test_dateline_is_cut_from_its_sentence() -> None:
    text = "Title Here\n\nMOSCOW, June 19 (Reuters) – Putin signed a pact."
    doc = Document("d", "d.txt", text, title="Title Here")
    kept, dropped = clean.furniture(doc)
    assert [d.reason for d in dropped] == ["dateline"]
    assert kept[-1].text == "Putin signed a pact."


def _gold_furniture() -> list[dict[str, str]]:
    with open(DATA / "seed_furniture.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def locate(text: str, quote: str) -> int:
    """Offset of an annotation quote: a whole line equal to it first (short headings such as
    "North Korea" recur inside sentences), else its first occurrence."""
    pos = 0
    for line in text.split("\n"):
        if line.strip() == quote:
            return pos + line.index(quote)
        pos += len(line) + 1
    return text.find(quote)


def test_all_seed_furniture_is_dropped_with_a_reason(seed_report, seed_texts) -> None:
    dropped = seed_report.dropped
    for row in _gold_furniture():
        at = locate(seed_texts[row["doc_id"]], row["quote"])
        assert at >= 0
        hit = dropped[
            (dropped.doc_id == row["doc_id"]) & (dropped.start <= at) & (dropped.end > at)
        ]
        assert len(hit) == 1, row
        assert hit.iloc[0]["reason"], row


def test_no_seed_furniture_reaches_the_claims(seed_report, seed_texts) -> None:
    sentences = seed_report.sentences
    for row in _gold_furniture():
        at = locate(seed_texts[row["doc_id"]], row["quote"])
        end = at + len(row["quote"])
        overlap = sentences[
            (sentences.doc_id == row["doc_id"]) & (sentences.start < end) & (sentences.end > at)
        ]
        assert overlap.empty, row


def test_no_annotated_claim_sentence_is_dropped(seed_report, seed_texts) -> None:
    dropped = seed_report.dropped
    with open(DATA / "seed_claims.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            at = locate(seed_texts[row["doc_id"]], row["quote"])
            inside = dropped[
                (dropped.doc_id == row["doc_id"]) & (dropped.start <= at) & (dropped.end > at)
            ]
            assert inside.empty, row


def test_seed_teasers_are_dropped_as_off_topic(seed_report) -> None:
    teasers = seed_report.dropped[seed_report.dropped.reason.str.startswith("teaser: off-topic")]
    texts = " ".join(teasers.text)
    assert "Rising landing costs for petrol" in texts
    assert "Naija247news" in texts
    assert "Trade confidently with insights" in texts


def _ecbplus_lines(doc_id: str, n: int) -> list[str]:
    text = (DATA / "ecbplus_37ecb" / f"{doc_id}.txt").read_text(encoding="utf-8")
    return text.splitlines()[:n]


def test_injected_teasers_from_another_story_are_dropped(tmp_path: Path) -> None:
    """Earthquake blurbs put under a related-stories block of a seed end up in dropped.csv."""
    folder = tmp_path / "story"
    shutil.copytree(SEEDS, folder)
    target = folder / "002_cde27cff9f0fd582.txt"
    blurbs = _ecbplus_lines("n0226", 2) + _ecbplus_lines("n0458", 1)
    target.write_text(
        target.read_text(encoding="utf-8") + "\nRelated stories\n\n" + "\n\n".join(blurbs) + "\n",
        encoding="utf-8",
    )
    report = consistency.check([folder])
    dropped = report.dropped[report.dropped.doc_id == target.stem]
    for blurb in blurbs:
        row = dropped[dropped.text == blurb]
        assert len(row) == 1, blurb
        assert row.iloc[0]["reason"].startswith("teaser: off-topic")
    assert not any(b in " ".join(report.sentences.text) for b in blurbs)


ON_TOPIC = (
    "Twenty-three people died when an overcrowded ferry capsized on Lake Victoria on Tuesday.",
    "Rescuers pulled 31 survivors from the water, police said.",
)
CLOSING = "President William Ruto declared two days of national mourning."


@pytest.mark.parametrize(
    ("after", "dropped"),
    [
        # The article's own last line, then the page's end: the article is not over yet.
        (["Share this article", "© 2024 Coast Times. All rights reserved."], False),
        # Below the copyright and comments: past the article's end, a promo or blurb.
        (["© 2024 Coast Times. All rights reserved.", "Comments", "<low>"], True),
        # A list of related stories, opened by its marker.
        (["More like this", "<low>", "Markets rally as oil prices fall."], True),
        # A teaser with its own headline opens no list: the article goes on after it.
        (["Read more: Floods displace thousands", "<low>", ON_TOPIC[1]], False),
        # No furniture at all.
        (["<low>", ON_TOPIC[1]], False),
    ],
)
def test_off_topic_lines_go_only_past_an_edge_of_the_article(
    after: list[str], dropped: bool
) -> None:
    """Synthetic vectors: on-topic lines share one direction, ``CLOSING`` another."""
    layout = [ON_TOPIC[0], *(CLOSING if line == "<low>" else line for line in after)]
    if CLOSING not in layout:
        layout.insert(1, CLOSING)
    low = {CLOSING, "Markets rally as oil prices fall."}
    docs = [Document("a", "a.txt", "\n".join(layout)), Document("b", "b.txt", "\n".join(ON_TOPIC))]
    kept, furniture, sentences = [], [], []
    for doc in docs:
        k, f = clean.furniture(doc)
        kept += k
        furniture += f
        sentences += segment.sentences(doc, k)
    axes = np.eye(3, dtype=np.float32)
    vectors = np.stack([axes[1] if s.text in low else axes[0] for s in sentences])
    keep, gone = clean.off_topic(kept, furniture, sentences, vectors)
    closing = [i for i, s in enumerate(sentences) if s.text == CLOSING]
    assert len(closing) == 1
    assert keep[closing[0]] is not dropped
    assert (CLOSING in [d.text for d in gone]) is dropped
    assert all(keep[i] for i, s in enumerate(sentences) if s.text in ON_TOPIC)


def test_an_outlets_closing_line_is_kept_when_checked_with_another(tmp_path: Path) -> None:
    """Two outlets on one ferry disaster: the line only one has, before its page furniture,
    stays a claim (it scores near 0 against the other outlet's sentences)."""
    (tmp_path / "coast.txt").write_text(
        "Ferry capsizes on Lake Victoria, 23 dead\n\n"
        "Twenty-three people died when an overcrowded passenger ferry capsized on Lake "
        "Victoria near Homa Bay on Tuesday, police said.\n"
        "Rescuers pulled 31 survivors from the water and the search went on on Wednesday.\n"
        f"{CLOSING}\nShare this article\n© 2024 Coast Times. All rights reserved.\n",
        encoding="utf-8",
    )
    (tmp_path / "nairobi.txt").write_text(
        "Lake Victoria ferry disaster: death toll rises\n\n"
        "At least 25 people were killed when a passenger ferry overturned on Lake Victoria "
        "near Homa Bay on Tuesday, officials said.\n"
        "Police said 31 people were rescued and divers were searching for more bodies.\n"
        "More like this\nMarkets rally as oil prices fall in Nairobi trading.\n",
        encoding="utf-8",
    )
    report = consistency.check([tmp_path])
    assert CLOSING in set(report.sentences.text)
    assert CLOSING not in set(report.dropped.text)
    teaser = report.dropped[report.dropped.text.str.startswith("Markets rally")]
    assert teaser.reason.str.startswith("teaser: off-topic").tolist() == [True]


def test_real_news_lines_are_not_dropped_as_off_topic(ecb_report) -> None:
    """On a real story with no page furniture, no line may be taken for a teaser."""
    reasons = set(ecb_report.dropped.reason.str.split(":").str[0])
    assert "teaser" not in reasons


def test_link_head_records_how_it_was_trained() -> None:
    head = json.loads((SEEDS.parent / "models" / "link_head.json").read_text())
    assert head["trained_on"]["annotated_sentences"] == 160


def test_story_similarity_is_each_sentences_best_match_elsewhere(
    seed_story, monkeypatch: pytest.MonkeyPatch
) -> None:
    vectors = seed_story.vectors
    doc_ids = [s.doc_id for s in seed_story.sentences]
    ids = np.asarray(doc_ids)
    centre, nearest = clean.story_similarity(vectors, doc_ids)
    for i in range(0, len(ids), 7):
        elsewhere = vectors[ids != ids[i]]
        assert nearest[i] == pytest.approx(float((elsewhere @ vectors[i]).max()), abs=1e-6)
        others = elsewhere.sum(axis=0)
        assert centre[i] == pytest.approx(
            float(vectors[i] @ others / np.linalg.norm(others)), abs=1e-6
        )
    # Rows a few at a time (several blocks, a block across documents) give the same.
    monkeypatch.setattr(clean, "NEAREST_BLOCK", 5 * len(ids))
    assert np.allclose(clean.story_similarity(vectors, doc_ids)[1], nearest, atol=1e-6)
    # Lines repeated: a document copied under another id, a line twice in a document of
    # its own (its copy there is not "elsewhere"), documents out of order.
    first = [k for k, d in enumerate(doc_ids) if d == doc_ids[0]]
    rows = [*range(len(ids)), *first, 3, 3, *first[:2]]
    more = [*doc_ids, *["copy"] * len(first), "twice", "twice", *[doc_ids[0]] * 2]
    got = clean.story_similarity(vectors[rows], more)[1]
    more_ids = np.asarray(more)
    for i, row in enumerate(rows):
        elsewhere = vectors[rows][more_ids != more_ids[i]]
        assert got[i] == pytest.approx(float((elsewhere @ vectors[row]).max()), abs=1e-6)
    # One document: nothing elsewhere, so no evidence either way.
    alone = clean.story_similarity(vectors[:9], ["a"] * 9)
    assert np.array_equal(alone[1], np.ones(9, dtype=np.float32))
