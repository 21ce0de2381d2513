"""Country names and codes to ISO alpha-2."""

from __future__ import annotations

import pytest

from redline.goods.countries import (
    CountryError,
    country_label,
    country_name,
    normalise_country,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hong Kong", "hk"),
        ("HK", "hk"),
        ("hk", "hk"),
        ("Hong Kong SAR, China", "hk"),
        ("Türkiye", "tr"),
        ("Turkiye", "tr"),
        ("Turkey", "tr"),
        ("TUR", "tr"),
        ("UAE", "ae"),
        ("U.A.E.", "ae"),
        ("United Arab Emirates", "ae"),
        ("Emirates", "ae"),
        ("Russia", "ru"),
        ("Russian Federation", "ru"),
        ("Russian Fed.", "ru"),
        ("  russia  ", "ru"),
        ("Kyrgyzstan", "kg"),
        ("Kyrgyz Republic", "kg"),
        ("Korea, North", "kp"),
        ("North Korea", "kp"),
        ("DPRK", "kp"),
        ("Korea, Dem. Rep.", "kp"),
        ("Korea, Rep.", "kr"),
        ("South Korea", "kr"),
        ("Iran, Islamic Republic of", "ir"),
        ("Belarus", "by"),
        ("Belorussia", "by"),
        ("Macao", "mo"),
        ("Macau SAR", "mo"),
        ("China", "cn"),
        ("Mainland China", "cn"),
        ("Chinese Taipei", "tw"),
        ("Viet Nam", "vn"),
        ("Lao PDR", "la"),
        ("DE", "de"),
        ("DEU", "de"),
        ("Germany", "de"),
        ("Kosovo", "xk"),
        ("Scotland", "gb"),  # a part of a country: the country
        ("South Ossetia", "ge"),
    ],
)
def test_names_and_codes_give_iso_alpha2(text: str, expected: str) -> None:
    assert normalise_country(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Crimea", "ua-cri"), ("Sevastopol", "ua-cri"), ("Donetsk", "ua-dpr"), ("Luhansk", "ua-lpr")],
)
def test_sanctioned_occupied_areas_keep_their_own_code(text: str, expected: str) -> None:
    assert normalise_country(text) == expected
    assert normalise_country("Ukraine") == "ua"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Narnia", "unknown country 'Narnia'"),
        ("xx", "unknown country 'xx'"),
        ("", "country is empty"),
        ("  ", "country is empty"),
        ("123", "unknown country '123'"),
        ("EU", "is the European Union, not a country"),
        ("zz", "is not a country"),
        ("Soviet Union", "is a former state"),
    ],
)
def test_unknown_values_raise(text: str, message: str) -> None:
    with pytest.raises(CountryError) as info:
        normalise_country(text)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_non_text_raises() -> None:
    with pytest.raises(CountryError, match="must be text"):
        normalise_country(None)  # type: ignore[arg-type]


def test_names_for_messages() -> None:
    assert country_name("ru") == "Russia"
    assert country_label("ae") == "United Arab Emirates (AE)"
    assert country_label("ua-cri").endswith("(UA-CRI)")
    assert country_name("qq") == "QQ"
