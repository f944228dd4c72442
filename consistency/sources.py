"""Documents and their sentences -> source families: copies of one article count as one source.

Regional papers, portals and aggregators republish wire copy nearly word for word, under a
new headline, with the ending trimmed or a local paragraph changed. Such copies are one
source, however many outlets ran them. Two documents are joined when either holds:

- copy: aligned in order, at least SHARE of the shorter one's sentences (and MIN_SHARED or
  more) are in the other, the same text or the same but for small edits (EDIT);
- lead and agency: they share a lead sentence (one of their first LEAD, of LEAD_WORDS
  words or more) and both credit the same agency ("(Reuters)", a line "AP", "— Agencies").

Families are the chains of such joins. Only documents whose stage-1 story features
(stories.matrices) are CANDIDATE close are aligned: stories.near_pairs finds them without
comparing every two. The rule and its measurements on ECB+: docs/families.md.
"""

from __future__ import annotations

import difflib
import re
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

import numpy as np
from numpy.typing import NDArray

from consistency import stories
from consistency.cluster import unit_rows
from consistency.records import Document, Sentence

__all__ = [
    "CANDIDATE",
    "EDIT",
    "LEAD",
    "LEAD_WORDS",
    "MIN_SHARED",
    "SHARE",
    "Families",
    "Step",
    "agencies",
    "align",
    "families",
    "join_rule",
    "key",
    "shared",
]

# Two sentences are one with small edits when difflib's ratio of their word sequences is
# at least this: "fell about 60m" / "fell about 200ft", a name added, "said" for "told".
EDIT: Final = 0.8
# Most of the shorter document in the other (a trimmed copy is shorter): on ECB+'s dev half
# the wire copies judged by reading lie at 0.64 and above, rewrites around 0.5-0.57.
SHARE: Final = 0.6
MIN_SHARED: Final = 2  # one sentence in common is a quote two reports both give
# Stage-1 cosine (stories.py) under which two documents are never aligned: the judged
# copies of ECB+'s dev half are at 0.45 or more.
CANDIDATE: Final = 0.4
LEAD: Final = 3  # the lead is among the first sentences (a headline and a dateline may precede it)
LEAD_WORDS: Final = 12  # a shared headline or dateline is shorter than a lead paragraph

WORD = re.compile(r"\w+")
# An agency credited in a dateline ("MOSCOW, June 19 (Reuters) -") or on a line of its own.
AGENCY_NAMES: Final = {
    "reuters": "Reuters",
    "ap": "AP",
    "associated press": "AP",
    "the associated press": "AP",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "agence france presse": "AFP",
    "agencies": "Agencies",
}
_NAMES = "|".join(sorted((re.escape(n) for n in AGENCY_NAMES), key=len, reverse=True))
CREDITED = re.compile(rf"\(\s*({_NAMES})\s*\)", re.IGNORECASE)
BYLINE = re.compile(rf"^[ \t]*(?:[-–—][ \t]*)?(?:by[ \t]+)?({_NAMES})[ \t]*$", re.I | re.M)

Change = Literal["same", "changed", "added", "dropped"]


@dataclass(frozen=True)
class Step:
    """One step of two documents' alignment: a sentence of each, or of one of them.

    ``a``/``b``: the sentence's index in the first/second document, -1 where it has none
    ("added": in the second only; "dropped": in the first only).
    """

    change: Change
    a: int
    b: int


@dataclass(frozen=True)
class Families:
    """Each document's family (its first document's id, in input order) and how it joined.

    ``compared_with``: for a family's other members, the member it was joined to (a copy of a
    copy is compared with that copy); ``rule``: "copy", "lead and agency" or "duplicate".
    """

    family_of: Mapping[str, str]
    compared_with: Mapping[str, str]
    rule: Mapping[str, str]

    def ids(self, doc_ids: Iterable[str]) -> NDArray[np.str_]:
        """The family of each of ``doc_ids`` (a document not read is its own family).

        >>> Families({"b": "a"}, {}, {}).ids(["a", "b", "c"]).tolist()
        ['a', 'a', 'c']
        """
        return np.array([self.family_of.get(d, d) for d in doc_ids], dtype=np.str_)


@lru_cache(maxsize=1 << 17)
def key(sentence: str) -> str:
    """A sentence's words, lower case, as one string: punctuation and quote marks drop out.

    Cached: a document's sentences are keyed again for each document it is aligned with.

    >>> key("“No,” Arians said.") == key('"No, " arians said')
    True
    """
    return " ".join(WORD.findall(sentence.casefold()))


@lru_cache(maxsize=1 << 17)
def counted(sentence_key: str) -> tuple[frozenset[tuple[str, int]], int]:
    """A key's words as a set of (word, how many times it came so far), and their count."""
    seen: dict[str, int] = {}
    out = []
    for word in sentence_key.split():
        seen[word] = seen.get(word, 0) + 1
        out.append((word, seen[word]))
    return frozenset(out), len(out)


@lru_cache(maxsize=1 << 20)
def edited(a: str, b: str) -> bool:
    """Whether two sentence keys are one sentence with small edits (difflib ratio >= EDIT).

    The ratio is bounded first by the two lengths and then by the words the two have in
    common in any order (difflib's real_quick_ratio and quick_ratio, from cached
    multisets): most pairs in a stretch that differs fail there, before a SequenceMatcher
    is built (which took 12 s of the 12.4 s on ECB+'s dev half). Cached: the copies of one
    article in many outlets ask about the same sentence pairs again for each two of them.
    """
    (wa, na), (wb, nb) = counted(a), counted(b)
    limit = EDIT * (na + nb)
    if 2 * min(na, nb) < limit or 2 * len(wa & wb) < limit or not na:
        return False
    return difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio() >= EDIT


def align(a: Sequence[str], b: Sequence[str]) -> list[Step]:
    """The sentences of ``a`` and ``b`` aligned in order: same, changed, added or dropped.

    Sentences whose keys are equal are matched first (difflib); in a stretch that differs,
    each sentence of ``a`` is matched to the next sentence of ``b`` it is an edit of.

    >>> wire = ["A quake hit Aceh.", "It killed five people in the town of Bireuen.", "End."]
    >>> copy = ["Local view.", "A quake hit Aceh!", "It killed six people in the town of Bireuen."]
    >>> [s.change for s in align(wire, copy)]
    ['added', 'same', 'changed', 'dropped']
    """
    ka, kb = [key(s) for s in a], [key(s) for s in b]
    steps: list[Step] = []
    matcher = difflib.SequenceMatcher(None, ka, kb, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            steps += [Step("same", i1 + k, j1 + k) for k in range(i2 - i1)]
            continue
        j = j1
        for i in range(i1, i2):
            match = next((jj for jj in range(j, j2) if edited(ka[i], kb[jj])), -1)
            if match < 0:
                steps.append(Step("dropped", i, -1))
                continue
            steps += [Step("added", -1, jj) for jj in range(j, match)]
            steps.append(Step("changed", i, match))
            j = match + 1
        steps += [Step("added", -1, jj) for jj in range(j, j2)]
    return steps


def shared(steps: Sequence[Step]) -> int:
    """How many sentences an alignment matches (the same or changed)."""
    return sum(s.change in ("same", "changed") for s in steps)


def agencies(text: str) -> frozenset[str]:
    """The news agencies a document credits, by their usual names.

    >>> sorted(agencies("MOSCOW, June 19 (Reuters) - Putin..." + chr(10) + "— Agencies"))
    ['Agencies', 'Reuters']
    """
    found = CREDITED.findall(text) + BYLINE.findall(text)
    return frozenset(AGENCY_NAMES[" ".join(f.lower().split())] for f in found)


def join_rule(
    a: Sequence[str],
    b: Sequence[str],
    credited_a: frozenset[str],
    credited_b: frozenset[str],
) -> str:
    """Why two documents (their sentences, the agencies they credit) are copies; "" if not."""
    if not a or not b:
        return ""
    steps = align(a, b)
    count = shared(steps)
    if count >= MIN_SHARED and count >= SHARE * min(len(a), len(b)):
        return "copy"
    if credited_a & credited_b:
        for s in steps:
            lead = s.change in ("same", "changed") and s.a < LEAD and s.b < LEAD
            if lead and len(WORD.findall(a[s.a])) >= LEAD_WORDS:
                return "lead and agency"
    return ""


def families(docs: Sequence[Document], sentences: Sequence[Sentence]) -> Families:
    """The source family of every document in ``docs`` (see the module's rules).

    ``sentences``: the documents' kept sentences, in document order. A document dropped as
    a duplicate joins its original's family; one without sentences is alone. Documents
    whose sentences are the same word for word are copies without being aligned.
    """
    texts: dict[str, list[str]] = {}
    for s in sentences:
        texts.setdefault(s.doc_id, []).append(s.text)
    order = {d.doc_id: k for k, d in enumerate(docs)}
    read = [d for d in docs if d.doc_id in texts]
    credited = {d.doc_id: agencies(d.text) for d in read}
    # One alignment per distinct sequence of sentence keys: exact copies share it.
    same_keys: dict[tuple[str, ...], list[str]] = {}
    for d in read:
        same_keys.setdefault(tuple(key(t) for t in texts[d.doc_id]), []).append(d.doc_id)
    heads = [ids[0] for ids in same_keys.values()]
    links: list[tuple[str, str, str]] = [
        (ids[0], other, "copy") for ids in same_keys.values() for other in ids[1:]
    ]
    if len(heads) > 1:
        first, _ = stories.matrices(["\n".join(texts[h]) for h in heads])
        i, j, _ = stories.near_pairs(unit_rows(first), CANDIDATE)
        for a, b in zip(i.tolist(), j.tolist(), strict=True):
            ha, hb = heads[a], heads[b]
            rule = join_rule(texts[ha], texts[hb], credited[ha], credited[hb])
            if rule:
                links.append((ha, hb, rule))
    for d in docs:
        if d.duplicate_of and d.duplicate_of in order:
            links.append((d.duplicate_of, d.doc_id, "duplicate"))
    return spanning(docs, links)


def spanning(docs: Sequence[Document], links: Sequence[tuple[str, str, str]]) -> Families:
    """Families from the joins: each reached from its first document, neighbours in input order."""
    order = {d.doc_id: k for k, d in enumerate(docs)}
    near: dict[str, list[tuple[int, str, str]]] = {}
    for a, b, rule in links:
        near.setdefault(a, []).append((order[b], b, rule))
        near.setdefault(b, []).append((order[a], a, rule))
    family_of: dict[str, str] = {}
    compared_with: dict[str, str] = {}
    rule_of: dict[str, str] = {}
    for d in docs:
        if d.doc_id in family_of:
            continue
        family_of[d.doc_id] = d.doc_id
        queue = deque([d.doc_id])
        while queue:
            at = queue.popleft()
            for _, other, rule in sorted(near.get(at, [])):
                if other not in family_of:
                    family_of[other] = d.doc_id
                    compared_with[other] = at
                    rule_of[other] = rule
                    queue.append(other)
    return Families(family_of, compared_with, rule_of)
