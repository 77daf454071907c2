"""Tests of EntityLinker: acceptance cases, normalization variants, guards, spans, fallbacks."""

from __future__ import annotations

import pytest
import rdflib

from kgqa.errors import InvalidInput
from kgqa.graph.knowledge_graph import KnowledgeGraph
from kgqa.linking.linker import EntityLinker

EX = "http://example.org/"


def _case_linker(cases_dir, case, nlp, settings, fit_for=None):
    folder = cases_dir / case
    dataset = rdflib.Dataset()
    dataset.default_graph.parse(folder / "graph.ttl", format="turtle")
    kg = KnowledgeGraph.from_dataset(case, dataset)
    fit = fit_for(kg) if fit_for else None
    questions = (folder / "question.txt").read_text(encoding="utf-8").splitlines()
    return EntityLinker(kg, nlp, settings=settings, relation_fit=fit), questions


def _linked(result) -> list[str]:
    return [str(entity.entity).removeprefix(EX) for entity in result.entities]


@pytest.mark.parametrize(("case", "line", "expected"), [
    ("chinese-names", 0, ["LuXun"]),
    ("chinese-names", 1, ["Diary"]),
    ("chinese-names", 2, ["Diary"]),
    ("possessive-mentions", 0, ["HarlowCo"]),
    ("possessive-mentions", 1, ["HarlowCo"]),
    ("possessive-mentions", 2, ["AnnHarlow"]),
    ("possessive-mentions", 3, ["AnnHarlow"]),
    ("punctuation-in-names", 0, ["ATT"]),
    ("punctuation-in-names", 1, ["Cpp"]),
    ("punctuation-in-names", 2, ["C"]),
    ("punctuation-in-names", 3, ["GNR"]),
    ("punctuation-in-names", 4, ["CSNY"]),
    ("longest-overlapping-match", 0, ["NYC"]),
    ("longest-overlapping-match", 1, ["NYState"]),
    ("longest-overlapping-match", 2, ["NYCFC"]),
    ("longest-overlapping-match", 3, ["York"]),
    ("language-tagged-labels", 0, ["Lodz"]),
    ("language-tagged-labels", 1, ["Lodz"]),
    ("language-tagged-labels", 2, ["Krakow"]),
    ("language-tagged-labels", 3, ["Gdansk"]),
    ("typo-in-entity-name", 0, ["Apple", "VP"]),
    ("typo-in-entity-name", 1, ["AD"]),
    ("ungrounded-llm-answer", 0, ["Vance"]),
    ("ungrounded-llm-answer", 1, ["Vance"]),
])
def test_acceptance_case_links(cases_dir, nlp, settings, case, line, expected):
    linker, questions = _case_linker(cases_dir, case, nlp, settings)

    assert _linked(linker.link(questions[line])) == expected


@pytest.mark.parametrize(("line", "expected"), [
    (0, ["JaguarCo"]),
    (1, ["JaguarCat"]),
    (2, ["ParisCity"]),
    (3, []),
    (4, ["Up"]),
    (5, ["Coventry"]),
])
def test_homographs_and_namesakes(cases_dir, nlp, settings, word_overlap_fit, line, expected):
    linker, questions = _case_linker(cases_dir, "homographs-and-unknown-namesakes", nlp, settings,
                                     fit_for=word_overlap_fit)

    assert _linked(linker.link(questions[line])) == expected


def test_jaguar_alternative_is_other_sense(cases_dir, nlp, settings, word_overlap_fit):
    linker, questions = _case_linker(cases_dir, "homographs-and-unknown-namesakes", nlp, settings,
                                     fit_for=word_overlap_fit)

    jaguar = linker.link(questions[0]).entities[0]

    assert [str(candidate.entity) for candidate in jaguar.alternatives] == [EX + "JaguarCat"]
    assert jaguar.score > jaguar.alternatives[0].score


def test_unknown_namesake_reported(cases_dir, nlp, settings):
    linker, questions = _case_linker(cases_dir, "homographs-and-unknown-namesakes", nlp, settings)

    result = linker.link(questions[3])

    assert result.entities == []
    assert result.unlinked_names == ["Paris Hilton"]


@pytest.mark.parametrize(("question", "expected"), [
    ("Who directed up?", []),
    ("Up: who directed it?", []),
    ("Is Paris, France big?", ["ParisCity", "France"]),
    ("Does Paris Okoye play the violin?", ["Okoye"]),
])
def test_homograph_graph_guards(cases_dir, nlp, settings, question, expected):
    linker, _ = _case_linker(cases_dir, "homographs-and-unknown-namesakes", nlp, settings)

    assert _linked(linker.link(question)) == expected


def test_namesake_at_sentence_start(cases_dir, nlp, settings):
    linker, _ = _case_linker(cases_dir, "homographs-and-unknown-namesakes", nlp, settings)

    result = linker.link("Paris Hilton is famous for what?")

    assert result.entities == []
    assert result.unlinked_names == ["Paris Hilton"]


@pytest.mark.parametrize(("question", "unlinked"), [
    ("Ursula Kemp lives where?", ["Ursula Kemp"]),
    ("Visit Ursula Kemp in Paris?", ["Ursula Kemp"]),
    ("Describe Ursula Kemp.", ["Ursula Kemp"]),
])
def test_unlinked_names_at_sentence_start(cases_dir, nlp, settings, question, unlinked):
    linker, _ = _case_linker(cases_dir, "homographs-and-unknown-namesakes", nlp, settings)

    assert linker.link(question).unlinked_names == unlinked


def test_typo_links_with_fuzzy_method(cases_dir, nlp, settings):
    linker, questions = _case_linker(cases_dir, "typo-in-entity-name", nlp, settings)

    vision_pro = linker.link(questions[0]).entities[1]

    assert vision_pro.method == "fuzzy"
    assert vision_pro.label == "Vision Pro"
    assert vision_pro.score == pytest.approx(18 / 19)


def test_punctuated_name_is_one_entity(cases_dir, nlp, settings):
    linker, questions = _case_linker(cases_dir, "punctuation-in-names", nlp, settings)

    result = linker.link(questions[4])

    assert len(result.entities) == 1
    assert result.entities[0].mention == "Crosby, Stills, Nash & Young"


MUSIC = """
ex:Bjork rdfs:label "Björk" ; ex:genre ex:Pop .
ex:Pop rdfs:label "pop music" .
ex:HarlowCo rdfs:label "Harlow's" .
ex:Hanks rdfs:label "Tom Hanks" .
ex:WhatFilm rdfs:label "What" .
ex:NYC rdfs:label "New York City" .
ex:Leeds rdfs:label "Leeds" .
ex:Vance rdfs:label "Marlowe Vance" .
ex:Vane rdfs:label "Marlow Vane" .
ex:Upp rdfs:label "Upp" .
ex:Peoples rdfs:label "Peoples" .
ex:Whereass rdfs:label "Whereass" .
"""


@pytest.fixture
def music_linker(make_kg, nlp, settings):
    return EntityLinker(make_kg(MUSIC), nlp, settings=settings)


@pytest.mark.parametrize("question", [
    "What genre is Björk?",
    "What genre is Bjork?",
    "What genre is Bjo\u0308rk?",
    "What genre is BJÖRK?",
    "What genre is Ｂｊöｒｋ？",
    "what genre is [björk]",
])
def test_normalization_variants_link(music_linker, question):
    assert _linked(music_linker.link(question)) == ["Bjork"]


@pytest.mark.parametrize("question", [
    "Where is Harlow's based?",
    "Where is Harlow’s based?",
    "Where is HARLOW‘S based?",
])
def test_apostrophe_variants_link(music_linker, question):
    assert _linked(music_linker.link(question)) == ["HarlowCo"]


def test_spans_index_normalized_question(music_linker):
    result = music_linker.link("Did Ｔｏｍ Ｈａｎｋｓ meet Bjo\u0308rk in New York City?")

    mentions = [entity.mention for entity in result.entities]

    assert mentions == ["Tom Hanks", "Björk", "New York City"]
    for entity in result.entities:
        assert result.normalized_question[entity.start:entity.end] == entity.mention


def test_spans_exclude_brackets(music_linker):
    result = music_linker.link("what movies did [Tom Hanks] star in")

    assert result.entities[0].start == len("what movies did [")
    assert result.entities[0].end == len("what movies did [Tom Hanks")


def test_masked_question_drops_brackets(music_linker):
    result = music_linker.link("what movies did [Tom Hanks] star in")

    assert result.masked_question == "what movies did NE star in"


def test_question_word_needs_brackets(music_linker):
    plain = music_linker.link("What is the genre of Björk?")
    bracketed = music_linker.link("who directed [What]")

    assert _linked(plain) == ["Bjork"]
    assert _linked(bracketed) == ["WhatFilm"]


def test_typo_at_sentence_start(cases_dir, nlp, settings):
    linker, _ = _case_linker(cases_dir, "ungrounded-llm-answer", nlp, settings)

    result = linker.link("Marlow Vance was born where?")

    assert _linked(result) == ["Vance"]
    assert result.unlinked_names == []


def test_near_twins_stay_unlinked(music_linker):
    result = music_linker.link("Where was Marlow Vance born?")

    assert result.entities == []
    assert [candidate.entity for candidate in result.ambiguous[0].candidates] == [
        rdflib.URIRef(EX + "Vance"), rdflib.URIRef(EX + "Vane")]


@pytest.mark.parametrize(("question", "expected"), [
    ("Who directed Up?", []),
    ("How many people live in Leeds?", ["Leeds"]),
    ("Whereas Leeds grew, who led it?", ["Leeds"]),
])
def test_fuzzy_guards_block_ordinary_words(music_linker, question, expected):
    assert _linked(music_linker.link(question)) == expected


def test_nothing_links_when_unknown(music_linker):
    result = music_linker.link("What is the meaning of life?")

    assert result.entities == []
    assert result.unlinked_names == []


def test_title_case_question_links(music_linker):
    result = music_linker.link("What Is The Population Of New York City?")

    assert _linked(result) == ["NYC"]


def test_embedding_fallback_links_abbreviation(make_kg, nlp, settings, embedder):
    linker = EntityLinker(make_kg(MUSIC), nlp, embedder=embedder, settings=settings)

    result = linker.link("What is the population of NYC?")

    assert _linked(result) == ["NYC"]
    assert result.entities[0].method == "embedding"


def test_embedding_fallback_skips_namesake(cases_dir, nlp, settings, embedder):
    folder = cases_dir / "homographs-and-unknown-namesakes"
    dataset = rdflib.Dataset()
    dataset.default_graph.parse(folder / "graph.ttl", format="turtle")
    linker = EntityLinker(KnowledgeGraph.from_dataset("homographs", dataset), nlp,
                          embedder=embedder, settings=settings)

    result = linker.link("What does Paris Hilton do for a living?")

    assert result.entities == []
    assert result.unlinked_names == ["Paris Hilton"]


def test_candidates_complete_partial_name(music_linker):
    candidates = music_linker.candidates("Marl", limit=3)

    assert {str(candidate.entity) for candidate in candidates[:2]} == {EX + "Vance", EX + "Vane"}
    assert len(candidates) <= 3


@pytest.mark.parametrize(("question", "message"), [
    ("", "The question is empty"),
    ("   ", "The question is empty"),
    (None, "must be a string"),
    ("x" * 2001, "limit of 2000"),
])
def test_invalid_question_raises(music_linker, question, message):
    with pytest.raises(InvalidInput, match=message):
        music_linker.link(question)


@pytest.mark.parametrize("limit", [0, -1, "3"])
def test_invalid_candidate_limit_raises(music_linker, limit):
    with pytest.raises(InvalidInput, match="Invalid limit"):
        music_linker.candidates("Marl", limit=limit)


ATLAS = """
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
ex:Country a rdfs:Class ; rdfs:label "country" .
ex:Currency a rdfs:Class ; rdfs:label "currency" .
ex:Element a rdfs:Class ; rdfs:label "chemical element" .
ex:Japan a ex:Country ; rdfs:label "Japan" ; ex:currency ex:Yen ; ex:chiefExecutive ex:Kishida .
ex:Yen a ex:Currency ; rdfs:label "Yen" .
ex:Mexico a ex:Country ; rdfs:label "Mexico" .
ex:MexicoCity rdfs:label "Mexico City" .
ex:Indium a ex:Element ; rdfs:label "indium" ; skos:altLabel "In" .
ex:Iodine a ex:Element ; rdfs:label "iodine" ; skos:altLabel "I" .
ex:Ann foaf:mbox <mailto:ann@example.org> ; rdfs:label "Ann Lee" .
ex:Google rdfs:label "Google" .
ex:chiefExecutive rdfs:label "chief executive" .
"""


@pytest.fixture
def atlas_linker(make_kg, nlp, settings):
    return EntityLinker(make_kg(ATLAS), nlp, settings=settings)


def _classes(result) -> list[str]:
    return [str(mention.entity).rsplit("/", 1)[-1] for mention in result.classes]


def test_class_mention_is_not_entity(atlas_linker):
    result = atlas_linker.link("Which currency does Japan use?")

    assert _linked(result) == ["Japan"]
    assert _classes(result) == ["Currency"]
    assert result.masked_question == "Which currency does NE use?"


def test_class_mention_reports_span_and_label(atlas_linker):
    mention = atlas_linker.link("How many countries are there?").classes[0]

    assert (mention.mention, mention.start, mention.end) == ("countries", 9, 18)
    assert mention.label == "country"
    assert mention.method == "exact"


@pytest.mark.parametrize(("question", "entities", "classes"), [
    ("Which countries use the Yen?", ["Yen"], ["Country"]),
    ("Which Countries use the Yen?", ["Yen"], ["Country"]),
    ("Which chemical elements are gases?", [], ["Element"]),
    ("Which elements are gases?", [], ["Element"]),
    ("How many people have an e-mail address?", [], ["Person"]),
    ("Which persons have an e-mail address?", [], ["Person"]),
    ("Which currency and which country?", [], ["Currency", "Country"]),
])
def test_class_forms_link_as_classes(atlas_linker, question, entities, classes):
    result = atlas_linker.link(question)

    assert _linked(result) == entities
    assert _classes(result) == classes


def test_derived_class_label_is_local_name(atlas_linker):
    mention = atlas_linker.link("How many people are there?").classes[0]

    assert str(mention.entity) == "http://xmlns.com/foaf/0.1/Person"
    assert mention.label == "Person"


def test_entity_name_beats_class_word(atlas_linker):
    result = atlas_linker.link("Is Mexico City in Mexico?")

    assert _linked(result) == ["MexicoCity", "Mexico"]
    assert result.classes == []


def test_class_namesakes_are_alternatives(make_kg, nlp, settings):
    kg = make_kg("""
        ex:Town a rdfs:Class ; rdfs:label "city" .
        ex:City a rdfs:Class ; rdfs:label "city" .
        ex:Leeds a ex:City ; rdfs:label "Leeds" .
    """)
    linker = EntityLinker(kg, nlp, settings=settings)

    mention = linker.link("Which city is Leeds?").classes[0]

    assert str(mention.entity) == EX + "City"
    assert [str(candidate.entity) for candidate in mention.alternatives] == [EX + "Town"]


@pytest.mark.parametrize(("question", "expected"), [
    ("In which year was indium found?", ["Indium"]),
    ("Which Elements Are In Japan?", ["Japan"]),
    ("WHICH ELEMENTS ARE IN JAPAN?", ["Japan"]),
    ("Which element has the symbol In?", ["Indium"]),
    ("Can I see the iodine data?", ["Iodine"]),
    ("Which element has the symbol I?", ["Iodine"]),
    ("Which element is I?", ["Iodine"]),
])
def test_capitals_of_everyday_words(atlas_linker, question, expected):
    assert _linked(atlas_linker.link(question)) == expected


@pytest.mark.parametrize(("question", "expected", "unlinked"), [
    ("Who is the CEO of Google?", ["Google"], []),
    ("Who were the former CEOs of Google?", ["Google"], []),
    ("Is Ann Lee the CEO of Google?", ["Ann", "Google"], []),
    ("When did Ann Lee become CFO of Google?", ["Ann", "Google"], []),
    ("Who is the Chief Executive of Japan?", ["Japan"], []),
    ("What does Paris Hilton do for a living?", [], ["Paris Hilton"]),
    ("Does Google Maps work in Japan?", ["Japan"], ["Google Maps"]),
])
def test_unknown_names_beside_titles(atlas_linker, question, expected, unlinked):
    result = atlas_linker.link(question)

    assert _linked(result) == expected
    assert result.unlinked_names == unlinked


def test_lone_cjk_class_word_skipped(make_kg, nlp, settings):
    kg = make_kg("""
        ex:Person a rdfs:Class ; rdfs:label "人"@zh .
        ex:LuXun a ex:Person ; rdfs:label "鲁迅"@zh .
    """)
    linker = EntityLinker(kg, nlp, settings=settings)

    result = linker.link("鲁迅是哪国人？")

    assert _linked(result) == ["LuXun"]
    assert result.classes == []


def test_namesakes_are_entities_sharing_a_label(make_kg, nlp, settings):
    kg = make_kg("""
ex:JaguarCo rdfs:label "Jaguar" .
ex:JaguarCat rdfs:label "jaguar" .
ex:Puma rdfs:label "Puma" .
""")
    linker = EntityLinker(kg, nlp, settings=settings)

    assert [str(entity).removeprefix(EX) for entity in linker.namesakes()] == ["JaguarCat", "JaguarCo"]
