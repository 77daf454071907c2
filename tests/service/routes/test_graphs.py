"""Graph management over HTTP: list, describe, upload in every format, replace, delete, examples.

Every test writes to the store of its own app (a temporary data folder), so
the shared bundled graphs are never touched. The uploaded graph is one small
fact ("Kismet" directed by "William Dieterle"), serialized by rdflib into
each RDF syntax, so every upload must answer the same question.
"""

from __future__ import annotations

import io

import pytest
from http_checks import assert_error_shape
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDFS

from kgqa.answering.engine import Engine
from kgqa.service.app import create_app
from kgqa.settings import Settings

EX = Namespace("http://example.org/")
NAMED_GRAPH = URIRef("http://example.org/films")
QUESTION = "Who directed Kismet?"
ANSWER = "William Dieterle"
TABLE_ROWS = [("head", "relation", "tail"), ("Kismet", "directed_by", "William Dieterle")]


@pytest.fixture(scope="module")
def client(tmp_path_factory, embedder):
    settings = Settings(environ={}, data_dir=str(tmp_path_factory.mktemp("graphs-data")))
    engine = Engine(settings)
    engine._embedder = embedder
    return create_app(settings, engine=engine).test_client()


def _film_triples():
    return [
        (EX.Kismet, RDFS.label, Literal("Kismet")),
        (EX.Kismet, EX.directedBy, EX.Dieterle),
        (EX.Dieterle, RDFS.label, Literal(ANSWER)),
        (EX.directedBy, RDFS.label, Literal("directed by")),
    ]


def _serialize(rdflib_format: str) -> bytes:
    """Return the film graph in ``rdflib_format``; quad formats put it in NAMED_GRAPH."""
    if rdflib_format in ("trig", "nquads"):
        dataset = Dataset()
        named = dataset.graph(NAMED_GRAPH)
        for triple in _film_triples():
            named.add(triple)
        return dataset.serialize(format=rdflib_format, encoding="utf-8")
    graph = Graph()
    for triple in _film_triples():
        graph.add(triple)
    return graph.serialize(format=rdflib_format, encoding="utf-8")


def _table(delimiter: str) -> bytes:
    return "\n".join(delimiter.join(row) for row in TABLE_ROWS).encode() + b"\n"


UPLOADS = {
    "text/turtle": lambda: _serialize("turtle"),
    "application/n-triples": lambda: _serialize("nt"),
    "application/n-quads": lambda: _serialize("nquads"),
    "application/trig": lambda: _serialize("trig"),
    "application/rdf+xml": lambda: _serialize("xml"),
    "application/ld+json": lambda: _serialize("json-ld"),
    "text/n3": lambda: _serialize("n3"),
    "text/csv": lambda: _table(","),
    "text/tab-separated-values": lambda: _table("\t"),
}


def _graph_name(media_type: str) -> str:
    return "g-" + media_type.replace("/", "-").replace("+", "-")


def _answer_labels(client, graph: str) -> list[str]:
    response = client.post("/ask", json={"question": QUESTION, "graph": graph})
    assert response.status_code == 200
    return [item["label"] for item in response.get_json()["answers"]]


@pytest.mark.parametrize("media_type", list(UPLOADS))
def test_upload_each_media_type(client, media_type):
    name = _graph_name(media_type)
    response = client.put(f"/graphs/{name}", data=UPLOADS[media_type](), content_type=media_type)
    assert response.status_code == 201
    assert response.headers["Location"] == f"/graphs/{name}"
    info = response.get_json()
    assert info["name"] == name
    assert info["triples"] >= 2
    assert _answer_labels(client, name) == [ANSWER]


@pytest.mark.parametrize(("media_type", "named"), [("application/trig", [str(NAMED_GRAPH)]),
                                                   ("application/n-quads", [str(NAMED_GRAPH)]),
                                                   ("text/turtle", [])])
def test_describe_lists_named_graphs(client, media_type, named):
    name = _graph_name(media_type) + "-info"
    client.put(f"/graphs/{name}", data=UPLOADS[media_type](), content_type=media_type)
    info = client.get(f"/graphs/{name}").get_json()
    assert info["named_graphs"] == named
    assert info["triples"] == 4
    assert info["entities"] == 2
    assert info["relations"] == 1
    assert info["source_format"] in ("trig", "nquads", "turtle")
    assert len(info["content_hash"]) >= 16
    assert info["loaded_at"]


@pytest.mark.parametrize(
    ("part_type", "filename"),
    [("text/turtle", "films.ttl"), ("text/turtle", None), ("application/octet-stream", "films.ttl"),
     ("application/octet-stream", "films.csv")],
)
def test_multipart_upload_answers(client, part_type, filename):
    name = f"multipart-{part_type.split('/')[1]}-{filename or 'unnamed'}".replace(".", "-")
    body = _table(",") if (filename or "").endswith(".csv") else UPLOADS["text/turtle"]()
    upload = (io.BytesIO(body), filename or "", part_type)
    response = client.put(f"/graphs/{name}", data={"file": upload}, content_type="multipart/form-data")
    assert response.status_code == 201
    assert _answer_labels(client, name) == [ANSWER]


def test_multipart_without_type_or_name_400(client):
    upload = (io.BytesIO(UPLOADS["text/turtle"]()), "", "application/octet-stream")
    response = client.put("/graphs/nameless", data={"file": upload}, content_type="multipart/form-data")
    error = assert_error_shape(response, 400, "invalid_input")
    assert "file name" in error["message"]


def test_multipart_without_file_part_400(client):
    upload = (io.BytesIO(UPLOADS["text/turtle"]()), "films.ttl", "text/turtle")
    response = client.put("/graphs/nofile", data={"graph": upload}, content_type="multipart/form-data")
    error = assert_error_shape(response, 400, "invalid_input")
    assert error["details"]["parts"] == ["graph"]


def test_replace_returns_200(client):
    first = client.put("/graphs/replaced", data=_table(","), content_type="text/csv")
    second = client.put("/graphs/replaced", data=UPLOADS["text/turtle"](), content_type="text/turtle")
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.get_json()["content_hash"] != first.get_json()["content_hash"]
    assert second.get_json()["source_format"] == "turtle"


def test_failed_upload_keeps_previous(client):
    good = client.put("/graphs/kept", data=UPLOADS["text/turtle"](), content_type="text/turtle")
    bad = client.put("/graphs/kept", data=b"@prefix ex: <http://example.org/> .\nex:a ex:b .\n",
                     content_type="text/turtle")
    assert good.status_code == 201
    assert_error_shape(bad, 422, "graph_parse_error")
    info = client.get("/graphs/kept").get_json()
    assert info["content_hash"] == good.get_json()["content_hash"]
    assert _answer_labels(client, "kept") == [ANSWER]


def test_list_graphs_has_sizes(client):
    client.put("/graphs/listed", data=UPLOADS["text/turtle"](), content_type="text/turtle")
    graphs = {info["name"]: info for info in client.get("/graphs").get_json()["graphs"]}
    assert graphs["listed"]["triples"] == 4
    assert graphs["listed"]["entities"] == 2


def test_delete_removes_graph(client):
    client.put("/graphs/doomed", data=UPLOADS["text/turtle"](), content_type="text/turtle")
    response = client.delete("/graphs/doomed")
    assert response.status_code == 200
    assert response.get_json() == {"deleted": "doomed"}
    assert_error_shape(client.get("/graphs/doomed"), 404, "graph_not_found")
    names = [info["name"] for info in client.get("/graphs").get_json()["graphs"]]
    assert "doomed" not in names


def test_examples_stored_and_counted(client):
    client.put("/graphs/taught", data=UPLOADS["text/turtle"](), content_type="text/turtle")
    pairs = [{"question": "Who made Kismet?", "answers": [ANSWER]},
             {"question": "Which director made Kismet?", "answers": [ANSWER], "topic": "Kismet"}]
    response = client.post("/graphs/taught/examples", json={"examples": pairs})
    assert response.status_code == 201
    assert response.get_json() == {"graph": "taught", "added": 2}
    assert _answer_labels(client, "taught") == [ANSWER]


@pytest.mark.parametrize(
    ("examples", "number"),
    [
        ([{"question": "Who?", "answers": ["A"]}, {"question": "", "answers": ["A"]}], 2),
        ([{"question": "Who?", "answers": []}], 1),
        ([{"question": "Who?", "answers": ["A", 5]}], 1),
        ([{"question": "Who?", "answers": ["A"]}, "Who?"], 2),
        ([{"question": "Who?", "answers": ["A"]}] * 2
         + [{"question": "Who?", "answers": ["A"], "topic": 3}], 3),
    ],
)
def test_bad_example_names_number(client, examples, number):
    client.put("/graphs/taught-bad", data=UPLOADS["text/turtle"](), content_type="text/turtle")
    response = client.post("/graphs/taught-bad/examples", json={"examples": examples})
    error = assert_error_shape(response, 400, "invalid_input")
    assert error["details"] == {"example": number}
    assert f"Example {number}" in error["message"]


@pytest.mark.parametrize("payload", [{}, {"examples": []}, {"examples": "Who?"}])
def test_examples_field_missing_400(client, payload):
    client.put("/graphs/taught-empty", data=UPLOADS["text/turtle"](), content_type="text/turtle")
    error = assert_error_shape(client.post("/graphs/taught-empty/examples", json=payload), 400)
    assert error["details"] == {"field": "examples"}


# Uploads never make the server fetch a URL (http_server records every request it gets).


def test_remote_context_upload_422(client, http_server):
    base_url, requests = http_server
    document = f'{{"@context": "{base_url}/context.jsonld", "@id": "http://example.org/a", "name": "A"}}'
    response = client.put("/graphs/remote-context", data=document.encode(),
                          content_type="application/ld+json")
    error = assert_error_shape(response, 422, "remote_fetch_blocked")
    assert error["details"]["url"] == f"{base_url}/context.jsonld"
    assert "Inline the context" in error["message"]
    assert requests == []


def test_owl_imports_upload_not_followed(client, http_server):
    base_url, requests = http_server
    document = (f"@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                f"<http://example.org/onto> owl:imports <{base_url}/other.ttl> .\n").encode()
    response = client.put("/graphs/imports", data=document, content_type="text/turtle")
    assert response.status_code == 201
    assert response.get_json()["triples"] == 1
    assert requests == []


@pytest.mark.parametrize("system_id", ["file:///etc/hostname", "{base_url}/entity.xml"])
def test_external_entity_upload_422(client, http_server, system_id):
    base_url, requests = http_server
    system_id = system_id.format(base_url=base_url)
    document = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [<!ENTITY outside SYSTEM "{system_id}">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="http://example.org/a"><rdfs:label>&outside;</rdfs:label></rdf:Description>
</rdf:RDF>
""".encode()
    response = client.put("/graphs/entity", data=document, content_type="application/rdf+xml")
    error = assert_error_shape(response, 422, "remote_fetch_blocked")
    assert error["details"]["url"] == system_id
    assert error["details"]["line"] == 2
    assert requests == []
    assert_error_shape(client.get("/graphs/entity"), 404, "graph_not_found")
