"""More questions on the bundled graphs, answered end to end: phrasings, counts, yes/no, hops, literals.

Each expected answer was computed with a SPARQL query against the graph's
``.ttl`` file. ``None`` marks a question the graph cannot answer (no such
relation), where the right reply is ``not_in_graph`` or ``no_entity``.
"""

from __future__ import annotations

import pytest

from kgqa.demo import BUNDLED_GRAPHS, bundled_graphs_dir
from kgqa.normalize import fold

GRAPHS_DIR = bundled_graphs_dir()

# (graph, question, expected answer labels or None)
QUESTIONS = [
    # countries
    ('countries', 'What is the capital of Japan?', ['Tokyo']),
    ('countries', 'Which country has Canberra as its capital?', ['Australia']),
    ('countries', 'What languages are spoken in Switzerland?', ['French', 'German', 'Italian']),
    ('countries', 'How many official languages does India have?', ['2']),
    ('countries', 'What currency is used in Switzerland?', ['Swiss Franc', 'WIR Euro', 'WIR Franc']),
    ('countries', 'Which countries border Spain?', ['Andorra', 'France', 'Gibraltar', 'Morocco', 'Portugal']),
    ('countries', 'How many countries are there?', ['249']),
    ('countries', 'Does France border Germany?', ['yes']),
    ('countries', 'Is Tokyo the capital of China?', ['no']),
    ('countries', 'In which region is Kenya?', ['Africa']),
    ('countries', 'What is the area of Monaco?', ['2.02']),
    ('countries', 'What is the ISO alpha-2 code of Germany?', ['DE']),
    ('countries', 'Which countries use the Swiss franc?', ['Liechtenstein', 'Switzerland']),
    ('countries', 'What is the capital of the country that uses the Yen?', ['Tokyo']),
    ('countries', 'What is the population of the country whose capital is Lima?', ['30814175']),
    ('countries', 'How many people live in Germany?', ['80783000']),
    ('countries', 'Is English an official language of Canada?', ['yes']),
    ('countries', 'Which subregion is Japan in?', ['Eastern Asia']),
    ('countries', 'Who is the king of Spain?', None),
    ('countries', 'What is the national anthem of France?', None),
    # elements
    ('elements', 'What is the symbol of gold?', ['Au']),
    ('elements', 'Which element has the atomic number 79?', ['Gold']),
    ('elements', 'Who discovered oxygen?', ['Carl Wilhelm Scheele', 'Joseph Priestly']),
    ('elements', 'When was neon discovered?', ['1898']),
    ('elements', 'Which elements were discovered in 1898?',
     ['Krypton', 'Neon', 'Polonium', 'Radium', 'Radon', 'Xenon']),
    ('elements', 'How many elements are in period 2?', ['8']),
    ('elements', 'Which block is iron in?', ['d-block']),
    ('elements', 'What group is sodium in?', ['group 1']),
    ('elements', 'Is helium in group 18?', ['yes']),
    ('elements', 'Is iron in group 18?', ['no']),
    ('elements', 'How many elements did Marie Curie discover?', ['2']),
    ('elements', 'What is the atomic weight of carbon?', ['12.011']),
    ('elements', 'Who discovered xenon?', ['M. W. Travers', 'Sir William Ramsay']),
    ('elements', 'How many elements are there?', ['118']),
    ('elements', 'In which period is uranium?', ['period 7']),
    ('elements', 'Which elements are in the same group as sodium?',
     ['Cesium', 'Francium', 'Hydrogen', 'Lithium', 'Potassium', 'Rubidium']),
    ('elements', 'Who discovered polonium?', ['Marie Curie', 'Pierre Curie']),
    ('elements', 'When was the element with atomic number 10 discovered?', ['1898']),
    ('elements', 'What is the density of iron?', None),
    ('elements', 'What is the electronegativity of fluorine?', None),
    ('elements', 'Who was the first person to isolate iron?', None),
    # companies
    ('companies', 'Who founded Microsoft?', ['Bill Gates', 'Paul Allen']),
    ('companies', 'When was Apple founded?', ['1976']),
    ('companies', 'Where is Microsoft headquartered?', ['Redmond']),
    ('companies', 'Who is the CEO of Apple?', ['Tim Cook']),
    ('companies', 'Who were the former chief executives of Microsoft?', ['Bill Gates', 'Steve Ballmer']),
    ('companies', 'How many companies are in the graph?', ['20']),
    ('companies', 'Which companies did Larry Page found?', ['Alphabet', 'Google']),
    ('companies', 'Which companies are headquartered in Mountain View?', ['Alphabet', 'Google']),
    ('companies', 'Is Tim Cook the CEO of Apple?', ['yes']),
    ('companies', 'Is Satya Nadella the CEO of Google?', ['no']),
    ('companies', 'What is the parent company of Google?', ['Alphabet']),
    ('companies', 'In which country is Sony headquartered?', ['Japan']),
    ('companies', 'How many people founded Google?', ['2']),
    ('companies', 'Which companies were founded in 1976?', ['Apple']),
    ('companies', 'Which city is Nvidia headquartered in?', ['Santa Clara']),
    ('companies', 'Who founded the company headquartered in Cupertino?',
     ['Ronald Wayne', 'Steve Jobs', 'Steve Wozniak']),
    ('companies', 'Did Jensen Huang found Nvidia?', ['yes']),
    ('companies', 'Is Steve Ballmer the CEO of Microsoft?', ['no']),
    ('companies', 'What is the market capitalization of Apple?', None),
    ('companies', 'What is the stock ticker of Nvidia?', None),
]


@pytest.fixture
def engine(bundled_engine):
    return bundled_engine


def test_table_covers_every_graph():
    counts = {graph: sum(1 for row in QUESTIONS if row[0] == graph) for graph in BUNDLED_GRAPHS}
    assert min(counts.values()) >= 20, counts


@pytest.mark.parametrize(("graph", "question", "expected"), QUESTIONS,
                         ids=[f"{graph}:{question}" for graph, question, _ in QUESTIONS])
def test_bundled_answer(engine, graph, question, expected):
    answer = engine.ask(question, graph=graph)

    if expected is None:
        assert answer.status in {"no_entity", "not_in_graph"}, answer.text
        assert answer.answers == []
        return
    assert answer.status == "answered", answer.text
    assert sorted(fold(item.label) for item in answer.answers) == sorted(fold(label) for label in expected)
    assert answer.evidence, "an answer must carry its evidence triples"
