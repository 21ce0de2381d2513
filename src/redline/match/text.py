"""Script-aware text clean-up and romanisation of name tokens.

Names reach us in Latin, Cyrillic, Chinese, Arabic, Korean and more, written with
look-alike letters, invisible characters and several romanisation schemes.  This
module turns any token into comparable Latin keys:

* ``latin``: a lower-case ASCII romanisation;
* ``phon``: ``latin`` with romanisation variants folded (Dmitriy, Dmitry, Dmitrii ->
  ``dmitri``; Yevgeny, Evgenii -> ``evgeni``; Khodorkovsky -> ``hodorkovski``);
* ``cons``: a consonant skeleton of ``phon`` (Mohammed, Muhammad -> ``mhmd``),
  which also bridges Arabic script, whose short vowels are not written.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

from normality import ascii_text

# Own Cyrillic table (BGN/PCGN-like) rather than ICU's default ISO 9 transliteration:
# lists romanise Russian and Ukrainian names with BGN/PCGN or passport rules
# (Kh, Shch, Ts, Yu), while ICU maps Х->H, Щ->S, Ц->C, Ю->U, losing letters that the
# phonetic folding below needs.  Measured on the dev set: see BENCHMARKS.md.
_CYRILLIC: Final = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u", "ј": "j", "љ": "lj",
    "њ": "nj", "ћ": "c", "ђ": "dj", "џ": "dz", "ѓ": "g", "ќ": "k", "ѕ": "dz",
}  # fmt: skip

# Letters of other scripts that look like Latin ones; a Latin-looking token mixing
# them in is almost always a spoofed or mistyped Latin word.
_HOMOGLYPHS: Final = {
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x",
}  # fmt: skip

_INVISIBLE_CATEGORIES: Final = frozenset({"Cf", "Cc", "Co", "Cn", "Mn", "Me"})
_TOKEN_SPLIT: Final = re.compile(r"[^\w]+|_", re.UNICODE)

LATIN, CYRILLIC, HAN, ARABIC, HANGUL, OTHER = (
    "latin",
    "cyrillic",
    "han",
    "arabic",
    "hangul",
    "other",
)


#: Latin letters whose diacritic makes another sound, written out before diacritics go:
#: Turkish, Azerbaijani and Romanian ş/ș are "sh" in English spellings (Ilan Şor: SHOR).
_SPELLED_OUT: Final = str.maketrans({"ş": "sh", "Ş": "sh", "ș": "sh", "Ș": "sh"})


def clean_name(text: str) -> str:
    """NFKC, case-folded, with invisible characters, diacritics' marks and homoglyphs handled.

    Keeps every script; only removes what cannot be seen or is not part of a word.
    """
    text = unicodedata.normalize("NFKC", text).translate(_SPELLED_OUT)
    decomposed = unicodedata.normalize("NFD", text.casefold())
    kept = []
    for char in decomposed:
        category = unicodedata.category(char)
        if category in _INVISIBLE_CATEGORIES:
            # Combining marks of Cyrillic й/ё are restored by NFC below; Latin diacritics go.
            if category == "Mn" and char in "\u0306\u0308":
                kept.append(char)
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


_APOSTROPHES: Final = re.compile(r"(?<=\w)['’ʼ`´ʻ](?=\w)")


_HAN_RUN: Final = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")


def split_tokens(text: str) -> list[str]:
    """Words of a cleaned name; an apostrophe inside a word joins (Mo'in, O'Brien, Sa'd).

    Chinese characters written onto a Latin word are a word of their own: lists and
    customers glue the company form on ("BANK OF KUNLUN有限公司", "FIRST OIL JV有限公司");
    so is a number written onto a word (:data:`_NUMBERED`).
    """
    tokens: list[str] = []
    for token in _TOKEN_SPLIT.split(_APOSTROPHES.sub("", text)):
        if not token:
            continue
        if token.isascii():
            numbered = _NUMBERED.match(token)
            tokens.extend(numbered.groups() if numbered else (token,))
        elif not _HAN_RUN.search(token):
            tokens.append(token)
        else:
            tokens.extend(part for part in _HAN_RUN.split(token) if part)
    return tokens


#: A word and the number written onto it: vessels' numbers (YUJONG1 for YU JONG 1,
#: SAMMA2 for SAM MA 2).  Not a letter or two before digits (S7, A320: one code).
_NUMBERED: Final = re.compile(r"^([a-zA-Z]{3,})([0-9]+)$")


def script_of(token: str) -> str:
    """The dominant script of a token (first letter decides; tokens are single-script)."""
    for char in token:
        code = ord(char)
        if code < 0x250:
            if char.isalpha():
                return LATIN
            continue
        if 0x400 <= code < 0x530:
            return CYRILLIC
        if 0x4E00 <= code < 0xA000 or 0x3400 <= code < 0x4DC0 or 0xF900 <= code < 0xFB00:
            return HAN
        if 0x600 <= code < 0x700 or 0x750 <= code < 0x780 or 0xFB50 <= code < 0xFE00:
            return ARABIC
        if 0xAC00 <= code < 0xD7B0 or 0x1100 <= code < 0x1200 or 0x3130 <= code < 0x3190:
            return HANGUL
        if char.isalpha():
            return OTHER
    return LATIN


def fix_homoglyphs(token: str, latin_context: bool = False) -> str:
    """Map look-alike Cyrillic/Greek letters to Latin in a token that reads as Latin.

    A token mixing Latin letters with look-alikes (сhelyаbinsk) is Latin; so is a
    token made only of look-alikes (ЕР, ВANK) inside a name whose other letters are
    Latin (``latin_context``): real Cyrillic words rarely consist of them alone.
    """
    foreign = sum(1 for c in token if c in _HOMOGLYPHS)
    if foreign == 0:
        return token
    latin = sum(1 for c in token if "a" <= c <= "z")
    letters = sum(1 for c in token if c.isalpha())
    if latin == 0 and not (latin_context and foreign == letters):
        return token
    if latin and foreign + latin < letters:
        return token  # other foreign letters too: a word of another script
    return "".join(_HOMOGLYPHS.get(c, c) for c in token)


def latin_context(tokens: list[str]) -> bool:
    """Whether a name's letters are Latin apart from look-alikes of Latin letters."""
    latin = other = 0
    for token in tokens:
        for char in token:
            if "a" <= char <= "z":
                latin += 1
            elif char.isalpha() and char not in _HOMOGLYPHS:
                other += 1
    return latin > 0 and other == 0


@lru_cache(maxsize=200_000)
def romanise(token: str) -> str:
    """Lower-case ASCII form of one cleaned token of any script but Chinese."""
    script = script_of(token)
    if script == CYRILLIC:
        if "ъ" in token or "Ъ" in token:
            token = _bulgarian_er(token)
        latin = "".join(_CYRILLIC.get(c, c) for c in token)
        return _ascii(latin)
    return _ascii(token)


#: Letters before which ъ is Russian's silent hard sign (объект, подъезд).
_IOTATED: Final = frozenset("еёюяЕЁЮЯ")


def _bulgarian_er(token: str) -> str:
    """ъ as Bulgarian's vowel (Въоръжена: Vaorazhena, път: pat, as Bulgaria's official
    romanisation writes it), except before е, ё, ю, я and at a word's end, where it is
    Russian's hard sign (old spelling: Петръ), written as nothing."""
    return "".join(
        "а" if c in "ъЪ" and i + 1 < len(token) and token[i + 1] not in _IOTATED else c
        for i, c in enumerate(token)
    )


def _ascii(token: str) -> str:
    text = ascii_text(token) or ""
    return "".join(c for c in text.lower() if c.isalnum())


_PHON_RULES: tuple[tuple[str, str], ...] = (
    ("shch", "sh"),
    ("sch", "sh"),
    ("tch", "ch"),
    ("dzh", "j"),
    ("kh", "h"),
    ("gh", "g"),
    ("ph", "f"),
    ("th", "t"),
    ("dh", "d"),
    ("ck", "k"),
    ("tz", "ts"),
    ("dj", "j"),
    ("zh", "j"),
    ("q", "k"),
    # Arabic "aw" is a diphthong that Latin and Cyrillic write au (Tawhid, Таухид).
    ("aw", "au"),
    ("w", "v"),
    ("x", "ks"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("y", "i"),
    ("j", "i"),
    # A soft c is an s (Lounici / لونيسي, Francisco / Fransisko).
    ("ci", "si"),
    ("ce", "se"),
    # -iy, -ii, -iya endings of Russian names (Dmitriy, Dmitrii, Yuliya) after y -> i.
    ("ii", "i"),
)
_REPEATS: Final = re.compile(r"(.)\1+")
_HARD_C: Final = re.compile(r"c(?!h)")
# Doubled consonants are spelling noise across romanisations (Mohammed, Mohamed);
# doubled vowels are not squashed, or TAATTA would read as TATA.
# Renderings of عبد ال (servant of): Abdel, Abdal, Abdol, Abdoul are all Abdul.
_ARABIC_PREFIXES: Final = {"abdel": "abdul", "abdal": "abdul", "abdol": "abdul", "abdil": "abdul"}
_CONSONANT_REPEATS: Final = re.compile(r"([b-df-hj-np-tv-z])\1+")
_VOWELS: Final = re.compile(r"[aeiou]")


@lru_cache(maxsize=200_000)
def phonetic(latin: str) -> str:
    """Fold romanisation variants of a lower-case ASCII token.

    Applied identically to listed and queried names, so it only needs to map
    variants together, not to produce a correct spelling.
    """
    if len(latin) < 3 or latin.isdigit():
        return latin
    text = latin
    for old, new in _PHON_RULES:
        text = text.replace(old, new)
    # A hard c is a k (Cascari / Kaskariy); "ch" is its own sound.
    text = _HARD_C.sub("k", text)
    if text.startswith("ie") and len(text) > 3:
        text = text[1:]
    text = _CONSONANT_REPEATS.sub(r"\1", text)
    if text[:5] in _ARABIC_PREFIXES:
        text = "abdul" + text[5:]
    if len(text) > 3 and text.endswith("h") and text[-2] in "aeiou":
        text = text[:-1]
    return text


@lru_cache(maxsize=200_000)
def consonants(phon: str) -> str:
    """Consonant skeleton: consonants only, repeats squashed (Muhammad -> mhmd).

    Arabic script writes no short vowels, so this is the form in which an Arabic
    name and its Latin renderings meet.
    """
    if phon.isdigit():
        return phon
    return _REPEATS.sub(r"\1", _VOWELS.sub("", phon))


@lru_cache(maxsize=200_000)
def waw_skeletons(latin: str) -> frozenset[str]:
    """Consonant skeletons of a word romanised from Arabic script with each و inside it
    (romanised u) read either as a long vowel or as the consonant w/v.

    و is both: موسوی is Mousavi, its first و a vowel and its second the v; فدوی is
    Fadavi; داود is Dawood or Daoud.  Short vowels are not written, so any u in such a
    word is a و.  Up to three of them (eight skeletons)."""
    places = [i for i, c in enumerate(latin) if c == "u" and i > 0]
    if not places or len(places) > 3:
        return frozenset()
    found: set[str] = set()
    for mask in range(1, 1 << len(places)):
        letters = list(latin)
        for bit, at in enumerate(places):
            if mask >> bit & 1:
                letters[at] = "w"
        found.add(consonants(phonetic("".join(letters))))
    return frozenset(found)
