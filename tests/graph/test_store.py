"""The on-disk store: atomic loads, reloads, persistence, the derived-data cache, readers."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import FOAF, RDFS

import kgqa.graph.store as store_module
from kgqa.errors import GraphNotFound, GraphParseError, InvalidInput, RemoteFetchBlocked
from kgqa.graph.knowledge_graph import KnowledgeGraph, dataset_quads
from kgqa.graph.store import GraphStore
from kgqa.graph.terms import display_literal
from kgqa.settings import Settings

REPO = Path(__file__).resolve().parents[2]
EX = "http://example.org/"

MIRA_TTL = """@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Mira rdfs:label "Mira Okafor" ; ex:worksFor ex:Aalto .
ex:Aalto rdfs:label "Aalto Works" .
"""
OTHER_TTL = """@prefix ex: <http://example.org/> .
ex:Rhea ex:memberOf ex:Club .
"""


@pytest.fixture
def store(settings):
    graph_store = GraphStore(settings)
    yield graph_store
    graph_store.close()


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _versions(settings, name: str) -> list[str]:
    folder = settings.data_path / "graphs" / name / "versions"
    return sorted(path.name for path in folder.iterdir() if path.is_dir())


def _labels_of(kg: KnowledgeGraph) -> set[str]:
    return {text for text, _, _ in kg.labels.surface_forms()}


def test_load_then_open(store, tmp_path):
    info = store.load("mira", [_write(tmp_path, "mira.ttl", MIRA_TTL)])
    kg = store.open("mira")
    assert store.names() == ["mira"]
    assert info.triples == 3
    assert info.source_files == ["mira.ttl"]
    assert info.source_format == "turtle"
    assert info.entities == 2
    assert info.relations == 1
    assert kg.info == info
    assert (URIRef(EX + "Mira"), URIRef(EX + "worksFor"), URIRef(EX + "Aalto")) in kg.rdf_graph
    assert kg.labels.display(URIRef(EX + "Mira")) == "Mira Okafor"
    assert kg.nx_graph.has_edge(URIRef(EX + "Mira"), URIRef(EX + "Aalto"))


def test_open_twice_returns_same_object(store, tmp_path):
    store.load("mira", _write(tmp_path, "mira.ttl", MIRA_TTL))
    assert store.open("mira") is store.open("mira")


def test_missing_final_dot_keeps_earlier_graph(store, settings, cases_dir, tmp_path):
    earlier = store.load("lumen", [_write(tmp_path, "mira.ttl", MIRA_TTL)])
    versions_before = _versions(settings, "lumen")

    for filename in ("graph.ttl", "graph-trailing-space.ttl"):
        with pytest.raises(GraphParseError) as raised:
            store.load("lumen", [cases_dir / "turtle-missing-final-dot" / filename])
        assert raised.value.details["line"] == 6
        assert raised.value.details["file"] == filename

    kg = store.open("lumen")
    assert store.current_hash("lumen") == earlier.content_hash
    assert _versions(settings, "lumen") == versions_before
    assert "Mira Okafor" in _labels_of(kg)
    assert "Lumen Labs" not in _labels_of(kg)


def test_blank_node_collision_case(store, cases_dir):
    case = cases_dir / "blank-node-collision"
    store.load("people", [case / "people-a.nt", case / "people-b.nt"])
    kg = store.open("people")

    people = set(kg.rdf_graph.subjects(FOAF.name, None))
    assert len(people) == 2
    assert all(isinstance(person, BNode) for person in people)
    alice = [person for person in people
             if str(kg.rdf_graph.value(person, FOAF.name)) == "Alice Varga"]
    assert len(alice) == 1
    mailboxes = {person: set(kg.rdf_graph.objects(person, FOAF.mbox)) for person in people}
    assert mailboxes[alice[0]] == {URIRef("mailto:alice@example.org")}
    assert URIRef("mailto:alice@example.org") not in set().union(
        *(boxes for person, boxes in mailboxes.items() if person != alice[0]))

    assert set(kg.nx_graph.successors(alice[0])) == {URIRef("mailto:alice@example.org")}
    assert len([node for node in kg.nx_graph.nodes if isinstance(node, BNode)]) == 2
    assert kg.labels.display(alice[0]) == "Alice Varga"
    assert sorted(kg.labels.display(person) for person in people) == [
        "Alice Varga", "Bruno Teixeira"]


def test_trig_nquads_case_keeps_all(store, cases_dir):
    case = cases_dir / "trig-nquads-named-graphs"
    info = store.load("club", [case / "graph.trig", case / "graph.nq"])
    kg = store.open("club")
    quads = set(dataset_quads(kg.rdf_graph))

    rhea, ivo, role = URIRef(EX + "Rhea"), URIRef(EX + "Ivo"), URIRef(EX + "role")
    g2023, g2024 = URIRef(EX + "g2023"), URIRef(EX + "g2024")
    roles = {(str(obj), graph) for subject, predicate, obj, graph in quads
             if subject == rhea and predicate == role}
    assert info.triples == 7
    assert len(quads) == 7
    assert info.named_graphs == [str(g2023), str(g2024)]
    assert info.source_format == "trig,nquads"
    assert roles == {("treasurer", g2023), ("chair", g2024)}
    assert (rhea, URIRef(EX + "memberOf"), URIRef(EX + "Club"), None) in quads
    assert {str(obj) for obj in kg.rdf_graph.objects(ivo, role)} == {"coach"}
    assert kg.labels.display(URIRef(EX + "Club")) == "Harbourside Rowing Club"
    assert kg.nx_graph.has_edge(rhea, Literal("chair", datatype=quads_datatype(quads, "chair")),
                                key=(role, g2024))


def quads_datatype(quads, value: str):
    return next(obj.datatype for _, _, obj, _ in quads if str(obj) == value)


def test_remote_context_case_stores_nothing(store, settings, cases_dir):
    with pytest.raises(RemoteFetchBlocked):
        store.load("nadia", [cases_dir / "jsonld-remote-context" / "graph.jsonld"])
    assert store.names() == []
    assert not (settings.data_path / "graphs" / "nadia").exists()


def test_failed_second_file_keeps_previous(store, settings, tmp_path):
    earlier = store.load("g", [_write(tmp_path, "mira.ttl", MIRA_TTL)])
    good = _write(tmp_path, "other.ttl", OTHER_TTL)
    bad = _write(tmp_path, "bad.ttl", "<http://e/a> <http://e/b> .\n")
    versions_before = _versions(settings, "g")

    with pytest.raises(GraphParseError, match="bad.ttl"):
        store.load("g", [good, bad])
    assert store.info("g") == earlier
    assert _versions(settings, "g") == versions_before
    assert "Mira Okafor" in _labels_of(store.open("g"))


def test_reload_replaces_version(store, settings, tmp_path):
    first = store.load("g", [_write(tmp_path, "mira.ttl", MIRA_TTL)])
    second = store.load("g", [_write(tmp_path, "other.ttl", OTHER_TTL)])
    kg = store.open("g")
    assert second.content_hash != first.content_hash
    assert store.current_hash("g") == second.content_hash
    assert len(_versions(settings, "g")) == 1
    assert kg.info.triples == 1
    assert "Mira Okafor" not in _labels_of(kg)
    assert not (settings.data_path / "cache" / first.content_hash).exists()


def test_reload_keeps_open_version_readable(store, settings, tmp_path):
    store.load("g", [_write(tmp_path, "mira.ttl", MIRA_TTL)])
    old = store.open("g")
    store.load("g", [_write(tmp_path, "other.ttl", OTHER_TTL)])

    assert len(list(dataset_quads(old.rdf_graph))) == 3
    assert len(_versions(settings, "g")) == 2
    assert store.open("g").info.triples == 1

    del old
    gc.collect()
    GraphStore(settings).close()  # start-up cleanup removes the released version
    assert len(_versions(settings, "g")) == 1


def test_graphs_persist_across_instances(settings, tmp_path):
    GraphStore(settings).load("mira", [_write(tmp_path, "mira.ttl", MIRA_TTL)])
    reopened = GraphStore(settings)
    assert reopened.names() == ["mira"]
    assert reopened.open("mira").labels.display(URIRef(EX + "Mira")) == "Mira Okafor"


def test_restart_rebuilds_nothing(settings, tmp_path, monkeypatch):
    GraphStore(settings).load("mira", [_write(tmp_path, "mira.ttl", MIRA_TTL)])

    def fail(*args, **kwargs):
        raise AssertionError("rebuilt derived data or reparsed a file on open")

    monkeypatch.setattr(store_module, "_build_labels", fail)
    monkeypatch.setattr(store_module, "build_nx_graph", fail)
    monkeypatch.setattr(store_module, "parse_sources", fail)
    kg = GraphStore(settings).open("mira")
    assert kg.labels.display(URIRef(EX + "Mira")) == "Mira Okafor"
    assert kg.nx_graph.number_of_edges() == 1


def test_missing_cache_rebuilt_from_store(settings, tmp_path, monkeypatch):
    info = GraphStore(settings).load("mira", [_write(tmp_path, "mira.ttl", MIRA_TTL)])
    GraphStore(settings).cache.remove(info.content_hash)
    calls = []
    real_build = store_module._build_labels

    def counting_build(quads):
        calls.append(len(quads))
        return real_build(quads)

    monkeypatch.setattr(store_module, "_build_labels", counting_build)
    kg = GraphStore(settings).open("mira")
    assert calls == [3]
    assert kg.labels.display(URIRef(EX + "Mira")) == "Mira Okafor"


@pytest.mark.parametrize(
    ("case", "files"),
    [
        ("blank-node-collision", ["people-a.nt", "people-b.nt"]),
        ("language-tagged-labels", ["graph.ttl"]),
        ("numeric-literal-forms", ["graph.ttl"]),
        ("trig-nquads-named-graphs", ["graph.trig", "graph.nq"]),
    ],
)
def test_cached_data_matches_stored_dataset(store, cases_dir, case, files):
    store.load("case", [cases_dir / case / file for file in files])
    kg = store.open("case")
    rebuilt = KnowledgeGraph.from_dataset("case", kg.rdf_graph)
    assert set(kg.nx_graph.edges(keys=True)) == set(rebuilt.nx_graph.edges(keys=True))
    assert set(kg.labels.surface_forms()) == set(rebuilt.labels.surface_forms())
    assert kg.info.entities == rebuilt.info.entities
    assert kg.info.relations == rebuilt.info.relations


def test_numeric_literals_survive_store(store, cases_dir):
    store.load("sensor", [cases_dir / "numeric-literal-forms" / "graph.ttl"])
    kg = store.open("sensor")
    sensor = URIRef(EX + "S7")
    values = {str(predicate).rsplit("/", 1)[-1]: display_literal(obj)
              for predicate, obj in kg.rdf_graph.predicate_objects(sensor)
              if predicate != RDFS.label}
    assert values["referenceMass"] == "14.00307400478"
    assert values["gain"] == "0.5"
    assert values["drift"] == "0.00025"


def test_pipe_table_uses_base_setting(tmp_path):
    settings = Settings(environ={}, data_dir=str(tmp_path / "data"),
                        table_base_iri="https://kg.example.net/")
    kb = _write(tmp_path, "kb.txt", "Kismet|directed_by|William Dieterle\n")
    GraphStore(settings).load("movies", [kb])
    kg = GraphStore(settings).open("movies")
    kismet = URIRef("https://kg.example.net/movies/entity/Kismet")
    directed_by = URIRef("https://kg.example.net/movies/relation/directed_by")
    assert kg.labels.display(kismet) == "Kismet"
    assert kg.labels.relation_label(directed_by) == "directed by"
    assert kg.info.triples == 4


def test_load_bytes_with_media_type(store):
    info = store.load_bytes("upload", MIRA_TTL.encode(), "text/turtle; charset=utf-8")
    assert info.source_files == ["upload.ttl"]
    assert store.open("upload").info.triples == 3


def test_load_bytes_uses_filename(store):
    info = store.load_bytes("upload", b"Kismet,directed_by,William Dieterle\n", None,
                            filename="movies.csv")
    assert info.source_format == "csv"
    assert info.source_files == ["movies.csv"]


def test_progress_reports_every_stage(store, tmp_path):
    calls = []
    store.load("mira", [_write(tmp_path, "mira.ttl", MIRA_TTL)],
               progress=lambda stage, done, total: calls.append((stage, done, total)))
    stages = list(dict.fromkeys(stage for stage, _, _ in calls))
    assert stages == ["parse", "index", "write"]
    assert ("write", 3, 3) in calls
    assert ("index", 3, 3) in calls


def test_delete_removes_everything(store, settings, tmp_path):
    info = store.load("mira", [_write(tmp_path, "mira.ttl", MIRA_TTL)])
    store.delete("mira")
    assert store.names() == []
    assert not (settings.data_path / "graphs" / "mira").exists()
    assert not (settings.data_path / "cache" / info.content_hash).exists()
    with pytest.raises(GraphNotFound):
        store.open("mira")


def test_delete_unknown_graph_rejected(store):
    with pytest.raises(GraphNotFound):
        store.delete("nothing")


def test_not_found_lists_loaded_graphs(store, tmp_path):
    store.load("mira", [_write(tmp_path, "mira.ttl", MIRA_TTL)])
    store.load("club", [_write(tmp_path, "other.ttl", OTHER_TTL)])
    with pytest.raises(GraphNotFound) as raised:
        store.info("movies")
    assert "'movies'" in raised.value.message
    assert "loaded graphs: club, mira" in raised.value.message
    assert "kgqa load FILE --name movies" in raised.value.message
    assert raised.value.details["loaded"] == ["club", "mira"]


def test_not_found_with_no_graphs(store):
    with pytest.raises(GraphNotFound, match=r"loaded graphs: none"):
        store.open("movies")


@pytest.mark.parametrize("name", ["", "a b", "../etc", "..", ".hidden", "-x", "a/b", "née",
                                  "x" * 65, "tab\t"])
def test_invalid_graph_name_rejected(store, tmp_path, name):
    path = _write(tmp_path, "mira.ttl", MIRA_TTL)
    with pytest.raises(InvalidInput) as raised:
        store.load(name, [path])
    assert repr(name) in raised.value.message
    assert "1 to 64 ASCII letters" in raised.value.message


@pytest.mark.parametrize("name", ["a", "MetaQA-1.0_kb", "x" * 64])
def test_valid_graph_name_accepted(store, tmp_path, name):
    store.load(name, [_write(tmp_path, "mira.ttl", MIRA_TTL)])
    assert store.names() == [name]


def test_start_up_removes_crash_leftovers(settings, tmp_path):
    GraphStore(settings).load("mira", [_write(tmp_path, "mira.ttl", MIRA_TTL)])
    graph_dir = settings.data_path / "graphs" / "mira"
    current = _versions(settings, "mira")
    (graph_dir / "versions" / "20000101T000000-0123456789ab-abcdef").mkdir()
    (graph_dir / "versions" / "19990101T000000-0123456789ab-abcdef.lease").touch()
    (graph_dir / ".manifest.json.123-abcd.tmp").write_text("{")
    half_written = settings.data_path / "graphs" / "crashed" / "versions" / "x"
    half_written.mkdir(parents=True)

    GraphStore(settings).close()
    assert _versions(settings, "mira") == current
    assert sorted(path.name for path in (graph_dir / "versions").iterdir()) == current
    assert list(graph_dir.glob(".*.tmp")) == []
    assert not (settings.data_path / "graphs" / "crashed").exists()


_READER = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[1])
    from kgqa.graph.knowledge_graph import dataset_quads
    from kgqa.graph.store import GraphStore
    from kgqa.settings import Settings

    store = GraphStore(Settings(environ={}, data_dir=sys.argv[2]))
    kg = store.open("g")
    print(len(list(dataset_quads(kg.rdf_graph))), flush=True)
    sys.stdin.readline()
    changed = store.current_hash("g") != kg.info.content_hash
    still = len(list(dataset_quads(kg.rdf_graph)))
    fresh = len(list(dataset_quads(store.open("g").rdf_graph)))
    print(still, changed, fresh, flush=True)
""")


def test_reader_process_survives_reload(store, settings, tmp_path):
    store.load("g", [_write(tmp_path, "mira.ttl", MIRA_TTL)])
    reader = subprocess.Popen(
        [sys.executable, "-c", _READER, str(REPO), str(settings.data_dir)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "3"
        store.load("g", [_write(tmp_path, "other.ttl", OTHER_TTL)])
        assert len(_versions(settings, "g")) == 2  # the reader keeps the old version open
        output, errors = reader.communicate("\n", timeout=60)
    finally:
        if reader.poll() is None:
            reader.kill()
    assert reader.returncode == 0, errors
    assert output.split() == ["3", "True", "1"]
