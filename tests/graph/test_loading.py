"""Reading and parsing sources: every syntax, blank-node scoping, the content hash, every error."""

from __future__ import annotations

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDFS, XSD

from kgqa.errors import GraphParseError, InvalidInput, UnsupportedFormat
from kgqa.graph.loading import (
    Source,
    content_hash,
    parse_sources,
    read_source,
    source_from_bytes,
)

NAMESPACE = "urn:kgqa:test/"
EX = "http://example.org/"
MIRA = URIRef(EX + "Mira")
LUMEN = URIRef(EX + "Lumen")
WORKS_FOR = URIRef(EX + "worksFor")
MIRA_LABEL = Literal("Mira Okafor", datatype=XSD.string)
PREFIXES = (b"@prefix ex: <http://example.org/> .\n"
            b"@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n")

DOCUMENTS = {
    "graph.ttl": PREFIXES + b'ex:Mira rdfs:label "Mira Okafor" ; ex:worksFor ex:Lumen .\n',
    "graph.n3": PREFIXES + b'ex:Mira rdfs:label "Mira Okafor" ; ex:worksFor ex:Lumen .\n',
    "graph.nt": (b'<http://example.org/Mira> <http://www.w3.org/2000/01/rdf-schema#label> '
                 b'"Mira Okafor" .\n'
                 b"<http://example.org/Mira> <http://example.org/worksFor> "
                 b"<http://example.org/Lumen> .\n"),
    "graph.nq": (b'<http://example.org/Mira> <http://www.w3.org/2000/01/rdf-schema#label> '
                 b'"Mira Okafor" .\n'
                 b"<http://example.org/Mira> <http://example.org/worksFor> "
                 b"<http://example.org/Lumen> <http://example.org/g1> .\n"),
    "graph.trig": PREFIXES + (b'ex:Mira rdfs:label "Mira Okafor" .\n'
                              b"ex:g1 { ex:Mira ex:worksFor ex:Lumen . }\n"),
    "graph.rdf": b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"
         xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/Mira">
    <rdfs:label>Mira Okafor</rdfs:label>
    <ex:worksFor rdf:resource="http://example.org/Lumen"/>
  </rdf:Description>
</rdf:RDF>
""",
    "graph.jsonld": b"""{
  "@context": {
    "ex": "http://example.org/",
    "label": "http://www.w3.org/2000/01/rdf-schema#label",
    "worksFor": {"@id": "http://example.org/worksFor", "@type": "@id"}
  },
  "@id": "ex:Mira",
  "label": "Mira Okafor",
  "worksFor": "ex:Lumen"
}
""",
}


def _parse(data: bytes, filename: str, fmt: str | None = None):
    return parse_sources([source_from_bytes(data, fmt, filename)], namespace=NAMESPACE)


def _triples(parsed) -> set:
    return {(subject, predicate, obj) for subject, predicate, obj, _ in parsed.quads}


@pytest.mark.parametrize("filename", sorted(DOCUMENTS))
def test_each_syntax_parses(filename):
    parsed = _parse(DOCUMENTS[filename], filename)
    assert _triples(parsed) == {(MIRA, RDFS.label, MIRA_LABEL), (MIRA, WORKS_FOR, LUMEN)}
    assert len(parsed.ox_quads) == 2


@pytest.mark.parametrize("filename", ["graph.nq", "graph.trig"])
def test_named_graph_is_kept(filename):
    parsed = _parse(DOCUMENTS[filename], filename)
    assert (MIRA, WORKS_FOR, LUMEN, URIRef(EX + "g1")) in parsed.quads
    assert (MIRA, RDFS.label, MIRA_LABEL, None) in parsed.quads


def test_jsonld_local_context_works():
    parsed = _parse(DOCUMENTS["graph.jsonld"], "graph.jsonld")
    assert (MIRA, WORKS_FOR, LUMEN) in _triples(parsed)


def test_explicit_format_beats_extension():
    parsed = _parse(b"Mira|works_for|Lumen Labs\n", "graph.ttl", fmt="pipe")
    assert parsed.sources[0].format == "pipe"
    assert len(parsed.quads) == 4


def test_media_type_selects_format():
    parsed = _parse(DOCUMENTS["graph.nt"], "upload.bin", fmt="application/n-triples")
    assert parsed.sources[0].format == "ntriples"


def test_utf8_byte_order_mark_accepted():
    parsed = _parse(b"\xef\xbb\xbf" + DOCUMENTS["graph.ttl"], "graph.ttl")
    assert len(parsed.quads) == 2


def test_relative_iri_uses_file_name():
    parsed = _parse(b"<Mira> <worksFor> <Lumen> .\n", "people.ttl")
    assert (URIRef("file:///Mira"), URIRef("file:///worksFor"),
            URIRef("file:///Lumen")) in _triples(parsed)


def test_plain_literal_becomes_xsd_string():
    parsed = _parse(DOCUMENTS["graph.ttl"], "graph.ttl")
    labels = [obj for _, predicate, obj, _ in parsed.quads if predicate == RDFS.label]
    assert labels == [MIRA_LABEL]
    assert labels[0].datatype == XSD.string


def test_duplicates_across_files_dropped():
    sources = [source_from_bytes(DOCUMENTS["graph.ttl"], None, "a.ttl"),
               source_from_bytes(DOCUMENTS["graph.nt"], None, "b.nt")]
    parsed = parse_sources(sources, namespace=NAMESPACE)
    assert len(parsed.quads) == 2
    assert [summary.triples for summary in parsed.sources] == [2, 2]


def test_blank_nodes_scoped_per_file(cases_dir):
    case = cases_dir / "blank-node-collision"
    sources = [read_source(case / "people-a.nt"), read_source(case / "people-b.nt")]
    parsed = parse_sources(sources, namespace=NAMESPACE)
    people = {subject for subject, *_ in parsed.quads}
    assert len(people) == 2
    assert all(isinstance(person, BNode) for person in people)


def test_blank_node_ids_are_deterministic():
    data = PREFIXES + (b"ex:a ex:b [ ex:c [ ex:d _:x ] ] .\n"
                       b"_:x ex:e _:y .\n_:y ex:f ex:g , ex:h .\n")
    first = _parse(data, "nested.ttl")
    second = _parse(data, "nested.ttl")
    assert first.quads == second.quads
    assert len({term for quad in first.quads for term in quad if isinstance(term, BNode)}) == 4


def test_content_hash_ignores_folder(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "one" / "graph.ttl").write_bytes(DOCUMENTS["graph.ttl"])
    (tmp_path / "two" / "graph.ttl").write_bytes(DOCUMENTS["graph.ttl"])
    first = content_hash([read_source(tmp_path / "one" / "graph.ttl")], NAMESPACE)
    second = content_hash([read_source(tmp_path / "two" / "graph.ttl")], NAMESPACE)
    assert first == second


def test_content_hash_covers_inputs():
    turtle = Source("graph.ttl", DOCUMENTS["graph.ttl"], source_from_bytes(b"", "ttl").fmt)
    n3 = Source("graph.ttl", DOCUMENTS["graph.ttl"], source_from_bytes(b"", "n3").fmt)
    other = Source("other.ttl", DOCUMENTS["graph.ttl"], turtle.fmt)
    changed = Source("graph.ttl", DOCUMENTS["graph.ttl"] + b"\n", turtle.fmt)
    base = content_hash([turtle, other], NAMESPACE)
    assert content_hash([other, turtle], NAMESPACE) != base
    assert content_hash([n3, other], NAMESPACE) != base
    assert content_hash([changed, other], NAMESPACE) != base
    assert content_hash([turtle, other], "urn:kgqa:other/") != base


def test_progress_reports_parse_bytes():
    calls = []
    data = DOCUMENTS["graph.ttl"]
    parse_sources([source_from_bytes(data, None, "graph.ttl")], namespace=NAMESPACE,
                  progress=lambda stage, done, total: calls.append((stage, done, total)))
    assert calls[0] == ("parse", 0, len(data))
    assert calls[-1] == ("parse", len(data), len(data))


def test_missing_file_names_path(tmp_path):
    missing = tmp_path / "missing.ttl"
    with pytest.raises(InvalidInput) as raised:
        read_source(missing)
    assert str(missing) in raised.value.message
    assert "File not found" in raised.value.message


def test_folder_is_not_a_file(tmp_path):
    folder = tmp_path / "graphs.ttl"
    folder.mkdir()
    with pytest.raises(InvalidInput, match="is a folder"):
        read_source(folder)


def test_unknown_extension_rejected(tmp_path):
    path = tmp_path / "graph.dat"
    path.write_bytes(b"x")
    with pytest.raises(UnsupportedFormat, match="graph.dat"):
        read_source(path)


def test_no_sources_rejected():
    with pytest.raises(InvalidInput, match="No files to load"):
        parse_sources([], namespace=NAMESPACE)


RDF_XML_HEAD = (b'<?xml version="1.0"?>\n<rdf:RDF '
                b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">\n')


@pytest.mark.parametrize(
    ("filename", "data", "line", "column", "fragment"),
    [
        pytest.param("a.ttl", PREFIXES + b'ex:a ex:b "x" ex:c .\n', 3, 15,
                     "a dot is expected at the end of statements", id="turtle-no-dot"),
        pytest.param("a.ttl", PREFIXES + b"ex:a ex:b ex:c .\nfoo:x ex:b ex:c .\n", 4, 1,
                     "the prefix foo: has not been declared", id="turtle-unknown-prefix"),
        pytest.param("a.ttl", PREFIXES + b"ex:a ex:b <http://e/a b> .\n", 3, 11,
                     "the term <http://e/a b> is not valid RDF", id="turtle-bad-iri"),
        pytest.param("a.nt", b'<http://a/s> <http://a/p> "x" .\n<http://a/s> <http://a/p> "x\n',
                     2, 27, "unexpected end of file", id="ntriples-open-literal"),
        pytest.param("a.nq", b'<http://a/s> <http://a/p> "x" <http://g> .\n'
                             b"<http://a/s> <http://a/p> x .\n",
                     2, 27, "the object of a triple must be", id="nquads-bad-object"),
        pytest.param("a.trig", PREFIXES + b"ex:g { ex:a ex:b ex:c .\n", 4, 1,
                     "unexpected end", id="trig-open-graph"),
        pytest.param("a.n3", PREFIXES + b"ex:a ex:b ex:c .\n} \n", 4, 1,
                     "} is not a valid RDF value", id="n3-stray-brace"),
        pytest.param("a.rdf", RDF_XML_HEAD + b'<rdf:Description rdf:about="http://e/a">\n'
                                             b'<e:p rdf:resource="http://e/b">\n'
                                             b"</rdf:Description></rdf:RDF>\n",
                     5, 3, "mismatched tag", id="rdfxml-mismatched-tag"),
        pytest.param("a.rdf", RDF_XML_HEAD + b'<rdf:Description rdf:about="http://e/a">\n'
                                             b'  <e:p rdf:ID="1bad">x</e:p>\n'
                                             b"</rdf:Description></rdf:RDF>\n",
                     4, 3, "1bad is not a valid rdf:ID value", id="rdfxml-bad-id"),
        pytest.param("a.jsonld", b'{\n  "@context": {"p": "http://e/p"},\n  "p": \n}\n', 4, 1,
                     "invalid JSON: expecting value", id="jsonld-bad-json"),
        pytest.param("a.jsonld", b'{"@context": {"p": "http://e/p"}, "p": ' + b"1" * 5000 + b"}",
                     None, None, "invalid JSON: exceeds the limit", id="jsonld-huge-integer"),
        pytest.param("a.jsonld", b'{"@context": {"p": {"@id": "http://e/p", "@type": 5}}, '
                                 b'"@id": "http://e/a", "p": "x"}',
                     None, None, "the value of @type in a context must be a string",
                     id="jsonld-bad-context"),
        pytest.param("a.ttl", PREFIXES + b'ex:a rdfs:label "Caf\xe9" .\n', 3, 21,
                     "byte 0xe9 is not valid UTF-8", id="turtle-latin1"),
        pytest.param("kb.txt", b"a|b|c\nd|e|\xff\n", 2, 5,
                     "byte 0xff is not valid UTF-8", id="pipe-latin1"),
        pytest.param("a.ttl", b"", None, None, "the file is empty", id="empty"),
        pytest.param("a.ttl", b" \n\n", None, None, "the file is empty", id="whitespace"),
        pytest.param("a.rdf", b"\n", None, None, "the file is empty", id="rdfxml-empty"),
        pytest.param("a.ttl", PREFIXES, None, None, "the file contains no triples",
                     id="prefixes-only"),
        pytest.param("a.csv", b"head,relation,tail\n", None, None,
                     "the file contains no triples", id="header-only"),
        pytest.param("a.jsonld", b'{"name": "Mira"}', None, None,
                     "the file contains no triples", id="jsonld-no-context"),
        pytest.param("a.n3", PREFIXES + b"{ ex:a ex:b ex:c } => { ex:a ex:d ex:e } .\n",
                     None, None, "an N3 formula as its subject", id="n3-formula"),
        pytest.param("a.n3", PREFIXES + b"ex:a ex:b ?x .\n", None, None,
                     "the variable ?x as its object", id="n3-variable"),
        pytest.param("a.csv", b"Kismet,directed_by\n", 1, None,
                     "expected 3 fields", id="csv-two-fields"),
    ],
)
def test_invalid_source_error_table(filename, data, line, column, fragment):
    with pytest.raises(GraphParseError) as raised:
        _parse(data, filename)
    error = raised.value
    assert fragment in error.message
    assert filename in error.message
    assert error.details["file"] == filename
    assert error.details["line"] == line
    assert error.details["column"] == column
    assert error.details["expected"]
    assert type(error) is GraphParseError


@pytest.mark.parametrize("filename", ["graph.ttl", "graph-trailing-space.ttl"])
def test_missing_final_dot_at_line_6(cases_dir, filename):
    source = read_source(cases_dir / "turtle-missing-final-dot" / filename)
    with pytest.raises(GraphParseError) as raised:
        parse_sources([source], namespace=NAMESPACE)
    assert raised.value.details["line"] == 6
    assert f"Invalid Turtle in {filename} at line 6, column " in raised.value.message
    assert "followed by a dot" in raised.value.message
    assert isinstance(raised.value.__cause__, (IndexError, SyntaxError))


def test_error_message_ends_with_fix():
    with pytest.raises(GraphParseError) as raised:
        _parse(PREFIXES + b'ex:a ex:b "x" ex:c .\n', "a.ttl")
    assert raised.value.message.endswith("Fix the file and load it again.")
