"""The rule text of a row, worded from its facts: label, definition and statement, one wording a table type.

A curator edits a threshold, a category or a T/N/M combination in one cell; the three texts
follow, so they can never disagree with the row. Names come from the tables (a system's
notation and ``named in rule text`` in ``systems.tsv``, a variable's or unit's words in
``wording.tsv``, else a term's label); only the sentence frames live here.

>>> system = SystemWords("AJCC8 pancreatic NET", "the AJCC 8th edition pancreatic NET chapter")
>>> bounds = ((None, None), ("20", False), "mm")
>>> text = criterion_text(system, False, "T", "T1", "a primary tumour", CriterionWords(("size", "a greatest dimension"),
...                       (range_label(*bounds), range_words(*bounds)), ()))
>>> text.label
'AJCC8 pancreatic NET T1 by size < 20 mm'
>>> text.statement
'Under the AJCC 8th edition pancreatic NET chapter, a primary tumour with a greatest dimension below 20 mm is T1.'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: A bound as (number as written, inclusive), or (None, None) for an open end.
Bound = tuple[str | None, bool | None]

#: What an M rule's hepatic / extrahepatic requirements (True, False, None for either) say, in a label and a sentence.
_M_WORDS: dict[tuple[bool | None, bool | None], tuple[str, str]] = {
    (False, False): ("no distant metastasis", "without distant metastasis"),
    (True, False): ("liver only", "whose distant metastases are confined to the liver"),
    (False, True): ("extrahepatic only", "with extrahepatic metastasis and none in the liver"),
    (True, True): ("liver and extrahepatic", "with both hepatic and extrahepatic metastases"),
    (None, True): ("extrahepatic", "with extrahepatic metastasis (with or without liver metastasis)"),
    (True, None): ("liver", "with liver metastasis (with or without extrahepatic metastasis)"),
    (None, False): ("no extrahepatic", "without extrahepatic metastasis"),
    (False, None): ("no liver", "without liver metastasis"),
    (None, None): ("site not specified", "with distant metastasis of an unspecified site (distant metastasis, NOS)"),
}
_KIND = {"grade": "Grading", "T": "T", "N": "N"}


@dataclass(frozen=True)
class SystemWords:
    """How rule text names a system: in a label (its notation) and in a sentence."""

    label: str  #: "AJCC8 pancreatic NET"
    sentence: str  #: "the AJCC 8th edition pancreatic NET chapter"


@dataclass(frozen=True)
class Text:
    """The three texts of a rule."""

    label: str
    definition: str
    statement: str


@dataclass(frozen=True)
class CriterionWords:
    """What a criterion rule tests: a variable's (label words, sentence words), its range in a label and in a
    sentence (:func:`range_label`, :func:`range_words`), and the invaded structures."""

    variable: tuple[str, str] | None
    range: tuple[str, str]
    structures: Sequence[str]


def join_or(items: Sequence[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``.

    >>> join_or(["T1", "T2", "T3"])
    'T1, T2 or T3'
    """
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def range_label(lower: Bound, upper: Bound, unit: str | None) -> str:
    """A range in a label, in signs; ``unit`` is the unit's symbol, or None for a count.

    >>> range_label(("3", True), ("20", True), "%"), range_label(("20", False), (None, None), "mm")
    ('>= 3 % and <= 20 %', '> 20 mm')
    """
    return _bounds(lower, upper, (">=", ">"), ("<=", "<"), "" if unit is None else f" {unit}")


def _bounds(lower: Bound, upper: Bound, low: tuple[str, str], high: tuple[str, str], suffix: str) -> str:
    """Each bound given, its word (inclusive, exclusive) before it and ``suffix`` after, joined by "and"."""
    (lo, lo_in), (hi, hi_in) = lower, upper
    parts = []
    if lo is not None:
        parts.append(f"{low[0] if lo_in else low[1]} {lo}{suffix}")
    if hi is not None:
        parts.append(f"{high[0] if hi_in else high[1]} {hi}{suffix}")
    return " and ".join(parts)


def range_words(lower: Bound, upper: Bound, unit: str | None) -> str:
    """A range in words; ``unit`` is the unit's symbol, or None for a count of things.

    >>> range_words(("3", True), ("20", True), "%")
    'at least 3 % and at most 20 %'
    >>> range_words(("1", True), ("3", True), None), range_words((None, None), ("0", True), None)
    ('of 1 to 3', 'of 0')
    """
    (lo, lo_in), (hi, hi_in) = lower, upper
    if unit is None:  # a count: whole numbers read better as "1 to 3", "4 or more"
        if lo is not None and hi is not None and lo_in and hi_in:
            return f"of {lo}" if lo == hi else f"of {lo} to {hi}"
        if hi is not None and hi_in and lo is None and hi == "0":
            return "of 0"
        parts = []
        if lo is not None:
            parts.append(f"{lo} or more" if lo_in else f"more than {lo}")
        if hi is not None:
            parts.append(f"{hi} or fewer" if hi_in else f"fewer than {hi}")
        return "of " + " and ".join(parts)
    return _bounds(lower, upper, ("at least", "above"), ("at most", "below"), f" {unit}")


def _text(system: SystemWords, inference: bool, kind: str, label: str, sentence: str, note: str = "") -> Text:
    reading = ", as read by pnet-kg" if inference else ""
    return Text(f"{system.label} {label}", f"{kind} rule of {system.sentence}{reading}: {sentence}{note}.",
                f"Under {system.sentence}, {sentence}.")


def criterion_text(system: SystemWords, inference: bool, axis: str, code: str, subject: str,
                   criterion: CriterionWords) -> Text:
    """A grade (``axis`` ``grade``), T or N rule: ``subject`` with the variable's range or invading structures."""
    by, conditions = [], []
    if criterion.variable is not None:
        by.append(f"{criterion.variable[0]} {criterion.range[0]}")
        conditions.append(f"with {criterion.variable[1]} {criterion.range[1]}")
    if criterion.structures:
        by.append("invasion")
        conditions.append(f"that invades {join_or([f'the {s}' for s in criterion.structures])}")
    outcome = f"is graded {code}" if axis == "grade" else f"is {code}"
    sentence = " ".join([subject, " and ".join(conditions), outcome] if conditions else [subject, outcome])
    if criterion.structures and criterion.variable is None and axis == "T":
        sentence += ", whatever its size"
    note = ("; regional nodes are those the node table classifies as regional for the primary sub-site" if axis == "N"
            else "" if conditions
            else "; a criterion rule without a variable or structure holds for every tumour of its differentiation")
    return _text(system, inference, _KIND[axis], f"{code} by {' and '.join(by) or 'differentiation'}", sentence, note)


def m_text(system: SystemWords, inference: bool, code: str, hepatic: bool | None, extrahepatic: bool | None) -> Text:
    """An M rule, from its hepatic and extrahepatic requirements."""
    label, words = _M_WORDS[(hepatic, extrahepatic)]
    return _text(system, inference, "M", f"{code}, {label}", f"a tumour {words} is {code}",
                 "; a distant (non-regional) lymph-node group counts as an extrahepatic site")


def stage_text(system: SystemWords, inference: bool, stage: str, axes: Sequence[str]) -> Text:
    """A stage-group rule; ``axes`` are the T, N and M cells in words (``T1``, ``T2 or T3``, ``any N``)."""
    combination = " ".join(axes) if all(" " not in a for a in axes) else ", ".join(axes)
    return _text(system, inference, "Stage-group", f"stage {stage}: {combination}",
                 f"{combination} is stage {stage}")
