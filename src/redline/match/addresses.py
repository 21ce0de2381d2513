"""Matching a party's address against the addresses of listed entities.

Front companies share addresses: a shipment's consignee may carry another name
but sit at the listed entity's address.  Addresses are reduced with rigour's
address fingerprint (standard abbreviations, case, punctuation), house numbers
rejoined with their letters ("12 f" -> "12f"), and compared by an IDF-weighted
Dice coefficient over their words: rare words (a building, a street number)
count, common ones ("road", "hk") barely.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from rigour._core import address_fingerprint

_NUMBER_WORDS: Final = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
}
_SPLIT: Final = re.compile(r"[^\w]+")


def address_tokens(text: str) -> tuple[str, ...]:
    """Comparable words of an address."""
    fingerprint = address_fingerprint(text) or text.casefold()
    words = [_NUMBER_WORDS.get(w, w) for w in _SPLIT.split(fingerprint) if w]
    merged: list[str] = []
    for word in words:
        if merged and len(word) == 1 and word.isalpha() and merged[-1].isdigit():
            merged[-1] += word
        else:
            merged.append(word)
    return tuple(merged)


@dataclass
class AddressIndex:
    """Listed addresses by their words, with word weights."""

    addresses: list[tuple[int, str, tuple[str, ...]]] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)

    @classmethod
    def build(cls, items: Iterable[tuple[int, str]]) -> AddressIndex:
        """``items``: (entity position, address text)."""
        addresses: list[tuple[int, str, tuple[str, ...]]] = []
        postings: dict[str, list[int]] = defaultdict(list)
        for entity, text in items:
            tokens = address_tokens(text)
            if len(tokens) < 2:
                continue
            position = len(addresses)
            addresses.append((entity, text, tokens))
            for token in set(tokens):
                postings[token].append(position)
        total = max(len(addresses), 1)
        weights = {t: math.log(1 + total / len(p)) for t, p in postings.items()}
        return cls(addresses, dict(postings), weights)

    def _weight(self, token: str) -> float:
        """A word's weight; a word no listed address has weighs most."""
        return self.weights.get(token, self._unknown)

    @property
    def _unknown(self) -> float:
        return math.log(1 + len(self.addresses) or 1)

    def _mass(self, words: set[str]) -> float:
        # fsum: the same result whatever the order of the set (which varies with the
        # process's hash seed), so that every process scores alike.
        weights, unknown = self.weights, self._unknown
        return math.fsum([weights.get(t, unknown) for t in words])

    def match(
        self, text: str, *, limit: int = 3, floor: float = 0.5
    ) -> list[tuple[int, float, str]]:
        """Listed (entity position, similarity, address) most like ``text``, best first.

        The similarity is an IDF-weighted Dice coefficient of the two addresses' words.
        """
        tokens = address_tokens(text)
        if len(tokens) < 2 or not self.addresses:
            return []
        # Candidates share at least one of the query's three rarest words.
        rare = sorted(set(tokens), key=lambda t: (-self._weight(t), t))[:3]
        candidates = {p for t in rare for p in self.postings.get(t, [])}
        scored = []
        query_words = set(tokens)
        query_mass = self._mass(query_words)  # once, not per candidate
        for position in candidates:
            entity, listed, listed_tokens = self.addresses[position]
            listed_words = set(listed_tokens)
            total = query_mass + self._mass(listed_words)
            score = 2 * self._mass(query_words & listed_words) / total if total else 0.0
            if score >= floor:
                scored.append((entity, score, listed))
        scored.sort(key=lambda item: (-item[1], item[0], item[2]))
        best: dict[int, tuple[int, float, str]] = {}
        for item in scored:
            best.setdefault(item[0], item)
        return list(best.values())[:limit]
