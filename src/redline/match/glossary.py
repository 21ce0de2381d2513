"""Common words of bodies' names in the Cyrillic-script languages, read as English.

The EU list publishes every name in all its languages, Bulgarian among them, and
Russian and Ukrainian registers name firms and bodies in their own words: "Народен
Фронт за освобождение на Палестина" is the Popular Front for the Liberation of
Palestine, "Фонд стратегической культуры" the Strategic Culture Foundation.  Spelling
cannot bridge a translation; a word list can, for the words that describe what a body
is (party, army, front, institute, plant) rather than which one it is.  The words are
read by stem, romanised, with the endings of Russian, Ukrainian and Bulgarian (the
Bulgarian article included: партията, организацията), and stand for one English word
each.  rigour's organisation symbols know a few of them in Russian; none in Bulgarian.

Only names of bodies are read this way: a person called Narodnyi or Armiya keeps it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

#: Romanised stem -> English word.  Stems are cut so that every ending below makes a
#: form of the same word (natsional-na, natsional-nyi, natsional-naya).
STEMS: Final = {
    # Firms and trade (the first table, for Russian firms' names).
    "bank": "bank",
    "finansov": "financial",
    "korporats": "corporation",
    "kompani": "company",
    "grupp": "group",
    "grup": "group",
    "kholding": "holding",
    "torgov": "trading",
    "tekhnologi": "technology",
    "tekhnologichesk": "technological",
    "elektronik": "electronics",
    "elektronn": "electronic",
    "mezhdunarodn": "international",
    "mizhnarodn": "international",
    "predpriyati": "enterprise",
    "pidpryiemstv": "enterprise",
    "investitsion": "investment",
    "investitsi": "investment",
    "neftyan": "oil",
    "kommerchesk": "commercial",
    "promyshlenn": "industrial",
    "promyshlenost": "industry",
    "promishlen": "industrial",
    "stroiteln": "construction",
    "stroitelstv": "construction",
    "transportn": "transport",
    "logistik": "logistics",
    "energetichesk": "energy",
    "energi": "energy",
    "kontsern": "concern",
    "zavod": "plant",
    "fabrik": "factory",
    "kombinat": "plant",
    "tsentr": "center",
    "tsentraln": "central",
    "institut": "institute",
    "nauchn": "scientific",
    "nauchno": "scientific",
    "naukov": "scientific",
    "issledovatelsk": "research",
    "proizvodstven": "production",
    "vyrobnych": "production",
    "obedineni": "association",
    "assotsiatsi": "association",
    "akademi": "academy",
    "universitet": "university",
    "fond": "fund",
    "agentstv": "agency",
    "agenstv": "agency",
    "komitet": "committee",
    "sovet": "council",
    "byuro": "bureau",
    "ministerstv": "ministry",
    "upravleni": "directorate",
    "sluzhb": "service",
    "gosudarstvenn": "state",
    "darzhavn": "state",
    "derzhavn": "state",
    "aviatsion": "aviation",
    "atomn": "nuclear",
    "yadern": "nuclear",
    "khimichesk": "chemical",
    "morsk": "maritime",
    "sudostroiteln": "shipbuilding",
    "oboronn": "defense",
    "oborony": "defense",
    "bezopasnost": "security",
    "strategichesk": "strategic",
    "kultur": "culture",
    "ekspluatiruyushch": "operating",
    # Political, armed and religious bodies (the UN and EU terrorism lists).
    "organizatsi": "organization",
    "federatsi": "federation",
    "soyuz": "union",
    "sayuz": "union",
    "syuz": "union",
    "parti": "party",
    "armi": "army",
    "natsional": "national",
    "natsionaln": "national",
    "narodn": "popular",
    "naroden": "popular",
    "osvobozhdeni": "liberation",
    "osvoboditeln": "liberation",
    "revolyutsion": "revolutionary",
    "revolyutsii": "revolution",
    "vaorazhen": "armed",
    "vooruzhenn": "armed",
    "sil": "forces",
    "dvizheni": "movement",
    "front": "front",
    "brigad": "brigade",
    "batalyon": "battalion",
    "islyamsk": "islamic",
    "islamsk": "islamic",
    "islyam": "islam",
    "musulman": "muslims",
    "myusyulman": "muslims",
    "rabotnichesk": "workers",
    "rabochi": "workers",
    "komunistichesk": "communist",
    "kommunistichesk": "communist",
    "sotsialist": "socialist",
    "sotsialistichesk": "socialist",
    "demokratichesk": "democratic",
    "posledovatel": "followers",
    "boyn": "fighting",
    "boen": "fighting",
    "molodezh": "youth",
    "mladezh": "youth",
    "mlad": "youth",
    "bratstv": "brotherhood",
    "obshchin": "community",
    "respublik": "republic",
    "rossiysk": "russian",
    "rossiisk": "russian",
}

#: Short words of the Slavic languages that English names write as "of", "for", "and"
#: (Фронт за освобождение на Палестина): read only in Cyrillic words.
FUNCTION_WORDS: Final = {"na": "of", "za": "for", "i": "and", "dlya": "for", "ta": "and"}

#: Endings of those stems' forms: Russian and Ukrainian adjective and noun cases,
#: Bulgarian adjectives and the Bulgarian article (-ta, -to, -te, -ite, -yata).
ENDINGS: Final = frozenset(
    [
        "",
        *"a y i e o u ya ii iya yy yi iy ij yj aya oe ogo oy oi ykh ikh om ami".split(),
        *"iyu ie iei ei yu ov am ah akh".split(),
        *"na ni no ne en nyy nyi naya noe nogo nykh noy nye nyye ska ski sko".split(),
        *"ta to te ite yata iyata ata ot".split(),
    ]
)
_LONGEST_ENDING: Final = max(len(e) for e in ENDINGS)


#: Stems this short are read in Cyrillic words only: romanised lists write TORGOVYI
#: and KOMPANIYA, but a Latin SILO, FONDA or BOYNE is no Russian word.
_LATIN_MIN_STEM: Final = 5


@lru_cache(maxsize=100_000)
def english_word(latin: str, cyrillic: bool = True) -> str | None:
    """The English word a romanised Cyrillic word of a body's name stands for
    (partiyata: party, vaorazhena: armed, finansovaya: financial), or None.
    ``cyrillic`` is False for a word written in Latin letters."""
    if cyrillic and latin in FUNCTION_WORDS:
        return FUNCTION_WORDS[latin]
    for cut in range(min(_LONGEST_ENDING, len(latin) - 3) + 1):
        stem, ending = latin[: len(latin) - cut], latin[len(latin) - cut :]
        if ending in ENDINGS:
            word = STEMS.get(stem)
            if word is not None and (cyrillic or len(stem) >= _LATIN_MIN_STEM):
                return word
    return None
