"""Parsing never reaches the network or other files: remote contexts, imports, external entities.

The ``http_server`` fixture (tests/conftest.py) records every request, so a
test can prove that nothing was fetched, not only that the parse failed.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import OWL, RDFS

from kgqa.errors import GraphParseError, RemoteFetchBlocked
from kgqa.graph.formats import format_for_name
from kgqa.graph.loading import parse_sources, read_source, source_from_bytes
from kgqa.graph.parsing import parse_rdf

NAMESPACE = "urn:kgqa:test/"


def _parse_jsonld(text: str):
    return parse_rdf(text, format_for_name("jsonld"), file_name="graph.jsonld",
                     base_iri="file:///graph.jsonld")


def test_remote_context_case_fails_fast(cases_dir):
    source = read_source(cases_dir / "jsonld-remote-context" / "graph.jsonld")
    started = time.perf_counter()
    with pytest.raises(RemoteFetchBlocked) as raised:
        parse_sources([source], namespace=NAMESPACE)
    elapsed_s = time.perf_counter() - started
    assert elapsed_s < 1.0
    assert raised.value.details["url"] == "http://schema.org/"
    assert "'http://schema.org/'" in raised.value.message
    assert "Inline the context" in raised.value.message
    assert raised.value.details["file"] == "graph.jsonld"


@pytest.mark.parametrize(
    "document",
    [
        pytest.param('{"@context": "%s/ctx", "@id": "http://e/a", "name": "A"}', id="top-level"),
        pytest.param('{"@context": [{"ex": "http://e/"}, "%s/ctx"], "@id": "ex:a"}', id="in-list"),
        pytest.param('{"@context": {"ex": "http://e/"}, "@id": "ex:a", '
                     '"ex:knows": {"@context": "%s/ctx", "@id": "ex:b", "name": "B"}}',
                     id="nested-node"),
        pytest.param('{"@context": {"knows": {"@id": "http://e/knows", "@context": "%s/ctx"}}, '
                     '"@id": "http://e/a", "knows": {"name": "B"}}', id="scoped-context"),
        pytest.param('{"@context": {"@version": 1.1, "@import": "%s/ctx"}, '
                     '"@id": "http://e/a", "name": "A"}', id="import"),
        pytest.param('[{"@context": {"ex": "http://e/"}, "@id": "ex:a"}, '
                     '{"@context": "%s/ctx", "@id": "http://e/b", "name": "B"}]', id="second-node"),
    ],
)
def test_remote_context_never_fetched(http_server, document):
    base_url, requests = http_server
    with pytest.raises(RemoteFetchBlocked) as raised:
        _parse_jsonld(document % base_url)
    assert raised.value.details["url"] == f"{base_url}/ctx"
    assert requests == []


def test_inline_context_list_works():
    statements = _parse_jsonld('{"@context": [{"ex": "http://e/"}, {"name": "http://e/name"}], '
                               '"@id": "ex:a", "name": "A"}')
    assert [(str(s), str(p), str(o)) for s, p, o, _ in statements] == [
        ("http://e/a", "http://e/name", "A")]


def test_owl_imports_not_followed(http_server):
    base_url, requests = http_server
    data = (f"@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
            f"<http://e/onto> owl:imports <{base_url}/other.ttl> .\n").encode()
    parsed = parse_sources([source_from_bytes(data, None, "onto.ttl")], namespace=NAMESPACE)
    assert (URIRef("http://e/onto"), OWL.imports, URIRef(f"{base_url}/other.ttl"),
            None) in parsed.quads
    assert len(parsed.quads) == 1
    assert requests == []


def _rdfxml_with_entity(declaration: str, reference: str) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
  <!ENTITY ex "http://example.org/">
  {declaration}
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="&ex;a">
    <rdfs:label>before {reference} after</rdfs:label>
  </rdf:Description>
</rdf:RDF>
""".encode()


def test_external_entity_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    data = _rdfxml_with_entity(f'<!ENTITY secret SYSTEM "file://{secret}">', "&secret;")
    with pytest.raises(RemoteFetchBlocked) as raised:
        parse_sources([source_from_bytes(data, None, "graph.rdf")], namespace=NAMESPACE)
    assert "TOP-SECRET-CONTENT" not in raised.value.message
    assert "TOP-SECRET-CONTENT" not in str(raised.value.details)
    assert "external entity 'secret'" in raised.value.message
    assert raised.value.details["line"] == 4


def test_external_entity_over_http_never_fetched(http_server):
    base_url, requests = http_server
    data = _rdfxml_with_entity(f'<!ENTITY remote SYSTEM "{base_url}/entity.xml">', "&remote;")
    with pytest.raises(RemoteFetchBlocked):
        parse_sources([source_from_bytes(data, None, "graph.rdf")], namespace=NAMESPACE)
    assert requests == []


def test_external_parameter_entity_rejected(http_server):
    base_url, requests = http_server
    data = _rdfxml_with_entity(f'<!ENTITY % remote SYSTEM "{base_url}/entities.dtd"> %remote;', "")
    with pytest.raises(RemoteFetchBlocked, match="external entity 'remote'"):
        parse_sources([source_from_bytes(data, None, "graph.rdf")], namespace=NAMESPACE)
    assert requests == []


def test_entity_from_external_dtd_rejected(http_server):
    base_url, requests = http_server
    data = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF SYSTEM "{base_url}/rdf.dtd">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="http://example.org/a">
    <rdfs:label>before &outside; after</rdfs:label>
  </rdf:Description>
</rdf:RDF>
""".encode()
    with pytest.raises(RemoteFetchBlocked) as raised:
        parse_sources([source_from_bytes(data, None, "graph.rdf")], namespace=NAMESPACE)
    assert "entity 'outside'" in raised.value.message
    assert raised.value.details["line"] == 6
    assert requests == []


def test_internal_entity_still_works():
    data = _rdfxml_with_entity('<!ENTITY greeting "hello">', "&greeting;")
    parsed = parse_sources([source_from_bytes(data, None, "graph.rdf")], namespace=NAMESPACE)
    labels = [str(obj) for _, predicate, obj, _ in parsed.quads if predicate == RDFS.label]
    assert labels == ["before hello after"]


def test_hostname_entity_never_read():
    hostname_file = Path("/etc/hostname")
    if not hostname_file.is_file() or not hostname_file.read_text().strip():
        pytest.skip("this system has no /etc/hostname to guard")
    hostname = hostname_file.read_text().strip()
    data = _rdfxml_with_entity('<!ENTITY host SYSTEM "file:///etc/hostname">', "&host;")
    with pytest.raises(RemoteFetchBlocked) as raised:
        parse_sources([source_from_bytes(data, None, "graph.rdf")], namespace=NAMESPACE)
    assert raised.value.details["url"] == "file:///etc/hostname"
    assert hostname not in raised.value.message.replace("file:///etc/hostname", "")


def _entity_expansion(declarations: list[str], reference: str) -> bytes:
    return _rdfxml_with_entity("\n  ".join(declarations), reference)


@pytest.mark.parametrize(
    ("declarations", "reference"),
    [
        pytest.param(['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">'
                                                 for level in range(1, 10)],
                     "&lol9;", id="billion-laughs"),
        pytest.param([f'<!ENTITY big "{"x" * 50_000}">'], "&big;" * 50_000, id="quadratic-blowup"),
    ],
)
def test_entity_expansion_bounded(declarations, reference):
    # The expat that Python bundles (2.5.0 here, see pyexpat.EXPAT_VERSION) stops a document whose
    # entities expand it past a fixed amplification factor, so the parse fails fast.
    data = _entity_expansion(declarations, reference)
    started = time.perf_counter()
    with pytest.raises(GraphParseError) as raised:
        parse_sources([source_from_bytes(data, None, "laughs.rdf")], namespace=NAMESPACE)
    assert time.perf_counter() - started < 5.0
    assert "amplification" in raised.value.message
    assert raised.value.details["line"] is not None


def test_jsonld_top_level_array_parses():
    statements = _parse_jsonld('[{"@id": "http://e/a", "http://e/name": [{"@value": "A"}]}, '
                               '{"@id": "http://e/b", "http://e/knows": [{"@id": "http://e/a"}]}]')
    assert [(str(s), str(p), str(o)) for s, p, o, _ in statements] == [
        ("http://e/a", "http://e/name", "A"), ("http://e/b", "http://e/knows", "http://e/a")]
