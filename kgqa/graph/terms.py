"""Convert RDF terms to the JSON-ready shape kgqa reports, and render literals for display.

Numbers keep every digit of their lexical form (``14.00307400478`` never
becomes ``14.0030740048``); exponent notation is expanded to a plain decimal
(``.25e-3`` -> ``0.00025``) because that is how people read answers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

__all__ = ["display_literal", "term_kind", "term_to_dict"]

_NUMERIC = {
    XSD.integer, XSD.int, XSD.long, XSD.short, XSD.byte, XSD.decimal, XSD.double, XSD.float,
    XSD.nonNegativeInteger, XSD.positiveInteger, XSD.negativeInteger, XSD.nonPositiveInteger,
    XSD.unsignedInt, XSD.unsignedLong, XSD.unsignedShort, XSD.unsignedByte,
}


def term_kind(term: Node) -> str:
    """Return ``"iri"``, ``"bnode"`` or ``"literal"``."""
    if isinstance(term, Literal):
        return "literal"
    if isinstance(term, BNode):
        return "bnode"
    return "iri"


def term_to_dict(term: Node, label: str | None = None) -> dict[str, Any]:
    """Return the JSON shape of a term: kind, IRI or literal value with datatype and language, and label."""
    kind = term_kind(term)
    if kind == "literal":
        assert isinstance(term, Literal)
        return {
            "kind": "literal",
            "value": str(term),
            "datatype": str(term.datatype) if term.datatype else None,
            "lang": term.language,
            "label": label or display_literal(term),
        }
    if kind == "bnode":
        return {"kind": "bnode", "id": str(term), "label": label or f"_:{term}"}
    assert isinstance(term, URIRef)
    return {"kind": "iri", "iri": str(term), "label": label or str(term)}


def display_literal(literal: Literal) -> str:
    """Render a literal for people: full-precision numbers, readable dates, plain strings."""
    datatype = literal.datatype
    if datatype in _NUMERIC:
        return _display_number(str(literal))
    if datatype == XSD.boolean:
        return "true" if literal.toPython() is True else "false"
    if datatype == XSD.date:
        value = literal.toPython()
        if isinstance(value, dt.date):
            return f"{value.day} {value.strftime('%B')} {value.year}"
    return str(literal)


def _display_number(lexical: str) -> str:
    try:
        number = Decimal(lexical.strip())
    except InvalidOperation:
        return lexical
    if not number.is_finite():
        return lexical

    # Format positionally so exponents disappear but no digit of the lexical form is lost.
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".") or "0"
    if "." in text and text.startswith("-0") is False and text.startswith("."):
        text = "0" + text
    return text
