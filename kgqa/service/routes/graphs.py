"""Manage stored graphs: list, describe, upload (``PUT``), delete, and add question/answer examples.

An upload is parsed completely before anything is stored, and the store
switches versions atomically (see ``kgqa.graph.store``), so a failed or
interrupted upload leaves the previous version of the graph in place.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, Response, request
from werkzeug.datastructures import FileStorage
from werkzeug.formparser import parse_form_data

from kgqa.errors import GraphNotFound, InvalidInput, UnsupportedFormat, UnsupportedMediaType
from kgqa.graph.formats import FORMATS, format_for_media_type
from kgqa.graph.store import validate_graph_name
from kgqa.retrieval.examples import ExamplePair
from kgqa.service.bodies import read_body, read_json_object
from kgqa.service.context import current_service
from kgqa.service.errors import json_response
from kgqa.service.security import requires_key

__all__ = ["UPLOAD_MEDIA_TYPES", "blueprint"]

blueprint = Blueprint("graphs", __name__)

UPLOAD_MEDIA_TYPES = tuple(media_type for fmt in FORMATS for media_type in fmt.media_types)
_MULTIPART = "multipart/form-data"
_MAX_EXAMPLES = 100_000


@blueprint.get("/graphs")
def list_graphs() -> Response:
    engine = current_service().engine
    infos = []
    for name in engine.graph_names():
        try:
            infos.append(engine.graph_info(name).to_dict())
        except GraphNotFound:
            continue  # deleted by another worker since the listing
    return json_response({"graphs": infos})


@blueprint.get("/graphs/<name>")
def describe_graph(name: str) -> Response:
    validate_graph_name(name)
    return json_response(current_service().engine.graph_info(name).to_dict())


@blueprint.put("/graphs/<name>")
@requires_key
def upload_graph(name: str) -> Response:
    validate_graph_name(name)
    engine = current_service().engine
    existed = name in engine.graph_names()

    data, media_type, filename = _read_upload()
    info = engine.load_bytes(data, name, media_type, filename)

    status = 200 if existed else 201
    return json_response(info.to_dict(), status, headers={"Location": f"/graphs/{name}"})


@blueprint.delete("/graphs/<name>")
@requires_key
def delete_graph(name: str) -> Response:
    validate_graph_name(name)
    current_service().engine.delete(name)
    return json_response({"deleted": name})


@blueprint.post("/graphs/<name>/examples")
@requires_key
def add_examples(name: str) -> Response:
    validate_graph_name(name)
    service = current_service()
    payload = read_json_object(service.settings.max_json_kb * 1024, "KGQA_MAX_JSON_KB")
    pairs = _example_pairs(payload)

    added = service.engine.add_example_pairs(pairs, name)
    return json_response({"graph": name, "added": added}, 201)


def _read_upload() -> tuple[bytes, str | None, str | None]:
    """Return the uploaded bytes, their media type (None: decide by file name) and the file name."""
    settings = current_service().settings
    limit_bytes = int(settings.max_upload_mb * 1024 * 1024)
    media_type = request.mimetype
    if not media_type:
        raise _unsupported("(none)")
    if media_type != _MULTIPART:
        try:
            format_for_media_type(media_type)
        except UnsupportedFormat as error:
            raise _unsupported(media_type) from error
        return read_body(limit_bytes, "KGQA_MAX_UPLOAD_MB"), media_type, None

    body = read_body(limit_bytes, "KGQA_MAX_UPLOAD_MB")
    data, part_type, filename = _multipart_file(body)
    if part_type not in UPLOAD_MEDIA_TYPES:
        part_type = None
    if part_type is None and not filename:
        raise InvalidInput("The uploaded file part has neither an RDF media type nor a file name. "
                           "Give it a Content-Type such as text/turtle or a name such as graph.ttl.")
    return data, part_type, filename


def _multipart_file(body: bytes) -> tuple[bytes, str, str | None]:
    """Return the bytes, media type and file name of the part named ``file``."""
    environ = {
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": request.content_type,
        "REQUEST_METHOD": "POST",
    }
    _, _, files = parse_form_data(environ)
    try:
        upload: FileStorage | None = files.get("file")
        if upload is None:
            raise InvalidInput("The multipart upload has no part named 'file'. "
                               "Send the graph as: curl -F file=@graph.ttl ...",
                               details={"parts": sorted(files)})
        return upload.read(), upload.mimetype, upload.filename
    finally:
        # Werkzeug spools each part to a temporary file that stays open until closed, so close them all.
        for part in files.values():
            part.close()


def _unsupported(media_type: str) -> UnsupportedMediaType:
    supported = [*UPLOAD_MEDIA_TYPES, _MULTIPART]
    return UnsupportedMediaType(
        f"Unsupported Content-Type {media_type!r}. Send the graph with its RDF media type "
        f"({', '.join(UPLOAD_MEDIA_TYPES)}) or as {_MULTIPART} with a part named 'file'.",
        details={"content_type": media_type, "supported": supported})


def _example_pairs(payload: dict[str, Any]) -> list[ExamplePair]:
    records = payload.get("examples")
    if not isinstance(records, list) or not records or len(records) > _MAX_EXAMPLES:
        raise InvalidInput("Field 'examples' must be a list of 1 to 100000 objects such as "
                           '{"question": "Who directed Kismet?", "answers": ["William Dieterle"]}.',
                           details={"field": "examples"})

    pairs = []
    for number, record in enumerate(records, start=1):
        question = record.get("question") if isinstance(record, dict) else None
        answers = record.get("answers") if isinstance(record, dict) else None
        topic = record.get("topic") if isinstance(record, dict) else None
        valid_answers = (isinstance(answers, list) and answers
                         and all(isinstance(answer, str) and answer.strip() for answer in answers))
        if not isinstance(question, str) or not question.strip() or not valid_answers:
            raise InvalidInput(f"Example {number} needs a non-empty 'question' string and a non-empty "
                               "'answers' list of strings.", details={"example": number})
        if topic is not None and not isinstance(topic, str):
            raise InvalidInput(f"Example {number}: 'topic' must be a string.", details={"example": number})
        pairs.append(ExamplePair(question=question, answers=tuple(answers), topic=topic, line=number))
    return pairs
