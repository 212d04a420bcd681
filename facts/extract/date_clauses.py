"""One sentence, several dated events: where to cut it so that each event keeps its own date.

News writing packs a sequence into one sentence: "Ruritania ratified the pact in May, Freedonia
signed it in June, and the assembly approved it in July"; "the minister resigned on May 4 but
returned on May 9"; "the deals Ruritania signed on May 4 and Freedonia on June 9". Dating the
sentence by one of its dates misdates the others. The sentence is cut between two dates only
at a clause boundary (", but", ", and", ";", ", while", a comma before a new subject) and only
when each piece is an event of its own: it holds a verb other than a verb of saying ("the
minister said on Friday" only reports), or it repeats the previous piece's verb by ellipsis
("... signed on May 4 and Freedonia on June 9"). No cut falls inside an aside set off by a
pair of dashes ("the court ruled last June the policy - which Ruritania and Freedonia signed
in April - was unlawful"): its pieces would not be clauses.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from facts.extract.dates import DateMention

__all__ = ["IRREGULAR_PAST", "clause_spans", "clause_text"]

_BOUNDARY = re.compile(
    r";\s*|,\s*(?:(?:and|but)\s+(?:then\s+|later\s+)?|while\s+|whereas\s+|then\s+)"
    r"|\s+(?:but|while|whereas)\s+(?:then\s+)?|,\s+(?=[A-Z]|(?:the|a|an|its|his|her|their)\s)"
    r"|\s+and\s+(?:then\s+)?(?=[A-Z]|[a-z]+ed\b)"
)
# A pair of dashes sets off an aside; no clause ends inside it.
_DASH = re.compile(r"\s[-–—]{1,2}\s")
_SAYING = frozenset(
    "said says say told tells announced announces added adds noted notes reported reports stated states "
    "confirmed confirms wrote writes tweeted".split()
)
IRREGULAR_PAST = frozenset(
    "made held took taken gave given won began begun set brought sent struck did done saw seen wrote built "
    "drew sold paid put cut led met shown showed knew spent found hit laid chose froze broke spoke drove "
    "threw fought bought caught kept left lost became become rose fell went came ran quit withdrew withdrawn "
    "drew grew flew stood sought swore undertook overtook oversaw forgave hid shut split spread sank bore "
    "tore wore rode woke understood".split()
)
_PRESENT = frozenset(
    "signs agrees approves ratifies takes enters joins leaves ends expires begins starts".split()
)
_MODAL = re.compile(r"\b(?:will|would|shall|can|could|may|might|must|to)\s+[a-z]+", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_LEADING = re.compile(r"^(?:(?:and|but|then|while|whereas|later)\b[\s,]*)+", re.IGNORECASE)
_GAPPED = re.compile(r"^[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,3}\s*,?\s*(?:on|in|at|by)?\s*$")
_MIN_WORDS = 3


def _verb(text: str) -> bool:
    """Does the piece hold a verb that is not a verb of saying?"""
    for w in _WORD.findall(text):
        lw = w.lower()
        if lw in _SAYING:
            continue
        if (len(lw) > 4 and lw.endswith("ed")) or lw in IRREGULAR_PAST or lw in _PRESENT:
            return True
    return _MODAL.search(text) is not None


def _verb_before(text: str, at: int) -> bool:
    """Is the date at ``at`` right after a verb ("signed on May 4", "ratified it in May")?"""
    words = _WORD.findall(text[max(0, at - 40) : at])[-3:]
    return any(_verb(w) for w in words)


def clause_spans(sentence: str, mentions: Sequence[DateMention]) -> list[tuple[int, int]]:
    """Spans of the event clauses of ``sentence`` (its dates resolved in ``mentions``), or [] when
    it reports one event. The spans cover the sentence, in order; each holds at least one date."""
    dated = sorted(
        (m for m in mentions if m.text.lower() not in {"now", "currently", "as of now"}),
        key=lambda m: m.span[0],
    )
    if len(dated) < 2:
        return []
    dashes = [m.start() for m in _DASH.finditer(sentence)]

    def inside_dashes(at: int) -> bool:  # "... ruled the policy - which X and Y signed in May - was ..."
        before = sum(d < at for d in dashes)
        return before % 2 == 1 and before < len(dashes)

    cuts: list[tuple[int, int]] = []
    for prev, nxt in itertools.pairwise(dated):
        between = [
            b for b in _BOUNDARY.finditer(sentence, prev.span[1], nxt.span[0]) if not inside_dashes(b.start())
        ]
        if between:
            last = between[-1]
            cuts.append((last.start(), last.end()))
    if not cuts:
        return []
    spans: list[tuple[int, int]] = []
    start = 0
    for a, b in cuts:
        spans.append((start, a))
        start = b
    spans.append((start, len(sentence)))
    # Every piece must report an event of its own; a piece that does not joins its neighbour.
    oks: list[bool] = []
    for a, b in spans:
        piece = sentence[a:b]
        own = [m for m in dated if a <= m.span[0] < b]
        ok = len(_WORD.findall(piece)) >= _MIN_WORDS - 1 and _verb(piece.replace(own[0].text, " "))
        if not ok and oks:
            # Ellipsis: "... signed on May 4 and Freedonia on June 9" repeats the verb.
            head = _LEADING.sub("", piece[: own[0].span[0] - a].strip())
            prev = dated[dated.index(own[0]) - 1]
            ok = _GAPPED.match(head) is not None and _verb_before(sentence, prev.span[0])
        oks.append(ok)
    merged: list[tuple[int, int]] = []
    lead_in: int | None = None
    for ok, (a, b) in zip(oks, spans, strict=True):
        if ok:
            merged.append((a if lead_in is None else lead_in, b))
            lead_in = None
        elif merged:
            merged[-1] = (merged[-1][0], b)
        elif lead_in is None:
            lead_in = a
    return merged if len(merged) > 1 else []


def clause_text(sentence: str, span: tuple[int, int]) -> tuple[int, int]:
    """The span trimmed of the joining words ("and", "but then") and punctuation around it: the
    clause as the sentence writes it, so a line shows verbatim text."""
    a, b = span
    piece = sentence[a:b]
    lead = _LEADING.match(piece)
    if lead:
        a += lead.end()
    while a < b and sentence[a] in " ,;":
        a += 1
    while b > a and sentence[b - 1] in " ,;":
        b -= 1
    return a, b
