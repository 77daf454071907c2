"""Tests of the bundled graphs in ``graphs/``: parsing, counts, spot-checked facts and sources.

The generated graphs are also checked against the packages they come from
(countryinfo, pycountry, mendeleev). Those tests are skipped unless the
``graphs`` extra is installed at the pinned versions.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import ModuleType

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

GRAPHS_DIR = Path(__file__).resolve().parents[2] / "graphs"
GRAPH_NAMES = ("countries", "elements", "companies")

# Source packages of each generator, at the versions the committed files were
# generated with (the ``graphs`` extra in pyproject.toml).
GENERATOR_PINS = {
    "countries": {"countryinfo": "1.0.1", "pycountry": "26.2.16"},
    "elements": {"mendeleev": "1.3.0"},
}


def resource(graph_name: str, path: str) -> URIRef:
    return URIRef(f"https://kgqa.example/{graph_name}/resource/{path}")


def onto(graph_name: str, local_name: str) -> URIRef:
    return URIRef(f"https://kgqa.example/{graph_name}/ontology/{local_name}")


@pytest.fixture(scope="module")
def bundled() -> dict[str, Graph]:
    """Each bundled graph parsed once with rdflib."""
    graphs = {}
    for name in GRAPH_NAMES:
        rdf_graph = Graph()
        rdf_graph.parse(GRAPHS_DIR / name / f"{name}.ttl", format="turtle")
        graphs[name] = rdf_graph
    return graphs


def english_label(rdf_graph: Graph, term: URIRef) -> str:
    labels = [str(label) for label in rdf_graph.objects(term, RDFS.label)
              if isinstance(label, Literal) and label.language == "en"]
    assert len(labels) == 1, f"{term} has English labels {labels}, expected exactly one"
    return labels[0]


def entity(rdf_graph: Graph, label: str) -> URIRef:
    matches = list(rdf_graph.subjects(RDFS.label, Literal(label, lang="en")))
    assert len(matches) == 1, f"label {label!r} names {matches}, expected exactly one entity"
    return matches[0]


def values(rdf_graph: Graph, subject: URIRef, predicate: URIRef) -> set[str]:
    """Return the objects of ``subject predicate``: entity labels or literal lexical forms."""
    return {str(obj) if isinstance(obj, Literal) else english_label(rdf_graph, obj)
            for obj in rdf_graph.objects(subject, predicate)}


def load_generator(graph_name: str) -> ModuleType:
    """Import ``graphs/<name>/generate.py``, or skip unless its pinned packages are installed."""
    for package, pinned in GENERATOR_PINS[graph_name].items():
        pytest.importorskip(package)
        try:
            installed = version(package)
        except PackageNotFoundError:
            pytest.skip(f"{package} is not installed")
        if installed != pinned:
            pytest.skip(f"{package} {installed} is installed; the bundled files come from {pinned}")

    module_name = f"bundled_{graph_name}_generate"
    if module_name in sys.modules:
        return sys.modules[module_name]
    path = GRAPHS_DIR / graph_name / "generate.py"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- parsing and counts

@pytest.mark.parametrize(("graph_name", "triples"), [
    ("countries", 7261),
    ("elements", 1623),
    ("companies", 690),
])
def test_graph_parses_with_triple_count(bundled, graph_name, triples):
    assert len(bundled[graph_name]) == triples


@pytest.mark.parametrize(("graph_name", "class_name", "count"), [
    ("countries", "Country", 249),
    ("countries", "City", 245),
    ("countries", "Currency", 152),
    ("countries", "Language", 112),
    ("countries", "Region", 22),
    ("elements", "Element", 118),
    ("elements", "Group", 18),
    ("elements", "Period", 7),
    ("elements", "Block", 4),
    ("elements", "Agent", 104),
    ("companies", "Company", 20),
    ("companies", "Person", 65),
    ("companies", "ChiefExecutiveTenure", 42),
    ("companies", "City", 14),
    ("companies", "Country", 3),
])
def test_class_instance_counts(bundled, graph_name, class_name, count):
    instances = set(bundled[graph_name].subjects(RDF.type, onto(graph_name, class_name)))
    assert len(instances) == count


@pytest.mark.parametrize("graph_name", GRAPH_NAMES)
def test_graph_loads_as_knowledge_graph(graph_name):
    from kgqa.graph.knowledge_graph import KnowledgeGraph

    dataset = Dataset()
    dataset.parse(GRAPHS_DIR / graph_name / f"{graph_name}.ttl", format="turtle")
    knowledge_graph = KnowledgeGraph.from_dataset(graph_name, dataset)

    assert knowledge_graph.info.triples == len(dataset)
    assert knowledge_graph.info.named_graphs == []
    assert knowledge_graph.nx_graph.number_of_edges() > 0


# ---------------------------------------------------------------- labels

@pytest.mark.parametrize("graph_name", GRAPH_NAMES)
def test_every_entity_has_english_label(bundled, graph_name):
    rdf_graph = bundled[graph_name]
    prefix = f"https://kgqa.example/{graph_name}/"
    terms = {term for triple in rdf_graph for term in triple
             if isinstance(term, URIRef) and str(term).startswith(prefix)}

    unlabelled = sorted(term for term in terms
                        if not any(isinstance(label, Literal) and label.language == "en"
                                   for label in rdf_graph.objects(term, RDFS.label)))
    assert terms
    assert unlabelled == []


@pytest.mark.parametrize("graph_name", GRAPH_NAMES)
def test_entities_have_one_english_label(bundled, graph_name):
    rdf_graph = bundled[graph_name]
    subjects = {subject for subject, label in rdf_graph.subject_objects(RDFS.label)
                if isinstance(label, Literal) and label.language == "en"}

    several = sorted(subject for subject in subjects
                     if sum(1 for label in rdf_graph.objects(subject, RDFS.label)
                            if label.language == "en") > 1)
    assert several == []


# ---------------------------------------------------------------- spot-checked facts

@pytest.mark.parametrize(("graph_name", "subject", "predicate", "expected"), [
    ("countries", "France", "capital", {"Paris"}),
    ("countries", "France", "officialLanguage", {"French"}),
    ("countries", "France", "currency", {"Euro"}),
    ("countries", "France", "region", {"Europe"}),
    ("countries", "France", "subregion", {"Western Europe"}),
    ("countries", "Portugal", "borders", {"Spain"}),
    ("countries", "Japan", "population", {"127080000"}),
    ("countries", "Holy See (Vatican City State)", "areaKm2", {"0.49"}),
    ("countries", "Bonaire, Sint Eustatius and Saba", "capital",
     {"Kralendijk", "Oranjestad", "The Bottom"}),
    ("countries", "Antarctica", "capital", set()),
    ("countries", "Euro", "currencyCode", {"EUR"}),
    ("countries", "French", "languageCode", {"fr"}),
    ("elements", "Iron", "atomicNumber", {"26"}),
    ("elements", "Iron", "symbol", {"Fe"}),
    ("elements", "Iron", "group", {"group 8"}),
    ("elements", "Iron", "period", {"period 4"}),
    ("elements", "Iron", "block", {"d-block"}),
    ("elements", "Aluminum", "atomicWeight", {"26.9815385"}),
    ("elements", "Helium", "discoverer",
     {"Sir William Ramsey", "Nils Langet", "Per Theodor Cleve"}),
    ("elements", "Radium", "discoverer", {"Pierre Curie", "Marie Curie"}),
    ("elements", "Tungsten", "discoverer", {"Fausto de Elhuyar", "Juan José de Elhuyar"}),
    ("elements", "Oxygen", "discoveryYear", {"1774"}),
    ("elements", "Gold", "discoverer", set()),
    ("elements", "Cerium", "group", set()),
    ("companies", "Google", "chiefExecutive", {"Sundar Pichai"}),
    ("companies", "Google", "formerChiefExecutive", {"Eric Schmidt", "Larry Page"}),
    ("companies", "Google", "parentCompany", {"Alphabet"}),
    ("companies", "Apple", "chiefExecutive", {"Tim Cook"}),
    ("companies", "Microsoft", "chiefExecutive", {"Satya Nadella"}),
    ("companies", "Amazon", "chiefExecutive", {"Andy Jassy"}),
    ("companies", "Meta Platforms", "chiefExecutive", {"Mark Zuckerberg"}),
    ("companies", "Nvidia", "chiefExecutive", {"Jensen Huang"}),
    ("companies", "Intel", "chiefExecutive", {"David Zinsner", "Michelle Johnston Holthaus"}),
    ("companies", "Netflix", "chiefExecutive", {"Ted Sarandos", "Greg Peters"}),
    ("companies", "Apple", "founder", {"Steve Jobs", "Steve Wozniak", "Ronald Wayne"}),
    ("companies", "Nvidia", "foundingYear", {"1993"}),
    ("companies", "Sony", "headquarters", {"Tokyo"}),
])
def test_spot_checked_fact(bundled, graph_name, subject, predicate, expected):
    rdf_graph = bundled[graph_name]
    assert values(rdf_graph, entity(rdf_graph, subject), onto(graph_name, predicate)) == expected


def test_namesake_capitals_stay_distinct(bundled):
    rdf_graph = bundled["countries"]
    capital = onto("countries", "capital")

    jamaica = rdf_graph.value(entity(rdf_graph, "Jamaica"), capital)
    norfolk = rdf_graph.value(entity(rdf_graph, "Norfolk Island"), capital)
    aruba = rdf_graph.value(entity(rdf_graph, "Aruba"), capital)
    assert english_label(rdf_graph, jamaica) == "Kingston"
    assert english_label(rdf_graph, norfolk) == "Kingston"
    assert jamaica != norfolk
    bonaire = entity(rdf_graph, "Bonaire, Sint Eustatius and Saba")
    assert aruba not in set(rdf_graph.objects(bonaire, capital))


def test_shared_capital_is_one_city(bundled):
    rdf_graph = bundled["countries"]
    capital = onto("countries", "capital")

    israel = rdf_graph.value(entity(rdf_graph, "Israel"), capital)
    palestine = rdf_graph.value(entity(rdf_graph, "Palestine, State of"), capital)
    assert israel == palestine


@pytest.mark.parametrize(("graph_name", "predicate", "datatype"), [
    ("countries", "population", XSD.integer),
    ("countries", "areaKm2", XSD.decimal),
    ("elements", "atomicNumber", XSD.integer),
    ("elements", "atomicWeight", XSD.decimal),
    ("elements", "discoveryYear", XSD.gYear),
    ("companies", "foundingYear", XSD.gYear),
    ("companies", "asOf", XSD.date),
])
def test_literal_datatypes(bundled, graph_name, predicate, datatype):
    literals = list(bundled[graph_name].objects(None, onto(graph_name, predicate)))
    assert literals
    assert {literal.datatype for literal in literals} == {datatype}


# ---------------------------------------------------------------- companies: dated chief executives

def tenures(rdf_graph: Graph) -> list[tuple[URIRef, URIRef, URIRef]]:
    """Return ``(company, tenure node, person)`` for every chief-executive tenure."""
    ceo_tenure, person = onto("companies", "ceoTenure"), onto("companies", "person")
    return [(company, tenure, rdf_graph.value(tenure, person))
            for company, tenure in rdf_graph.subject_objects(ceo_tenure)]


def test_current_ceo_edges_have_open_tenures(bundled):
    rdf_graph = bundled["companies"]
    until = onto("companies", "until")
    open_tenures = {(company, person) for company, tenure, person in tenures(rdf_graph)
                    if rdf_graph.value(tenure, until) is None}
    current = set(rdf_graph.subject_objects(onto("companies", "chiefExecutive")))

    assert current == open_tenures


def test_former_ceo_edges_have_closed_tenures(bundled):
    rdf_graph = bundled["companies"]
    until = onto("companies", "until")
    closed_tenures = {(company, person) for company, tenure, person in tenures(rdf_graph)
                      if rdf_graph.value(tenure, until) is not None}
    former = set(rdf_graph.subject_objects(onto("companies", "formerChiefExecutive")))

    assert former == closed_tenures


def test_every_tenure_dated_as_of(bundled):
    rdf_graph = bundled["companies"]
    as_of = onto("companies", "asOf")
    tenure_nodes = set(rdf_graph.subjects(RDF.type, onto("companies", "ChiefExecutiveTenure")))

    assert tenure_nodes == {tenure for _, tenure, _ in tenures(rdf_graph)}
    assert {rdf_graph.value(tenure, as_of) for tenure in tenure_nodes} == {
        Literal("2025-01-01", datatype=XSD.date)}


def test_tenures_start_before_they_end(bundled):
    rdf_graph = bundled["companies"]
    since, until = onto("companies", "since"), onto("companies", "until")

    for _, tenure, person in tenures(rdf_graph):
        assert person is not None, f"{tenure} names no person"
        start, end = rdf_graph.value(tenure, since), rdf_graph.value(tenure, until)
        if start is not None and end is not None:
            assert str(start)[:4] <= str(end)[:4], f"{tenure} ends before it starts"


# ---------------------------------------------------------------- sample questions

def read_questions() -> list[tuple[str, str, set[str]]]:
    """Return ``(graph, question, expected answers)`` from ``graphs/questions.txt``."""
    entries = []
    expected: set[str] | None = None
    for line in (GRAPHS_DIR / "questions.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("# expected:"):
            answers = line.removeprefix("# expected:").strip()
            expected = set() if answers == "(not in the graph)" else set(answers.split(" | "))
        elif line.strip() and not line.startswith("#"):
            graph_name, _, question = line.partition("\t")
            assert expected is not None, f"question {question!r} has no '# expected:' line"
            entries.append((graph_name, question, expected))
            expected = None
    return entries


# One SPARQL query per sample question. SELECT queries return labels or literal
# values and ASK queries "yes" or "no". An empty result means "not in the graph".
QUESTION_QUERIES = {
    "What is the capital of France?":
        'SELECT ?a WHERE { ?c rdfs:label "France"@en ; onto:capital/rdfs:label ?a }',
    "What is the population of Japan?":
        'SELECT ?a WHERE { ?c rdfs:label "Japan"@en ; onto:population ?a }',
    "How many countries border Germany?":
        'SELECT (COUNT(DISTINCT ?n) AS ?a) WHERE { ?c rdfs:label "Germany"@en . '
        '{ ?c onto:borders ?n } UNION { ?n onto:borders ?c } }',
    "Is Spanish an official language of Mexico?":
        'ASK { ?c rdfs:label "Mexico"@en ; onto:officialLanguage/rdfs:label "Spanish"@en }',
    "Is Spanish an official language of Brazil?":
        'ASK { ?c rdfs:label "Brazil"@en ; onto:officialLanguage/rdfs:label "Spanish"@en }',
    "Which currency does Japan use?":
        'SELECT ?a WHERE { ?c rdfs:label "Japan"@en ; onto:currency/rdfs:label ?a }',
    "What are the capitals of the countries that border Portugal?":
        'SELECT ?a WHERE { ?c rdfs:label "Portugal"@en . { ?c onto:borders ?n } UNION '
        '{ ?n onto:borders ?c } ?n onto:capital/rdfs:label ?a }',
    "How many countries use the Euro?":
        'SELECT (COUNT(DISTINCT ?c) AS ?a) WHERE { ?c onto:currency/rdfs:label "Euro"@en }',
    "Who is the president of France?":
        'SELECT ?a WHERE { ?c rdfs:label "France"@en ; ?p ?a . '
        'FILTER(CONTAINS(LCASE(STR(?p)), "president")) }',
    "What is the atomic number of iron?":
        'SELECT ?a WHERE { ?e rdfs:label "Iron"@en ; onto:atomicNumber ?a }',
    "What is the atomic weight of aluminum?":
        'SELECT ?a WHERE { ?e rdfs:label "Aluminum"@en ; onto:atomicWeight ?a }',
    "Who discovered radium?":
        'SELECT ?a WHERE { ?e rdfs:label "Radium"@en ; onto:discoverer/rdfs:label ?a }',
    "How many elements are in group 18?":
        'SELECT (COUNT(?e) AS ?a) WHERE { ?e onto:group/rdfs:label "group 18"@en }',
    "Is gold in period 6?":
        'ASK { ?e rdfs:label "Gold"@en ; onto:period/rdfs:label "period 6"@en }',
    "Which elements did Marie Curie discover?":
        'SELECT ?a WHERE { ?e onto:discoverer/rdfs:label "Marie Curie"@en ; rdfs:label ?a }',
    "In which year was the element discovered by Henri Moissan discovered?":
        'SELECT ?a WHERE { ?e onto:discoverer/rdfs:label "Henri Moissan"@en ; '
        'onto:discoveryYear ?a }',
    "What is the symbol of tungsten?":
        'SELECT ?a WHERE { ?e rdfs:label "Tungsten"@en ; onto:symbol ?a }',
    "What is the melting point of iron?":
        'SELECT ?a WHERE { ?e rdfs:label "Iron"@en ; ?p ?a . '
        'FILTER(CONTAINS(LCASE(STR(?p)), "melt")) }',
    "Who is the CEO of Google?":
        'SELECT ?a WHERE { ?c rdfs:label "Google"@en ; onto:chiefExecutive/rdfs:label ?a }',
    "Who were the former CEOs of Google?":
        'SELECT ?a WHERE { ?c rdfs:label "Google"@en ; onto:formerChiefExecutive/rdfs:label ?a }',
    "Is Eric Schmidt the CEO of Google?":
        'ASK { ?c rdfs:label "Google"@en ; onto:chiefExecutive/rdfs:label "Eric Schmidt"@en }',
    "In what year was Nvidia founded?":
        'SELECT ?a WHERE { ?c rdfs:label "Nvidia"@en ; onto:foundingYear ?a }',
    "How many people founded Meta Platforms?":
        'SELECT (COUNT(?f) AS ?a) WHERE { ?c rdfs:label "Meta Platforms"@en ; onto:founder ?f }',
    "In which city is the parent company of Google headquartered?":
        'SELECT ?a WHERE { ?c rdfs:label "Google"@en ; '
        'onto:parentCompany/onto:headquarters/rdfs:label ?a }',
    "Which companies are headquartered in Santa Clara?":
        'SELECT ?a WHERE { ?c onto:headquarters/rdfs:label "Santa Clara"@en ; rdfs:label ?a }',
    "Who is the chief executive of Intel?":
        'SELECT ?a WHERE { ?c rdfs:label "Intel"@en ; onto:chiefExecutive/rdfs:label ?a }',
    "Who founded Tesla?":
        'SELECT ?a WHERE { ?c rdfs:label "Tesla"@en ; onto:founder/rdfs:label ?a }',
    "What was Apple's revenue in 2023?":
        'SELECT ?a WHERE { ?c rdfs:label "Apple"@en ; ?p ?a . '
        'FILTER(CONTAINS(LCASE(STR(?p)), "revenue")) }',
}


def answer_with_sparql(rdf_graph: Graph, graph_name: str, query: str) -> set[str]:
    prologue = (f"PREFIX onto: <https://kgqa.example/{graph_name}/ontology/>\n"
                "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")
    result = rdf_graph.query(prologue + query)
    if result.type == "ASK":
        return {"yes" if result.askAnswer else "no"}
    return {str(row[0]) for row in result}


def test_questions_per_graph_within_range():
    counts = {name: 0 for name in GRAPH_NAMES}
    for graph_name, _, _ in read_questions():
        counts[graph_name] += 1

    for graph_name, count in counts.items():
        assert 6 <= count <= 10, f"{graph_name} has {count} sample questions"


def test_every_question_has_query():
    questions = {question for _, question, _ in read_questions()}
    assert questions == set(QUESTION_QUERIES)


@pytest.mark.parametrize(("graph_name", "question", "expected"), read_questions(),
                         ids=lambda value: value if isinstance(value, str) else None)
def test_question_expected_answer(bundled, graph_name, question, expected):
    query = QUESTION_QUERIES[question]
    assert answer_with_sparql(bundled[graph_name], graph_name, query) == expected


# ---------------------------------------------------------------- sources: no invented values

def test_countries_file_matches_generator():
    generator = load_generator("countries")
    skips = generator.SkipLog()

    text = generator.render_turtle(generator.build_graph(generator.load_countries(skips), skips))
    assert text == (GRAPHS_DIR / "countries" / "countries.ttl").read_text(encoding="utf-8")


def test_elements_file_matches_generator():
    generator = load_generator("elements")

    text = generator.render_turtle(generator.build_graph(*generator.load_rows()))
    assert text == (GRAPHS_DIR / "elements" / "elements.ttl").read_text(encoding="utf-8")


def test_country_values_match_countryinfo(bundled):
    load_generator("countries")
    from countryinfo import CountryInfo

    rdf_graph = bundled["countries"]
    alpha3, population, area = (onto("countries", name)
                                for name in ("isoAlpha3Code", "population", "areaKm2"))
    countries = list(rdf_graph.subjects(RDF.type, onto("countries", "Country")))
    for country in countries:
        record = CountryInfo(str(rdf_graph.value(country, alpha3))).info()

        graph_population = rdf_graph.value(country, population)
        population_value = None if graph_population is None else int(graph_population)
        assert population_value == record.get("population")
        graph_area = rdf_graph.value(country, area)
        record_area = record.get("area")
        assert (None if graph_area is None else Decimal(str(graph_area))) == (
            None if record_area is None else Decimal(str(record_area)))
    assert len(countries) == 249


def test_element_values_match_mendeleev(bundled):
    generator = load_generator("elements")
    elements, _ = generator.load_rows()

    rdf_graph = bundled["elements"]
    weight, year = onto("elements", "atomicWeight"), onto("elements", "discoveryYear")
    for row in elements:
        element = resource("elements", f"element/{row['symbol']}")
        assert float(rdf_graph.value(element, weight)) == row["atomic_weight"]
        graph_year = rdf_graph.value(element, year)
        if math.isnan(row["discovery_year"]):
            assert graph_year is None
        else:
            assert int(str(graph_year)) == int(row["discovery_year"])


# ---------------------------------------------------------------- discoverer parsing

@pytest.mark.parametrize(("text", "names"), [
    ("Henry Cavendish", ["Henry Cavendish"]),
    ("Pierre and Marie Curie", ["Pierre Curie", "Marie Curie"]),
    ("Fausto and Juan José de Elhuyar", ["Fausto de Elhuyar", "Juan José de Elhuyar"]),
    ("G.T.Seaborg, S.G.Tompson", ["G. T. Seaborg", "S. G. Tompson"]),
    ("Sir William Ramsay; M. W. Travers", ["Sir William Ramsay", "M. W. Travers"]),
    ("Soviet Nuclear Research/ U. of Cal at Berkeley",
     ["Soviet Nuclear Research", "U. of Cal at Berkeley"]),
    ("A. Ghiorso, et al", ["A. Ghiorso"]),
    ("Known to the ancients.", []),
    ("", []),
])
def test_split_discoverers_cases(text, names):
    generator = load_generator("elements")
    assert generator.split_discoverers(text) == names


@pytest.mark.parametrize(("names", "clusters"), [
    (["J. Berzelius", "Jöns Berzelius"], [["Jöns Berzelius", "J. Berzelius"]]),
    (["E. Segré", "Émillo Segrè"], [["Émillo Segrè", "E. Segré"]]),
    (["Sir Humphrey Davy", "Sir H. Davy"], [["Sir Humphrey Davy", "Sir H. Davy"]]),
    (["Sir William Ramsey", "Sir William Ramsay"],
     [["Sir William Ramsay"], ["Sir William Ramsey"]]),
    (["Pierre Curie", "Marie Curie"], [["Marie Curie"], ["Pierre Curie"]]),
    (["Oak Ridge National Laboratory", "Lawrence Livermore National Laboratory"],
     [["Lawrence Livermore National Laboratory"], ["Oak Ridge National Laboratory"]]),
])
def test_cluster_names_cases(names, clusters):
    generator = load_generator("elements")
    assert generator.cluster_names(names) == clusters
