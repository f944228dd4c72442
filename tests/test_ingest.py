from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consistency import ingest
from consistency.errors import InputError
from consistency.records import Document

from .conftest import SEEDS


def test_seeds_load_sorted_with_stable_ids() -> None:
    docs = ingest.load([SEEDS]).documents
    assert [d.doc_id for d in docs] == sorted(p.stem for p in SEEDS.glob("*.txt"))
    assert all(d.text for d in docs)


def test_headline_and_dateline_of_the_seeds() -> None:
    docs = {d.doc_id[:3]: d for d in ingest.load([SEEDS]).documents}
    assert docs["001"].title.startswith("West Panics over Putin")
    assert docs["004"].title.startswith("Putin in Pyongyang")
    assert docs["000"].title == ""  # its first line is a full sentence, not a headline
    assert docs["001"].published == "XXXX-06-19"  # "MOSCOW/SEOUL, June 19 (Reuters)"
    assert docs["000"].published == ""


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("MOSCOW/SEOUL, June 19 (Reuters) – Putin signed.", "XXXX-06-19"),
        ("WASHINGTON, Jan. 5, 2024 (AP) - Officials said.", "2024-01-05"),
        ("SEOUL, Feb 30 (Reuters) - No such day.", ""),
        ("Putin signed a pact on June 19 - in Pyongyang.", ""),
        ("LONDON (Reuters) - No date here.", ""),
    ],
)
def test_dateline_date(line: str, expected: str) -> None:
    assert ingest.dateline_date(line) == expected


@pytest.mark.parametrize(
    ("text", "title", "published"),
    [
        (
            "Updated: July 02, 2013 15:50 IST\nQuake hits Aceh\nA quake hit.",
            "Quake hits Aceh",
            "2013-07-02",
        ),
        ("Quake hits Aceh\nTuesday, July 2nd, 2013\nA quake hit.", "Quake hits Aceh", "2013-07-02"),
        (
            "Quake hits Aceh\nJAKARTA, July 2 (Reuters) - A quake hit.",
            "Quake hits Aceh",
            "XXXX-07-02",
        ),
        ("A quake hit Aceh on July 2, 2013.\nMore.", "", ""),
    ],
)
def test_title_and_published_of_plain_text(text: str, title: str, published: str) -> None:
    assert ingest.headline(text) == title
    assert ingest.published_date(text) == published


def test_html_text_title_and_date(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Site | Putin visits</title>"
        '<meta property="og:title" content="Putin visits Pyongyang">'
        '<meta property="article:published_time" content="2024-06-19T08:00:00+09:00">'
        "<style>p {color: red}</style><script>var x = 'tracking';</script></head>"
        "<body><h1>Putin visits Pyongyang</h1><p>Putin arrived on Wednesday.</p>"
        "<p>Kim greeted him.</p></body></html>",
        encoding="utf-8",
    )
    [doc] = ingest.load([page]).documents
    assert doc.title == "Putin visits Pyongyang"
    assert doc.published == "2024-06-19"
    assert "Putin arrived on Wednesday." in doc.text
    assert "tracking" not in doc.text and "color" not in doc.text
    assert doc.text.count("\n") >= 2  # paragraphs stay on lines of their own


SITE = '<meta property="og:site_name" content="Coast Times">'
OG_URL = '<meta property="og:url" content="https://coasttimes.example/og">'
CANONICAL = '<link rel="canonical" href="https://coasttimes.example/ferry">'
LINKED = (
    '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
    '{"@type": "WebSite", "name": "Coast Times web"}, {"@type": "NewsArticle", '
    '"datePublished": "2024-05-14T09:00:00+03:00", "publisher": {"@type": "Organization", '
    '"name": "Coast Times  Group"}}]}</script>'
)


@pytest.mark.parametrize(
    ("head", "source", "url", "published"),
    [
        ([SITE, OG_URL, CANONICAL, LINKED], "Coast Times", "https://coasttimes.example/ferry",
         "2024-05-14"),
        # No og:site_name: the JSON-LD publisher names the outlet (its spaces tidied).
        ([OG_URL, LINKED], "Coast Times Group", "https://coasttimes.example/og", "2024-05-14"),
        # A relative canonical link is no address to open; og:url is.
        ([OG_URL, '<link rel="canonical" href="/ferry">'], "", "https://coasttimes.example/og",
         ""),
        # Only http and https addresses are kept.
        (['<meta property="og:url" content="javascript:alert(1)">'], "", "", ""),
        # A publisher given as a list of names, or as a name.
        (['<script type="application/ld+json">{"@type": "Article", "publisher": ["Wire"]}'
          "</script>"], "Wire", "", ""),
        (['<script type="application/ld+json">[{"@type": "NewsArticle", "publisher": "Wire",'
          ' "datePublished": "2024-05-13"}]</script>'], "Wire", "", "2024-05-13"),
        # Broken JSON-LD is passed over: the page is still read.
        (['<script type="application/ld+json">{"publisher": </script>', SITE], "Coast Times",
         "", ""),
    ],
)  # fmt: skip
def test_saved_page_names_its_outlet_url_and_date(
    tmp_path: Path, head: list[str], source: str, url: str, published: str
) -> None:
    page = tmp_path / "ferry.html"
    page.write_text(
        f"<html><head><title>Ferry</title>{''.join(head)}</head><body>"
        "<p>Twenty-three people died when a ferry capsized on Lake Victoria.</p></body></html>",
        encoding="utf-8",
    )
    [doc] = ingest.load([page]).documents
    assert (doc.source, doc.url, doc.published) == (source, url, published)
    assert doc.text.strip().endswith(
        "Twenty-three people died when a ferry capsized on Lake Victoria."
    )
    assert "schema.org" not in doc.text  # the metadata is read, not shown as text


@given(st.dictionaries(st.text(min_size=1, max_size=6), st.sampled_from(["", "AP", " AP", "a"])))
def test_outlet_labels_tell_every_document_apart(sources: dict[str, str]) -> None:
    labels = ingest.outlet_labels(sources)
    assert set(labels) == set(sources)
    assert len(set(labels.values())) == len(labels)
    for doc_id, source in sources.items():
        assert labels[doc_id] in (source.strip() or doc_id, f"{source.strip()} ({doc_id})")


def test_crlf_offsets_match_what_python_reads(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_bytes(b"First line.\r\nSecond line.\r\n")
    [doc] = ingest.load([f]).documents
    assert doc.text == f.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: p, "no article files"),
        (lambda p: p / "missing", "no such file"),
        (lambda p: _write(p / "a.pdf", b"%PDF-1.4"), "unsupported file type"),
        (lambda p: _write(p / "a.txt", b"   \n\n"), "holds no text"),
    ],
)
def test_bad_input_names_the_file(tmp_path: Path, setup, message: str) -> None:
    target = setup(tmp_path)
    with pytest.raises(InputError, match=message) as info:
        ingest.load([target])
    assert str(target) in str(info.value)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    _write(tmp_path / "x" / "a.txt", b"One.")
    _write(tmp_path / "y" / "a.md", b"Two.")
    with pytest.raises(InputError, match="doc id 'a'"):
        ingest.load([tmp_path])


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@given(
    st.text(
        alphabet=st.sampled_from(
            list("abcxyz AZ09_-.,'\"\n\t") + list("’‘“”–—…\u00a0éßİΣК\u212a½²٣")
        ),
        max_size=80,
    )
)
@settings(max_examples=400, deadline=None)
def test_letter_words_are_the_expression_s(text: str) -> None:
    # The byte-table path (ASCII once its quotes and dashes are spaced out) and the
    # expression give the same words for any text: letters of other scripts, digits of
    # others, a Kelvin sign that lower-cases to ASCII "k".
    low = text.lower()
    assert ingest.letter_words(low) == ingest.LETTERS.findall(low)


def test_articles_in_other_languages_are_warned_about() -> None:
    english = Document(
        "en", "en.txt", "Putin said on Wednesday that the leaders had signed a pact, and that "
        "the visit was the first in 24 years."
    )
    german = Document(
        "de", "de.txt", "Der Präsident besuchte Pjöngjang am Mittwoch und unterzeichnete "
        "dort einen Vertrag über gegenseitige Hilfe mit Kim."
    )
    assert ingest.language_warning(english) == ""
    assert ingest.language_warning(german).startswith("de: this article does not read as English")
