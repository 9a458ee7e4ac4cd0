"""The case model: :class:`Case` as the contract of ``case-format.md`` gives it, and :func:`check_case`, its one check.

Codes are checked against the value sets of the graph (``skos:notation`` within their
class), never against a list in Python; a bad value is an :class:`~pnet_kg.errors.InputError`
naming the field and value.

>>> Case("A1", "net", "Head", ki67_percent=2).primary_subsite
'head'
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal

from ..errors import InputError
from ..rules import Vocabulary, load_rules

#: The input fields of the contract, in order.
FIELDS: tuple[str, ...] = (
    "case_id", "histology", "primary_subsite", "tumor_size_mm", "invaded_structures", "ki67_percent",
    "mitoses_per_2mm2", "functional_syndrome", "positive_node_groups", "positive_node_count", "distant_sites",
    "somatostatin_receptor_status", "progression", "ki67_site",
)
REQUIRED: tuple[str, ...] = ("case_id", "histology", "primary_subsite")


@dataclass(slots=True)
class Case:
    """One primary tumour, as the contract gives it (codes as case-file strings, unknown numbers ``None``).

    Every case is checked when it is made, by the same rules as a case-file row (:func:`check_case`):
    a bad value raises :class:`~pnet_kg.errors.InputError`, codes are folded to the contract's spelling.

    >>> Case("A1", "NET", "Tail", 25, ki67_percent=4, positive_node_groups=["Splenic"]).positive_node_groups
    ('splenic',)
    >>> Case("A1", "net", "tail", ki67_percent=300)
    Traceback (most recent call last):
    ...
    pnet_kg.errors.InputError: field 'ki67_percent': out of range (must be in [0, 100]) (value 300)
    """

    case_id: str
    histology: str
    primary_subsite: str
    tumor_size_mm: float | None = None
    invaded_structures: tuple[str, ...] = ()
    ki67_percent: float | None = None
    mitoses_per_2mm2: int | None = None
    functional_syndrome: str = "none"
    positive_node_groups: tuple[str, ...] = ()
    positive_node_count: int | None = None
    distant_sites: tuple[str, ...] = ()
    somatostatin_receptor_status: str | None = None  #: ``positive`` / ``negative``, ``None`` when not recorded
    progression: str | None = None  #: ``progressive`` / ``stable``, ``None`` when not recorded
    ki67_site: str | None = None  #: ``primary`` / ``lymph_node`` / ``metastasis``; ``None``: the primary's
    line: int | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        check_case(self, CASE_VOCABULARY.get())

    def as_record(self) -> dict[str, str]:
        """The case as contract cells (``;``-joined lists, empty for unknown).

        >>> Case("A1", "net", "tail", 25.0, ki67_percent=4.0).as_record()["tumor_size_mm"]
        '25'
        """
        def num(v: float | int | None) -> str:
            return "" if v is None else decimal_text(v)

        return {
            "case_id": self.case_id, "histology": self.histology, "primary_subsite": self.primary_subsite,
            "tumor_size_mm": num(self.tumor_size_mm), "invaded_structures": ";".join(self.invaded_structures),
            "ki67_percent": num(self.ki67_percent), "mitoses_per_2mm2": num(self.mitoses_per_2mm2),
            "functional_syndrome": self.functional_syndrome,
            "positive_node_groups": ";".join(self.positive_node_groups),
            "positive_node_count": num(self.positive_node_count), "distant_sites": ";".join(self.distant_sites),
            "somatostatin_receptor_status": self.somatostatin_receptor_status or "",
            "progression": self.progression or "", "ki67_site": self.ki67_site or "",
        }


@dataclass
class CaseFile:
    """The good cases of a file and, with ``keep_going``, the errors of the bad rows."""

    cases: list[Case]
    errors: list[InputError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)  #: columns dropped on purpose


def decimal_text(value: float | int) -> str:
    """Lexical xsd:decimal / xsd:integer form (never exponent notation)."""
    if isinstance(value, int):
        return str(value)
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


# ---------------------------------------------------------------- field checks

#: Beyond 2**53 a float (the numbers of a case) no longer holds every integer: such values would change.
_EXACT = 2 ** 53
#: C0 controls, DEL and C1 controls (NUL, ESC and the other bytes of terminal escape sequences).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
#: Fields holding one code, and a list of codes.
CODE_FIELDS = ("histology", "primary_subsite", "functional_syndrome", "somatostatin_receptor_status", "progression",
               "ki67_site")
#: Code fields a case may leave empty: not recorded (``None``).
OPTIONAL_CODE_FIELDS = ("somatostatin_receptor_status", "progression", "ki67_site")
LIST_FIELDS = ("invaded_structures", "positive_node_groups", "distant_sites")
_VOCAB_FIELDS = {"histology": "differentiations", "primary_subsite": "subsites", "invaded_structures": "structures",
                 "functional_syndrome": "functional", "positive_node_groups": "node_groups",
                 "distant_sites": "distant_sites", "somatostatin_receptor_status": "sstr",
                 "progression": "progression", "ki67_site": "ki67_sites"}
#: The vocabulary :class:`Case` checks codes against while a reader with rules of its own makes cases
#: (``None``: the shipped graph's).
CASE_VOCABULARY: ContextVar[Vocabulary | None] = ContextVar("pnet_kg_case_vocabulary", default=None)


def _folded(text: str) -> str:
    """The spelling-insensitive form of a code.

    >>> _folded(" Portal-Vein "), _folded("NET"), _folded("Case ID")
    ('portal_vein', 'net', 'case_id')
    """
    return "_".join(text.strip().lower().replace("-", " ").split())


class _CodeSets:
    """The codes of one vocabulary by field, with their folded spellings ("Head", "NET", "portal vein")."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.codes: dict[str, Mapping[str, str]] = {name: getattr(vocab, attr) for name, attr in _VOCAB_FIELDS.items()}
        self.folded = {name: {_folded(code): code for code in codes} for name, codes in self.codes.items()}

    def known(self, name: str, value: object) -> str:
        """The contract code ``value`` spells, or InputError naming the field."""
        if not isinstance(value, str):
            raise InputError("expected a code (text)", field=name, value=value)
        if value in self.codes[name]:  # the usual case, and no code of the graph holds a control character
            return value
        text = value.strip()
        if _CONTROL.search(text):
            raise InputError("control character (NUL, ESC or another C0/C1 code) in text", field=name, value=value)
        code = text if text in self.codes[name] else self.folded[name].get(_folded(text))
        if code is None:
            close = difflib.get_close_matches(_folded(text), list(self.folded[name]), n=3, cutoff=0.5)
            hint = f"; closest: {', '.join(self.folded[name][c] for c in close)}" if close else ""
            raise InputError(f"unknown code (expected one of {', '.join(sorted(self.codes[name]))}{hint})",
                             field=name, value=text)
        return code


_CODE_SETS: dict[int, tuple[Vocabulary, _CodeSets]] = {}


def _code_sets(vocab: Vocabulary) -> _CodeSets:
    hit = _CODE_SETS.get(id(vocab))
    if hit is None or hit[0] is not vocab:
        hit = (vocab, _CodeSets(vocab))
        _CODE_SETS[id(vocab)] = hit
    return hit[1]


def _real(value: object, name: str) -> float | None:
    """A number of a case as a float, refused where a float would not hold it exactly."""
    if value is None:
        return None
    if type(value) is float and math.isfinite(value):  # the usual case
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise InputError("expected a number", field=name, value=value)
    if isinstance(value, int) and abs(value) > _EXACT:
        raise InputError("too many digits: the value would change (integers up to 2**53)", field=name, value=value)
    if isinstance(value, Decimal) and not value.is_finite():
        raise InputError("not a finite number", field=name, value=value)
    number = float(value)
    if not math.isfinite(number) and not isinstance(value, Decimal):
        raise InputError("not a finite number", field=name, value=value)
    if isinstance(value, Decimal) and (not math.isfinite(number) or Decimal(repr(number)) != value):
        raise InputError("too many digits: the value would change (integers up to 2**53, about 15 significant "
                         "digits)", field=name, value=value)
    return number


def _count(value: object, name: str) -> int | None:
    number = _real(value, name)
    if number is None:
        return None
    if not number.is_integer():
        raise InputError("not a whole number", field=name, value=value)
    if number < 0:
        raise InputError("out of range (must be >= 0)", field=name, value=value)
    if abs(number) > _EXACT:
        raise InputError("too many digits: the value would change (integers up to 2**53)", field=name, value=value)
    return int(number)


def check_case(case: Case, vocab: Vocabulary | None = None) -> None:
    """Check ``case`` by the contract's rules and bring it to its canonical form, in place.

    The one check of every way into staging: the case-file reader makes each row a
    :class:`Case` (whose constructor calls this) and :func:`pnet_kg.stage` calls it again
    for a case changed after it was made. Raises :class:`InputError` naming the field.

    >>> check_case(Case("A1", "net", "head", ki67_percent=2), None)
    """
    sets = _code_sets(vocab or CASE_VOCABULARY.get() or load_rules().vocabulary)
    case_id = case.case_id
    if not isinstance(case_id, str):
        raise InputError("expected text", field="case_id", value=case_id)
    if not case_id.strip():
        raise InputError("required field is missing or empty", field="case_id", value=case_id)
    if _CONTROL.search(case_id):
        raise InputError("control character (NUL, ESC or another C0/C1 code) in text", field="case_id", value=case_id)
    case.case_id = case_id.strip()
    for name in CODE_FIELDS:
        value = getattr(case, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if name in OPTIONAL_CODE_FIELDS:
                setattr(case, name, None)
                continue
            if name != "functional_syndrome":
                raise InputError("required field is missing or empty", field=name, value=value or "")
            value = "none"
        setattr(case, name, sets.known(name, value))
    for name in LIST_FIELDS:
        value = getattr(case, name)
        if not value and value is not None and isinstance(value, tuple):
            continue  # the usual case: none
        if value is None:
            value = ()
        if isinstance(value, str) or not isinstance(value, (tuple, list)):
            raise InputError(f"expected a tuple of codes, not {type(value).__name__} (write ('splenic',) for one)",
                             field=name, value=value)
        codes = [sets.known(name, item) for item in value if not (isinstance(item, str) and not item.strip())]
        setattr(case, name, tuple(dict.fromkeys(codes)))
    size = _real(case.tumor_size_mm, "tumor_size_mm")
    if size is not None and size <= 0:
        raise InputError("out of range (must be > 0)", field="tumor_size_mm", value=case.tumor_size_mm)
    ki67 = _real(case.ki67_percent, "ki67_percent")
    if ki67 is not None and not 0 <= ki67 <= 100:
        raise InputError("out of range (must be in [0, 100])", field="ki67_percent", value=case.ki67_percent)
    mitoses = _count(case.mitoses_per_2mm2, "mitoses_per_2mm2")
    if ki67 is None and mitoses is None:
        raise InputError("one of ki67_percent and mitoses_per_2mm2 is required", field="ki67_percent", value="")
    case.tumor_size_mm, case.ki67_percent, case.mitoses_per_2mm2 = size, ki67, mitoses
    case.positive_node_count = _count(case.positive_node_count, "positive_node_count")
