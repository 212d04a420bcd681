"""Split an article into passages: sentences, captions, headings and newsroom furniture.

Every passage keeps its offsets into the article text (``text[p.start:p.end] == p.text``), so
quotes and citations can always point back at the exact characters received.

News pages put each paragraph, caption and heading on a line of its own, and headings have no
final period, so lines are split first and sentences only within a line (sentencex, which keeps
"Sept. 20", "U.S.", "Rev. John L. Smith" together). Line kinds are decided before splitting
because one caption line may hold several sentences and they all stay captions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sentencex

__all__ = ["PASSAGE_KINDS", "Passage", "split_passages"]

PASSAGE_KINDS = ("sentence", "caption", "heading", "headline", "dateline", "boilerplate")


@dataclass(frozen=True)
class Passage:
    """One sentence-sized piece of an article.

    ``paragraph`` counts the lines that produced passages; ``index`` counts passages.
    """

    start: int
    end: int
    text: str
    kind: str
    paragraph: int
    index: int


# --------------------------------------------------------------------------------------------
# Patterns
# --------------------------------------------------------------------------------------------

_DASH = r"(?:[ \t\u00a0]+(?:--?|[–—])|(?:--|[–—]))[ \t\u00a0]*+"
_CAPS_WORD = r"[A-Z][A-Z'’-]*[A-Z]\.?"
_TITLE_WORD = r"[A-Z][a-z]+\.?"
_REGION = r"(?:,[ \u00a0]*[A-Z][\w.]*(?:[ \u00a0][A-Z][\w.]*){0,2})?"
_OUTLET = r"(?:AP|AFP|CNN|Reuters|UPI|Bloomberg|dpa|EFE|Xinhua)"
# "NEW YORK -", "MEXICO CITY (AP) —", "LIMA, Peru (AP) —", "ST. LOUIS —"
_CAPS_DATELINE = (
    rf"{_CAPS_WORD}(?:[ \u00a0]{_CAPS_WORD}){{0,3}}{_REGION}"
    r"(?:[ \u00a0]*\([A-Z][\w&.]*(?:[ \u00a0][A-Z][\w&.]*){0,3}\))?"
)
# "Washington CNN —", "Washington (CNN) —", "Mexico City (Reuters) -": title case needs an outlet.
_OUTLET_DATELINE = rf"{_TITLE_WORD}(?:[ \u00a0]{_TITLE_WORD}){{0,2}}{_REGION}[ \u00a0]+\(?{_OUTLET}\)?"
_DATELINE = re.compile(rf"(?!FILE\b)(?:{_CAPS_DATELINE}|{_OUTLET_DATELINE}){_DASH}(?![a-z])")
_DATELINE_ONLY = re.compile(r"[A-Z][^.!?]{0,60}?\s*(?:--?|[–—])")

_CAPTION_START = re.compile(r"FILE(?:\s*(?:--?|[–—])|\s+PHOTO\b)")
# Checked against the last parenthesis of a line ending in ")" and the tail of a line with ":".
_PAREN_CREDIT = re.compile(
    r"\([^()]*\b(?:Photos?|AP|AFP|Reuters|Getty Images|EPA|EFE|Bloomberg|Pool|Xinhua|Shutterstock)\b[^()]*\)"
)
_LABEL_CREDIT = re.compile(r"\b(?:Photo|Photograph|Image|Credit)s?:[ \u00a0]*[^:]{1,80}$")
_CREDIT_TAIL = 100

# Newsroom furniture, matched against each sentence (re.IGNORECASE). Keep them in this list.
BOILERPLATE_PATTERNS: tuple[str, ...] = (
    r"\bcontributed(?:[ \u00a0]+(?:to[ \u00a0]+)?(?:this[ \u00a0]+)?(?:report|story|article|reporting)\w*)?"
    r"(?:[ \u00a0]+(?:from|in)[ \u00a0]+[A-Z][\w .,'’-]*)?\W*$",
    r"^(?:includes|with|additional)[ \u00a0]+reporting[ \u00a0]+(?:from|by)\b",
    r"^(?:reporting|writing|editing)[ \u00a0]+by\b",
    r"^sign[ \u00a0]+up\b",
    r"^by[ \u00a0]+submitting[ \u00a0]+this[ \u00a0]+form\b",
    r"^subscribe\b",
    r"^follow[ \u00a0]+us\b",
    r"^all[ \u00a0]+rights[ \u00a0]+reserved\b",
    r"^(?:copyright\b|©|\(c\)[ \u00a0]*\d)",
    r"^click[ \u00a0]+here\b",
    r"^(?:read|see|watch)[ \u00a0]+(?:more|also)[ \u00a0]*:",
    r"^related[ \u00a0]*:",
    r"^advertisement\W*$",
    r"^this[ \u00a0]+(?:story|article|report)[ \u00a0]+(?:has[ \u00a0]+been|was)[ \u00a0]+"
    r"(?:updated|corrected)\b",
)
_BOILERPLATE_START = re.compile(
    "|".join(f"(?:{p[1:]})" for p in BOILERPLATE_PATTERNS if p.startswith("^")), re.IGNORECASE
)
_BOILERPLATE_ANYWHERE = re.compile(
    "|".join(f"(?:{p})" for p in BOILERPLATE_PATTERNS if not p.startswith("^")), re.IGNORECASE
)
# Every unanchored pattern needs one of these words: a cheap test before the regex.
_BOILERPLATE_KEYWORDS = ("contributed",)
# Furniture that only counts on a short line of its own ("By Jane Doe", "Updated 4:05 PM ET").
_SHORT_FURNITURE = re.compile(
    r"By[ \u00a0]+[A-Z]|(?:Updated|Published|Posted)(?::|[ \u00a0]+(?:on[ \u00a0]+)?(?:\d|[A-Z][a-z]{2}))"
)

_TERMINAL = ('.', '!', '?', '"', '”', ':', "'", '’', '…', ';')
_LEADING_CLOSERS = re.compile(r"(?:''|”|’|\"|»)+(?=\s|$)")
_MARKDOWN_HEADING = re.compile(r"#{2,6}[ \t]+")
_HEADLINE = re.compile(r"#[ \t]+")
_MAX_HEADING_WORDS = 8
_SHORT_LINE = 100  # characters; longer lines are never headings or datelines
_ALNUM = re.compile(r"[^\W_]")
_LEADING_CAPTION_WINDOW = 4  # a dateline within the first lines turns the lines above it into captions


# --------------------------------------------------------------------------------------------
# Lines
# --------------------------------------------------------------------------------------------


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` past whitespace on both sides (NBSP and tabs included)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _lines(text: str) -> list[tuple[int, int]]:
    """Stripped, non-empty lines as ``(start, end)`` offsets."""
    out: list[tuple[int, int]] = []
    pos = 0
    size = len(text)
    while pos <= size:
        nl = text.find("\n", pos)
        stop = size if nl < 0 else nl
        start, end = _strip_span(text, pos, stop)
        if start < end:
            out.append((start, end))
        if nl < 0:
            break
        pos = nl + 1
    return out


def _is_dateline_only(line: str) -> bool:
    match = _DATELINE.match(line)
    if match and match.end() == len(line):
        return True
    return len(line.split()) <= 6 and _DATELINE_ONLY.fullmatch(line) is not None


def _is_caption(line: str) -> bool:
    if _CAPTION_START.match(line):
        return True
    if line.endswith(")"):
        opening = line.rfind("(")
        if opening >= 0 and _PAREN_CREDIT.fullmatch(line, opening):
            return True
    tail = line[-_CREDIT_TAIL:]
    return ":" in tail and _LABEL_CREDIT.search(tail) is not None


def _is_boilerplate(sentence: str) -> bool:
    if _BOILERPLATE_START.match(sentence):
        return True
    lowered = sentence.lower()
    if not any(k in lowered for k in _BOILERPLATE_KEYWORDS):
        return False
    return _BOILERPLATE_ANYWHERE.search(sentence) is not None


def _is_heading(line: str) -> bool:
    return (
        len(line.split()) <= _MAX_HEADING_WORDS
        and not line.endswith(_TERMINAL)
        and any(ch.isalpha() for ch in line)
    )


def _line_kinds(text: str, lines: list[tuple[int, int]]) -> list[str | None]:
    """Kind of each whole line, or None for a body line whose sentences are classified one by one."""
    kinds: list[str | None] = [None] * len(lines)
    first = 0
    if lines and _HEADLINE.match(text, lines[0][0]):
        kinds[0] = "headline"
        first = 1
    for i in range(first, len(lines)):
        line = text[lines[i][0]:lines[i][1]]
        short = len(line) <= _SHORT_LINE
        if _is_caption(line):
            kinds[i] = "caption"
        elif short and _is_dateline_only(line):
            kinds[i] = "dateline"
            if i - first < _LEADING_CAPTION_WINDOW:
                kinds[first:i] = ["caption"] * (i - first)
        elif _MARKDOWN_HEADING.match(line):
            kinds[i] = "heading"
        elif short and _is_heading(line):
            kinds[i] = "boilerplate" if _SHORT_FURNITURE.match(line) or _is_boilerplate(line) else "heading"
    return kinds


# --------------------------------------------------------------------------------------------
# Sentences
# --------------------------------------------------------------------------------------------


def _has_word(text: str, start: int, end: int) -> bool:
    return _ALNUM.search(text, start, end) is not None


def _sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]`` with stray quote marks and punctuation merged back."""
    spans: list[list[int]] = []
    for bound in sentencex.get_sentence_boundaries("en", text[start:end]):
        s, e = _strip_span(text, start + bound["start_index"], start + bound["end_index"])
        if s >= e:
            continue
        if spans:
            # A closing quote the segmenter pushed to the next sentence belongs to the previous one.
            closer = _LEADING_CLOSERS.match(text, s, e)
            if closer:
                spans[-1][1] = closer.end()
                s, e = _strip_span(text, closer.end(), e)
                if s >= e:
                    continue
            if not _has_word(text, s, e):
                spans[-1][1] = e
                continue
        spans.append([s, e])
    if spans and not _has_word(text, spans[0][0], spans[0][1]):
        if len(spans) == 1:
            return []
        spans[1][0] = spans[0][0]
        del spans[0]
    return [(s, e) for s, e in spans]


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def split_passages(text: str) -> list[Passage]:
    """Passages of an article, in order, with offsets into ``text``.

    >>> [p.kind for p in split_passages("LONDON —\\nThe talks ended. Both sides left.")]
    ['dateline', 'sentence', 'sentence']
    """
    if not text or text.isspace():
        return []
    lines = _lines(text)
    kinds = _line_kinds(text, lines)
    out: list[Passage] = []
    paragraph = 0
    for (start, end), kind in zip(lines, kinds, strict=True):
        pieces = _line_pieces(text, start, end, kind)
        if not pieces:
            continue
        for s, e, piece_kind in pieces:
            out.append(Passage(s, e, text[s:e], piece_kind, paragraph, len(out)))
        paragraph += 1
    return out


def _line_pieces(text: str, start: int, end: int, kind: str | None) -> list[tuple[int, int, str]]:
    if kind in ("headline", "heading"):
        markup = _HEADLINE.match(text, start, end) or _MARKDOWN_HEADING.match(text, start, end)
        if markup:
            start = markup.end()
        return [(start, end, kind)] if _has_word(text, start, end) else []
    if kind in ("dateline", "boilerplate"):
        return [(start, end, kind)]
    if kind == "caption":
        return [(s, e, "caption") for s, e in _sentence_spans(text, start, end)]

    pieces: list[tuple[int, int, str]] = []
    prefix = _DATELINE.match(text, start, end)
    if prefix and prefix.end() < end:
        s, e = _strip_span(text, start, prefix.end())
        pieces.append((s, e, "dateline"))
        start = prefix.end()
    furniture = False
    for s, e in _sentence_spans(text, start, end):
        # Once a line turns into furniture ("Sign up ... It's free.") the rest of it is too.
        furniture = furniture or _is_boilerplate(text[s:e])
        pieces.append((s, e, "boilerplate" if furniture else "sentence"))
    return pieces
