"""What the fast SHACL engine compiles: an explicit allow-list, and the check that declines the rest.

The compiler (:mod:`pnet_kg.validate.compiler`) implements exactly the SHACL terms listed here.
:func:`check_supported` walks every shape of a shapes graph and raises
:class:`UnsupportedShape` on any other ``sh:`` term, so ``engine="auto"`` hands the shapes
to pySHACL instead of skipping a target, parameter or attribute it does not know.

>>> from rdflib import Graph
>>> check_supported(Graph().parse(data="@prefix sh: <http://www.w3.org/ns/shacl#> . "
...     "<urn:s> sh:targetNode <urn:a> ; sh:closed true .", format="turtle"))
Traceback (most recent call last):
...
pnet_kg.errors.UnsupportedShape: shape urn:s uses sh:closed, which the fast engine does not compile
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from ..errors import UnsupportedShape
from ..prefixes import SH

#: Target kinds. Implicit class targets (a shape that is also an rdfs:Class or owl:Class) are supported too.
TARGETS = frozenset({SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf})
IMPLICIT_CLASS_TYPES = frozenset({RDFS.Class, OWL.Class})

#: Constraint parameters tested on each value node, with their constraint component.
VALUE_COMPONENTS: dict[URIRef, URIRef] = {
    SH.datatype: SH.DatatypeConstraintComponent, SH["class"]: SH.ClassConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent, SH["in"]: SH.InConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent, SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent, SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent, SH.maxLength: SH.MaxLengthConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent, SH.languageIn: SH.LanguageInConstraintComponent,
    SH["or"]: SH.OrConstraintComponent, SH["and"]: SH.AndConstraintComponent, SH.xone: SH.XoneConstraintComponent,
    SH["not"]: SH.NotConstraintComponent, SH.node: SH.NodeConstraintComponent,
}
#: Parameters whose values are shapes (lists of shapes for sh:or, sh:and, sh:xone), each a "member".
LOGICAL = frozenset({SH["or"], SH["and"], SH.xone, SH["not"], SH.node})
#: Other constraint parameters: cardinality, hasValue, property pairs, SHACL-SPARQL constraints.
OTHER_COMPONENTS: dict[URIRef, URIRef] = {
    SH.minCount: SH.MinCountConstraintComponent, SH.maxCount: SH.MaxCountConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent, SH.lessThan: SH.LessThanConstraintComponent,
    SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent, SH.sparql: SH.SPARQLConstraintComponent,
}
COMPONENT_IRI: dict[URIRef, URIRef] = {**VALUE_COMPONENTS, **OTHER_COMPONENTS}
#: Parameters only a property shape may have (SHACL 4: node shapes cannot have them).
PROPERTY_ONLY = frozenset({SH.minCount, SH.maxCount, SH.lessThan, SH.lessThanOrEquals})
#: Shape attributes: what the compiler reads besides constraints (sh:flags goes with sh:pattern;
#: sh:property only on node shapes), and annotations that do not change validation.
ATTRIBUTES = frozenset({SH.path, SH.property, SH.severity, SH.message, SH.deactivated, SH.flags})
ANNOTATIONS = frozenset({SH.name, SH.description, SH.order, SH.group, SH.defaultValue})
#: What a SHACL-SPARQL constraint node (the object of sh:sparql) may say.
SPARQL_CONSTRAINT = frozenset({SH.select, SH.prefixes, SH.message, SH.deactivated})
#: Predicates of the prefix declarations that sh:prefixes points to.
PREFIX_DECLARATIONS = frozenset({SH.declare, SH.prefix, SH.namespace})
#: Members of sh:or, sh:and, sh:xone, sh:not, sh:node: value-type constraints on the member node itself, or ``sh:path`` with ``sh:minCount 1``.
#: Not the lexical ones (pattern, lengths): the store keeps numbers and dates by value, not as written.
OR_MEMBER = frozenset(set(VALUE_COMPONENTS) - LOGICAL - {SH.pattern, SH.minLength, SH.maxLength}) | {SH.path, SH.minCount, SH.message, SH.severity,
                                                              SH.deactivated, SH.name, SH.description}
#: The whole allow-list for a shape.
SHAPE_TERMS = TARGETS | set(COMPONENT_IRI) | ATTRIBUTES | ANNOTATIONS

#: Parameters a shape has at most one value of (SHACL 4); more is ill-formed and declined.
AT_MOST_ONE = frozenset({SH.path, SH.severity, SH.flags, SH.deactivated, SH.datatype, SH.nodeKind, SH.minCount,
                         SH.maxCount, SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive,
                         SH.minLength, SH.maxLength, SH.pattern, SH.languageIn, SH["in"]})
#: Datatypes whose literals pyoxigraph stores by value ("4.0"^^xsd:decimal becomes "4"): results
#: with such values are mapped back to the data's own terms, and sh:in / sh:hasValue with such a
#: literal are declined, because the store cannot tell "4" from "4.0" apart (term equality).
CANONICALISED = frozenset({XSD.decimal, XSD.integer, XSD.double, XSD.float, XSD.boolean, XSD.date, XSD.dateTime,
                           XSD.time, XSD.int, XSD.long, XSD.short, XSD.byte, XSD.nonNegativeInteger,
                           XSD.positiveInteger, XSD.nonPositiveInteger, XSD.negativeInteger, XSD.unsignedInt,
                           XSD.unsignedLong, XSD.unsignedShort, XSD.unsignedByte, XSD.duration,
                           XSD.dayTimeDuration, XSD.yearMonthDuration, XSD.gYear, XSD.gYearMonth, XSD.gMonth,
                           XSD.gMonthDay, XSD.gDay, XSD.dateTimeStamp})
#: Datatypes sh:datatype is compiled for: the well-formedness of their literals can be checked by a SPARQL cast.
CHECKED_DATATYPES = frozenset({XSD.string, RDF.langString, XSD.decimal, XSD.integer, XSD.double, XSD.float,
                               XSD.boolean, XSD.date, XSD.dateTime})


def _is_shacl(node: Node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(str(SH))


def _short(node: Node) -> str:
    return "sh:" + str(node)[len(str(SH)):] if _is_shacl(node) else str(node)


def _list(shapes: Graph, head: Node, what: str) -> list[Node]:
    if head != RDF.nil and (head, RDF.first, None) not in shapes:
        raise UnsupportedShape(f"{what} is not an RDF list")
    return list(Collection(shapes, head))


def _one(shapes: Graph, shape: Node, predicate: URIRef) -> None:
    if len(set(shapes.objects(shape, predicate))) > 1:
        raise UnsupportedShape(f"shape {shape} has more than one {_short(predicate)}")


def _closure(shapes: Graph, node: Node | None) -> Graph:
    """The triples describing ``node`` (a path), blank nodes followed."""
    out, todo, seen = Graph(), [node], set()
    while todo:
        current = todo.pop()
        if current is None or current in seen or not isinstance(current, BNode):
            continue
        seen.add(current)
        for p, o in shapes.predicate_objects(current):
            out.add((current, p, o))
            todo.append(o)
    return out


def is_deactivated(shapes: Graph, shape: Node) -> bool:
    """Whether ``shape`` says ``sh:deactivated true`` (any other value than a boolean is declined)."""
    values = set(shapes.objects(shape, SH.deactivated))
    if not values:
        return False
    if len(values) > 1 or not values <= {Literal(True), Literal(False)}:
        raise UnsupportedShape(f"shape {shape}: sh:deactivated must be one boolean true or false")
    return values == {Literal(True)}


def implicit_class_target(shapes: Graph, shape: Node) -> bool:
    """Whether ``shape`` is also a class, so that it targets that class's instances (SHACL 2.1.3.3)."""
    return isinstance(shape, URIRef) and any((shape, RDF.type, t) in shapes for t in IMPLICIT_CLASS_TYPES)


def _check_shape(shapes: Graph, shape: Node, *, member: bool) -> None:
    allowed = OR_MEMBER if member else SHAPE_TERMS
    has_path = (shape, SH.path, None) in shapes
    for predicate, obj in shapes.predicate_objects(shape):
        if not _is_shacl(predicate):
            continue
        if predicate not in allowed:
            where = "member shape" if member else "shape"
            raise UnsupportedShape(f"{where} {shape} uses {_short(predicate)}, which the fast engine does not compile")
        if predicate in PROPERTY_ONLY and not has_path:
            raise UnsupportedShape(f"node shape {shape} uses {_short(predicate)} (only property shapes may)")
        if predicate == SH.property and has_path:
            raise UnsupportedShape(f"property shape {shape} has a nested sh:property")
        if predicate == SH.property and len(set(shapes.objects(obj, SH.path))) != 1:
            raise UnsupportedShape(f"sh:property {obj} of {shape} is not a property shape (one sh:path)")
        if predicate in (SH["class"], SH.datatype, SH.lessThan, SH.lessThanOrEquals, SH.targetClass,
                         SH.targetSubjectsOf, SH.targetObjectsOf, SH.nodeKind) and not isinstance(obj, URIRef):
            raise UnsupportedShape(f"shape {shape}: {_short(predicate)} {obj} is not an IRI")
        if predicate in (SH.minCount, SH.maxCount, SH.minLength, SH.maxLength) and not (
                isinstance(obj, Literal) and obj.datatype == XSD.integer and isinstance(obj.toPython(), int)):
            raise UnsupportedShape(f"shape {shape}: {_short(predicate)} {obj} is not an xsd:integer")
        if predicate == SH.datatype and obj not in CHECKED_DATATYPES:
            raise UnsupportedShape(f"shape {shape}: sh:datatype {obj} (its well-formedness is not checked)")
        if predicate in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH.hasValue) \
                and isinstance(obj, BNode):
            raise UnsupportedShape(f"shape {shape}: {_short(predicate)} is a blank node")
        if predicate == SH.targetNode and (isinstance(obj, BNode) or (isinstance(obj, Literal)
                                                                     and obj.datatype in CANONICALISED)):
            raise UnsupportedShape(f"shape {shape}: sh:targetNode {obj} (blank node or literal stored by value)")
        if predicate == SH.hasValue and isinstance(obj, Literal) and obj.datatype in CANONICALISED:
            raise UnsupportedShape(f"shape {shape}: sh:hasValue {obj.n3()} (the store compares such literals by value)")
        if predicate == SH["in"]:
            for m in _list(shapes, obj, f"sh:in of {shape}"):
                if isinstance(m, BNode) or (isinstance(m, Literal) and m.datatype in CANONICALISED):
                    raise UnsupportedShape(f"shape {shape}: sh:in member {m} (blank node or literal compared by value)")
        if predicate == SH.languageIn:
            for m in _list(shapes, obj, f"sh:languageIn of {shape}"):
                if not isinstance(m, Literal) or m.datatype not in (None, XSD.string) or m.language:
                    raise UnsupportedShape(f"shape {shape}: sh:languageIn member {m} is not a string")
        if predicate == SH.pattern and not (isinstance(obj, Literal) and obj.datatype in (None, XSD.string)
                                            and not obj.language):
            raise UnsupportedShape(f"shape {shape}: sh:pattern {obj} is not a string")
        if predicate == SH.flags and not (isinstance(obj, Literal) and set(str(obj)) <= set("imsxq")):
            raise UnsupportedShape(f"shape {shape}: sh:flags {obj}")
        if predicate == SH.severity and obj not in (SH.Violation, SH.Warning, SH.Info):
            raise UnsupportedShape(f"shape {shape}: sh:severity {obj} (only Violation, Warning, Info)")
        if predicate in (SH["or"], SH["and"], SH.xone):
            for m in _list(shapes, obj, f"{_short(predicate)} of {shape}"):
                _check_shape(shapes, m, member=True)
        if predicate in (SH["not"], SH.node):
            _check_shape(shapes, obj, member=True)
        if predicate == SH.sparql:
            _check_sparql(shapes, shape, obj)
    for single in AT_MOST_ONE:
        _one(shapes, shape, single)
    is_deactivated(shapes, shape)
    if member:
        if (shape, SH.minCount, None) in shapes and (not has_path or set(shapes.objects(shape, SH.minCount)) != {
                Literal(1)} or len(set(shapes.predicates(shape)) & set(VALUE_COMPONENTS)) > 0):
            raise UnsupportedShape(f"member shape {shape}: only sh:path with sh:minCount 1, or value constraints")
        if has_path and any((None, p, None) in _closure(shapes, shapes.value(shape, SH.path))
                            for p in (SH.zeroOrMorePath, SH.zeroOrOnePath)):
            raise UnsupportedShape(f"member shape {shape}: a path that may be empty")
        if has_path and (shape, SH.minCount, None) not in shapes:
            raise UnsupportedShape(f"member shape {shape}: a path member needs sh:minCount 1")
    elif (shape, SH.flags, None) in shapes and len(set(shapes.objects(shape, SH.pattern))) != 1:
        raise UnsupportedShape(f"shape {shape}: sh:flags needs exactly one sh:pattern")


def _check_sparql(shapes: Graph, shape: Node, constraint: Node) -> None:
    for predicate, obj in shapes.predicate_objects(constraint):
        if _is_shacl(predicate) and predicate not in SPARQL_CONSTRAINT:
            raise UnsupportedShape(f"SPARQL constraint {constraint} of {shape} uses {_short(predicate)}")
    if len(set(shapes.objects(constraint, SH.select))) != 1:
        raise UnsupportedShape(f"SPARQL constraint {constraint} needs exactly one sh:select (ASK is not compiled)")
    is_deactivated(shapes, constraint)
    for declarer in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(declarer, SH.declare):
            for predicate in shapes.predicates(decl):
                if _is_shacl(predicate) and predicate not in PREFIX_DECLARATIONS:
                    raise UnsupportedShape(f"prefix declaration {decl} uses {_short(predicate)}")


def shape_nodes(shapes: Graph) -> set[Node]:
    """Every node the shapes graph makes a shape: typed, targeted, reached by sh:property, or with a constraint."""
    nodes: set[Node] = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    nodes |= set(shapes.objects(None, SH.property))
    for predicate in TARGETS | set(COMPONENT_IRI) | {SH.path, SH.property, SH.target, SH.node, SH["not"],
                                                     SH["and"], SH.xone, SH.qualifiedValueShape, SH.closed,
                                                     SH.equals, SH.disjoint, SH.uniqueLang}:
        nodes |= set(shapes.subjects(predicate, None))
    return nodes


def check_supported(shapes: Graph) -> None:
    """Raise :class:`UnsupportedShape` unless every shape of ``shapes`` uses only the allow-list above."""
    if (None, RDF.type, SH.ConstraintComponent) in shapes or (None, SH.parameter, None) in shapes:
        raise UnsupportedShape("the shapes declare their own constraint components")
    if (None, SH.entailment, None) in shapes:
        raise UnsupportedShape("the shapes ask for entailment (sh:entailment)")
    for shape in sorted(shape_nodes(shapes), key=str):
        _check_shape(shapes, shape, member=False)
