"""The TempEval-3 benchmark's TimeML parser and scorer, on hand-made inputs (no corpus)."""

from __future__ import annotations

import doctest
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "eval_tempeval.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_tempeval", PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


ev = load()

TML = """<?xml version="1.0" ?>
<TimeML>
<DOCID>t1</DOCID>
<DCT><TIMEX3 tid="t0" type="DATE" value="2013-03-22T09:00" functionInDocument="CREATION_TIME">March 22, 2013</TIMEX3></DCT>
<TITLE>Ignored title, <TIMEX3 tid="t9" type="DATE" value="2013">2013</TIMEX3></TITLE>
<TEXT>
AT&amp;T <EVENT eid="e1" class="REPORTING">said</EVENT> <TIMEX3 tid="t1" type="DATE" value="2013-03-22">Friday</TIMEX3> it lost money for <TIMEX3 tid="t2" type="DURATION" value="P10Y">a decade</TIMEX3>.
Shares fell at <TIMEX3 tid="t3" type="TIME" value="2013-03-22T10:00">10 a.m. Friday</TIMEX3> &lt;again&gt;.
</TEXT>
<TLINK lid="l1" relType="BEFORE" timeID="t1" relatedToTime="t0"/>
</TimeML>
"""  # noqa: E501


def mention(text: str, phrase: str, kind: str, value: str) -> object:
    start = text.index(phrase)
    return ev.Mention(kind, value, start, start + len(phrase), phrase)


def test_parse_strips_tags_and_unescapes_with_consistent_offsets() -> None:
    doc = ev.parse_tml(TML, "t1")
    assert doc.dct == "2013-03-22"
    assert "<" not in doc.text.replace("<again>", "")
    assert "AT&T said Friday it lost money for a decade." in doc.text
    assert "<again>" in doc.text
    assert [(t.type, t.value, t.text) for t in doc.timexes] == [
        ("DATE", "2013-03-22", "Friday"),
        ("DURATION", "P10Y", "a decade"),
        ("TIME", "2013-03-22T10:00", "10 a.m. Friday"),
    ]
    for t in doc.timexes:
        assert doc.text[t.start : t.end] == t.text


def test_overlapping_span_with_right_value_counts_as_correct() -> None:
    doc = ev.parse_tml(TML, "t1")
    system = [
        mention(doc.text, "Friday it", "relative", "2013-03-22"),  # loose boundary
        mention(doc.text, "a decade", "duration", "P10Y"),
    ]
    s = ev.summarise([ev.score_document("t1", doc.timexes, system)])
    assert (s["n_gold"], s["n_system"], s["n_matched"], s["value_correct"]) == (2, 2, 2, 2)
    assert s["span_p"] == s["span_r"] == s["value_f1"] == 1.0
    assert s["strict_span_r"] == 0.5  # only "a decade" has the gold boundaries


def test_wrong_value_and_spurious_span_lower_the_figures() -> None:
    doc = ev.parse_tml(TML, "t1")
    system = [
        mention(doc.text, "Friday", "relative", "2013-03-21"),  # wrong value
        mention(doc.text, "a decade", "duration", "P10Y"),
        mention(doc.text, "money", "date", "2013"),  # spurious
    ]
    score = ev.score_document("t1", doc.timexes, system)
    s = ev.summarise([score])
    assert s["n_matched"] == 2 and s["value_correct"] == 1
    assert s["span_p"] == pytest.approx(0.667, abs=1e-3) and s["span_r"] == 1.0
    assert s["value_accuracy"] == 0.5
    assert s["value_p"] == pytest.approx(0.333, abs=1e-3) and s["value_r"] == 0.5
    kinds = [line.split()[2] for line in ev.errors(score)]
    assert kinds == ["wrong", "spurious"]


def test_span_over_a_gold_time_is_excluded() -> None:
    doc = ev.parse_tml(TML, "t1")
    system = [
        mention(doc.text, "a decade", "duration", "P10Y"),
        mention(doc.text, "a.m. Friday", "relative", "2013-03-22"),  # inside the gold TIME
    ]
    score = ev.score_document("t1", doc.timexes, system)
    assert len(score.excluded) == 1 and len(score.system) == 1
    s = ev.summarise([score])
    assert s["n_excluded"] == 1 and s["span_p"] == 1.0 and s["span_r"] == 0.5


def test_matching_is_one_to_one_by_largest_overlap() -> None:
    # Two system spans overlap the first gold: the larger overlap is paired, the other
    # is left over (spurious), not matched a second time.
    assert ev.match([(0, 10)], [(0, 3), (2, 10)]) == [(0, 1)]
    # A system span taken by a larger overlap is not reused for the next gold.
    assert ev.match([(0, 4), (3, 12)], [(2, 12)]) == [(1, 0)]
    assert ev.match([(0, 5)], [(5, 9)]) == []  # touching is not overlapping


def test_doctests() -> None:
    assert doctest.testmod(ev).failed == 0
