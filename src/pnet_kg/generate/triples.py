"""Turning the rule tables' rows into the staging-rules module's triples.

What a row implies is derived, never typed twice: a node rule's IRI, label, definition,
statement, ``claimSubject``/``claimObject`` and ``assigns`` all come from its family, node
group, classification and system; a criterion, M or stage-group rule's label, definition and
statement are worded (:mod:`.wording`) from its system, category, variable, bounds, unit,
structures or T/N/M combination. Rows that contradict each other (two rows for one rule,
overlapping thresholds or stage groups assigning different values) are refused with both rows named.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from ..prefixes import IAO_DEFINITION, OBO, PNET, bind_all
from .tables import (Origin, Row, TermCodes, boolean_cell, decimal_cell, identifier_cell, read_table,
                     text_cell)
from .wording import (CriterionWords, SystemWords, Text, criterion_text, join_or, m_text, range_label, range_words,
                      stage_text)

#: The ontology IRI of the generated module (the catalog maps it to its file).
MODULE_IRI = str(PNET["knowledge/staging-rules.owl"])
#: The columns every rule table ends with (who says the rule, how strongly, and a free note).
_RULE_COLUMNS = ("source", "evidence", "strength", "inference", "comment")
#: A claim that is no rule has no facts to word its text from: its label, definition and statement are written.
_CLAIM_COLUMNS = ("source", "evidence", "strength", "inference", "label", "definition", "statement", "comment")
#: Columns a rule table no longer has: a row in the old layout is refused with the reason, not misread.
_RETIRED = {name: f"the {name} is now worded from the row's cells (ontology/templates/README.md): delete the column"
            for name in ("label", "definition", "statement")}
_ECO = re.compile(r"^ECO:(\d{7})$")


@dataclass(frozen=True)
class System:
    """A staging system's row of ``systems.tsv``: its individual and how rule text names it."""

    iri: URIRef
    notation: str  #: how a rule label names the system ("UICC 8th")
    named: str  #: how rule text names the system ("the UICC TNM 8th edition")
    node_prefix: str  #: node rule IRIs are Rule_<prefix>_<family>_<group>


class Generator:
    """Builds the module's graph, one method a table; each subject remembers the row it came from."""

    def __init__(self, templates: Path, vocabulary: TermCodes) -> None:
        self.templates = templates
        self.vocab = vocabulary
        self.graph = bind_all(Graph())
        self.origins: dict[URIRef, Origin] = {}
        self.systems: dict[str, System] = {}
        self.wording: dict[tuple[str, str], tuple[str, str]] = {}

    def rows(self, name: str, columns: Sequence[str], retired: dict[str, str] | None = None) -> list[Row]:
        return read_table(self.templates / name, columns, retired)

    def add(self, subject: URIRef, row: Row, cls: URIRef, pairs: Sequence[tuple[URIRef, Node | None]]) -> None:
        if subject in self.origins:
            raise row.error(next(iter(row.cells)), f"{subject.n3(self.graph.namespace_manager)} is already made "
                            f"by {self.origins[subject]}: two rows for the same rule")
        self.origins[subject] = row.origin
        self.graph.add((subject, RDF.type, OWL.NamedIndividual))
        self.graph.add((subject, RDF.type, cls))
        for predicate, obj in pairs:
            if obj is not None:
                self.graph.add((subject, predicate, obj))

    def claim(self, row: Row, label: str, definition: str, statement: str) -> list[tuple[URIRef, Node | None]]:
        """The triples every rule and claim has: who says it, how strongly, and in which words."""
        match = _ECO.match(row["evidence"])
        if match is None:
            raise row.error("evidence", "an ECO identifier such as ECO:0000204 is required")
        strength = row["strength"]
        if strength not in ("1", "2", "3", "4", "5"):
            raise row.error("strength", "an evidence strength from 1 to 5 is required")
        comment = row["comment"]
        return [
            (PNET.statedIn, self.vocab.individual(row, "source", "Source_", "Source")),
            (PNET.evidenceCode, OBO[f"ECO_{match.group(1)}"]),
            (PNET.evidenceStrength, Literal(int(strength))),
            (PNET.isInference, Literal(boolean_cell(row, "inference"))),
            (RDFS.label, Literal(label, lang="en")),
            (IAO_DEFINITION, Literal(definition, lang="en")),
            (PNET.statement, Literal(statement)),
            (RDFS.comment, Literal(comment, lang="en") if comment else None),
        ]

    def system(self, row: Row, column: str = "system") -> System:
        if row[column] not in self.systems:
            raise row.error(column, f"unknown system (known: {', '.join(self.systems)}; add it to systems.tsv)")
        return self.systems[row[column]]

    # ------------------------------------------------------------ tables

    def module(self) -> None:
        ontology = URIRef(MODULE_IRI)
        self.graph.add((ontology, RDF.type, OWL.Ontology))
        namespaces = dict(self.graph.namespaces())
        for row in self.rows("module.tsv", ("property", "value")):
            prefix, _, local = row["property"].partition(":")
            if prefix not in namespaces or not local:
                raise row.error("property", "a property as prefix:name with a known prefix is required")
            value = text_cell(row, "value")
            obj: Node = URIRef(value[1:-1]) if value.startswith("<") and value.endswith(">") else Literal(value,
                                                                                                           lang="en")
            self.graph.add((ontology, URIRef(str(namespaces[prefix]) + local), obj))

    def read_systems(self) -> None:
        columns = ("system", "notation", "label", "definition", "named in rule text", "node rule id prefix")
        for row in self.rows("systems.tsv", columns):
            key = identifier_cell(row, "system")
            if key in self.systems:
                raise row.error("system", "this system already has a row")
            iri = PNET["System_" + key]
            self.add(iri, row, PNET.StagingSystem, [
                (RDFS.label, Literal(text_cell(row, "label"), lang="en")),
                (IAO_DEFINITION, Literal(text_cell(row, "definition"), lang="en")),
                (SKOS.notation, Literal(text_cell(row, "notation"))),
            ])
            self.systems[key] = System(iri, row["notation"], row["named in rule text"], row["node rule id prefix"])

    def read_wording(self) -> None:
        kinds = {"family": "SubsiteFamily", "node group": "LymphNodeGroup", "variable": "MeasuredVariable",
                 "unit": "Unit", "differentiation": "Differentiation"}
        for row in self.rows("wording.tsv", ("kind", "code", "in a sentence", "in a label")):
            kind = row["kind"]
            if kind not in kinds:
                raise row.error("kind", f"write {join_or(list(kinds))}")
            self.vocab.term(row, "code", kinds[kind])
            if (kind, row["code"]) in self.wording:
                raise row.error("code", f"this {kind} already has a row")
            sentence = text_cell(row, "in a sentence")
            self.wording[(kind, row["code"])] = (sentence, row["in a label"] or sentence)

    def words(self, row: Row) -> SystemWords:
        """How a criterion, M or stage-group rule's text names the row's system."""
        system = self.system(row)
        if not system.named:
            raise row.error("system", "this system has no 'named in rule text' in systems.tsv to word its rules")
        return SystemWords(system.notation, system.named)

    def _label_of(self, term: URIRef) -> str:
        return str(self.vocab.graph.value(term, RDFS.label) or "")

    def _group_words(self, row: Row, group: URIRef) -> str:
        if ("node group", row["node group"]) in self.wording:
            return self.wording[("node group", row["node group"])][0]
        label = str(self.vocab.graph.value(group, RDFS.label) or "")
        if not label.endswith(" lymph nodes"):
            raise row.error("node group", f"its label {label!r} does not end in ' lymph nodes': "
                            "say how rule text names it in wording.tsv")
        return label.removesuffix(" lymph nodes")

    def node_rules(self) -> None:
        columns = ("family", "node group", "classification", "system", "source", "rests on", "evidence", "strength",
                   "inference", "comment")
        for row in self.rows("node-rules.tsv", columns):
            family = self.vocab.term(row, "family", "SubsiteFamily")
            group = self.vocab.term(row, "node group", "LymphNodeGroup")
            classification = self.vocab.term(row, "classification", "NodeClassification")
            system = self.system(row)
            if not system.named or not system.node_prefix:
                raise row.error("system", "this system has no 'named in rule text' or 'node rule id prefix' "
                                "in systems.tsv")
            if ("family", row["family"]) not in self.wording:
                raise row.error("family", "say how rule text names this family in wording.tsv")
            fam_sentence, fam_label = self.wording[("family", row["family"])]
            nodes = self._group_words(row, group)
            assigned = row["classification"]
            subject = PNET[f"Rule_{system.node_prefix}_{row['family']}_{row['node group']}"]
            label = f"{system.named}: {nodes} nodes {assigned} for {fam_label} primary"
            definition = (f"Node-table row of {system.named}: for a primary tumour of {fam_sentence}, "
                          f"metastasis in the {nodes} lymph nodes is {assigned}.")
            statement = f"Under {system.named}, {nodes} lymph nodes are {assigned} for a primary tumour of {fam_sentence}."
            if subject in self.origins:
                other = self.origins[subject]
                raise row.error("classification", f"another row for the same family, node group and system is at "
                                f"{other}: keep one row and state a precedence as an inference in its comment")
            self.add(subject, row, PNET.NodeClassificationRule, [
                (PNET.forSubsiteFamily, family), (PNET.forNodeGroup, group), (PNET.assigns, classification),
                (PNET.claimAspect, PNET.Aspect_node_classification), (PNET.claimSubject, group),
                (PNET.claimObject, classification), (PNET.underStagingSystem, system.iri),
                (PNET.restsOn, self.vocab.individual(row, "rests on", "Source_", "Source", required=False)),
                *self.claim(row, label, definition, statement),
            ])

    def _rule_rows(self, name: str, columns: Sequence[str]) -> Iterator[tuple[Row, URIRef, System, URIRef]]:
        for row in self.rows(name, (*columns, *_RULE_COLUMNS), _RETIRED):
            yield row, PNET["Rule_" + identifier_cell(row, "rule")], self.system(row), \
                self.vocab.term(row, "differentiation", "Differentiation")

    def _variable_words(self, row: Row, variable: URIRef) -> tuple[str, str]:
        """A variable's words in a label and in a sentence: its ``wording.tsv`` row, else its label."""
        if ("variable", row["variable"]) in self.wording:
            sentence, label = self.wording[("variable", row["variable"])]
            return label, sentence
        label = self._label_of(variable)
        return label, f"a {label}"

    def _grading_subject(self, row: Row, diff: URIRef) -> str:
        """What a grading rule grades: its differentiation's ``wording.tsv`` row, else worded from its label."""
        if ("differentiation", row["differentiation"]) in self.wording:
            return self.wording[("differentiation", row["differentiation"])][0]
        return f"a {self._label_of(diff)} pancreatic neuroendocrine neoplasm"

    def _unit_symbol(self, row: Row, unit: URIRef) -> str:
        if ("unit", row["unit"]) in self.wording:
            return self.wording[("unit", row["unit"])][0]
        return str(self.vocab.graph.value(unit, SKOS.notation))

    def criterion_rules(self) -> None:
        columns = ("rule", "system", "differentiation", "assigns", "variable", "lower", "lower inclusive", "upper",
                   "upper inclusive", "unit", "invasion of")
        axes = {"WHOGrade": "grade", "TCategory": "T", "NCategory": "N"}
        seen: list[tuple[Row, tuple[str, str, str], tuple[float, bool, float, bool]]] = []
        for row, subject, system, diff in self._rule_rows("criterion-rules.tsv", columns):
            assigns = self.vocab.term(row, "assigns", *axes)
            variable = self.vocab.term(row, "variable", "MeasuredVariable") if row["variable"] else None
            bounds: list[tuple[URIRef, Literal | None, URIRef, bool | None]] = []
            for end in ("lower", "upper"):
                value = decimal_cell(row, end)
                inclusive = boolean_cell(row, f"{end} inclusive", required=value is not None)
                if value is None and inclusive is not None:
                    raise row.error(f"{end} inclusive", f"there is no {end} bound to include or exclude")
                bounds.append((PNET[f"{end}Bound"], value, PNET[f"{end}Inclusive"], inclusive))
            has_bound = any(b[1] is not None for b in bounds)
            if has_bound and variable is None:
                raise row.error("variable", "a threshold needs the variable it applies to")
            if variable is not None and not has_bound:
                raise row.error("variable", "a variable without a threshold: give a lower or upper bound")
            unit: URIRef | None = None
            if row["unit"] == "count":
                if not has_bound:
                    raise row.error("unit", "a unit without a threshold")
            elif row["unit"]:
                unit = self.vocab.term(row, "unit", "Unit")
                if not has_bound:
                    raise row.error("unit", "a unit without a threshold")
            elif has_bound:
                raise row.error("unit", "a threshold needs its unit (write count for a number of things)")
            structures = self.vocab.terms(row, "invasion of", "AdjacentStructure")
            pairs: list[tuple[URIRef, Node | None]] = [
                (PNET.underStagingSystem, system.iri), (PNET.forDifferentiation, diff), (PNET.assigns, assigns),
                (PNET.onVariable, variable), (PNET.unit, unit), *[(PNET.onInvasionOf, s) for s in structures]]
            for bound, value, flag, inclusive in bounds:
                pairs += [(bound, value), (flag, None if inclusive is None else Literal(inclusive))]
            key = (row["system"], row["differentiation"], row["variable"])
            lo, hi = bounds[0], bounds[1]
            interval = (float(lo[1]) if lo[1] is not None else float("-inf"), bool(lo[3]),
                        float(hi[1]) if hi[1] is not None else float("inf"), bool(hi[3]))
            if variable is not None:
                for other, other_key, other_interval in seen:
                    if other_key == key and other["assigns"] != row["assigns"] and _overlap(interval, other_interval):
                        raise row.error("assigns", f"its range overlaps the row at {other.origin} of the same "
                                        f"system, differentiation and variable, which assigns {other['assigns']}")
                seen.append((row, key, interval))
            # the text is worded from the same cells as the triples above: one edit changes both
            axis = next(axes[cls] for cls in axes if assigns in self.vocab.codes(cls).values())
            ends = [(None if v is None else _number(v), inc) for _, v, _, inc in bounds]
            symbol = None if unit is None else self._unit_symbol(row, unit)
            words = (range_label(ends[0], ends[1], symbol), range_words(ends[0], ends[1], symbol))
            subject_words = (self._grading_subject(row, diff) if axis == "grade"
                             else "a primary tumour" if axis == "T" else "a tumour")
            text = criterion_text(self.words(row), bool(boolean_cell(row, "inference")), axis, row["assigns"],
                                  subject_words, CriterionWords(None if variable is None else
                                                           self._variable_words(row, variable), words,
                                                           [self._label_of(s) for s in structures]))
            self.add(subject, row, PNET.CriterionRule, [*pairs, *self.claim(row, *_texts(text))])

    def m_rules(self) -> None:
        columns = ("rule", "system", "differentiation", "assigns", "requires hepatic", "requires extrahepatic")
        seen: dict[tuple[str, ...], Row] = {}
        for row, subject, system, diff in self._rule_rows("m-rules.tsv", columns):
            hepatic = boolean_cell(row, "requires hepatic", required=False)
            extra = boolean_cell(row, "requires extrahepatic", required=False)
            key = (row["system"], row["differentiation"], str(hepatic), str(extra))
            other = seen.setdefault(key, row)
            if other is not row and other["assigns"] != row["assigns"]:
                raise row.error("assigns", f"the row at {other.origin} has the same system, differentiation and "
                                f"requirements but assigns {other['assigns']}")
            assigns = self.vocab.term(row, "assigns", "MCategory")
            text = m_text(self.words(row), bool(boolean_cell(row, "inference")), row["assigns"], hepatic, extra)
            self.add(subject, row, PNET.MCategoryRule, [
                (PNET.underStagingSystem, system.iri), (PNET.forDifferentiation, diff), (PNET.assigns, assigns),
                (PNET.requiresHepatic, None if hepatic is None else Literal(hepatic)),
                (PNET.requiresExtrahepatic, None if extra is None else Literal(extra)),
                *self.claim(row, *_texts(text))])

    def stage_groups(self) -> None:
        axes = {"T": ("TCategory", PNET.allowsT), "N": ("NCategory", PNET.allowsN), "M": ("MCategory", PNET.allowsM)}
        seen: list[tuple[Row, URIRef, System, URIRef, list[tuple[URIRef, Node | None]], dict[str, list[str]]]] = []
        for row, subject, system, diff in self._rule_rows("stage-groups.tsv", ("rule", "system", "differentiation",
                                                                                "assigns", *axes)):
            pairs: list[tuple[URIRef, Node | None]] = [
                (PNET.underStagingSystem, system.iri), (PNET.forDifferentiation, diff),
                (PNET.assigns, self.vocab.term(row, "assigns", "StageGroup"))]
            cells: dict[str, list[str]] = {}
            for axis, (cls, predicate) in axes.items():
                terms = self.vocab.terms(row, axis, cls)
                if not terms:
                    raise row.error(axis, f"list the {axis} categories the stage group allows")
                pairs += [(predicate, t) for t in terms]
                cells[axis] = list(dict.fromkeys(row[axis].split()))
            for other, *_, other_cells in seen:
                if (other["system"], other["differentiation"]) == (row["system"], row["differentiation"]) \
                        and other["assigns"] != row["assigns"] and all(set(cells[a]) & set(other_cells[a]) for a in axes):
                    raise row.error("assigns", f"the row at {other.origin} covers some of the same T, N and M "
                                    f"but assigns stage {other['assigns']}")
            seen.append((row, subject, system, diff, pairs, cells))
        # "any N" is every N category the system's stage groups use: known only once all rows are read
        used: dict[tuple[str, str, str], set[str]] = {}
        for row, *_, cells in seen:
            for axis, codes in cells.items():
                used.setdefault((row["system"], row["differentiation"], axis), set()).update(codes)
        for row, subject, system, diff, pairs, cells in seen:
            words = [f"any {axis}" if len(codes) > 1 and set(codes) == used[(row["system"], row["differentiation"],
                                                                               axis)] else join_or(codes)
                     for axis, codes in cells.items()]
            text = stage_text(self.words(row), bool(boolean_cell(row, "inference")), row["assigns"], words)
            self.add(subject, row, PNET.StageGroupRule, [*pairs, *self.claim(row, *_texts(text))])

    def claims(self) -> None:
        for row in self.rows("claims.tsv", ("claim", "aspect", "subject", *_CLAIM_COLUMNS)):
            subject = PNET[identifier_cell(row, "subject")]
            if (subject, None, None) not in self.vocab.graph:
                raise row.error("subject", "no pnet term of that name in the ontology")
            self.add(PNET["Claim_" + identifier_cell(row, "claim")], row, PNET.Claim, [
                (PNET.claimAspect, self.vocab.term(row, "aspect", "ClaimAspect")), (PNET.claimSubject, subject),
                *self.claim(row, text_cell(row, "label"), text_cell(row, "definition"), text_cell(row, "statement"))])


def _number(value: Literal) -> str:
    """A bound as a curator writes it: 20.0 is 20, 2.5 stays 2.5."""
    return str(value).removesuffix(".0")


def _texts(text: Text) -> tuple[str, str, str]:
    return text.label, text.definition, text.statement


def _overlap(a: tuple[float, bool, float, bool], b: tuple[float, bool, float, bool]) -> bool:
    """True when two intervals (lo, lo inclusive, hi, hi inclusive) share a value."""
    lo, hi = max(a[0], b[0]), min(a[2], b[2])
    if lo < hi:
        return True
    if lo > hi:
        return False
    inside: Callable[[tuple[float, bool, float, bool]], bool] = lambda i: (i[0] < lo or i[1]) and (lo < i[2] or i[3])
    return inside(a) and inside(b)

