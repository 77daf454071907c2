"""The acceptance cases end to end: files loaded into a real store, questions through ``Engine.ask``."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgqa.answering.engine import Engine
from kgqa.errors import GraphParseError, RemoteFetchBlocked

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"


@pytest.fixture(scope="module")
def engine(tmp_path_factory, embedder):
    from kgqa.settings import Settings

    settings = Settings(environ={}, data_dir=str(tmp_path_factory.mktemp("engine-data")))
    engine = Engine(settings)
    engine._embedder = embedder  # share the session's model instead of loading a second copy
    return engine


def _load_case(engine: Engine, case: str, *files: str) -> str:
    name = case.replace("_", "-")
    if name not in engine.graph_names():
        engine.load([CASES / case / file for file in files], name=name)
    return name


def _labels(answer) -> list[str]:
    return sorted(item.label for item in answer.answers)


# (case, files, question, expected answer labels)
ANSWER_TABLE = [
    ("chinese-names", ["graph.ttl"], "鲁迅写了哪部小说？", ["狂人日记"]),
    ("chinese-names", ["graph.ttl"], "狂人日记是哪一年发表的？", ["1918"]),
    ("chinese-names", ["graph.ttl"], "Who wrote A Madman's Diary?", ["Lu Xun"]),
    ("language-tagged-labels", ["graph.ttl"], "What is the population of Łódź?", ["655279"]),
    ("language-tagged-labels", ["graph.ttl"], "How many people live in Lodz?", ["655279"]),
    ("language-tagged-labels", ["graph.ttl"], "How many people live in Cracow?", ["804237"]),
    ("language-tagged-labels", ["graph.ttl"], "What is the population of Gdansk?", ["486345"]),
    ("longest-overlapping-match", ["graph.ttl"], "What is the population of New York City?",
     ["8804190"]),
    ("longest-overlapping-match", ["graph.ttl"], "What is the population of New York?",
     ["20201249"]),
    ("longest-overlapping-match", ["graph.ttl"], "When was New York City FC founded?", ["2013"]),
    ("longest-overlapping-match", ["graph.ttl"], "What is the population of York?", ["202800"]),
    ("possessive-mentions", ["graph.ttl"], "Where is Harlow's headquartered?", ["Leeds"]),
    ("possessive-mentions", ["graph.ttl"], "Where is Harlow\u2019s headquartered?", ["Leeds"]),
    ("possessive-mentions", ["graph.ttl"], "What is Ann Harlow's occupation?", ["architect"]),
    ("possessive-mentions", ["graph.ttl"], "What is Ann Harlow\u2019s occupation?", ["architect"]),
    ("punctuation-in-names", ["graph.ttl"], "Tell me the founding year of AT&T.", ["1885"]),
    ("punctuation-in-names", ["graph.ttl"], "Who designed C++?", ["Bjarne Stroustrup"]),
    ("punctuation-in-names", ["graph.ttl"], "Who designed C?", ["Dennis Ritchie"]),
    ("punctuation-in-names", ["graph.ttl"], "Where were Guns N\u2019 Roses formed?", ["Los Angeles"]),
    ("punctuation-in-names", ["graph.ttl"], "When did Crosby, Stills, Nash & Young form?", ["1969"]),
    ("typo-in-entity-name", ["graph.ttl"], "When did Apple announce the Visio Pro?", ["5 June 2023"]),
    ("typo-in-entity-name", ["graph.ttl"], "Which organ does alzeimer's affect?", ["brain"]),
    ("homographs-and-unknown-namesakes", ["graph.ttl"], "Where is Jaguar headquartered?",
     ["Coventry"]),
    ("homographs-and-unknown-namesakes", ["graph.ttl"], "What does a jaguar eat?", ["carnivore"]),
    ("homographs-and-unknown-namesakes", ["graph.ttl"], "Which country is Paris in?", ["France"]),
    ("homographs-and-unknown-namesakes", ["graph.ttl"], "Who directed Up?", ["Pete Docter"]),
    ("counting-and-yes-no", ["graph.ttl"], "How many members does The Tidewater Four have?", ["5"]),
    ("counting-and-yes-no", ["graph.ttl"], "How many people have ever been in The Tidewater Four?",
     ["6"]),
    ("counting-and-yes-no", ["graph.ttl"], "Is Fay Lund a current member of The Tidewater Four?",
     ["no"]),
    ("counting-and-yes-no", ["graph.ttl"], "Is Ada Kerr a member of The Tidewater Four?", ["yes"]),
    ("counting-and-yes-no", ["graph.ttl"], "Does The Tidewater Four play jazz?", ["no"]),
    ("multi-entity-multi-hop", ["graph.ttl"], "Which films feature both Ana Ruiz and Ben Ito?",
     ["Salt Roads"]),
    ("multi-entity-multi-hop", ["graph.ttl"], "Who directed the film that Dora Lind appeared in?",
     ["Eva Sato"]),
    ("multi-entity-multi-hop", ["graph.ttl"], "Which actors have worked with the director of Night Ferry?",
     ["Ana Ruiz", "Ben Ito"]),
    ("negation", ["graph.ttl"], "Which restaurants do not serve meat?", ["Green Fork", "Lotus Table"]),
    ("negation", ["graph.ttl"], "Which restaurants serve meat?", ["Harbour Grill", "Smoke and Ember"]),
    ("numeric-literal-forms", ["graph.ttl"], "What is the reference mass of sensor 7?",
     ["14.00307400478"]),
    ("numeric-literal-forms", ["graph.ttl"], "What is the gain of sensor 7?", ["0.5"]),
    ("numeric-literal-forms", ["graph.ttl"], "What is the drift of sensor 7?", ["0.00025"]),
    ("trig-nquads-named-graphs", ["graph.trig", "graph.nq"], "What roles has Rhea Castell held?",
     ["chair", "treasurer"]),
    ("trig-nquads-named-graphs", ["graph.trig", "graph.nq"],
     "Which club is Rhea Castell a member of?", ["Harbourside Rowing Club"]),
    ("trig-nquads-named-graphs", ["graph.trig", "graph.nq"], "What is Ivo Marek's role?", ["coach"]),
    ("blank-node-collision", ["people-a.nt", "people-b.nt"], "What is Alice Varga's email address?",
     ["mailto:alice@example.org"]),
    ("ungrounded-llm-answer", ["graph.ttl"], "Where was Marlow Vance born?", ["Tromsø"]),
]


@pytest.mark.parametrize(("case", "files", "question", "expected"), ANSWER_TABLE,
                         ids=[f"{row[0]}:{row[2]}" for row in ANSWER_TABLE])
def test_case_answer(engine, case, files, question, expected):
    graph = _load_case(engine, case, *files)
    answer = engine.ask(question, graph=graph)
    assert answer.status == "answered", answer.text
    assert _labels(answer) == sorted(expected)
    assert answer.evidence, "an answer must carry its evidence triples"


@pytest.mark.parametrize(
    ("case", "question"),
    [
        ("homographs-and-unknown-namesakes", "What does Paris Hilton do for a living?"),
        ("ungrounded-llm-answer", "When was Marlowe Vance born?"),
    ],
)
def test_case_not_answerable(engine, case, question):
    graph = _load_case(engine, case, "graph.ttl")
    answer = engine.ask(question, graph=graph)
    assert answer.status in {"no_entity", "not_in_graph"}
    assert answer.answers == []


def test_paris_hilton_not_linked(engine):
    graph = _load_case(engine, "homographs-and-unknown-namesakes", "graph.ttl")
    answer = engine.ask("What does Paris Hilton do for a living?", graph=graph)
    linked = {str(entity.entity) for entity in answer.linked_entities}
    assert "http://example.org/ParisCity" not in linked
    assert "http://example.org/Okoye" not in linked


def test_ordinary_word_up_not_linked(engine):
    graph = _load_case(engine, "homographs-and-unknown-namesakes", "graph.ttl")
    answer = engine.ask("What's up with the Coventry office?", graph=graph)
    linked = {str(entity.entity) for entity in answer.linked_entities}
    assert linked == {"http://example.org/Coventry"}


def test_typo_link_marked_fuzzy(engine):
    graph = _load_case(engine, "ungrounded-llm-answer", "graph.ttl")
    answer = engine.ask("Where was Marlow Vance born?", graph=graph)
    assert [entity.method for entity in answer.linked_entities] == ["fuzzy"]
    assert str(answer.evidence[0].predicate) == "http://example.org/birthPlace"


def test_named_graph_in_evidence(engine):
    graph = _load_case(engine, "trig-nquads-named-graphs", "graph.trig", "graph.nq")
    answer = engine.ask("What roles has Rhea Castell held?", graph=graph)
    graphs = {str(triple.object): str(triple.graph) for triple in answer.evidence}
    assert graphs["treasurer"] == "http://example.org/g2023"
    assert graphs["chair"] == "http://example.org/g2024"


def test_named_graphs_all_statements_loaded(engine):
    graph = _load_case(engine, "trig-nquads-named-graphs", "graph.trig", "graph.nq")
    assert engine.graph_info(graph).triples == 7


def test_blank_nodes_stay_distinct(engine):
    graph = _load_case(engine, "blank-node-collision", "people-a.nt", "people-b.nt")
    answer = engine.ask("What is Alice Varga's email address?", graph=graph)
    objects = {str(triple.object) for triple in answer.evidence}
    assert "mailto:bruno@example.net" not in objects


def test_yes_no_states_graph_value(engine):
    graph = _load_case(engine, "counting-and-yes-no", "graph.ttl")
    answer = engine.ask("Does The Tidewater Four play jazz?", graph=graph)
    assert "folk" in answer.text


def test_count_ignores_small_top_k(engine):
    graph = _load_case(engine, "counting-and-yes-no", "graph.ttl")
    answer = engine.ask("How many members does The Tidewater Four have?", graph=graph, top_k=2)
    assert _labels(answer) == ["5"]


def test_literal_keeps_datatype(engine):
    graph = _load_case(engine, "numeric-literal-forms", "graph.ttl")
    answer = engine.ask("What is the reference mass of sensor 7?", graph=graph)
    item = answer.to_dict()["answers"][0]
    assert item["datatype"] == "http://www.w3.org/2001/XMLSchema#decimal"
    assert item["value"] == "14.00307400478"


@pytest.mark.parametrize("file", ["graph.ttl", "graph-trailing-space.ttl"])
def test_unterminated_turtle_keeps_old_graph(engine, file):
    case = CASES / "turtle-missing-final-dot"
    before = engine.load([CASES / "ungrounded-llm-answer" / "graph.ttl"], name="mira")
    with pytest.raises(GraphParseError) as raised:
        engine.load([case / file], name="mira")
    assert raised.value.details["line"] == 6
    answer = engine.ask("Who does Mira Okafor work for?", graph="mira")
    assert answer.answers == []
    assert engine.graph_info("mira").content_hash == before.content_hash


def test_remote_jsonld_context_rejected(engine):
    with pytest.raises(RemoteFetchBlocked, match="(?i)inline"):
        engine.load([CASES / "jsonld-remote-context" / "graph.jsonld"], name="nadia")
    assert "nadia" not in engine.graph_names()


def test_no_entity_says_so(engine):
    graph = _load_case(engine, "counting-and-yes-no", "graph.ttl")
    answer = engine.ask("What is the boiling point of mercury?", graph=graph)
    assert answer.status == "no_entity"
    assert "no entity" in answer.text.lower()


def test_blank_node_people_counted_apart(engine):
    graph = _load_case(engine, "blank-node-collision", "people-a.nt", "people-b.nt")
    answer = engine.ask("How many people are in the graph?", graph=graph)
    assert _labels(answer) == ["2"]


def test_no_graph_named_when_none_knows(engine):
    _load_case(engine, "counting-and-yes-no", "graph.ttl")
    _load_case(engine, "negation", "graph.ttl")
    answer = engine.ask("Who is the king of Narnia?")
    assert answer.status == "no_entity"
    assert answer.graph is None


def test_timings_cover_every_stage(engine):
    graph = _load_case(engine, "counting-and-yes-no", "graph.ttl")
    answer = engine.ask("Is Ada Kerr a member of The Tidewater Four?", graph=graph)
    assert {"setup", "linking", "retrieval", "answering", "total"} <= set(answer.timings_ms)
    stages = sum(ms for stage, ms in answer.timings_ms.items() if stage != "total")
    assert stages <= answer.timings_ms["total"] + 1.0


def test_namesake_context_vectors_cached_per_graph_version(engine, tmp_path, embedder):
    from kgqa.settings import Settings

    graph = tmp_path / "namesakes.ttl"
    graph.write_text("""
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:MercuryPlanet rdfs:label "Mercury" ; ex:orbits ex:Sun .
ex:MercuryElement rdfs:label "Mercury" ; ex:atomicNumber 80 .
ex:Sun rdfs:label "Sun" .
""", encoding="utf-8")
    info = engine.load([graph], name="namesakes")
    _kg, linker = engine.graph_parts("namesakes")
    assert engine.store.cache.contains(info.content_hash, "linking.context-embeddings")

    # A second engine on the same store reads the vectors instead of encoding them again.
    again = Engine(Settings(environ={}, data_dir=engine.settings.data_dir))
    again._embedder = embedder
    _kg, relinked = again.graph_parts("namesakes")
    for entity in linker.namesakes():
        assert (relinked.disambiguator._context_vectors[entity]
                == linker.disambiguator._context_vectors[entity]).all()
    assert len(relinked.namesakes()) == 2
