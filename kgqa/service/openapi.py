"""Build the OpenAPI 3.0.3 document of the HTTP API from the same constants the handlers use.

The document is built in code, not kept as a file, so limits (question
length, ``top_k`` bounds, upload media types, body sizes) come from the
running settings and route modules. ``tests/service/test_openapi.py`` checks
that every route in the Flask URL map is documented and the reverse, and
runs schemathesis against a live server to check responses against it.
"""

from __future__ import annotations

from typing import Any

from kgqa.graph.sparql import GRAPH_MEDIA_TYPES, SOLUTIONS_MEDIA_TYPES
from kgqa.service.routes.answers import MAX_TOP_K, MODES
from kgqa.service.routes.entities import MAX_LIMIT
from kgqa.service.routes.graphs import UPLOAD_MEDIA_TYPES
from kgqa.service.routes.sparql import QUERY_MEDIA_TYPES
from kgqa.settings import Settings
from kgqa.verification.verdicts import CLAIM_VERDICTS, VERDICTS

__all__ = ["GRAPH_NAME_PATTERN", "OPENAPI_VERSION", "build_document"]

OPENAPI_VERSION = "3.0.3"

Schema = dict[str, Any]

_JSON = "application/json"
_FORM = "application/x-www-form-urlencoded"
_EXAMPLE_QUESTION = "What is the capital of France?"
_EXAMPLE_DRAFT = "The capital of France is Lyon."
# The same rule as kgqa.graph.store.validate_graph_name; tests/service/test_openapi.py keeps them equal.
GRAPH_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
_ERROR_STATUSES = {
    400: "Invalid request: malformed JSON, a field of the wrong type, or an invalid value.",
    401: "The write endpoint needs 'Authorization: Bearer <KGQA_API_KEY>'.",
    404: "No graph of that name is stored; the message lists the stored graphs.",
    411: "A chunked body reached a server that cannot tell where it ends.",
    413: "The body is larger than the configured limit.",
    406: "The Accept header allows none of the result formats; details list them.",
    415: "The Content-Type is missing or not supported; details list the supported ones.",
    422: "The RDF document cannot be parsed (details give the file, line and column), "
         "or a SPARQL result is too large.",
    503: "The generative model is not loaded or its endpoint does not respond, "
         "or a SPARQL query timed out.",
}


def build_document(settings: Settings, version: str) -> dict[str, Any]:
    """Return the OpenAPI document for an application running with ``settings``.

    ``version`` is the kgqa package version shown in ``info.version``.
    """
    paths: dict[str, Any] = {}
    paths.update(_answer_paths(settings))
    paths.update(_graph_paths(settings))
    paths.update(_entity_paths(settings))
    paths.update(_sparql_paths())
    paths.update(_status_paths())
    paths.update(_web_paths())

    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "kgqa",
            "version": version,
            "description": "Question answering over knowledge graphs: ask, compare and verify "
                           "answers, manage stored graphs, and run read-only SPARQL. Every error "
                           "has the body {\"error\": {\"code\", \"message\", \"details\"}}.",
        },
        "paths": paths,
        "components": {
            "schemas": _component_schemas(settings),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "The server's KGQA_API_KEY. Needed only when it is set."},
            },
        },
    }


# Shared pieces


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _json_content(schema: Schema) -> dict[str, Any]:
    return {_JSON: {"schema": schema}}


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(status): {"description": _ERROR_STATUSES[status], "content": _json_content(_ref("Error"))}
            for status in statuses}


def _ok(description: str, schema: Schema, status: int = 200) -> dict[str, Any]:
    return {str(status): {"description": description, "content": _json_content(schema)}}


def _json_body(schema_name: str, settings: Settings,
               examples: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    content = _json_content(_ref(schema_name))
    if examples:
        content[_JSON]["examples"] = {name: {"value": value} for name, value in examples.items()}
    return {
        "required": True,
        "description": f"A JSON object of at most {settings.max_json_kb} KB (KGQA_MAX_JSON_KB).",
        "content": content,
    }


def _graph_name_parameter() -> dict[str, Any]:
    return {"name": "name", "in": "path", "required": True,
            "description": "Graph name: 1 to 64 ASCII letters, digits, '-', '_' or '.'.",
            "schema": {"type": "string", "pattern": GRAPH_NAME_PATTERN}}


def _nullable(schema: Schema) -> Schema:
    return {**schema, "nullable": True}


# Paths


def _answer_paths(settings: Settings) -> dict[str, Any]:
    json_errors = (400, 404, 411, 413, 415)
    return {
        "/ask": {"post": {
            "summary": "Answer a question in one mode",
            "description": "Mode 'graph' (the default) answers from the graph alone and returns "
                           "the answer object of `kgqa ask --json`. The other modes run the "
                           "generative model and return a mode result with claim verdicts.",
            "operationId": "ask",
            "requestBody": _json_body("AskRequest", settings, {
                "graph": {"question": _EXAMPLE_QUESTION},
                "ungrounded": {"question": _EXAMPLE_QUESTION, "mode": "ungrounded"},
                "grounded": {"question": _EXAMPLE_QUESTION, "mode": "grounded", "top_k": 5},
                "corrected": {"question": _EXAMPLE_QUESTION, "mode": "corrected", "draft": _EXAMPLE_DRAFT},
            }),
            "responses": {
                **_ok("The answer.", {"anyOf": [_ref("Answer"), _ref("ModeResult")]}),
                **_errors(*json_errors, 503),
            },
        }},
        "/compare": {"post": {
            "summary": "Answer a question in all four modes side by side",
            "operationId": "compare",
            "requestBody": _json_body("CompareRequest", settings,
                                      {"compare": {"question": _EXAMPLE_QUESTION}}),
            "responses": {**_ok("The four answers and their verdicts.", _ref("Comparison")),
                          **_errors(*json_errors, 503)},
        }},
        "/verify": {"post": {
            "summary": "Check the claims of a draft answer against the graph and correct it",
            "operationId": "verify",
            "requestBody": _json_body("VerifyRequest", settings,
                                      {"verify": {"question": _EXAMPLE_QUESTION, "answer": _EXAMPLE_DRAFT}}),
            "responses": {**_ok("Claim verdicts and the corrected answer.", _ref("VerifyResult")),
                          **_errors(*json_errors, 503)},
        }},
    }


def _graph_paths(settings: Settings) -> dict[str, Any]:
    upload_content: dict[str, Any] = {
        media_type: {"schema": {"type": "string", "format": "binary"}} for media_type in UPLOAD_MEDIA_TYPES
    }
    upload_content["multipart/form-data"] = {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary",
                                "description": "The graph file. Its format comes from the part's "
                                               "Content-Type, or else from the file name."}},
    }}
    write_security = [{"bearer": []}]
    graph_info = _ref("GraphInfo")
    return {
        "/graphs": {"get": {
            "summary": "List the stored graphs with their sizes",
            "operationId": "listGraphs",
            "responses": _ok("The stored graphs.", _ref("GraphList")),
        }},
        "/graphs/{name}": {
            "parameters": [_graph_name_parameter()],
            "get": {
                "summary": "Describe one stored graph",
                "operationId": "describeGraph",
                "responses": {**_ok("The graph's metadata.", graph_info), **_errors(400, 404)},
            },
            "put": {
                "summary": "Upload a graph, replacing any stored graph of that name",
                "description": "The document is parsed completely before it is stored, so a failed "
                               f"upload leaves the previous version in place. At most "
                               f"{settings.max_upload_mb:g} MB (KGQA_MAX_UPLOAD_MB).",
                "operationId": "uploadGraph",
                "security": write_security,
                "requestBody": {"required": True, "content": upload_content},
                "responses": {
                    **_ok("The graph replaced an older version.", graph_info),
                    **_ok("The graph is new.", graph_info, status=201),
                    **_errors(400, 401, 411, 413, 415, 422),
                },
            },
            "delete": {
                "summary": "Delete a stored graph and its examples",
                "operationId": "deleteGraph",
                "security": write_security,
                "responses": {**_ok("The graph is deleted.", _ref("Deleted")), **_errors(400, 401, 404)},
            },
        },
        "/graphs/{name}/examples": {
            "parameters": [_graph_name_parameter()],
            "post": {
                "summary": "Add question/answer example pairs that guide relation retrieval",
                "operationId": "addExamples",
                "security": write_security,
                "requestBody": _json_body("ExamplesRequest", settings),
                "responses": {**_ok("The pairs are stored.", _ref("ExamplesAdded"), status=201),
                              **_errors(400, 401, 404, 411, 413, 415)},
            },
        },
    }


def _entity_paths(settings: Settings) -> dict[str, Any]:
    return {"/entities": {"get": {
        "summary": "Preview entity linking and complete entity names",
        "description": "For each graph: the entities the linker finds in q, and the entities "
                       "whose label or alias starts with what was typed last.",
        "operationId": "entities",
        "parameters": [
            {"name": "q", "in": "query", "required": True, "description": "The text typed so far.",
             "schema": {"type": "string", "minLength": 1, "maxLength": settings.max_question_chars,
                        "pattern": r"\S"}},
            {"name": "graph", "in": "query", "required": False,
             "description": "Search only this graph; all stored graphs when absent.",
             "schema": {"type": "string", "pattern": GRAPH_NAME_PATTERN}},
            {"name": "limit", "in": "query", "required": False,
             "description": "Maximum suggestions per graph.",
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 10}},
        ],
        "responses": {**_ok("Links and suggestions per graph.", _ref("EntityResults")),
                      **_errors(400, 404)},
    }}}


def _sparql_paths() -> dict[str, Any]:
    def parameters(query_required: bool) -> list[dict[str, Any]]:
        return [
            {"name": "query", "in": "query", "required": query_required,
             "description": "The SPARQL query." + ("" if query_required else
                                                    " POST may send it in the body instead."),
             "schema": {"type": "string"}, "example": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5"},
            {"name": "graph", "in": "query", "required": False,
             "description": "Stored graph to query; see the SPARQL section of the README.",
             "schema": {"type": "string", "pattern": GRAPH_NAME_PATTERN}},
            {"name": "default-graph-uri", "in": "query", "required": False,
             "schema": {"type": "array", "items": {"type": "string"}}},
            {"name": "named-graph-uri", "in": "query", "required": False,
             "schema": {"type": "array", "items": {"type": "string"}}},
        ]

    results = {media_type: {"schema": _sparql_result_schema(media_type)}
               for media_type in (*SOLUTIONS_MEDIA_TYPES, *GRAPH_MEDIA_TYPES)}
    responses = {
        "200": {"description": "Solutions (SELECT, ASK) or a graph (CONSTRUCT, DESCRIBE) in the "
                               "format the Accept header ranks best.", "content": results},
        **_errors(400, 404, 406, 411, 413, 415, 422, 503),
    }
    form = {"type": "object", "properties": {
        "query": {"type": "string"}, "graph": {"type": "string", "pattern": GRAPH_NAME_PATTERN},
        "default-graph-uri": {"type": "array", "items": {"type": "string"}},
        "named-graph-uri": {"type": "array", "items": {"type": "string"}},
    }}
    # A form body carries the parameters; any other accepted body is the query text itself.
    body_content = {media_type: {"schema": form if media_type == _FORM else {"type": "string"}}
                    for media_type in QUERY_MEDIA_TYPES}
    description = ("The SPARQL 1.1 protocol over the stored graphs, read-only: an update gets 400 "
                   "(update_not_allowed). A query running longer than KGQA_SPARQL_TIMEOUT_S gets "
                   "503, and a result too large gets 422.")
    return {"/sparql": {
        "get": {"summary": "Run a read-only SPARQL query", "description": description,
                "operationId": "sparqlGet", "parameters": parameters(True), "responses": responses},
        "post": {"summary": "Run a read-only SPARQL query sent in the body", "description": description,
                 "operationId": "sparqlPost", "parameters": parameters(False),
                 "requestBody": {"required": True, "content": body_content}, "responses": responses},
    }}


def _sparql_result_schema(media_type: str) -> Schema:
    if media_type == "application/sparql-results+json":
        # SPARQL 1.1 Query Results JSON Format: "results" for SELECT, "boolean" for ASK.
        return {"type": "object", "required": ["head"], "properties": {
            "head": {"type": "object"},
            "results": _object({"bindings": _array({"type": "object"})}),
            "boolean": {"type": "boolean"},
        }}
    if media_type.endswith("json"):
        return {}
    return {"type": "string"}


def _status_paths() -> dict[str, Any]:
    metrics = {"text/plain": {"schema": {"type": "string"}}}
    return {
        "/health": {"get": {"summary": "Liveness: the process answers", "operationId": "health",
                            "responses": _ok("Alive.", _ref("Health"))}},
        "/ready": {"get": {
            "summary": "Readiness: models loaded and every stored graph prepared",
            "operationId": "ready",
            "responses": {**_ok("Ready.", _ref("Readiness")),
                          "503": {"description": "Still loading; waiting_for says what.",
                                  "content": _json_content(_ref("Readiness"))}},
        }},
        "/metrics": {"get": {
            "summary": "Prometheus metrics: requests and latency per endpoint and mode, graph "
                       "sizes, model load state",
            "operationId": "metrics",
            "responses": {"200": {"description": "The Prometheus text format.", "content": metrics}},
        }},
        "/openapi.json": {"get": {"summary": "This document", "operationId": "openapi",
                                  "responses": _ok("The OpenAPI document.", {"type": "object"})}},
    }


def _web_paths() -> dict[str, Any]:
    return {
        "/": {"get": {"summary": "The web page", "operationId": "webPage",
                      "responses": {"200": {"description": "The page.",
                                            "content": {"text/html": {"schema": {"type": "string"}}}}}}},
        "/static/{filename}": {"get": {
            "summary": "A script, style sheet or image of the web page",
            "operationId": "webAsset",
            "parameters": [{"name": "filename", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The file.", "content": {"*/*": {"schema": {}}}},
                          **_errors(404)},
        }},
    }


# Component schemas


def _component_schemas(settings: Settings) -> dict[str, Schema]:
    schemas: dict[str, Schema] = {}
    schemas.update(_request_schemas(settings))
    schemas.update(_term_schemas())
    schemas.update(_answer_schemas())
    schemas.update(_verification_schemas())
    schemas.update(_graph_schemas())
    schemas.update(_status_schemas())
    schemas["Error"] = _object({
        "error": _object({
            "code": {"type": "string",
                     "description": "Stable machine-readable code, such as graph_not_found."},
            "message": {"type": "string", "description": "What failed and what to do next."},
            "details": {"type": "object", "description": "The values involved, such as line and column."},
        }, required=["code", "message", "details"]),
    })
    return schemas


def _object(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    schema["required"] = list(properties) if required is None else required
    return schema


def _array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def _string_map(values: Schema) -> Schema:
    return {"type": "object", "additionalProperties": values}


def _request_schemas(settings: Settings) -> dict[str, Schema]:
    question = {"type": "string", "minLength": 1, "maxLength": settings.max_question_chars, "pattern": r"\S",
                "description": "The question (KGQA_MAX_QUESTION_CHARS sets the maximum length).",
                "example": _EXAMPLE_QUESTION}
    graph = {"type": "string", "pattern": GRAPH_NAME_PATTERN,
             "description": "Graph to answer from; every stored graph when absent."}
    top_k = {"type": "integer", "minimum": 1, "maximum": MAX_TOP_K,
             "description": "Evidence triples kept per answer (default KGQA_TOP_K)."}
    return {
        "AskRequest": _object({
            "question": question, "graph": graph,
            "mode": {"type": "string", "enum": list(MODES), "default": "graph"},
            "top_k": top_k,
            "draft": {"type": "string", "description": "A draft answer to correct; only with mode "
                                                       "'corrected'."},
        }, required=["question"]),
        "CompareRequest": _object({"question": question, "graph": graph, "top_k": top_k},
                                  required=["question"]),
        "VerifyRequest": _object({
            "question": question,
            "answer": {"type": "string", "minLength": 1, "pattern": r"\S",
                       "example": _EXAMPLE_DRAFT},
            "graph": graph,
        }, required=["question", "answer"]),
        "ExamplesRequest": _object({"examples": {
            "type": "array", "minItems": 1, "maxItems": 100_000,
            "items": _object({
                "question": {"type": "string", "minLength": 1, "pattern": r"\S"},
                "answers": {"type": "array", "minItems": 1,
                            "items": {"type": "string", "minLength": 1, "pattern": r"\S"}},
                "topic": {"type": "string", "description": "Label of the question's topic entity."},
            }, required=["question", "answers"]),
        }}),
    }


def _term_schemas() -> dict[str, Schema]:
    return {
        "Term": {
            "type": "object", "required": ["kind", "label"],
            "description": "An RDF term: kind 'iri' has iri, 'literal' has value, datatype and "
                           "lang, 'bnode' has id.",
            "properties": {
                "kind": {"type": "string", "enum": ["iri", "literal", "bnode"]},
                "label": {"type": "string"},
                "iri": {"type": "string"},
                "value": {"type": "string"},
                "datatype": _nullable({"type": "string"}),
                "lang": _nullable({"type": "string"}),
                "id": {"type": "string"},
            },
        },
        "LinkedEntity": _object({
            "mention": {"type": "string"}, "start": {"type": "integer"}, "end": {"type": "integer"},
            "entity": _ref("Term"), "score": {"type": "number"}, "method": {"type": "string"},
            "alternatives": {"type": "array"},
        }, required=["mention", "start", "end", "entity", "score", "method"]),
        "RelationPath": _object({
            "steps": _array(_object({"predicate": {"type": "string"}, "label": {"type": "string"},
                                     "inverse": {"type": "boolean"}})),
            "verbalization": {"type": "string"}, "score": {"type": "number"},
            "source": _nullable(_ref("Term")),
        }, required=["steps", "verbalization", "score"]),
        "EvidenceTriple": _object({
            "subject": _ref("Term"), "predicate": _ref("Term"), "object": _ref("Term"),
            "graph": _nullable({"type": "string", "description": "Named graph; null for the default graph."}),
        }),
    }


def _answer_schemas() -> dict[str, Schema]:
    return {"Answer": _object({
        "question": {"type": "string"},
        "normalized_question": {"type": "string"},
        "graph": _nullable({"type": "string"}),
        "mode": {"type": "string", "enum": ["graph"]},
        "status": {"type": "string"},
        "kind": {"type": "string"},
        "text": {"type": "string"},
        "answers": _array(_ref("Term")),
        "linked_entities": _array(_ref("LinkedEntity")),
        "classes": _array(_ref("LinkedEntity")),
        "path": _nullable(_ref("RelationPath")),
        "alternative_paths": _array(_ref("RelationPath")),
        "evidence": _array(_ref("EvidenceTriple")),
        "confidence": {"type": "number"},
        "timings_ms": _string_map({"type": "number"}),
        "notes": _array({"type": "string"}),
    })}


def _verification_schemas() -> dict[str, Schema]:
    verdict = {"type": "string", "enum": list(VERDICTS)}
    claim = _object({
        "kind": {"type": "string"}, "text": {"type": "string"},
        "verdict": {"type": "string", "enum": list(CLAIM_VERDICTS)}, "graph_values": {"type": "array"},
        "evidence": _array(_ref("EvidenceTriple")), "reason": {"type": "string"},
    }, required=["kind", "text", "verdict", "evidence"])
    verification = _object({
        "question": {"type": "string"}, "text": {"type": "string"},
        "graph": _nullable({"type": "string"}), "verdict": verdict,
        "abstains": {"type": "boolean"}, "expected": {"type": "array"},
        "claims": _array(_ref("Claim")), "evidence": _array(_ref("EvidenceTriple")),
        "notes": _array({"type": "string"}),
    })
    mode_result = _object({
        "mode": {"type": "string", "enum": list(MODES)},
        "question": {"type": "string"}, "graph": _nullable({"type": "string"}),
        "text": {"type": "string"}, "verdict": verdict, "source": {"type": "string"},
        "claims": _array(_ref("Claim")), "evidence": _array(_ref("EvidenceTriple")),
        "verification": _nullable(_ref("Verification")),
        "draft": _nullable({"type": "string"}),
        "draft_verification": _nullable(_ref("Verification")),
        "model_outputs": {"type": "array"},
        "problems": _array({"type": "string"}), "notes": _array({"type": "string"}),
    })
    return {
        "Claim": claim,
        "Verification": verification,
        "ModeResult": mode_result,
        "Comparison": _object({
            "question": {"type": "string"}, "graph": _nullable({"type": "string"}),
            "modes": _string_map(_ref("ModeResult")),
            "verdicts": _string_map(verdict),
            "differences": {"type": "array"},
        }),
        "VerifyResult": _object({"verification": _ref("Verification"), "corrected": _ref("ModeResult")}),
    }


def _graph_schemas() -> dict[str, Schema]:
    count = {"type": "integer", "minimum": 0}
    return {
        "GraphInfo": _object({
            "name": {"type": "string"},
            "content_hash": {"type": "string", "description": "Hash of the parsed content."},
            "source_format": {"type": "string"},
            "source_files": _array({"type": "string"}),
            "triples": count, "entities": count, "relations": count,
            "named_graphs": _array({"type": "string"}),
            "loaded_at": {"type": "string", "description": "ISO 8601 time of the upload."},
        }),
        "GraphList": _object({"graphs": _array(_ref("GraphInfo"))}),
        "Deleted": _object({"deleted": {"type": "string"}}),
        "ExamplesAdded": _object({"graph": {"type": "string"}, "added": count}),
        "EntityResults": _object({
            "q": {"type": "string"},
            "results": _array(_object({
                "graph": {"type": "string"},
                "linked": _array(_ref("LinkedEntity")),
                "ambiguous": {"type": "array"},
                "suggestions": _array({"allOf": [_ref("Term"), _object({"matched": {"type": "string"}})]}),
            })),
        }),
    }


def _status_schemas() -> dict[str, Schema]:
    return {
        "Health": _object({"status": {"type": "string", "enum": ["ok"]}}),
        "Readiness": _object({
            "ready": {"type": "boolean"},
            "models": _string_map({"type": "boolean"}),
            "graphs": _array({"type": "string"}),
            "prepared_graphs": _array({"type": "string"}),
            "waiting_for": _array({"type": "string"}),
        }),
    }
