"""Turning a name string into weighted, comparable tokens.

Every name, listed or queried, goes through the same steps so that comparison is
symmetric: clean-up (invisible characters, homoglyphs, diacritics), per-script
romanisation (Cyrillic table, Chinese glossary and pinyin, ICU for the rest),
company forms pulled out as a type (``OOO``, ``Limited Liability Company`` and
``有限公司`` all become ``llc``), name symbols from ``rigour`` (Дмитрий and Dmitriy
share a Wikidata name id), and a kind per token that sets its weight: generic
words such as *Electronics* or *Trading* weigh little, so they alone never make a hit.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from itertools import pairwise
from typing import Final, NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import OSA
from rigour.names import NameTypeTag, analyze_names, extract_org_types

from redline.match.chinese import ROMANISATION_EQUIVALENTS, han_to_tokens, has_han
from redline.match.glossary import english_word
from redline.match.text import (
    ARABIC,
    CYRILLIC,
    HAN,
    HANGUL,
    clean_name,
    consonants,
    fix_homoglyphs,
    latin_context,
    phonetic,
    romanise,
    script_of,
    split_tokens,
)

NAME: Final = "name"
GENERIC: Final = "generic"
LOCATION: Final = "location"
PARTICLE: Final = "particle"
INITIAL: Final = "initial"
NUMBER: Final = "number"

#: Base weight of a token by kind, before frequency damping.
KIND_WEIGHTS: Final = {
    NAME: 1.0,
    GENERIC: 0.2,
    LOCATION: 0.35,
    PARTICLE: 0.15,
    INITIAL: 0.3,
    NUMBER: 0.6,
}

# Words that describe what a firm does or how it is organised, not which firm it is.
# rigour tags many of them as "domain" symbols too; this list covers the rest.  Persian
# ones as Iranian firms' names spell them: sherkat (company), sanat and sanaye
# (industry, industries: SANAYE MOTORSAZI ALVAND PRIVATE COMPANY).
GENERIC_WORDS: Final = frozenset(
    """
    electronics electronic electronica elektronik technology technologies tech trading trade
    traders international intl group holding holdings industrial industries industry company
    co corporation corp limited ltd development import export imp exp investment investments
    logistics shipping services service solutions systems system engineering manufacturing
    enterprise enterprises global general commercial bank partners partnership supply
    supplies import-export components component semiconductor semiconductors
    microelectronics equipment machinery products product materials chemical chemicals
    energy petroleum oil gas aviation marine maritime transport transportation management
    consulting network networks software instrument instruments precision research institute
    university center centre foundation association trust capital finance financial fund the
    maru no
    and of for on in to by with from de la des del y e et und new first star national state
    organization
    organisation organizations establishment department ministry office agency authority
    administration express airways airlines complex plant factory works production
    scientific science sciences technical technological academy bureau directorate committee
    council commission union federal republic people peoples sanayi ticaret ve ithalat
    ihracat insaat pazarlama bilgisayar telekomunikasyon mining metals metal steel
    construction building real estate property properties insurance exchange currency money
    transfer commerce marketing agricultural agriculture medical pharmaceutical pharma
    automation automotive motor motors post postal media communications telecom power
    electric electrical concern private freight cargo forwarding yard shipyard dockyard
    battalion battalions regiment
    sherkat sanat sanaye sanaat
    """.split()
)

#: Directions and regions that name places, not firms.
LOCATION_WORDS: Final = frozenset(
    """
    east west north south middle central eastern western northern southern asia europe
    africa america pacific atlantic gulf orient oriental eurasia asian european african
    """.split()
)

#: Words of company-form phrases; a query word one typo away from one is read as it,
#: so that "JOINT STOTCK COMPANY" still loses its form like "JOINT STOCK COMPANY".
FORM_WORDS: Final = (
    "limited",
    "liability",
    "company",
    "joint",
    "stock",
    "closed",
    "open",
    "public",
    "private",
    "corporation",
    "incorporated",
    "partnership",
    "aktsionernoe",
    "obshchestvo",
    "ogranichennoi",
    "ogranichennoy",
    "otvetstvennostyu",
    "otvetstvennostiu",
    "zakrytoe",
    "otkrytoe",
    "publichnoe",
    "gesellschaft",
    "beschrankter",
    "haftung",
    "aktiengesellschaft",
    "societe",
    "responsabilite",
    "limitee",
    "sociedad",
    "responsabilidad",
    "limitada",
    "anonima",
    "anonim",
    "sirketi",
    "unitary",
)
FORM_WORD_SET: Final = frozenset(FORM_WORDS)


@lru_cache(maxsize=100_000)
def form_word_near(token: str) -> str | None:
    """The company-form word ``token`` is a typo of: one letter off, or OSA similarity
    above 0.8 for longer words (rapidfuzz's cutoff drops pairs exactly at it)."""
    if len(token) < 5 or token in FORM_WORD_SET or not token.isalpha():
        return None
    found = process.extractOne(
        token, FORM_WORDS, scorer=OSA.normalized_similarity, score_cutoff=0.8
    )
    if found is not None:
        return str(found[0])
    return next(
        (w for w in FORM_WORDS if abs(len(w) - len(token)) <= 1 and OSA.distance(token, w) == 1),
        None,
    )


#: Neighbouring words of multi-word company forms (joint stock company, limited
#: liability company, aktsionernoe obshchestvo...).
_FORM_BIGRAMS: Final = frozenset(
    pair
    for phrase in (
        "closed joint stock company",
        "open joint stock company",
        "public joint stock company",
        "private joint stock company",
        "limited liability company",
        "limited liability partnership",
        "zakrytoe aktsionernoe obshchestvo",
        "otkrytoe aktsionernoe obshchestvo",
        "publichnoe aktsionernoe obshchestvo",
        "obshchestvo s ogranichennoy otvetstvennostyu",
        "gesellschaft mit beschrankter haftung",
        "societe a responsabilite limitee",
        "sociedad de responsabilidad limitada",
        "sociedad anonima",
        "anonim sirketi",
        "limited sirketi",
        "aktsionernoe obshchestvo",
        "obshchestvo s ogranichennoi otvetstvennostiu",
        "ogranichennoi otvetstvennostyu",
        "ogranichennoy otvetstvennostiu",
    )
    for pair in pairwise(phrase.split())
)


def _correct_form_context(tokens: list[str]) -> list[str]:
    """A word that misspells a company-form word is that word where it completes a
    form with its neighbour: "PBLIC JOINT STOCK COMPANY", "CLOSED JOINT STTCK
    COMPANY", "JOIQT STOCK COMMERCIAL BANK", "Limited Liability Compayn".  Elsewhere
    it is a word of the name: OTKRITIE (a bank) is no OTKRYTOE (open), POINT no JOINT."""
    fixed = list(tokens)
    for _ in range(2):  # twice: a misspelt word may stand next to another (PBLIC JOIQT)
        for i, token in enumerate(fixed):
            word = form_word_near(token)
            if word is None:
                continue
            before = fixed[i - 1] if i > 0 else ""
            after = form_word_near(fixed[i + 1]) or fixed[i + 1] if i + 1 < len(fixed) else ""
            if (before, word) in _FORM_BIGRAMS or (word, after) in _FORM_BIGRAMS:
                fixed[i] = word
    return fixed


#: Abbreviations lists and customers use for words other names spell out.
#: Written out, the abbreviated generic words of firms' names pair with their full
#: spelling (UNITED INSTRUMENT MANUFACTURING CORP. / CORPORATION, RUST CLOSED
#: JOINT-STOCK CO / COMPANY), and forms spelt with them are recognised as forms.
ABBREVIATIONS: Final = {
    "hk": ("hong", "kong"),
    "hongkong": ("hong", "kong"),
    "corp": ("corporation",),
    "co": ("company",),
    "intl": ("international",),
    "mfg": ("manufacturing",),
}

PARTICLES: Final = frozenset(
    [
        "al",
        "el",
        "ad",
        "ar",
        "as",
        "at",
        "az",
        "an",
        "bin",
        "ben",
        "ibn",
        "bint",
        "binti",
        "abu",
        "abou",
        "um",
        "umm",
        "de",
        "da",
        "di",
        "du",
        "del",
        "della",
        "dos",
        "das",
        "van",
        "von",
        "der",
        "den",
        "la",
        "le",
        "ter",
        "ould",
        # Arabic "and" (Jama'at al-Tawhid wa'al-Jihad), East African "son of" (Baudoin
        # Ngaruye wa Myamuro).
        "wa",
    ]
)


class Token(NamedTuple):
    """One word of a name, in the forms comparison needs.

    A named tuple rather than a dataclass: a saved index holds hundreds of thousands
    of tokens, and tuples unpickle several times faster.
    """

    latin: str
    phon: str
    cons: str
    symbols: frozenset[str]
    kind: str
    #: Written without short vowels (Arabic script): compare by consonants.
    vowelless: bool = False


class PreparedName(NamedTuple):
    """A name ready for indexing and comparison."""

    original: str
    tokens: tuple[Token, ...]
    org_types: frozenset[str]
    scripts: frozenset[str]
    transforms: tuple[str, ...]

    @property
    def latin(self) -> str:
        return " ".join(t.latin for t in self.tokens)


_TRANSFORM_LABELS: Final = {
    CYRILLIC: "Cyrillic romanised (BGN/PCGN-style table)",
    HAN: "Chinese: generic words translated, the rest to pinyin",
    ARABIC: "Arabic romanised (ICU), compared by consonant skeleton",
    HANGUL: "Korean romanised (ICU, Revised Romanisation)",
}


def arabic_long_vowels(latin: str) -> str:
    """Read و and ي (romanised w, y) inside an Arabic word as the long vowels u, i
    they usually are (لونيسي: lwnysy -> lunisi, as Latin lists write Lounici; علي:
    ly -> li, Ali)."""
    if len(latin) < 2:
        return latin
    return latin[0] + latin[1:].replace("w", "u").replace("y", "i")


def arabic_final_a(word: str, following: str = "", definite: bool = False) -> str:
    """A word-final ة or ه after a consonant is the vowel "a" in Latin spellings
    (جمعه: Juma, Jumah; فاطمة: Fatima), not a consonant h; ة before a noun with the
    article, or before another noun, is read "at" (عصبة الأنصار: Asbat al-Ansar;
    جمعية احياء التراث: Jamiat Ihia al-Turath).

    ة after و or ي is "a" too: there they are consonants or the ending -iya
    (سليوة: Slaiwah, الإسلامية: al-Islamiya); only after ا is it "t" (حياة: Hayat).
    A word that has the article itself (``definite``) is never the first noun of a
    construct, but an adjective: الجماعة الإسلامية المسلحة is al-Jama'ah
    al-Islamiah al-Musallah, not al-Jama'at."""
    if len(word) >= 3 and word[-1] == "ة" and word[-2] != "ا":
        if following and script_of(following) == ARABIC and not definite:
            return word[:-1] + "ت"
        return word[:-1] + "ا"
    if len(word) >= 3 and word[-1] == "ه" and word[-2] not in "اوي":
        return word[:-1] + "ا"
    return word


_AYN: Final = "ع"


def arabic_initial_ayn(word: str) -> str:
    """A word-initial ع (ayn) before a consonant or ي is a vowel in Latin spellings,
    almost always A or E, sometimes I (علي: Ali; عماد: Emad; العوادي: al-Aouadi;
    عيسى: Essa, Issa); the romaniser drops it, leaving علي as "ly".  Read as alif (ا)
    it keeps the vowel its renderings start with."""
    if len(word) >= 3 and word[0] == _AYN and word[1] not in "اأإآ":
        return "ا" + word[1:]
    return word


#: Letters that only Persian, Urdu and Pashto write (pe, che, zhe, gaf, keheh, farsi
#: yeh): a name with one of them is read the Persian way.
_PERSIAN_LETTERS: Final = frozenset("پچژگکیۀ")
#: Persian pronounces ض ذ ظ as z and ث as s, and Iranian and Afghan lists spell them
#: so: رضا is Reza (Arabic Rida, Ridha), رضایی Rezaei, غیاث الدین Ghiasuddin
#: (Arabic Ghiyath al-Din), ذاکر Zaker.  (ق stays q: Iranian lists write gh
#: (Bagheri), Afghan ones q (Haqqani, Atiqullah).)
_PERSIAN_READINGS: Final = str.maketrans({"ض": "ز", "ذ": "ز", "ظ": "ز", "ث": "س"})


def persian_readings(word: str) -> str:
    """``word`` with the Arabic letters Persian reads as z and s written as ز and س."""
    return word.translate(_PERSIAN_READINGS)


#: Company-form abbreviations that files glue onto a neighbouring word
#: ("SistemyLLC", "JSCNPO", "GROUPCJSC"); none ends or starts an ordinary word.
_GLUED_SUFFIXES: Final = ("cjsc", "pjsc", "ojsc", "jsc", "llc", "ltd", "gmbh")
_GLUED_PREFIXES: Final = ("cjsc", "pjsc", "ojsc", "jsc", "llc", "ooo", "oao", "zao", "pao")


def _unglue_forms(tokens: list[str]) -> list[str]:
    """Split a company-form abbreviation off the word it was written onto."""
    result: list[str] = []
    for token in tokens:
        folded = token.casefold()
        if len(folded) >= 6 and folded.isascii() and folded.isalpha():
            suffix = next((f for f in _GLUED_SUFFIXES if folded.endswith(f)), None)
            if suffix is not None and len(folded) - len(suffix) >= 3:
                result.extend((token[: -len(suffix)], token[-len(suffix) :]))
                continue
            prefix = next((f for f in _GLUED_PREFIXES if folded.startswith(f)), None)
            if prefix is not None and len(folded) - len(prefix) >= 3:
                result.extend((token[: len(prefix)], token[len(prefix) :]))
                continue
        result.append(token)
    return result


_ALLAH: Final = "الله"
_DIN: Final = "الدين"
_ARABIC_LETTER_FORMS: Final = str.maketrans({"ھ": "ه", "ۀ": "ه", "ە": "ه", "ی": "ي", "ک": "ك"})


def normalise_arabic_letters(word: str) -> str:
    """Persian and Urdu forms of Arabic letters as the Arabic ones (ھ, ی, ک), which
    the romaniser otherwise drops or reads apart; a final ى (alif maqsura) is the
    vowel "a" (مصطفى: Mustafa, موسى: Musa)."""
    word = word.translate(_ARABIC_LETTER_FORMS)
    if len(word) >= 3 and word.endswith("ى"):
        word = word[:-1] + "ا"
    return word


#: Arabic and Persian words for what a body is, in English: lists write "MUHAMMAD JAMAL
#: GROUP" for UN's شبكة محمد جمال, "... PRIVATE COMPANY" for شرکت ...  As romanised
#: letters (shbkt, shrkt) they would count as distinctive name words.  Not صنعت and
#: صنایع (industry, industries): Iranian firms' Latin names keep them as Sanat, Sanaye.
_ARABIC_GENERIC: Final = {
    normalise_arabic_letters(word): english
    for words, english in (
        (("شركة", "شرکت", "شركت"), "company"),
        (("مجموعة", "مجموعه", "گروه"), "group"),
        (("شبكة", "شبکه"), "network"),
        (("مؤسسة", "موسسه", "مؤسسه"), "establishment"),
        (("بنك", "بانک", "مصرف"), "bank"),
        (("تجارة", "تجارت"), "trading"),
        (("منظمة", "سازمان"), "organization"),
    )
    for word in words
}

_ABD: Final = "عبد"
_ABU: Final = "ابو"
_ZADEH: Final = "زاده"


def _arabic_compound(
    raw: str, previous: str, latin_tokens: list[str], vowelless: set[int]
) -> list[str] | None:
    """Names built on "Allah", "Abd" or "al-Din" the way Latin lists write them, or
    ``None`` for any other word.  Read letter by letter, الله would lose its article and
    become "lh": عبد الله and عبدالله are Abdullah, نجيب الله is Najibullah, الله داد is
    Allah Dad, نور الدين is Noureddine."""
    if raw == _DIN and latin_tokens and previous and script_of(previous) == ARABIC:
        # Nur al-Din, Shams al-Din: Noureddine, Shamsuddin, as one word.
        latin_tokens[-1] = latin_tokens[-1] + "uddin"
        return []
    if raw == _ALLAH:
        if previous == _ABD and latin_tokens:
            latin_tokens.pop()
            vowelless.discard(len(latin_tokens))
            return ["abdullah"]
        if latin_tokens and previous and script_of(previous) == ARABIC:
            # Fused into the word before it, which stays compared by consonants.
            latin_tokens[-1] = latin_tokens[-1] + "ullah"
            return []
        return ["allah"]
    if raw == _ZADEH and latin_tokens and previous and script_of(previous) == ARABIC:
        # Persian "-zadeh" (son of) is written apart, but joined in Latin:
        # وهاب زاده مقدم is Vahabzadeh Moghadam.
        latin_tokens[-1] = latin_tokens[-1] + "zada"
        return []
    if raw.replace("أ", "ا", 1).startswith(_ABU + "ال") and len(raw) > len(_ABU) + 3:
        # Abu written onto the name it heads (أبواليزيد: Abou El Yazid).
        rest = romanise(arabic_initial_ayn(raw[len(_ABU) + 2 :]))
        if not rest:
            return None
        vowelless.add(len(latin_tokens) + 2)
        return ["abu", "al", arabic_long_vowels(rest)]
    if raw.startswith(_ABD) and len(raw) > len(_ABD) + 1:
        rest = raw[len(_ABD) :]
        if rest == _ALLAH:
            return ["abdullah"]
        if rest.startswith("ال"):
            rest = rest[2:]
        latin = romanise(rest)
        if not latin:
            return None
        vowelless.add(len(latin_tokens) + 1)
        return ["abdul", arabic_long_vowels(latin)]
    return None


@lru_cache(maxsize=300_000)
def prepare_name(
    text: str, person: bool | None = None, symbols: bool = True, forms: bool = True
) -> PreparedName | None:
    """Analyse ``text``; ``person`` is True for people, False for organisations/things,
    None when unknown.  Returns None for a name with no letters or digits.

    ``symbols=False`` skips rigour's person-name symbols, whose tables take several
    seconds to load: queries take their symbols from the index vocabulary instead
    (:meth:`NameIndex.attach_symbols`).  ``forms=False`` keeps company-form words as
    name words: a vessel or an aircraft has no company form (EP-IAG, not "EP" + IAG).
    """
    want_symbols = symbols
    cleaned = clean_name(text)
    raw_tokens = split_tokens(cleaned)
    if not raw_tokens:
        return None
    if person is True:
        # Only for people: a firm's comma sets off its form ("United Electronics Group
        # Co., Ltd.") or its other name, not a surname.
        raw_tokens = _given_names_first(cleaned, raw_tokens)
    if person is not True and forms:
        raw_tokens = _unglue_forms(raw_tokens)
    transforms: list[str] = []
    scripts: set[str] = set()
    latin_tokens: list[str] = []
    part_symbols: list[set[str]] = []
    vowelless: set[int] = set()
    cyrillic: set[int] = set()
    homoglyphs = False
    looks_latin = latin_context(raw_tokens)
    persian = not _PERSIAN_LETTERS.isdisjoint(cleaned)
    previous = ""
    for at, raw in enumerate(raw_tokens):
        following = raw_tokens[at + 1] if at + 1 < len(raw_tokens) else ""
        fixed = fix_homoglyphs(raw, looks_latin)
        homoglyphs |= fixed != raw
        raw = fixed
        script = script_of(raw)
        scripts.add(script)
        if has_han(raw):
            for latin in han_to_tokens(raw):
                if not latin:
                    continue
                latin_tokens.append(latin)
                part_symbols.append(set())
            continue
        if script == ARABIC:
            raw = normalise_arabic_letters(raw)
            special = _arabic_compound(raw, previous, latin_tokens, vowelless)
            previous = raw
            if special is not None:
                for latin in special:
                    latin_tokens.append(latin)
                    part_symbols.append(set())
                continue
        previous = raw
        definite = False
        if script == ARABIC and raw.startswith("ال") and len(raw) > 3:
            # The Arabic article is written joined to the noun; lists write "al-".
            latin_tokens.append("al")
            part_symbols.append(set())
            raw = raw[2:]
            definite = True
        if script == ARABIC and person is not True and raw in _ARABIC_GENERIC:
            # Read as the English word lists write for it (and weighed as generic).
            latin_tokens.append(_ARABIC_GENERIC[raw])
            part_symbols.append(set())
            continue
        spelt = raw
        if script == ARABIC:
            # The construct "-at" belongs to bodies' names (Asbat al-Ansar), not to
            # people's (Osama al-Kuni).
            raw = arabic_final_a(raw, following if person is not True else "", definite)
            # Read for romanising only: name symbols are looked up as written.
            spelt = arabic_initial_ayn(persian_readings(raw) if persian else raw)
        latin = romanise(spelt)
        if latin in ABBREVIATIONS and person is not True:
            for word in ABBREVIATIONS[latin]:
                latin_tokens.append(word)
                part_symbols.append(set())
            continue
        if latin:
            if script == CYRILLIC:
                cyrillic.add(len(latin_tokens))
            if script == ARABIC:
                vowelless.add(len(latin_tokens))
                latin = arabic_long_vowels(latin)
            latin_tokens.append(latin)
            part_symbols.append(set(_name_symbols(raw, person)) if want_symbols else set())
    if homoglyphs:
        transforms.append("look-alike letters of other scripts read as Latin")
    transforms.extend(_TRANSFORM_LABELS[s] for s in sorted(scripts) if s in _TRANSFORM_LABELS)
    if not latin_tokens:
        return None

    if person is not True:
        latin_tokens = _roman_numerals(latin_tokens, single_letters=not forms)
    org_types: set[str] = set()
    drop: set[int] = set()
    if person is not True and forms:
        translated = [english_word(t, i in cyrillic) or t for i, t in enumerate(latin_tokens)]
        if translated != latin_tokens:
            transforms.append("common words of bodies' names read in English")
        latin_tokens = _correct_form_context(translated)
        org_types, drop = _org_types(latin_tokens, text)
        if org_types:
            transforms.append("company form as type: " + ", ".join(sorted(org_types)))
    _join_abd_al(latin_tokens, part_symbols, vowelless, drop)
    if person is not False:
        # People's names only: bodies keep the words apart (Ansar al-Din, Ansar Dine).
        _join_al_din(latin_tokens, drop)
    kept = [i for i in range(len(latin_tokens)) if i not in drop]
    locations, domains = _spans(" ".join(latin_tokens[i] for i in kept), len(kept), person)

    tokens = []
    for position, i in enumerate(kept):
        latin = latin_tokens[i]
        phon = phonetic(latin)
        token_symbols = part_symbols[i] | _romanisation_symbols(phon)
        kind = _kind(latin, position in locations, position in domains, person)
        tokens.append(
            Token(latin, phon, consonants(phon), frozenset(token_symbols), kind, i in vowelless)
        )
    if not tokens:
        # A name that is nothing but a company form ("Limited") keeps its words.
        tokens = [
            Token(t, phonetic(t), consonants(phonetic(t)), frozenset(), GENERIC)
            for t in latin_tokens
        ]
    return PreparedName(
        original=text,
        tokens=tuple(tokens),
        org_types=frozenset(org_types),
        scripts=frozenset(scripts),
        transforms=tuple(transforms),
    )


def _given_names_first(cleaned: str, tokens: list[str]) -> list[str]:
    """A person's name written "SURNAME, Given Names" in the order people write it,
    given names first.  The words' order does not decide which pair up, but it tells
    the words a shorter form leaves out in the middle (a father's and grandfather's
    names: NAJJAR, Khamis Jawdat Khamis / NAJJAR, Khamis) from a surname left out."""
    if cleaned.count(",") != 1:
        return tokens
    family, given = (split_tokens(part) for part in cleaned.split(","))
    if not family or not given or family + given != tokens:
        return tokens
    return given + family


#: "Abd" as lists write it before the article: ABED AL RAHMAAN for Abdul Rahman.
_ABD_SPELLINGS: Final = ("abd", "bd", "abed")


def _join_abd_al(
    tokens: list[str], symbols: list[set[str]], vowelless: set[int], drop: set[int]
) -> None:
    """Abd al-Rahman, Abd el Kader, عبد الرحمن: write the "abd al" prefix as one word,
    "abdul", the way most lists do (Abdul Rahman, Abdulrahman)."""
    for i in range(len(tokens) - 1):
        if i in drop or i + 1 in drop:
            continue
        if tokens[i] in _ABD_SPELLINGS and tokens[i + 1] in ("al", "el", "ul", "ol", "l"):
            tokens[i] = "abdul"
            symbols[i] = symbols[i] | symbols[i + 1]
            vowelless.discard(i)
            drop.add(i + 1)
        elif (
            tokens[i] in _ABD_SPELLINGS
            and tokens[i + 1][:2] in ("al", "el", "ul")
            and len(tokens[i + 1]) >= 5
        ):
            # Abd alAziz, Abd-alNasir: the article written onto the name.
            tokens[i] = "abdul"
            tokens[i + 1] = tokens[i + 1][2:]
            vowelless.discard(i)


#: Latin spellings of the article before "Din" (Nur al-Din, Emad El-Din, Ala ud Din).
_AL_FORMS: Final = frozenset({"al", "el", "ul", "ud", "ed", "ad", "id", "d"})
_DIN_FORMS: Final = frozenset({"din", "deen", "dine", "dean"})
#: "al-Din" written as one word after the name (Salah Eddine, Nour Uddin).
_JOINED_DIN: Final = frozenset(
    {"eddine", "eddin", "uddin", "uddine", "addin", "addine", "iddin", "aldin", "eldin", "udin"}
)


def _join_al_din(tokens: list[str], drop: set[int]) -> None:
    """Names in "al-Din" (of the faith) as one word, "Nuruddin", the way Arabic script
    reads them here (نور الدين; :func:`_arabic_compound`) and many lists write them
    (Noureddine, Salahuddin): UN writes AL-DABSKI, Salim Nur al-Din and Louai Emad
    El-Din AL-MUNAJDID, which must meet سالم نور الدين and لؤي عماد الدين."""
    for i in range(len(tokens) - 1):
        if i in drop or len(tokens[i]) < 2 or tokens[i] in PARTICLES or not tokens[i].isalpha():
            continue
        if (
            i + 2 < len(tokens)
            and tokens[i + 1] in _AL_FORMS
            and tokens[i + 2] in _DIN_FORMS
            and not {i + 1, i + 2} & drop
        ):
            tokens[i] = tokens[i] + "uddin"
            drop.update((i + 1, i + 2))
        elif tokens[i + 1] in _JOINED_DIN and i + 1 not in drop:
            tokens[i] = tokens[i] + "uddin"
            drop.add(i + 1)


_GENERIC_LIST: Final = sorted(GENERIC_WORDS | LOCATION_WORDS)


@lru_cache(maxsize=100_000)
def generic_typo(token: str) -> str | None:
    """The generic word ``token`` misspells (INDUSORY, LGISTICS), if it is one typo away.

    Strict on purpose (six letters or more, OSA similarity 0.85 or more): a firm's
    own name close to a generic word (TRADEX) must stay distinctive.
    """
    if len(token) < 6 or token in GENERIC_WORDS or not token.isalpha():
        return None
    found = process.extractOne(
        token, _GENERIC_LIST, scorer=OSA.normalized_similarity, score_cutoff=0.85
    )
    return found[0] if found is not None else None


#: Honorifics and ranks written before people's names on the lists and in customer
#: files (Haji Khairullah, Mullah Akhtar, Qari Din Mohammad, General Nkunda, Dr.):
#: read like particles, so that one side having it and the other not costs little,
#: and it never makes a hit by itself.  Words that are also given names (Sayed, Imam,
#: Hafiz) are left out.
TITLES: Final = frozenset(
    """
    haji hajji hadji alhaji alhaj mullah mulla mollah maulawi mawlawi maulvi moulvi maulana
    mawlana qari sheikh shaikh shaykh sheik shaik mufti ustad ustadh general gen dr doctor
    prof professor colonel col major captain capt commander lieutenant mr mrs ms sir engr
    """.split()
)


_ROMAN: Final = {
    "ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8", "ix": "9",
    "xi": "11", "xii": "12", "xiii": "13", "xiv": "14", "xv": "15",
}  # fmt: skip
_ROMAN_LETTERS: Final = {"i": "1"}


def _roman_numerals(tokens: list[str], single_letters: bool) -> list[str]:
    """Roman numerals after a name's first word as digits: vessels and bodies are
    numbered both ways (ARGO I / ARGO 1, ARK III / ARK 3).  A single I only in a
    vessel's or an aircraft's name: elsewhere it is an initial (C&I SEMICONDUCTORS)."""
    table = _ROMAN | _ROMAN_LETTERS if single_letters else _ROMAN
    return [tokens[0], *(table.get(t, t) for t in tokens[1:])] if tokens else tokens


def _kind(latin: str, location: bool, domain: bool, person: bool | None) -> str:
    if latin.isdigit():
        return NUMBER
    if len(latin) == 1:
        return INITIAL
    if latin in PARTICLES or (person is not False and latin in TITLES):
        return PARTICLE
    if person is not True:
        typo_of = None if (domain or location) else generic_typo(latin)
        if domain or latin in GENERIC_WORDS or typo_of in GENERIC_WORDS:
            return GENERIC
        if location or latin in LOCATION_WORDS or typo_of in LOCATION_WORDS:
            return LOCATION
    return NAME


@lru_cache(maxsize=200_000)
def _name_symbols(token: str, person: bool | None) -> frozenset[str]:
    """rigour's name ids (Wikidata) for a single token, across scripts."""
    if person is False or len(token) < 2:
        return frozenset()
    found: set[str] = set()
    for name in analyze_names(NameTypeTag.PER, [token]):
        for span in name.spans:
            if str(span.symbol.category).endswith("NAME"):
                found.add(str(span.symbol.id))
    return frozenset(found)


def _romanisation_symbols(phon: str) -> set[str]:
    equivalent = ROMANISATION_EQUIVALENTS.get(phon)
    if equivalent is not None:
        return {f"py:{equivalent}"}
    if phon in _PINYIN_TARGETS:
        return {f"py:{phon}"}
    return set()


_PINYIN_TARGETS: Final = frozenset(ROMANISATION_EQUIVALENTS.values())


#: Two-letter company forms that languages write before the name.
_LEADING_FORMS: Final = frozenset({"ab", "ao", "pt", "cv", "ud", "ip", "tk"})
#: Words that qualify a company form next to it ("PVT LTD", "(PRIVATE) LIMITED").
_FORM_QUALIFIERS: Final = frozenset(
    {"pvt", "private", "pte", "pty", "company", "co", "corp", "corporation"}
)
_FORM_NEIGHBOURS: Final = _FORM_QUALIFIERS | FORM_WORD_SET
#: ASCII spellings of forms rigour knows only with their diacritics or dots.
_EXTRA_FORMS: tuple[tuple[tuple[str, ...], str], ...] = (
    # The Soviet-era forms AOOT and AOZT, "joint stock company of the open (closed)
    # type", which lists write after the modern form: OTKRYTOE AKTSIONERNOE OBSHCHESTVO
    # OTKRYTOGO TIPA KRYLOVSKI ELEVATOR is KRYLOVSKI ELEVATOR, OAO.
    (("otkrytogo", "tipa"), "jsc"),
    (("zakrytogo", "tipa"), "jsc"),
    (("anonim", "sirketi"), "jsc"),
    (("limited", "sirketi"), "llc"),
    (("ltd", "sti"), "llc"),
    (("gesellschaft", "mit", "beschrankter", "haftung"), "llc"),
    (("societe", "anonyme"), "jsc"),
    # UAE free-zone forms rigour does not know by these spellings (it knows FZE, FZCO,
    # FZLLC and "free zone company"): CRYNOFIST AVIATION FZC, KOBOLT TRADING FZ LLC,
    # "... FREE ZONE LIMITED LIABILITY COMPANY".
    (("free", "zone", "limited", "liability", "company"), "llc"),
    (("fz", "llc"), "llc"),
    (("fz", "company"), "llc"),
    (("fzc",), "llc"),
    (("a", "s"), "jsc"),
    # Turkish A.Ş. (anonim şirketi) once ş is written out as "sh".
    (("ash",), "jsc"),
    (("a", "sh"), "jsc"),
)


#: Forms that are ordinary words anywhere but at a name's end (A S, ASH).
_LAST_ONLY_FORMS: Final = frozenset({("a", "s"), ("ash",), ("a", "sh")})


def _org_types(tokens: list[str], original: str) -> tuple[set[str], set[int]]:
    """Generic company types in the token list, and which token positions they cover.

    rigour's tables spell forms with their diacritics and dots ("gesellschaft mit
    beschränkter haftung", "a.s."), so the original text is searched first, then
    the romanised tokens (Cyrillic forms, Chinese glossary output).
    """
    types: set[str] = set()
    covered: set[int] = set()
    # Longer ASCII spellings first, so rigour's shorter match inside them ("sirketi"
    # in "anonim sirketi") does not take their place.
    for words, generic in _EXTRA_FORMS:
        n = len(words)
        last_only = words in _LAST_ONLY_FORMS  # "A S" only as a name's last words
        for start in range(len(tokens) - n + 1):
            span = set(range(start, start + n))
            if last_only and start + n != len(tokens):
                continue
            if tuple(tokens[start : start + n]) == words and not covered & span:
                covered.update(span)
                types.add(generic)
    source = unicodedata.normalize("NFC", original).casefold()
    for text in (source, " ".join(tokens)):
        for matched, generic in extract_org_types(text, generic=True):
            found = [romanise(w) for w in split_tokens(clean_name(matched))]
            n = len(found)
            if n == 0:
                continue
            for start in range(len(tokens) - n + 1):
                if start == 0 and n == 1 and len(found[0]) <= 2 and found[0] not in _LEADING_FORMS:
                    # SF Express, SF Holding: two letters before the name are a brand,
                    # unless a language writes its form first (AB Volvo, PT Pertamina).
                    continue
                span = set(range(start, start + n))
                if tokens[start : start + n] == found and not covered & span:
                    covered.update(span)
                    types.add(generic)
                    break
    # Words of a form next to a found one belong to it: "PUBLIC" before the "JOINT
    # STOCK COMPANY" that the original text's typo ("PBLIC") kept rigour from taking
    # whole, "(PRIVATE) LIMITED", "LIABILITY COMPANY".
    grown = bool(covered)
    while grown:
        grown = False
        for i, token in enumerate(tokens):
            if i not in covered and token in _FORM_NEIGHBOURS and {i - 1, i + 1} & covered:
                covered.add(i)
                grown = True
    return types, covered


def _spans(text: str, count: int, person: bool | None) -> tuple[set[int], set[int]]:
    """Token positions rigour recognises as locations and as business domains."""
    if person is True:
        return set(), set()
    locations: set[int] = set()
    domains: set[int] = set()
    for name in analyze_names(NameTypeTag.ORG, [text]):
        if len(name.parts) != count:
            return set(), set()
        index = {id(part): i for i, part in enumerate(name.parts)}
        for span in name.spans:
            category = str(span.symbol.category)
            target = (
                locations
                if category.endswith("LOCATION")
                else domains
                if category.endswith("DOMAIN")
                else None
            )
            if target is None:
                continue
            for part in span.parts:
                position = index.get(id(part))
                if position is not None:
                    target.add(position)
    return locations, domains
