"""Inflect English nouns between singular and plural, to match class labels in questions.

Only class labels are inflected ("country" also matches "countries"), because
a class label is a common noun, written in the singular by convention. Entity
labels are names and match only as written.

``plural`` applies the regular rules (+s; +es after s, x, z, ch and sh; -y to
-ies after a consonant) and a table of irregular and invariant nouns.
``singular`` undoes them. Where the ending is ambiguous ("horses" may be
"hors" + es or "horse" + s), wordfreq's frequency of each candidate decides.
"""

from __future__ import annotations

import functools

from wordfreq import zipf_frequency

__all__ = ["inflections", "plural", "singular"]

# Irregular plurals. The first plural listed is the one ``plural`` returns.
_IRREGULAR: dict[str, tuple[str, ...]] = {
    "person": ("people", "persons"),
    "man": ("men",),
    "woman": ("women",),
    "child": ("children",),
    "foot": ("feet",),
    "tooth": ("teeth",),
    "goose": ("geese",),
    "mouse": ("mice",),
    "louse": ("lice",),
    "ox": ("oxen",),
    "quiz": ("quizzes",),
    "analysis": ("analyses",),
    "basis": ("bases",),
    "crisis": ("crises",),
    "thesis": ("theses",),
    "hypothesis": ("hypotheses",),
    "diagnosis": ("diagnoses",),
    "axis": ("axes",),
    "criterion": ("criteria",),
    "phenomenon": ("phenomena",),
    "datum": ("data",),
    "medium": ("media", "mediums"),
    "bacterium": ("bacteria",),
    "curriculum": ("curricula",),
    "index": ("indices", "indexes"),
    "appendix": ("appendices", "appendixes"),
    "matrix": ("matrices",),
    "vertex": ("vertices",),
    "cactus": ("cacti", "cactuses"),
    "fungus": ("fungi",),
    "nucleus": ("nuclei",),
    "radius": ("radii",),
    "stimulus": ("stimuli",),
    "alumnus": ("alumni",),
    "syllabus": ("syllabi", "syllabuses"),
    "genus": ("genera",),
    "corpus": ("corpora",),
    "formula": ("formulas", "formulae"),
    "leaf": ("leaves",),
    "life": ("lives",),
    "wife": ("wives",),
    "knife": ("knives",),
    "half": ("halves",),
    "shelf": ("shelves",),
    "wolf": ("wolves",),
    "calf": ("calves",),
    "thief": ("thieves",),
    "loaf": ("loaves",),
    "self": ("selves",),
    "elf": ("elves",),
    "hero": ("heroes",),
    "potato": ("potatoes",),
    "tomato": ("tomatoes",),
    "echo": ("echoes",),
    "veto": ("vetoes",),
    "torpedo": ("torpedoes",),
    "volcano": ("volcanoes", "volcanos"),
}

# Nouns whose plural is the same word, and nouns used only in the plural.
_INVARIANT = frozenset({
    "aircraft", "athletics", "bison", "clothes", "data", "deer", "economics", "equipment",
    "ethics", "fish", "furniture", "goods", "hardware", "headquarters", "information",
    "mathematics", "means", "moose", "music", "news", "offspring", "physics", "politics",
    "salmon", "scissors", "series", "sheep", "software", "spacecraft", "species", "swine",
    "trousers", "trout",
})

# Singular nouns that end like a regular plural.
_SINGULAR_WITH_S = frozenset({
    "alias", "asbestos", "atlas", "bias", "canvas", "chaos", "cosmos", "iris", "lens", "pancreas",
})

# Irregular nouns that also inflect as the last part of a compound
# ("chairman", "salesperson", "grandchild").
_COMPOUND_HEADS = ("person", "woman", "man", "child")
# A compound needs a first part of at least this many letters: "omen" and
# "ramen" are not plurals of "oman" and "raman".
_MIN_COMPOUND_PREFIX = 3
# Words ending in "man" that are not compounds of "man" and take a regular plural.
_REGULAR_MAN_WORDS = frozenset({
    "brahman", "caiman", "cayman", "doberman", "dolman", "german", "human", "norman", "ottoman",
    "roman", "shaman", "talisman", "walkman",
})

_SIBILANT_ENDINGS = ("s", "x", "z", "ch", "sh")
_VOWELS = frozenset("aeiou")
# Words this short that end in "s" ("gas", "bus", "yes") are not "-s" plurals.
_MIN_PLURAL_CHARS = 4

_IRREGULAR_SINGULAR = {form: noun for noun, forms in _IRREGULAR.items() for form in forms}


def plural(noun: str) -> str:
    """Return the usual plural of a singular English noun, keeping a leading capital letter.

    An all-capitals acronym takes a plain "s" ("API" -> "APIs"). Anything that
    is not a single alphabetic word is returned unchanged.
    """
    return _plurals(noun)[0]


def singular(noun: str) -> str | None:
    """Return the singular of a plural English noun, or None when ``noun`` is not a plural.

    An invariant noun ("species") is its own singular, and an acronym's plural
    loses its "s" ("APIs" -> "API"). An all-capitals word, and anything
    that is not a single alphabetic word, return None.
    """
    if not noun.isalpha() or noun.isupper():
        return None
    if len(noun) > 2 and noun.endswith("s") and noun[:-1].isupper():
        return noun[:-1]

    found = _singular_lower(noun.lower())
    return _recased(noun, found) if found else None


def inflections(phrase: str) -> set[str]:
    """Return ``phrase`` with its last word in the singular and in every plural form.

    The phrase itself is included. "chief executive" gives "chief executives"
    as well, and "people" gives "person" and "persons".
    """
    words = phrase.split()
    if not words:
        return set()

    head, last = words[:-1], words[-1]
    base = singular(last) or last
    forms = {last, base, *_plurals(base)}
    return {" ".join([*head, form]) for form in forms}


def _plurals(noun: str) -> tuple[str, ...]:
    if not noun.isalpha():
        return (noun,)
    if noun.isupper() and len(noun) > 1:
        return (noun + "s",)
    return tuple(_recased(noun, form) for form in _plurals_lower(noun.lower()))


@functools.lru_cache(maxsize=4096)
def _plurals_lower(noun: str) -> tuple[str, ...]:
    """Return every plural of a lowercase noun, the usual one first."""
    if noun in _INVARIANT:
        return (noun,)
    if noun in _IRREGULAR:
        return _IRREGULAR[noun]
    for head in _COMPOUND_HEADS:
        prefix = noun.removesuffix(head)
        if prefix != noun and len(prefix) >= _MIN_COMPOUND_PREFIX and noun not in _REGULAR_MAN_WORDS:
            return tuple(prefix + form for form in _IRREGULAR[head])

    if noun.endswith(_SIBILANT_ENDINGS):
        return (noun + "es",)
    if noun.endswith("y") and len(noun) > 1 and noun[-2] not in _VOWELS:
        return (noun[:-1] + "ies",)
    return (noun + "s",)


@functools.lru_cache(maxsize=4096)
def _singular_lower(noun: str) -> str | None:
    if noun in _INVARIANT:
        return noun
    if noun in _IRREGULAR_SINGULAR:
        return _IRREGULAR_SINGULAR[noun]
    compound = _compound_singular(noun)
    if compound:
        return compound

    candidates = [candidate for candidate in _regular_singulars(noun)
                  if noun in _plurals_lower(candidate)]
    if not candidates:
        return None
    # "movies" may be "movy" + ies or "movie" + s: keep the word English uses more.
    return max(candidates, key=_zipf)


def _compound_singular(noun: str) -> str | None:
    for head in _COMPOUND_HEADS:
        for form in _IRREGULAR[head]:
            prefix = noun.removesuffix(form)
            if prefix == noun or len(prefix) < _MIN_COMPOUND_PREFIX:
                continue
            candidate = prefix + head
            if head == "man" and (candidate in _REGULAR_MAN_WORDS or _zipf(candidate) < _zipf(noun)):
                # "specimen" is no plural of "speciman", a word English does not use.
                continue
            return candidate
    return None


def _regular_singulars(noun: str) -> list[str]:
    if (len(noun) < _MIN_PLURAL_CHARS or not noun.endswith("s")
            or noun.endswith(("ss", "us", "is")) or noun in _SINGULAR_WITH_S):
        return []

    candidates = [noun[:-1]]
    if noun.endswith("ies"):
        candidates.append(noun[:-3] + "y")
    if noun.endswith("es"):
        candidates.append(noun[:-2])
    return candidates


def _zipf(word: str) -> float:
    return zipf_frequency(word, "en")


def _recased(original: str, form: str) -> str:
    if original[:1].isupper():
        return form[:1].upper() + form[1:]
    return form
