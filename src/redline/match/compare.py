"""Comparing two prepared names, token by token, with a record of why.

The score is a weighted coverage: tokens of both names are paired by similarity,
each pair counts its similarity times the weights of both tokens, and tokens left
over count against the score by their weight.  Generic words weigh little, so
``Sky Star Electronics`` against ``Sea Star Electronics`` stays low, while a missing
middle name of a listed person costs less than an extra word in the query.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from itertools import pairwise
from typing import Any, Final, NamedTuple

from rapidfuzz.distance import OSA, Levenshtein

from redline.match.names import INITIAL, NAME, NUMBER, PARTICLE, PreparedName, Token
from redline.match.text import consonants, phonetic, waw_skeletons

#: Weight of a token given its kind and how common it is on the lists.
WeightFn = Callable[[Token], float]

#: Share of a leftover token's weight that counts against the score.
UNMATCHED: Final = 0.5
#: ... when one side's words all pair up and only the other has words left over.
OMITTED: Final = 0.35
#: ... when the words left out all follow the paired ones.
OMITTED_TRAILING: Final = 0.25
#: ... when the words left out sit between paired ones (middle names).
OMITTED_MIDDLE: Final = 0.2
#: Share of its weight a number left over counts when the other name has none
#: (MUNAKATA MARU NO.5 / MUNAKATA: a more specific name, not another one).
LONE_NUMBER: Final = 0.5
#: ... when both sides keep a distinctive token the other lacks.
SUBSTITUTED: Final = 1.0
#: Applied when each side keeps a distinctive word the other lacks.
SUBSTITUTION_FACTOR: Final = 0.9
#: Applied when a single distinctive word pairs up and the other side has more.
SINGLE_WORD_FACTOR: Final = 0.88
#: Two words of five letters or more, one letter apart (inserted, dropped, changed or
#: swapped with its neighbour)...
ONE_EDIT_SIMILARITY: Final = 0.87
#: ... and of six letters or more: a one-word name misspelt by one letter is then a
#: possible match (AEROSCAN / AEROSCA).  Not at five, where one letter makes another
#: brand too often (FESTO / FESCO, MOLEX, ASMPT: measured on the dev set's negatives).
ONE_EDIT_LONG_SIMILARITY: Final = 0.88
#: Words of two or three consonants that differ in their vowels only.
SHORT_VOWELS_SIMILARITY: Final = 0.85
_VOWEL_LETTERS: Final = frozenset("aeiou")
#: Long words whose consonants agree up to another language's ending (_same_root).
SAME_ROOT_SIMILARITY: Final = 0.85
#: Token pairs below this similarity are not paired at all.
MIN_TOKEN_SIMILARITY: Final = 0.8


class TokenPair(NamedTuple):
    """Two tokens paired up (a named tuple: dozens are made for every query)."""

    query: Token
    listed: Token
    similarity: float
    how: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query.latin,
            "listed": self.listed.latin,
            "similarity": round(self.similarity, 3),
            "how": self.how,
        }


class NameComparison(NamedTuple):
    score: float
    pairs: tuple[TokenPair, ...]
    unmatched_query: tuple[Token, ...]
    unmatched_listed: tuple[Token, ...]
    joined: bool

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "score": round(self.score, 3),
            "pairs": [p.to_dict() for p in self.pairs],
            "unmatched_query": [t.latin for t in self.unmatched_query],
            "unmatched_listed": [t.latin for t in self.unmatched_listed],
        }
        if self.joined:
            data["joined_tokens"] = True
        return data


@lru_cache(maxsize=500_000)
def token_similarity(a: Token, b: Token) -> tuple[float, str]:
    """Similarity in [0, 1] of two tokens and the rule that gave it."""
    if a.phon == b.phon:
        if a.latin == b.latin:
            return 1.0, "identical"
        if len(a.phon) < 5:
            return 0.9, "spelling variant"
        # Folded together, but written very differently (Wanjia / Vania): weaker.
        close = OSA.normalized_similarity(a.latin, b.latin) >= 0.7
        return (0.97 if close else 0.88), "spelling variant"
    if a.symbols & b.symbols:
        return 0.95, "same name in another script or spelling"
    if (
        (a.vowelless or b.vowelless)
        and _initial_kept(a, b)
        and (
            (a.cons == b.cons and len(a.cons) >= 2)
            # ق is q, k, g or gh in Latin renderings (باقری: Bagheri; قاسم: Qasim, Ghasem).
            or (a.cons.translate(_QAF) == b.cons.translate(_QAF) and len(a.cons) >= 2)
            # و is a long vowel or the consonant w, v (فدوی: Fadavi; موسوی: Mousavi).
            or (a.vowelless and len(b.cons) >= 2 and b.cons in waw_skeletons(a.latin))
            or (b.vowelless and len(a.cons) >= 2 and a.cons in waw_skeletons(b.latin))
            or (
                (skeleton := _latin_skeleton(a.latin)) == _latin_skeleton(b.latin)
                and len(skeleton) >= 2
            )
        )
    ):
        return 0.9, "same consonants (vowels unwritten)"
    if (
        (a.vowelless or b.vowelless)
        and (pattern := _vowel_pattern(a.latin)) == _vowel_pattern(b.latin)
        and len(pattern) >= 2
        and len(a.cons) < 2
    ):
        # Names of one consonant and long vowels (اياد: Iyad, لؤي: Louay, عيسى: Essa):
        # the vowels' places are all there is to compare.
        return SHORT_VOWELS_SIMILARITY, "same letters, vowels unwritten"
    if len(a.latin) == 1 or len(b.latin) == 1:
        if a.latin[0] == b.latin[0] and (a.kind == INITIAL or b.kind == INITIAL):
            return 0.8, "initial"
        return 0.0, ""
    if "ch" in a.phon + b.phon and a.phon.replace("ch", "sh") == b.phon.replace("ch", "sh"):
        # French renderings of Arabic names write ch for sh (Cherif / Sherif, Achraf /
        # Ashraf, Chaker / Shaker): the lists of the Maghreb and the Sahel are full of them.
        return 0.9, "French spelling (ch for sh)"
    if _same_stem(a.latin, b.latin):
        # STEVEDORING / STEVEDORE, ENGINEERING / ENGINEER: a firm's trade as a noun or
        # as an activity.
        return 0.9, "same word, -ing form"
    shortest = min(len(a.latin), len(b.latin))
    # Vowel variants keep the first sound and (nearly) the length: not Fujitsu / FITS.
    vowel_variant = (
        a.cons == b.cons
        and len(a.cons) >= 2
        and abs(len(a.latin) - len(b.latin)) <= 1
        and (
            a.phon[0] == b.phon[0] or (a.phon[0] in _VOWEL_LETTERS and b.phon[0] in _VOWEL_LETTERS)
        )
    )
    if shortest < 4:
        # Short words that differ in their vowels only: Ras / Raas, Sab / Saab.
        if vowel_variant:
            return SHORT_VOWELS_SIMILARITY, "same consonants, other vowels"
        return 0.0, ""
    if (
        len(a.latin) == len(b.latin) == 4
        and a.latin[0] == b.latin[0]
        and OSA.distance(a.latin, b.latin) == 1
    ):
        # One letter of four (Aziz / Azis): a pair, but never a hit by itself.
        return MIN_TOKEN_SIMILARITY, "one typo"
    # Optimal string alignment: a swap of two neighbouring letters is one typo.
    spelling = OSA.normalized_similarity(a.phon, b.phon)
    if a.cons == b.cons and len(a.cons) >= 4 and spelling >= 0.6:
        return max(0.88, spelling), "same consonants"
    if vowel_variant and spelling >= 0.5:
        # Beik / Beuk, Jeheisha / Jheisheh: the vowels of a romanisation vary most.
        return max(SHORT_VOWELS_SIMILARITY, spelling), "same consonants, other vowels"
    if (a.vowelless or b.vowelless) and min(len(a.cons), len(b.cons)) >= 4 and _initial_kept(a, b):
        ratio = Levenshtein.normalized_similarity(a.cons, b.cons)
        if ratio >= MIN_TOKEN_SIMILARITY:
            return 0.9 * ratio, "similar consonants (vowels unwritten)"
    ratio = max(spelling, OSA.normalized_similarity(a.latin, b.latin))
    longest = max(len(a.latin), len(b.latin))
    one_edit = (
        ONE_EDIT_LONG_SIMILARITY if min(len(a.latin), len(b.latin)) >= 6 else ONE_EDIT_SIMILARITY
    )
    if (
        ratio < one_edit
        and longest >= 5
        and a.latin[0] == b.latin[0]
        and OSA.distance(a.latin, b.latin) == 1
    ):
        # One typo in a short word (TABUK / TAUK, DOWNY / DOWYN) weighs as much as in
        # a long one: a single slip is how most misspellings happen.  Not in the first
        # letter, where it makes another word more often than a slip (ANDES / BANDES).
        return one_edit, "one typo"
    if ratio >= MIN_TOKEN_SIMILARITY:
        return ratio, "similar spelling"
    if shortest >= 7 and _same_root(a.cons, b.cons):
        return SAME_ROOT_SIMILARITY, "same root, other ending"
    return 0.0, ""


def _same_root(a: str, b: str) -> bool:
    """Whether two long words share their first four consonants or more, three
    quarters of the shorter word's: a name's root under another language's ending
    (Кюрдска: Kurdistan, Филипините: Philippines, Палестински: Palestinian)."""
    shorter = min(len(a), len(b))
    shared = 0
    while shared < shorter and a[shared] == b[shared]:
        shared += 1
    return shared >= 4 and shared * 4 >= shorter * 3


def _initial_kept(a: Token, b: Token) -> bool:
    """Whether a Latin word can render the start of a word in Arabic script: one that
    begins with a written vowel (alif, or ayn read as one) begins with a vowel in
    every rendering (أرامكس: Aramex, no REMEXI), and one that begins with و begins
    with w, v, o or u (Walid, Oualid, Valid; الوطن: al-Watan, no EATON)."""
    for arabic, latin in ((a, b), (b, a)):
        if arabic.vowelless and not latin.vowelless:
            first = arabic.latin[:1]
            if first in _VOWEL_LETTERS:
                return latin.latin[:1] in _VOWEL_LETTERS or latin.latin[:1] == "y"
            if first == "w":
                return latin.latin[:1] in ("w", "v", "o", "u")
    return True


def _same_stem(a: str, b: str) -> bool:
    """Whether one word is the other with "-ing" (stevedore / stevedoring, ship /
    shipping), for words of five letters or more."""
    if len(a) > len(b):
        a, b = b, a
    if len(a) < 5 or not b.endswith("ing"):
        return False
    stem = b[:-3]
    return stem in (a, a.rstrip("e")) or (
        len(stem) > 1 and stem[-1] == stem[-2] == a[-1] and stem[:-1] == a
    )


_VOWELS: Final = str.maketrans("", "", "aeiouywv")
_QAF: Final = str.maketrans("g", "k")


_VOWEL_RUNS: Final = re.compile(r"[aeiouyw]+")


_DOUBLED: Final = re.compile(r"([b-df-hj-np-tv-z])\1+")


def _vowel_pattern(latin: str) -> str:
    """Each run of vowels (and w, y) as one "a": where the vowels stand, not which.
    A doubled consonant counts once: Arabic script writes the shadda as a mark, which
    is dropped (عیسی: Essa, Issa, Eisa)."""
    return _VOWEL_RUNS.sub("a", _DOUBLED.sub(r"\1", latin))


def _latin_skeleton(latin: str) -> str:
    """The letters a name written without short vowels keeps, as spelt: unlike
    :func:`consonants` it keeps j (Juma: jm, جمعه: jm), which the phonetic key reads
    as a vowel.  w, v and y go too: و and ي are as often long vowels (Fadavi / فدوی).
    Arabic has no c: in a Latin rendering, ch is ش and any other c is a French ç, an s
    (the UK lists BOUGHANMI, Faical for UN's فيصل بوغانمي).  A doubled letter is
    one (the shadda is not written), and a final "ah" is the ة read "a" (Al Jamm'ah
    for الجماعة)."""
    if len(latin) > 3 and latin.endswith("ah"):
        latin = latin[:-1]
    latin = latin.replace("ck", "k").replace("ch", "sh").replace("c", "s")
    return _DOUBLED.sub(r"\1", latin).translate(_VOWELS)


#: What :func:`compare_names` may return for a pair that cannot score what the caller
#: needs: nothing aligned, score 0.
HOPELESS: Final = NameComparison(0.0, (), (), (), False)


def compare_names(
    query: PreparedName,
    listed: PreparedName,
    weight: WeightFn,
    need: float = 0.0,
    listed_profile: NameProfile | None = None,
    query_profile: NameProfile | None = None,
) -> NameComparison:
    """Best of token-by-token alignment and, where token counts differ, joined tokens.

    With ``need``, a pair whose score is bound to stay below it may come back as
    :data:`HOPELESS` instead of its exact comparison: most candidates of a query are
    such pairs, and screening only needs to know that they fall short.  Whenever the
    score reaches ``need``, the comparison is exact.  ``listed_profile`` is
    ``name_profile(listed.tokens)`` made beforehand (the index keeps one per name),
    ``query_profile`` the query's (made once per query, not once per candidate).
    """
    if query.tokens == listed.tokens:
        return NameComparison(
            1.0,
            tuple(TokenPair(t, t, 1.0, "identical") for t in query.tokens),
            (),
            (),
            False,
        )
    q_profile = query_profile or name_profile(query.tokens)
    l_profile = listed_profile or name_profile(listed.tokens)
    q_tokens = _merge_into(query.tokens, listed.tokens, q_profile, l_profile)
    l_tokens = _merge_into(listed.tokens, query.tokens, l_profile, q_profile)
    best = _align(q_tokens, l_tokens, weight, joined=q_tokens is not query.tokens, need=need)
    if best.score >= 0.95:
        return best
    q_names = sum(1 for t in query.tokens if t.kind == NAME)
    l_names = sum(1 for t in listed.tokens if t.kind == NAME)
    if (
        q_names != l_names
        and q_names
        and l_names
        and _fused_may_pair(query, listed, q_profile.fused, l_profile.fused)
    ):
        joined = _align(
            _joined(query.tokens), _joined(listed.tokens), weight, joined=True, need=need
        )
        if joined.score > best.score:
            best = joined
    return best


class NameProfile(NamedTuple):
    """What comparison needs of a name's tokens beyond the tokens themselves, made once
    per name: the index holds one for each listed name, so a query never makes them
    again (lru caches did, for every listed name a process met for the first time)."""

    #: Phonetic forms of neighbouring words written as one (:func:`_pair_joins`).
    joins: frozenset[str]
    #: Two single letters follow each other (spelt-out initials: L D S).
    letter_run: bool
    #: Words of four letters or more, and skeletons of as many consonants.
    long_words: frozenset[str]
    #: The name words written as one: latin, phonetic and consonant forms.
    fused: tuple[str, str, str]


@lru_cache(maxsize=200_000)
def name_profile(tokens: tuple[Token, ...]) -> NameProfile:
    names = [t for t in tokens if t.kind == NAME]
    words = {t.phon for t in tokens if len(t.phon) >= 4}
    words.update("c:" + t.cons for t in tokens if len(t.cons) >= 4)
    return NameProfile(
        joins=_pair_joins(tokens),
        letter_run=any(len(a.latin) == 1 and len(b.latin) == 1 for a, b in pairwise(tokens)),
        long_words=frozenset(words),
        fused=(
            "".join(t.latin for t in names),
            "".join(t.phon for t in names),
            "".join(t.cons for t in names),
        ),
    )


def _fused_may_pair(
    query: PreparedName,
    listed: PreparedName,
    q: tuple[str, str, str],
    l_: tuple[str, str, str],
) -> bool:
    """Whether the name words of each side, written as one word (``q``, ``l_``: their
    fused forms), resemble a word of the other side (or its fused words) closely enough
    for :func:`token_similarity` to pair them.  Checked on plain strings first: for
    most candidate pairs the answer is no, and the joined alignment, a third of the
    comparison's time, is then skipped."""
    # A token's first three fields are its latin, phon and cons forms: it stands for
    # its own forms below without a tuple being made.
    return (
        _forms_similar(q, l_)
        or any(_forms_similar(q, t) for t in listed.tokens)
        or any(_forms_similar(l_, t) for t in query.tokens)
    )


def _forms_similar(a: tuple[str, str, str] | Token, b: tuple[str, str, str] | Token) -> bool:
    """A necessary condition for :func:`token_similarity` > 0 between tokens without
    name symbols and of four letters or more (as fused names are)."""
    # No score_cutoff here: rapidfuzz turns it into a whole number of edits and
    # drops pairs exactly at the cutoff (one edit in five letters is not >= 0.8).
    return (
        a[1] == b[1]
        or OSA.normalized_similarity(a[1], b[1]) >= 0.6
        or OSA.normalized_similarity(a[0], b[0]) >= MIN_TOKEN_SIMILARITY
        or Levenshtein.normalized_similarity(a[2], b[2]) >= MIN_TOKEN_SIMILARITY
    )


def _pair_joins(tokens: tuple[Token, ...]) -> frozenset[str]:
    """Phonetic forms of each two neighbouring words written as one (and, where one is
    written without vowels, their consonant skeleton: عبد القادر, Abdelkader)."""
    joins: set[str] = set()
    for a, b in pairwise(tokens):
        phon = phonetic(a.latin + b.latin)
        joins.add(phon)
        if a.vowelless or b.vowelless:
            joins.add("c:" + consonants(phon))
    return frozenset(joins)


def _merge_into(
    tokens: tuple[Token, ...],
    other: tuple[Token, ...],
    profile: NameProfile,
    other_profile: NameProfile,
) -> tuple[Token, ...]:
    """Rejoin a word split in two in ``tokens`` (ENGI NEERING, SME BANK, EP-GOL) where
    ``other`` writes it as one word."""
    if len(tokens) < 2:
        return tokens
    whole = other_profile.long_words
    if not profile.letter_run and whole.isdisjoint(profile.joins):
        return tokens  # nothing to merge: the common case, decided from the profiles
    other_words = {t.latin for t in other}
    own = {t.phon for t in tokens}
    merged: list[Token] = []
    changed = False
    i = 0
    while i < len(tokens):
        # Spelt-out letters (L D S) where the other side writes the word (LDS).
        run = i
        while run < len(tokens) and len(tokens[run].latin) == 1:
            run += 1
        if run - i >= 2:
            letters = "".join(t.latin for t in tokens[i:run])
            if letters in other_words:
                merged.append(Token(letters, letters, consonants(letters), frozenset(), NAME))
                changed = True
                i = run
                continue
        if i + 1 < len(tokens):
            a, b = tokens[i], tokens[i + 1]
            phon = phonetic(a.latin + b.latin)  # SHIP PING: folded as one word
            found = phon in whole or (
                (a.vowelless or b.vowelless) and "c:" + consonants(phon) in whole
            )
            if found and phon not in own and a.phon not in whole and b.phon not in whole:
                merged.append(
                    Token(
                        a.latin + b.latin,
                        phon,
                        consonants(phon),
                        frozenset(),
                        NAME if NAME in (a.kind, b.kind) else a.kind,
                        a.vowelless or b.vowelless,
                    )
                )
                changed = True
                i += 2
                continue
        merged.append(tokens[i])
        i += 1
    return tuple(merged) if changed else tokens


def _joined(tokens: tuple[Token, ...]) -> tuple[Token, ...]:
    """The name tokens fused into one (Hong Kong / Hongkong, Hua Qiang / Huaqiang)."""
    names = [t for t in tokens if t.kind == NAME]
    if len(names) < 2:
        return tokens
    latin = "".join(t.latin for t in names)
    phon = "".join(t.phon for t in names)
    cons = "".join(t.cons for t in names)
    fused = Token(latin, phon, cons, frozenset(), NAME, any(t.vowelless for t in names))
    return (fused, *[t for t in tokens if t.kind != NAME])


def _exchange(
    chosen: list[tuple[float, int, int, str]],
    candidates: list[tuple[float, int, int, str]],
    free_q: list[bool],
    free_l: list[bool],
) -> None:
    """Improve the greedy pairing where a word left on each side could each pair with
    one word of a chosen pair: the two pairs made instead of the one are kept when
    their similarities add up to more (عارف الله عارف / Arefullah Aref: ARFULLAH took
    AREF at 0.95, leaving ARF and AREFULLAH, which pair at 0.9 each with the other
    two).  In place; once per word left over, so it always ends."""
    similarity = {(i, j): (-negative, how) for negative, i, j, how in candidates}
    for i in [k for k, f in enumerate(free_q) if f]:
        for j in [k for k, f in enumerate(free_l) if f]:
            for at, (old, a, b, _how) in enumerate(chosen):
                first = similarity.get((i, b))
                second = similarity.get((a, j))
                if first is None or second is None or first[0] + second[0] <= old + 1e-9:
                    continue
                chosen[at] = (first[0], i, b, first[1])
                chosen.append((second[0], a, j, second[1]))
                free_q[i] = free_l[j] = False
                break
            if not free_q[i]:
                break


def _repeats_paired(left: tuple[Token, ...], tokens: tuple[Token, ...], free: list[bool]) -> bool:
    """Whether every name word of ``left`` is also a paired word of ``tokens``."""
    paired = {t.phon for t, is_free in zip(tokens, free, strict=True) if not is_free}
    return all(t.phon in paired for t in left if t.kind == NAME)


def _has_number(tokens: tuple[Token, ...]) -> bool:
    return any(t.kind == NUMBER for t in tokens)


def _has_word(tokens: tuple[Token, ...]) -> bool:
    return any(t.kind != PARTICLE for t in tokens)


#: The least share of a leftover token's weight that counts against the score.
_LEAST_SHARE: Final = min(UNMATCHED, OMITTED, OMITTED_TRAILING, OMITTED_MIDDLE, SUBSTITUTED)


def _cannot_reach(
    query: tuple[Token, ...],
    listed: tuple[Token, ...],
    candidates: list[tuple[float, int, int, str]],
    q_weights: list[float],
    l_weights: list[float],
    need: float,
) -> bool:
    """Whether :func:`_align` is bound to score below ``need``, from the token pairs
    that may pair up alone: a token that pairs with nothing is left over whatever
    the alignment, the others at best pair perfectly, and without a distinctive pair
    the generic words' score is halved.  An upper bound, so never wrong; and cheap,
    so most hopeless candidates skip the alignment itself."""
    pairable_q = {c[1] for c in candidates}
    pairable_l = {c[2] for c in candidates}
    if len(pairable_q) == len(query) and len(pairable_l) == len(listed):
        return False  # every token may pair: no bound worth having
    pairable = 0.0
    left = 0.0
    # A number left over may count only LONE_NUMBER of its weight (see _align).
    for i, w in enumerate(q_weights):
        if i in pairable_q:
            pairable += w
        else:
            left += w * (LONE_NUMBER if query[i].kind == NUMBER else 1.0)
    for j, w in enumerate(l_weights):
        if j in pairable_l:
            pairable += w
        else:
            left += w * (LONE_NUMBER if listed[j].kind == NUMBER else 1.0)
    bound = pairable / (pairable + _LEAST_SHARE * left) if pairable else 0.0
    distinctive = False
    for negative, i, j, _how in candidates:
        q_name, l_name = query[i].kind == NAME, listed[j].kind == NAME
        if (q_name and l_name) or ((q_name or l_name) and -negative >= 0.95):
            distinctive = True
            break
    if not distinctive:
        bound *= 0.5  # some token is left over (above), so the halving applies
    return bound < need - 1e-9


def _align(
    query: tuple[Token, ...],
    listed: tuple[Token, ...],
    weight: WeightFn,
    joined: bool = False,
    need: float = 0.0,
) -> NameComparison:
    # Written for speed (the inner loop of screening, ~25 calls per query): plain
    # tuples sorted natively, flags instead of sets, sums kept while pairing.
    candidates: list[tuple[float, int, int, str]] = []
    for i, a in enumerate(query):
        for j, b in enumerate(listed):
            similarity, how = token_similarity(a, b)
            if similarity > 0:
                candidates.append((-similarity, i, j, how))
    if need > 0.0 and not candidates:
        return HOPELESS  # no token pairs with any: nothing to gain, all left over
    # Each token's weight once (not once per pair it is tried in).
    q_weights = [weight(t) for t in query]
    l_weights = [weight(t) for t in listed]
    if need > 0.0 and _cannot_reach(query, listed, candidates, q_weights, l_weights, need):
        return HOPELESS
    # Best similarity first, then query and listed order: (i, j) is unique, so the
    # rule's name never decides.
    candidates.sort()
    free_q = [True] * len(query)
    free_l = [True] * len(listed)
    chosen: list[tuple[float, int, int, str]] = []
    for negative, i, j, how in candidates:
        if free_q[i] and free_l[j]:
            free_q[i] = free_l[j] = False
            chosen.append((-negative, i, j, how))
    if len(chosen) < len(candidates) and True in free_q and True in free_l:
        _exchange(chosen, candidates, free_q, free_l)
    pairs: list[TokenPair] = []
    gained = 0.0
    total = 0.0
    similarities = 0.0
    named = 0
    distinctive = False
    for similarity, i, j, how in chosen:
        a, b = query[i], listed[j]
        pairs.append(TokenPair(a, b, similarity, how))
        w = q_weights[i] + l_weights[j]
        gained += similarity * w
        total += w
        similarities += similarity
        a_name, b_name = a.kind == NAME, b.kind == NAME
        if a_name and b_name:
            named += 1
            distinctive = True
        elif (a_name or b_name) and similarity >= 0.95:
            distinctive = True
    left_q = tuple([t for t, free in zip(query, free_q, strict=True) if free])
    left_l = tuple([t for t, free in zip(listed, free_l, strict=True) if free])
    # A word left over on one side counts half: lists carry middle names and
    # patronymics that queries omit, and customers give fuller names than lists.
    # When each side keeps a distinctive word the other lacks, the names differ in a
    # word (Zaki Ezat Zaki Ahmed / ... Lindqvist): leftovers count fully, and more.
    names_left_q = any(t.kind == NAME for t in left_q)
    names_left_l = any(t.kind == NAME for t in left_l)
    # A name word left over that its own side also has paired (the father's name
    # written again: Osman Mohamed Hamid HAMID / OSMAN MOHAMED HAMID MOHAMED) is a
    # repetition, not a word the other name lacks.
    substituted = (
        names_left_q
        and names_left_l
        and not (_repeats_paired(left_q, query, free_q) and _repeats_paired(left_l, listed, free_l))
    )
    share = SUBSTITUTED if substituted else UNMATCHED
    middle = False
    # A title or particle left over ("Qari", "al") is no word the other name lacks: a
    # name that omits words of the other is still a shorter form of it.
    if not substituted and not (_has_word(left_q) and _has_word(left_l)):
        # One name is the other with words left out: a shorter form of it.  Words left
        # out between the first and last paired ones are middle names and patronymics,
        # which lists carry and customers drop most often.
        free = free_l if left_l else free_q
        used = [k for k, f in enumerate(free) if not f]
        middle = bool(used) and all(used[0] < k < used[-1] for k, f in enumerate(free) if f)
        trailing = (
            bool(left_l) and bool(used) and all(k > used[-1] for k, f in enumerate(free) if f)
        )
        share = OMITTED_MIDDLE if middle else OMITTED_TRAILING if trailing else OMITTED
    if left_q or left_l:
        # A number only one name has (MUNAKATA MARU NO.5 / MUNAKATA, a hull or a
        # branch number) makes a more specific name, not another one: LONE_NUMBER.
        # Two different numbers (SAM JONG 1 / SAM JONG 2) pair with nothing and count fully.
        q_number = LONE_NUMBER if not _has_number(listed) else 1.0
        l_number = LONE_NUMBER if not _has_number(query) else 1.0
        left = 0.0
        for i, is_free in enumerate(free_q):
            if is_free:
                left += q_weights[i] * (q_number if query[i].kind == NUMBER else 1.0)
        for j, is_free in enumerate(free_l):
            if is_free:
                left += l_weights[j] * (l_number if listed[j].kind == NUMBER else 1.0)
        total += left * share
    # Generic words alone never make a hit: unless some distinctive token pairs up,
    # only a name that agrees in every word, typos aside (a listed "Hong Kong
    # Electronics", "China General Nuclear Power Corporation"), counts.
    if not distinctive and (left_q or left_l or similarities < 0.9 * len(pairs)):
        gained *= 0.5
    score = gained / total if total else 0.0
    if substituted:
        score *= SUBSTITUTION_FACTOR
    elif named == 1 and (names_left_q or names_left_l) and not middle:
        # One distinctive word in common, and more distinctive words on one side: a
        # bare given name listed as an alias ("Joe", "Mahmud") inside a full name, or
        # one word of a firm's name.  Evidence, but weak.  Not when the words left out
        # sit between paired ones: "PROFESSOR ATARODI" is PROFESSOR MOJTABA ATARODI,
        # title and surname in their places, the given name dropped.
        score *= SINGLE_WORD_FACTOR
    return NameComparison(score, tuple(pairs), left_q, left_l, joined)
