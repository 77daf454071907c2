"""Link questions against the bundled graphs and check the entity and class IRIs found.

The tables hold the sample questions of ``graphs/questions.txt`` and varied
questions written for these tests: plurals of class words, lowercase names,
typos, possessives, abbreviations, questions in capitals, and entity names
made of ordinary words ("Cook Islands", "group 1"). Entities and classes are
written relative to ``https://kgqa.example/<graph>/``.
"""

from __future__ import annotations

import pytest
import rdflib

from kgqa.demo import BUNDLED_GRAPHS, bundled_graphs_dir
from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.linking.linker import EntityLinker


@pytest.fixture(scope="module")
def graphs():
    """The bundled graphs by name, parsed once for this module."""
    graphs = {}
    for name in BUNDLED_GRAPHS:
        dataset = rdflib.Dataset()
        dataset.default_graph.parse(bundled_graphs_dir() / name / f"{name}.ttl", format="turtle")
        graphs[name] = KnowledgeGraph.from_dataset(name, dataset)
    return graphs


@pytest.fixture(scope="module")
def linkers(graphs, nlp):
    """One linker per bundled graph, without the embedding fallback.

    Embedding the countries graph's 2,808 distinct labels took 31 s in one
    run on a shared CPU, so only ``test_embedding_skips_unknown_name`` uses
    the fallback, on the small companies graph.
    """
    return {name: EntityLinker(kg, nlp) for name, kg in graphs.items()}


def _relative(graph: str, mentions) -> list[str]:
    base = f"https://kgqa.example/{graph}/"
    return [str(mention.entity).removeprefix(base) for mention in mentions]


COUNTRIES = [
    # Sample questions.
    ("What is the capital of France?", ["resource/country/FRA"], []),
    ("What is the population of Japan?", ["resource/country/JPN"], []),
    ("How many countries border Germany?", ["resource/country/DEU"], ["ontology/Country"]),
    ("Is Spanish an official language of Mexico?", ["resource/language/es", "resource/country/MEX"],
     ["ontology/Language"]),
    ("Is Spanish an official language of Brazil?", ["resource/language/es", "resource/country/BRA"],
     ["ontology/Language"]),
    ("Which currency does Japan use?", ["resource/country/JPN"], ["ontology/Currency"]),
    ("What are the capitals of the countries that border Portugal?", ["resource/country/PRT"],
     ["ontology/Country"]),
    ("How many countries use the Euro?", ["resource/currency/EUR"], ["ontology/Country"]),
    ("Who is the president of France?", ["resource/country/FRA"], []),
    # Written for these tests.
    ("What is the capital of france?", ["resource/country/FRA"], []),
    ("WHAT IS THE CAPITAL OF FRANCE?", ["resource/country/FRA"], []),
    ("What Is The Capital Of France?", ["resource/country/FRA"], []),
    ("What languages are spoken in Switzerland?", ["resource/country/CHE"], ["ontology/Language"]),
    ("Which currencies does Zimbabwe use?", ["resource/country/ZWE"], ["ontology/Currency"]),
    ("What is the capital city of the Marshall Islands?", ["resource/country/MHL"], ["ontology/City"]),
    ("Which currency is used in the Cook Islands?", ["resource/country/COK"], ["ontology/Currency"]),
    ("What is the population of the United States?", ["resource/country/USA"], []),
    ("What is the population of the USA?", ["resource/country/USA"], []),
    ("Which region is South Africa in?", ["resource/country/ZAF"], ["ontology/Region"]),
    ("What is Norway's capital?", ["resource/country/NOR"], []),
    ("Does India border China?", ["resource/country/IND", "resource/country/CHN"], []),
    ("What is the capital of Germny?", ["resource/country/DEU"], []),
    ("Is Mexico City the capital of Mexico?", ["resource/city/Mexico_City", "resource/country/MEX"], []),
    ("Which countries use the New Zealand dollar?", ["resource/currency/NZD"], ["ontology/Country"]),
    ("Which cities are capitals of countries in Oceania?", ["resource/region/Oceania"],
     ["ontology/City", "ontology/Country"]),
    ("Do all countries in Europe use the Euro?", ["resource/region/Europe", "resource/currency/EUR"],
     ["ontology/Country"]),
    ("What is the capital of the UK?", ["resource/country/GBR"], []),
    ("Is English an official language in South Africa?", ["resource/language/en", "resource/country/ZAF"],
     ["ontology/Language"]),
    ("What's the currency of Japan?", ["resource/country/JPN"], ["ontology/Currency"]),
    ("which countries border brazil", ["resource/country/BRA"], ["ontology/Country"]),
    ("What are the official languages of Belgium?", ["resource/country/BEL"], ["ontology/Language"]),
    ("Is it true that Italy borders Austria?", ["resource/country/ITA", "resource/country/AUT"], []),
    ("How many people live in the Philippines?", ["resource/country/PHL"], []),
    ("In which region is Peru?", ["resource/country/PER"], ["ontology/Region"]),
    ("Which countries in South America speak Portuguese?", ["resource/language/pt"],
     ["ontology/Country"]),
    ("What is the capital of the Democratic Republic of the Congo?", ["resource/country/COD"], []),
]

ELEMENTS = [
    # Sample questions.
    ("What is the atomic number of iron?", ["resource/element/Fe"], []),
    ("What is the atomic weight of aluminum?", ["resource/element/Al"], []),
    ("Who discovered radium?", ["resource/element/Ra"], []),
    ("How many elements are in group 18?", ["resource/group/18"], ["ontology/Element"]),
    ("Is gold in period 6?", ["resource/element/Au", "resource/period/6"], []),
    ("Which elements did Marie Curie discover?", ["resource/agent/Marie_Curie"],
     ["ontology/Element"]),
    ("In which year was the element discovered by Henri Moissan discovered?",
     ["resource/agent/Henri_Moissan"], ["ontology/Element"]),
    ("What is the symbol of tungsten?", ["resource/element/W"], []),
    ("What is the melting point of iron?", ["resource/element/Fe"], []),
    # Written for these tests.
    ("What is the atomic number of Fe?", ["resource/element/Fe"], []),
    ("Which element has the symbol W?", ["resource/element/W"], ["ontology/Element"]),
    ("Which element has the symbol I?", ["resource/element/I"], ["ontology/Element"]),
    ("Can I get the atomic number of iodine?", ["resource/element/I"], []),
    ("Which elements are in period 2?", ["resource/period/2"], ["ontology/Element"]),
    ("Which elements are in group 1?", ["resource/group/1"], ["ontology/Element"]),
    ("Which Elements Are In Group 18?", ["resource/group/18"], ["ontology/Element"]),
    ("IS GOLD IN PERIOD 6?", ["resource/element/Au", "resource/period/6"], []),
    ("In which period is sodium?", ["resource/element/Na"], ["ontology/Period"]),
    ("Which group is iodine in?", ["resource/element/I"], ["ontology/Group"]),
    ("At what year was oxygen discovered?", ["resource/element/O"], []),
    ("As of today, who discovered neon?", ["resource/element/Ne"], []),
    ("No element is heavier than oganesson, right?", ["resource/element/Og"], ["ontology/Element"]),
    ("Who discovered polonium and radium?", ["resource/element/Po", "resource/element/Ra"], []),
    ("What is the symbol of tin?", ["resource/element/Sn"], []),
    ("Which block is iron in?", ["resource/element/Fe"], ["ontology/Block"]),
    ("What elements are in the d-block?", ["resource/block/d"], ["ontology/Element"]),
    ("What are the noble gases?", ["resource/group/18"], []),
    ("What is the atomic weight of Aluminium?", ["resource/element/Al"], []),
    ("Who discoverd oxygen?", ["resource/element/O"], []),
    ("Is U radioactive?", ["resource/element/U"], []),
    ("Which chemical elements are halogens?", ["resource/group/17"], ["ontology/Element"]),
    ("what is the atomic number of helium", ["resource/element/He"], []),
    ("Which elements were discovered by Sir William Ramsay?",
     ["resource/agent/Sir_William_Ramsay"], ["ontology/Element"]),
    ("How many elements did Humphry Davy discover?", ["resource/agent/Sir_Humphrey_Davy"],
     ["ontology/Element"]),
    ("Is carbon a noble gas?", ["resource/element/C", "resource/group/18"], []),
]

COMPANIES = [
    # Sample questions.
    ("Who is the CEO of Google?", ["resource/Google"], []),
    ("Who were the former CEOs of Google?", ["resource/Google"], []),
    ("Is Eric Schmidt the CEO of Google?", ["resource/Eric_Schmidt", "resource/Google"], []),
    ("In what year was Nvidia founded?", ["resource/Nvidia"], []),
    ("How many people founded Meta Platforms?", ["resource/Meta"], ["ontology/Person"]),
    ("In which city is the parent company of Google headquartered?", ["resource/Google"],
     ["ontology/City", "ontology/Company"]),
    ("Which companies are headquartered in Santa Clara?", ["resource/Santa_Clara"],
     ["ontology/Company"]),
    ("Who is the chief executive of Intel?", ["resource/Intel"], []),
    ("Who founded Tesla?", ["resource/Tesla"], []),
    ("What was Apple's revenue in 2023?", ["resource/Apple"], []),
    # Written for these tests.
    ("Who founded Google?", ["resource/Google"], []),
    ("Where is Apple headquartered?", ["resource/Apple"], []),
    ("When did Tim Cook become CEO of Apple?", ["resource/Tim_Cook", "resource/Apple"], []),
    ("Who is the CTO of Microsoft?", ["resource/Microsoft"], []),
    ("Who is the Chief Executive of Intel?", ["resource/Intel"], []),
    ("Which people founded Apple?", ["resource/Apple"], ["ontology/Person"]),
    ("Who are the persons that founded Nvidia?", ["resource/Nvidia"], ["ontology/Person"]),
    ("Which companies were founded by Larry Page?", ["resource/Larry_Page"],
     ["ontology/Company"]),
    ("In which country is Sony headquartered?", ["resource/Sony"], ["ontology/Country"]),
    ("Which cities host companies in the USA?", ["resource/United_States"],
     ["ontology/City", "ontology/Company"]),
    ("What is Google's parent company?", ["resource/Google"], ["ontology/Company"]),
    ("Who was IBM's CEO before Arvind Krishna?", ["resource/IBM", "resource/Arvind_Krishna"], []),
    ("Who is the chief executive officer of Netflix?", ["resource/Netflix"], []),
    ("Where is nvidia based?", ["resource/Nvidia"], []),
    ("Which companies are in Mountain View?", ["resource/Mountain_View"], ["ontology/Company"]),
    ("Who is the CEO of Alphabet Inc.?", ["resource/Alphabet"], []),
    ("Who co-founded Apple with Steve Jobs?", ["resource/Apple", "resource/Steve_Jobs"], []),
    ("Which company did Jensen Huang found?", ["resource/Jensen_Huang"], ["ontology/Company"]),
    ("What is the headquarters city of Tesla?", ["resource/Tesla"], ["ontology/City"]),
    ("Who runs Amazon?", ["resource/Amazon"], []),
    ("Who founded Microsoft and Apple?", ["resource/Microsoft", "resource/Apple"], []),
    ("Did Steve Ballmer lead Microsoft before Satya Nadella?",
     ["resource/Steve_Ballmer", "resource/Microsoft", "resource/Satya_Nadella"], []),
    ("Who is the CEO of the company Larry Page founded?", ["resource/Larry_Page"],
     ["ontology/Company"]),
]

TABLE = ([("countries", *row) for row in COUNTRIES] + [("elements", *row) for row in ELEMENTS]
         + [("companies", *row) for row in COMPANIES])


@pytest.mark.parametrize(("graph", "question", "entities", "classes"), TABLE,
                         ids=[f"{graph}:{question}" for graph, question, _, _ in TABLE])
def test_bundled_question_links(linkers, graph, question, entities, classes):
    result = linkers[graph].link(question)

    assert _relative(graph, result.entities) == entities
    assert _relative(graph, result.classes) == classes


@pytest.mark.parametrize(("graph", "question", "unlinked"), [
    ("companies", "What does Paris Hilton do for a living?", ["Paris Hilton"]),
    ("companies", "Who is the CEO of Google?", []),
    ("companies", "When did Tim Cook become CEO of Apple?", []),
    ("companies", "Is Eric Schmidt the CEO of Google?", []),
    ("companies", "Who founded Google?", []),
    ("companies", "Where is Apple headquartered?", []),
    ("companies", "Who is the Chief Executive of Intel?", []),
    ("companies", "What does Tim Apple do?", ["Tim Apple"]),
    ("countries", "Which countries in South America speak Portuguese?", ["South America"]),
])
def test_bundled_unknown_names(linkers, graph, question, unlinked):
    assert linkers[graph].link(question).unlinked_names == unlinked


def test_embedding_skips_unknown_name(graphs, nlp, embedder):
    linker = EntityLinker(graphs["companies"], nlp, embedder=embedder)

    result = linker.link("What does Paris Hilton do for a living?")

    assert result.entities == []
    assert result.ambiguous == []
    assert result.unlinked_names == ["Paris Hilton"]
