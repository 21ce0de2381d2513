"""Generate redline's example shipments file and the verdicts it is designed to get.

    python scripts/make_example_shipments.py [--seed 20240223] [--out examples]

Writes, deterministically for a given seed and set of loaded lists:

* ``examples/shipments.csv``: about 300 orders in the default column convention
  (``row_id``; ``<role>_name/_country/_address``; ``hs_code``, ``description``,
  ``quantity``, ``value``, ``currency``; ``origin_country``, ``transit_countries``,
  ``destination_country``);
* ``examples/shipments.expected.csv``: ``row_id,risk,rules,design`` for every row
  that is screened: the risk and the ``;``-joined, sorted rule ids each row is
  *designed* to get, and a short description of the design;
* ``examples/shipments.expected_errors.csv``: ``row_id,reason`` for the rows that
  must go to the error file, ``reason`` being a fragment of the expected message.

The rows are of eight kinds (the ``design`` column starts with the letter):

a. listed parties under varied spellings (as listed, company form written
   differently, one typo, title case, punctuation, person names reordered or
   transliterated, the lists' own Cyrillic and Chinese names) as buyer,
   consignee, end user, forwarder or bank: ``party-listed``, block;
b. Entity List and Military End User entries of the US Consolidated Screening
   List: also ``party-russia-military-suppliers``;
c. clean, unlisted EU, US and Japanese companies trading non-CHPL goods within
   the EU and the US: clear;
d. CHPL goods (tier 1 microelectronics and the other tiers) to Russia and
   Belarus (block), to diversion countries (review) and to Germany, the US and
   Japan (clear);
e. an end user in another country than the destination: review;
f. routes through Russia, Belarus, Iran or Crimea;
g. rows with problems (unknown country, malformed or missing HS code, missing
   destination: review, the row kept) and rows without any party name (error file);
h. unlisted names at a listed entity's real address: ``party-address-listed``.

Listed names and addresses come from the lists loaded in the store (``redline
update --from-dir ../shared/data`` first; ``REDLINE_HOME`` / ``--database-url``
say which store), never from the list files.  The expected verdicts follow from
each row's design and the default rules (``redline/goods/data/rules.yml``), not
from running redline: ``tests/batch/test_example.py`` checks that redline agrees.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from normality import normalize

from redline.settings import Settings
from redline.store import Store, StoredEntity

ROOT = Path(__file__).resolve().parents[1]
CHPL_FILE = ROOT / "src" / "redline" / "goods" / "data" / "chpl.csv"
DEFAULT_SEED = 20240223  # the date of the CHPL

COLUMNS = (
    "row_id",
    "buyer_name",
    "buyer_country",
    "buyer_address",
    "consignee_name",
    "consignee_country",
    "consignee_address",
    "end_user_name",
    "end_user_country",
    "end_user_address",
    "forwarder_name",
    "forwarder_country",
    "bank_name",
    "bank_country",
    "hs_code",
    "description",
    "quantity",
    "value",
    "currency",
    "origin_country",
    "transit_countries",
    "destination_country",
)
ROLES = ("buyer", "consignee", "end_user", "forwarder", "bank")
#: Roles whose country counts as a place for the CHPL rules (rules.yml ``places``).
GOODS_ROLES = ("buyer", "consignee", "intermediate_consignee", "end_user")

# The country sets of the default rules (rules.yml), as the design assumes them.
EMBARGOED = frozenset({"ru", "by", "ir", "kp", "ua-cri", "ua-dpr", "ua-lpr"})
HIGH_DIVERSION = frozenset(
    {"am", "cn", "hk", "mo", "ge", "in", "kz", "kg", "my", "rs", "th", "tj", "tr", "ae", "uz", "vn"}
)
SEVERITY = {
    "chpl-to-embargoed": "block",
    "chpl-to-high-diversion-risk": "review",
    "party-listed": "review",  # block for a "match"
    "party-russia-military-suppliers": "block",
    "party-address-listed": "review",
    "end-user-country-mismatch": "review",
    "route-via-embargoed": "review",
    "row-problems": "review",
}
RANK = {"clear": 0, "review": 1, "block": 2}

#: How countries are written in the file: every spelling is a standard one.
COUNTRY_TEXT: dict[str, tuple[str, ...]] = {
    "ru": ("Russia", "Russian Federation", "RU"),
    "by": ("Belarus", "BY"),
    "ir": ("Iran", "IR"),
    "ua-cri": ("Crimea",),
    "hk": ("Hong Kong", "HK"),
    "cn": ("China", "CN"),
    "ae": ("United Arab Emirates", "UAE", "AE"),
    "tr": ("Türkiye", "Turkey", "TR"),
    "kz": ("Kazakhstan", "KZ"),
    "kg": ("Kyrgyzstan", "KG"),
    "am": ("Armenia", "AM"),
    "ge": ("Georgia", "GE"),
    "uz": ("Uzbekistan", "UZ"),
    "in": ("India", "IN"),
    "de": ("Germany", "DE"),
    "us": ("United States", "USA", "US"),
    "jp": ("Japan", "JP"),
    "nl": ("Netherlands", "NL"),
    "fr": ("France", "FR"),
    "it": ("Italy", "IT"),
    "es": ("Spain", "ES"),
    "pl": ("Poland", "PL"),
    "at": ("Austria", "AT"),
    "se": ("Sweden", "SE"),
    "be": ("Belgium", "BE"),
    "tw": ("Taiwan", "TW"),
    "kr": ("South Korea", "KR"),
    "my": ("Malaysia", "MY"),
    "sg": ("Singapore", "SG"),
}
#: Made-up places: the reader cannot resolve them.
UNKNOWN_COUNTRIES = (
    "Narnia",
    "Freedonia",
    "Ruritania",
    "Elbonia",
    "Zembla",
    "Atlantis",
    "Genovia",
    "Latveria",
)

# --------------------------------------------------------------------------- goods

#: (HS code, description, CHPL tier); codes on the CHPL, checked against chpl.csv.
CHPL_GOODS: tuple[tuple[str, str, str], ...] = (
    ("854231", "32-bit ARM Cortex-M microcontrollers", "1"),
    ("854231", "Digital signal processors, BGA package", "1"),
    ("854232", "DDR4 SDRAM memory chips, 8 Gbit", "1"),
    ("854232", "NOR flash memory ICs, 256 Mbit", "1"),
    ("854233", "Operational amplifier ICs", "1"),
    ("854239", "FPGA devices, 100k logic cells", "1"),
    ("854239", "RF transceiver ICs", "1"),
    ("851762", "Industrial Ethernet routers", "2"),
    ("852691", "GNSS receiver modules", "2"),
    ("853224", "Multilayer ceramic capacitors, reels", "2"),
    ("853221", "Tantalum capacitors", "2"),
    ("847150", "Rack servers, 2U", "3.A"),
    ("850440", "DC-DC converter modules", "3.A"),
    ("851769", "Radio data link modules", "3.A"),
    ("852589", "Thermal imaging camera cores", "3.A"),
    ("852910", "GNSS antennas", "3.A"),
    ("854121", "Small-signal MOSFETs", "3.A"),
    ("854129", "Power MOSFETs and IGBTs", "3.A"),
    ("854160", "Quartz crystal oscillators", "3.A"),
    ("848210", "Ball bearings, deep groove", "3.B"),
    ("880730", "Parts of unmanned aircraft: flight controllers", "3.B"),
    ("901420", "Inertial navigation units for aircraft", "3.B"),
    ("853400", "Printed circuit boards, 6-layer", "4.A"),
    ("903020", "Digital oscilloscopes", "4.A"),
    ("845710", "Vertical machining centres", "4.B"),
    ("845811", "CNC horizontal lathes", "4.B"),
)
#: (HS code, description): not on the CHPL (checked against chpl.csv).
PLAIN_GOODS: tuple[tuple[str, str], ...] = (
    ("854442", "Insulated cables with connectors"),
    ("853650", "Industrial push-button switches"),
    ("853641", "Relays, 24 V DC"),
    ("850760", "Lithium-ion battery packs"),
    ("940542", "LED luminaires"),
    ("841459", "Axial fans, 230 V"),
    ("847130", "Notebook computers"),
    ("847330", "Parts of computers: keyboards"),
    ("852852", "LCD monitors, 27 inch"),
    ("392690", "Plastic enclosures"),
    ("731815", "Stainless steel bolts"),
    ("848180", "Pneumatic valves"),
    ("841370", "Centrifugal pumps"),
    ("850152", "AC motors, 3-phase"),
    ("850431", "Small transformers"),
    ("902519", "Digital thermometers"),
    ("853710", "Control panels, up to 1000 V"),
    ("940320", "Metal office furniture"),
    ("610910", "Cotton T-shirts"),
    ("090121", "Roasted coffee beans"),
)
TIER_1 = tuple(g for g in CHPL_GOODS if g[2] == "1")
OTHER_TIERS = tuple(g for g in CHPL_GOODS if g[2] != "1")
CURRENCIES = {"eu": "EUR", "us": "USD", "jp": "JPY", "cn": "CNY", "hk": "HKD", "ae": "AED"}


def hs_text(code: str, rng: random.Random) -> str:
    """A valid HS code written one of the ways shipping documents write them."""
    style = rng.randrange(5)
    if style == 0:
        return code
    if style == 1:
        return f"{code[:4]}.{code[4:]}"
    if style == 2:
        return f"{code[:4]}.{code[4:]}.00"
    if style == 3:
        return f"{code}{rng.choice(('00', '10', '90'))}"
    return f"{code[:4]} {code[4:]} 00 00"


# --------------------------------------------------------------------------- unlisted parties


@dataclass(frozen=True)
class Company:
    name: str
    country: str
    address: str = ""


#: Real and made-up companies in the EU, the US and Japan that are on no list.
CLEAN_WEST: tuple[Company, ...] = (
    Company("Arrow Electronics, Inc.", "us", "9201 East Dry Creek Road, Centennial, CO 80112"),
    Company("Mouser Electronics, Inc.", "us", "1000 North Main Street, Mansfield, TX 76063"),
    Company("Heilind Electronics, Inc.", "us"),
    Company("Sager Electrical Supply Company", "us"),
    Company("Newark Electronics Corporation", "us"),
    Company("Bellwether Industrial Supply LLC", "us", "4410 Commerce Drive, Columbus, OH 43228"),
    Company("Cascade Ridge Components Inc.", "us", "2200 NW Front Avenue, Portland, OR 97209"),
    Company("Prairie Wind Electric Supply Co.", "us", "815 Grand Avenue, Des Moines, IA 50309"),
    Company("Lakeshore Fastener Corp.", "us"),
    Company("Sakura Components USA Inc.", "us", "1900 McCarthy Boulevard, Milpitas, CA 95035"),
    Company("Rutronik Elektronische Bauelemente GmbH", "de", "Industriestraße 2, 75228 Ispringen"),
    Company("Bürklin GmbH & Co. KG", "de", "Grünwalder Weg 30, 82041 Oberhaching"),
    Company("Schukat electronic Vertriebs GmbH", "de", "Daimlerstraße 26, 40789 Monheim"),
    Company("Reichelt Elektronik GmbH & Co. KG", "de"),
    Company("Nordhavn Komponenten GmbH", "de", "Schauenburgerstraße 116, 24118 Kiel"),
    Company("Weserland Automation GmbH", "de", "Hafenstraße 54, 28217 Bremen"),
    Company("Hartmann & Söhne Schaltanlagen GmbH", "de", "Motorstraße 25, 70499 Stuttgart"),
    Company("Électricité Valmont SAS", "fr", "14 rue de la Villette, 69003 Lyon"),
    Company("Atelier Ducasse Industrie SARL", "fr"),
    Company("Maas & Kemper Elektrotechniek B.V.", "nl", "Kastanjelaan 400, 5616 LZ Eindhoven"),
    Company("Kitamura Trading Europe B.V.", "nl"),
    Company("Officine Brenta S.r.l.", "it", "Via Venezia 59, 35131 Padova"),
    Company("Ferrante Componenti Elettronici S.p.A.", "it"),
    Company(
        "Lagunaria Distribuciones Técnicas S.L.", "es", "Avenida del Puerto 180, 46023 Valencia"
    ),
    Company("Wisłoka Automatyka Sp. z o.o.", "pl"),
    Company("Donau Kabeltechnik GmbH", "at", "Industriezeile 36, 4020 Linz"),
    Company("Fjordline Elektro AB", "se"),
)
CLEAN_JAPAN: tuple[Company, ...] = (
    Company("Marubun Corporation", "jp", "8-1 Nihonbashi Odenmacho, Chuo-ku, Tokyo"),
    Company("Kaga Electronics Co., Ltd.", "jp"),
    Company("Hoshino Denshi Co., Ltd.", "jp", "3-5-12 Minamisenba, Chuo-ku, Osaka"),
    Company("Mizuhara Seiki K.K.", "jp"),
)
CLEAN_FORWARDERS: tuple[Company, ...] = (
    Company("DHL Global Forwarding GmbH", "de"),
    Company("Kuehne + Nagel (AG & Co.) KG", "de"),
    Company("Dachser SE", "de"),
    Company("Expeditors International of Washington, Inc.", "us"),
    Company("Nippon Express USA, Inc.", "us"),
)
CLEAN_BANKS: tuple[Company, ...] = (
    Company("Deutsche Bank AG", "de"),
    Company("Commerzbank AG", "de"),
    Company("ING Bank N.V.", "nl"),
    Company("BNP Paribas SA", "fr"),
    Company("JPMorgan Chase Bank, N.A.", "us"),
    Company("MUFG Bank, Ltd.", "jp"),
)
#: Made-up (and a few real) trading companies in the diversion countries, on no list.
CLEAN_BY_COUNTRY: dict[str, tuple[Company, ...]] = {
    "hk": (
        Company("Harbourfront Components Trading Limited", "hk"),
        Company("Tsuen Wan Electronic Supplies Company Limited", "hk"),
        Company("Lantau Precision Parts Limited", "hk"),
        Company("Star Ferry Industrial Supplies Limited", "hk"),
        Company("Jebsen & Co. Ltd.", "hk"),
    ),
    "cn": (
        Company("Suzhou Lianfeng Precision Machinery Co., Ltd.", "cn"),
        Company("Dongguan Qingxi Hardware Products Co., Ltd.", "cn"),
        Company("Hangzhou Meilan Instruments Co., Ltd.", "cn"),
        Company("Shenzhen Sunlord Electronics Co., Ltd.", "cn"),
    ),
    "ae": (
        Company("Creekside Industrial Equipment Trading LLC", "ae"),
        Company("Date Palm Electronics Trading LLC", "ae"),
        Company("Desert Falcon Industrial Supplies FZE", "ae"),
        Company("Redington Gulf FZE", "ae"),
    ),
    "tr": (
        Company("Anadolu Makina Yedek Parça Ltd. Şti.", "tr"),
        Company("Egeport Endüstriyel Ürünler A.Ş.", "tr"),
        Company("Kapadokya Elektrik Malzemeleri Ltd. Şti.", "tr"),
        Company("Arena Bilgisayar Sanayi ve Ticaret A.Ş.", "tr"),
    ),
    "kz": (
        Company("Almaty Instruments Service LLP", "kz"),
        Company("Steppe Line Logistics LLP", "kz"),
        Company("Nomad Tech Supply LLP", "kz"),
    ),
    "kg": (
        Company("Issyk-Kul Trade House LLC", "kg"),
        Company("Tien Shan Components LLC", "kg"),
    ),
    "am": (
        Company("Ararat Valley Electronics LLC", "am"),
        Company("Sevan Technics LLC", "am"),
    ),
    "ge": (
        Company("Kutaisi Electro Supply LLC", "ge"),
        Company("Black Sea Instruments LLC", "ge"),
    ),
    "ru": (
        Company("OOO Belaya Reka", "ru"),
        Company("OOO Yantarny Bereg", "ru"),
        Company("OOO Lesnaya Polyana", "ru"),
        Company("AO Tikhaya Gavan", "ru"),
    ),
    "by": (
        Company("ODO Nemanskiy Bereg", "by"),
        Company("OOO Braslavskiye Ozera", "by"),
    ),
}

# --------------------------------------------------------------------------- listed parties


@dataclass(frozen=True)
class Pick:
    """A listed entity, the spelling to give it, the role it plays, where it is."""

    entity_id: str
    variant: str
    role: str
    country: str
    note: str = ""


#: Kind a: listed parties under varied spellings.  ``country`` is where the party
#: says it is (Hong Kong for Hong Kong firms, which OFAC and the UK list as China).
LISTED: tuple[Pick, ...] = (
    # Hong Kong and mainland Chinese electronics and trading firms (Russia programmes).
    Pick("us_ofac_sdn-38641", "exact", "buyer", "hk"),
    Pick("us_ofac_sdn-38641", "form", "consignee", "hk"),
    Pick("gb_hmt-16259", "chinese", "buyer", "cn"),
    Pick("us_ofac_sdn-48781", "typo", "consignee", "hk"),
    Pick("gb_hmt-16526", "chinese", "buyer", "hk"),
    Pick("gb_hmt-16649", "exact", "end_user", "hk"),
    Pick("gb_hmt-16649", "chinese", "consignee", "hk"),
    Pick("us_ofac_sdn-46627", "title", "buyer", "hk"),
    Pick("us_ofac_sdn-46712", "form", "buyer", "hk"),
    Pick("us_ofac_sdn-46716", "exact", "consignee", "hk"),
    Pick("us_ofac_sdn-46719", "form", "buyer", "hk"),
    Pick("us_ofac_sdn-46733", "typo", "buyer", "hk"),
    Pick("us_ofac_sdn-41861", "punctuation", "consignee", "hk"),
    Pick("us_ofac_sdn-47700", "exact", "buyer", "cn"),
    Pick("us_ofac_sdn-48019", "form", "end_user", "cn"),
    Pick("us_ofac_sdn-46730", "title", "buyer", "cn"),
    Pick("us_ofac_sdn-47702", "typo", "buyer", "cn"),
    Pick("us_ofac_sdn-43276", "exact", "consignee", "cn"),
    Pick("us_ofac_sdn-47698", "form", "buyer", "cn"),
    Pick("us_ofac_sdn-48624", "exact", "buyer", "hk"),
    Pick("us_ofac_sdn-46697", "title", "consignee", "hk"),
    Pick("us_ofac_sdn-46701", "form", "buyer", "hk"),
    Pick("us_ofac_sdn-45975", "exact", "consignee", "hk"),
    Pick("us_ofac_sdn-45952", "exact", "buyer", "hk"),
    Pick("us_ofac_sdn-46739", "title", "buyer", "hk"),
    Pick("us_ofac_sdn-46743", "exact", "consignee", "hk"),
    Pick("gb_hmt-16676", "chinese", "buyer", "hk"),
    Pick("gb_hmt-16641", "chinese", "consignee", "hk"),
    Pick("gb_hmt-16257", "chinese", "buyer", "hk"),
    Pick("gb_hmt-16456", "chinese", "end_user", "cn"),
    Pick("gb_hmt-16652", "chinese", "buyer", "cn"),
    Pick("gb_hmt-16643", "chinese", "buyer", "cn"),
    Pick("gb_hmt-16821", "form", "consignee", "hk"),
    Pick("gb_hmt-16657", "exact", "buyer", "hk"),
    Pick("gb_hmt-16790", "exact", "consignee", "hk"),
    Pick("us_ofac_sdn-48755", "title", "end_user", "cn"),
    Pick("us_ofac_sdn-48810", "typo", "end_user", "cn"),
    Pick("us_ofac_sdn-15616", "exact", "buyer", "hk", "NPWMD"),
    Pick("us_ofac_sdn-22583", "typo", "consignee", "hk", "NPWMD"),
    Pick("un_sc-6908693", "chinese", "forwarder", "hk", "DPRK"),
    # The UAE, Türkiye, Central Asia and the Caucasus.
    Pick("us_ofac_sdn-46724", "exact", "consignee", "ae"),
    Pick("us_ofac_sdn-45745", "exact", "buyer", "ae"),
    Pick("us_ofac_sdn-45980", "title", "buyer", "ae"),
    Pick("us_ofac_sdn-46740", "punctuation", "consignee", "ae"),
    Pick("us_ofac_sdn-46628", "form", "buyer", "tr"),
    Pick("gb_hmt-16766", "exact", "consignee", "tr"),
    Pick("us_ofac_sdn-48899", "typo", "buyer", "tr"),
    Pick("us_ofac_sdn-38796", "exact", "end_user", "am"),
    Pick("us_ofac_sdn-44024", "exact", "consignee", "kg"),
    Pick("us_ofac_sdn-46671", "typo", "buyer", "kg"),
    Pick("gb_hmt-16678", "form", "buyer", "kz"),
    Pick("gb_hmt-16812", "cyrillic", "consignee", "kg"),
    Pick("gb_hmt-16632", "cyrillic", "buyer", "kz"),
    # Russia and Belarus: microelectronics makers and distributors, defence firms.
    Pick("us_ofac_sdn-35936", "form", "buyer", "ru"),
    Pick("gb_hmt-15324", "cyrillic", "consignee", "ru"),
    Pick("gb_hmt-15371", "cyrillic", "buyer", "ru"),
    Pick("us_ofac_sdn-41978", "alias", "buyer", "ru"),
    Pick("us_ofac_sdn-41979", "form", "consignee", "ru"),
    Pick("us_ofac_sdn-43287", "form", "buyer", "ru"),
    Pick("us_ofac_sdn-45933", "form", "buyer", "ru"),
    Pick("us_ofac_sdn-48587", "typo", "consignee", "ru"),
    Pick("us_ofac_sdn-43856", "exact", "buyer", "ru"),
    Pick("us_ofac_sdn-46785", "alias", "end_user", "ru"),
    Pick("gb_hmt-14187", "cyrillic", "end_user", "ru"),
    Pick("gb_hmt-15305", "cyrillic", "end_user", "ru"),
    Pick("gb_hmt-15733", "cyrillic", "buyer", "ru"),
    Pick("gb_hmt-15369", "cyrillic", "consignee", "ru"),
    Pick("gb_hmt-14202", "cyrillic", "buyer", "by"),
    Pick("gb_hmt-16047", "cyrillic", "end_user", "by"),
    Pick("gb_hmt-14154", "cyrillic", "buyer", "by"),
    # Banks and forwarders.
    Pick("us_ofac_sdn-17018", "alias", "bank", "ru"),
    Pick("gb_hmt-14195", "cyrillic", "bank", "ru"),
    Pick("gb_hmt-15015", "title", "bank", "ru"),
    Pick("us_ofac_sdn-34656", "form", "bank", "ru"),
    Pick("us_ofac_sdn-18723", "exact", "bank", "kz"),
    Pick("us_ofac_sdn-46737", "title", "forwarder", "cn"),
    Pick("us_ofac_sdn-46507", "exact", "forwarder", "ae"),
    # People: reordered, transliterated, in Cyrillic or Chinese.
    Pick("us_ofac_sdn-40269", "reorder", "buyer", "ru"),
    Pick("us_ofac_sdn-41038", "translit", "buyer", "ru"),
    Pick("us_ofac_sdn-45711", "reorder", "consignee", "ru"),
    Pick("us_ofac_sdn-48122", "reorder", "end_user", "ru"),
    Pick("us_ofac_sdn-44683", "translit", "buyer", "ru"),
    Pick("gb_hmt-14738", "cyrillic", "buyer", "ru"),
    Pick("gb_hmt-14804", "cyrillic", "end_user", "ru"),
    Pick("gb_hmt-15352", "reorder", "buyer", "ru"),
    Pick("gb_hmt-16461", "chinese", "end_user", "cn"),
    Pick("gb_hmt-16462", "chinese", "buyer", "cn"),
)
#: Kind b: Entity List (CETC 13) and Military End User (AASPT) entries of the CSL.
EL_MEU: tuple[Pick, ...] = (
    Pick(
        "us_trade_csl-99ed1b052fdb09695fae1ba87516d8a0882b0df04652e07aeb5ce7be",
        "exact",
        "end_user",
        "cn",
    ),
    Pick(
        "us_trade_csl-99ed1b052fdb09695fae1ba87516d8a0882b0df04652e07aeb5ce7be",
        "no-acronym",
        "buyer",
        "cn",
    ),
    Pick(
        "us_trade_csl-99ed1b052fdb09695fae1ba87516d8a0882b0df04652e07aeb5ce7be",
        "alias",
        "consignee",
        "cn",
    ),
    Pick(
        "us_trade_csl-99ed1b052fdb09695fae1ba87516d8a0882b0df04652e07aeb5ce7be",
        "alias-typo",
        "end_user",
        "cn",
    ),
    Pick(
        "us_trade_csl-99ed1b052fdb09695fae1ba87516d8a0882b0df04652e07aeb5ce7be",
        "alias-upper",
        "buyer",
        "cn",
    ),
    Pick("us_trade_csl-66f6ab3f26234b75a9093fce79ef0ce0", "exact", "end_user", "cn"),
    Pick("us_trade_csl-66f6ab3f26234b75a9093fce79ef0ce0", "no-acronym", "buyer", "cn"),
    Pick("us_trade_csl-66f6ab3f26234b75a9093fce79ef0ce0", "typo", "end_user", "cn"),
    Pick("us_trade_csl-66f6ab3f26234b75a9093fce79ef0ce0", "upper", "consignee", "cn"),
    Pick("us_trade_csl-66f6ab3f26234b75a9093fce79ef0ce0", "lower", "end_user", "cn"),
)


@dataclass(frozen=True)
class AddressPick:
    """Kind h: a party at a listed entity's address, under a made-up name or its own."""

    entity_id: str
    match: str  # text that picks the address among the entity's addresses
    country: str
    front: str | None  # the made-up name at that address; None: the listed name
    variant: str = "exact"  # exact | upper | no-country


ADDRESSES: tuple[AddressPick, ...] = (
    AddressPick("us_ofac_sdn-46739", "Connaught Road West", "hk", "Brightwave Components Limited"),
    AddressPick("us_ofac_sdn-42859", "Belgian Bank", "hk", "Everjoy Trading Company Limited"),
    AddressPick(
        "us_ofac_sdn-48588", "Celebrity", "hk", "Pearl Delta Supply Chain Limited", "no-country"
    ),
    AddressPick("us_ofac_sdn-46874", "Success Industrial", "hk", "Morning Tide Industrial Ltd"),
    AddressPick(
        "gb_hmt-16649", "One Capital Place", "hk", "Oriole Bay Electronics Limited", "upper"
    ),
    AddressPick("us_ofac_sdn-46627", "Fa Yuen", "hk", "Copperleaf Industrial Limited", "upper"),
    AddressPick(
        "us_ofac_sdn-46733",
        "Wanchai Central",
        "hk",
        "Paper Lantern Technology Limited",
        "no-country",
    ),
    AddressPick("us_ofac_sdn-46724", "IFZA", "ae", "Mountain Jade Trading FZE"),
    AddressPick("us_ofac_sdn-45730", "Al Sanabil", "ae", "Palmgate General Trading LLC"),
    AddressPick("us_ofac_sdn-45784", "Istanbul Tower", "tr", "Yildiz Kapi Dis Ticaret Ltd. Sti."),
    AddressPick("us_ofac_sdn-44028", "Fatyanova", "kg", "Ala-Too Parts Supply LLC"),
    AddressPick("gb_hmt-15371", "RigaLand", "ru", "OOO Tikhiy Dvor"),
    AddressPick("us_ofac_sdn-47700", "Hanguo Center", "cn", None),
    AddressPick("us_ofac_sdn-46716", "Winner Building", "hk", None),
)

# --------------------------------------------------------------------------- spellings

_CJK = re.compile(r"[\u3400-\u9fff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ACRONYM = re.compile(r"\s*\([^)]*\)\s*$")
#: (pattern, replacement): the first that applies rewrites the company form.
_FORMS: tuple[tuple[str, str], ...] = (
    (r"\bCO\.?,? LIMITED\b", "Co., Ltd."),
    (r"\bCOMPANY LIMITED\b", "Co., Ltd."),
    (r"\bCO\.?,? LTD\b\.?", "Company Limited"),
    (r"\bLIMITED LIABILITY PARTNERSHIP\b", "LLP"),
    (r"^LIMITED LIABILITY COMPANY\b", "OOO"),
    (r"\bPUBLIC JOINT STOCK COMPANY\b", "PJSC"),
    (r"^JOINT STOCK COMPANY\b", "AO"),
    (r"\bJOINT STOCK COMPANY$", "JSC"),
    (r"\bANONIM SIRKETI$", "A.S."),
    (r"\bLIMITED SIRKETI$", "Ltd. Sti."),
    (r"^OOO (.+)$", r"\1 LLC"),
    (r"\bLIMITED$", "Ltd"),
    (r"\bLTD$", "Limited"),
    (r"\bLLC$", "Limited Liability Company"),
)
#: Russian given names and patronymic endings, transliterated another common way.
_TRANSLIT: tuple[tuple[str, str], ...] = (
    ("Aleksandr", "Alexander"),
    ("Aleksei", "Alexei"),
    ("Albertovich", "Albertovitch"),
    ("Valentinovich", "Valentinovitch"),
)


def properties(entity: StoredEntity) -> dict[str, list[str]]:
    """The entity's FollowTheMoney properties (each a list of texts)."""
    found: dict[str, list[str]] = entity.data.get("properties", {})
    return found


def _names(props: dict[str, list[str]]) -> list[str]:
    return [*props.get("name", []), *props.get("alias", [])]


def spelling(entity: StoredEntity, variant: str, rng: random.Random) -> str:
    """The name a shipment gives a listed entity, spelt as ``variant`` says."""
    props = properties(entity)
    name = props.get("name", [entity.caption])[0]
    if variant == "exact":
        return name
    if variant == "upper":
        return name.upper()
    if variant == "lower":
        return name.lower()
    if variant == "title":
        return _title(name)
    if variant == "alias":
        latin = [
            a for a in props.get("alias", []) if not _CJK.search(a) and not _CYRILLIC.search(a)
        ]
        return _title(latin[0])
    if variant == "alias-upper":
        return _ascii_aliases(props)[-1].upper()
    if variant == "alias-typo":
        return typo(_ascii_aliases(props)[0], rng)
    if variant == "no-acronym":
        stripped = _ACRONYM.sub("", name)
        assert stripped != name, name
        return stripped
    if variant == "form":
        return swap_form(_title(name))
    if variant == "typo":
        return typo(name, rng)
    if variant == "punctuation":
        text = re.sub(r"\s+", " ", re.sub(r"[-.,&]", " ", name)).strip()
        return re.sub(r"\b([A-Z]) (?=[A-Z]\b)", r"\1", text)
    if variant == "chinese":
        return next(a for a in _names(props) if _CJK.search(a))
    if variant == "cyrillic":
        return next(a for a in _names(props) if _CYRILLIC.search(a))
    if variant == "reorder":
        return reorder(name)
    if variant == "translit":
        text = reorder(name) if "," in name else name
        for old, new in _TRANSLIT:
            text = text.replace(old, new)
        assert text != reorder(name), name
        return text
    raise ValueError(f"unknown variant {variant!r}")


def _ascii_aliases(props: dict[str, list[str]]) -> list[str]:
    return [a for a in props.get("alias", []) if a.isascii() and len(a) > 12]


def _title(name: str) -> str:
    words = []
    for word in name.split():
        short = len(word) <= 3 or "." in word
        keep = word.isupper() and short and word not in ("CO", "CO.", "CO.,", "AND", "VE", "OF")
        words.append(word if keep else word[:1].upper() + word[1:].lower())
    return " ".join(words)


def swap_form(name: str) -> str:
    for pattern, replacement in _FORMS:
        swapped, count = re.subn(pattern, replacement, name, count=1, flags=re.IGNORECASE)
        if count:
            return swapped
    raise ValueError(f"no company form to rewrite in {name!r}")


def typo(name: str, rng: random.Random) -> str:
    """Two neighbouring letters swapped inside the name's longest word (8+ letters)."""
    words = name.split(" ")
    position = max(range(len(words)), key=lambda i: (len(words[i]), -i))
    word = words[position]
    if len(word) < 8 or not word.isalpha():
        raise ValueError(f"no word of 8 or more letters for a typo in {name!r}")
    choices = [i for i in range(2, len(word) - 2) if word[i] != word[i + 1]]
    i = rng.choice(choices)
    words[position] = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return " ".join(words)


def reorder(name: str) -> str:
    """``SURNAME, Given Names`` -> ``Given Names Surname``;
    ``Given SURNAME`` -> ``SURNAME Given``."""
    if "," in name:
        surname, given = (p.strip() for p in name.split(",", 1))
        return f"{given} {surname.title()}"
    words = name.split()
    return " ".join([words[-1], *words[:-1]])


# --------------------------------------------------------------------------- rows


@dataclass
class Party:
    role: str
    name: str
    country: str | None  # design: ISO code, None when the text is not a country
    country_text: str = ""
    address: str = ""


@dataclass
class Row:
    kind: str
    design: str
    parties: list[Party]
    hs_code: str
    description: str
    tier: str | None  # CHPL tier of hs_code, None if off the list or unreadable
    origin: str
    destination: str | None
    destination_text: str = ""
    transit: list[tuple[str | None, str]] = field(default_factory=list)
    origin_text: str = ""
    listed: str | None = None  # designed decision on a listed party: match | possible
    el_meu: bool = False
    address_listed: bool = False
    problem: bool = False
    quantity: str = ""
    value: str = ""
    currency: str = ""
    row_id: str = ""

    def expected(self) -> tuple[str, list[str]]:
        """Risk and rule ids, from the design and the default rules."""
        fired: dict[str, str] = {}
        if self.listed is not None:
            fired["party-listed"] = "block" if self.listed == "match" else "review"
        if self.el_meu:
            fired["party-russia-military-suppliers"] = "block"
        if self.address_listed:
            fired["party-address-listed"] = "review"
        if self.tier is not None:
            places = {self.destination, *(code for code, _ in self.transit)}
            places |= {p.country for p in self.parties if p.role in GOODS_ROLES}
            if places & EMBARGOED:
                fired["chpl-to-embargoed"] = "block"
            if places & HIGH_DIVERSION:
                fired["chpl-to-high-diversion-risk"] = "review"
        if any(code in EMBARGOED for code, _ in self.transit):
            fired["route-via-embargoed"] = "review"
        end_users = [p.country for p in self.parties if p.role == "end_user" and p.country]
        if self.destination and any(c != self.destination for c in end_users):
            fired["end-user-country-mismatch"] = "review"
        if self.problem:
            fired["row-problems"] = "review"
        for rule, severity in fired.items():
            assert rule == "party-listed" or SEVERITY[rule] == severity, rule
        risk = max(fired.values(), key=RANK.__getitem__, default="clear")
        return risk, sorted(fired)

    def record(self) -> dict[str, str]:
        values = {c: "" for c in COLUMNS}
        values["row_id"] = self.row_id
        for party in self.parties:
            values[f"{party.role}_name"] = party.name
            values[f"{party.role}_country"] = party.country_text
            if party.address:
                values[f"{party.role}_address"] = party.address
        values.update(
            hs_code=self.hs_code,
            description=self.description,
            quantity=self.quantity,
            value=self.value,
            currency=self.currency,
            origin_country=self.origin_text,
            transit_countries=";".join(text for _, text in self.transit),
            destination_country=self.destination_text,
        )
        return values


class Builder:
    """Makes the rows of every kind, drawing choices from one seeded generator."""

    def __init__(self, entities: dict[str, StoredEntity], seed: int) -> None:
        self.entities = entities
        self.rng = random.Random(seed)
        self.rows: list[Row] = []
        self.errors: list[tuple[dict[str, str], str]] = []

    # -- helpers ---------------------------------------------------------

    def entity(self, entity_id: str) -> StoredEntity:
        found = self.entities.get(entity_id)
        if found is None:
            raise SystemExit(
                f"{entity_id} is not among the active listed entities: load the lists of"
                " ../shared/data first (redline update --from-dir ../shared/data)"
            )
        return found

    def text(self, code: str) -> str:
        return self.rng.choice(COUNTRY_TEXT[code])

    def party(self, role: str, company: Company, *, address: bool = True) -> Party:
        return Party(
            role,
            company.name,
            company.country,
            self.text(company.country),
            company.address if address else "",
        )

    def clean(self, country: str) -> Company:
        pool = CLEAN_BY_COUNTRY.get(country)
        if pool is None:
            pool = tuple(c for c in CLEAN_WEST + CLEAN_JAPAN if c.country == country)
        return self.rng.choice(pool)

    def plain(self) -> tuple[str, str]:
        return self.rng.choice(PLAIN_GOODS)

    def origin(self, *codes: str) -> str:
        return self.rng.choice(codes or ("us", "de", "jp", "tw", "kr", "nl", "my"))

    def add(
        self,
        kind: str,
        design: str,
        parties: list[Party],
        goods: tuple[str, str] | tuple[str, str, str],
        destination: str | None,
        *,
        origin: str | None = None,
        transit: Sequence[str] = (),
        hs_code: str | None = None,
        tier: str | None = None,
        **flags: Any,
    ) -> Row:
        code, description = goods[0], goods[1]
        if len(goods) == 3 and tier is None and hs_code is None:
            tier = goods[2]
        origin_code = origin or self.origin()
        row = Row(
            kind=kind,
            design=design,
            parties=parties,
            hs_code=hs_code if hs_code is not None else hs_text(code, self.rng),
            description=description,
            tier=tier,
            origin=origin_code,
            origin_text=self.text(origin_code) if origin_code in COUNTRY_TEXT else origin_code,
            destination=destination,
            destination_text=self.text(destination) if destination else "",
            transit=[(c, self.text(c)) for c in transit],
            **flags,
        )
        self.price(row, code)
        self.rows.append(row)
        return row

    def price(self, row: Row, code: str) -> None:
        quantity = self.rng.choice((10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000))
        if code.startswith(("8457", "8458", "8471", "9030", "9014")):
            quantity = self.rng.choice((1, 2, 4, 6, 10))
        unit = round(
            self.rng.uniform(0.4, 60.0) if quantity >= 100 else self.rng.uniform(80, 9000), 2
        )
        region = row.destination if row.destination in CURRENCIES else "us"
        if row.destination in {"de", "nl", "fr", "it", "es", "at", "pl", "se", "be"}:
            region = "eu"
        row.quantity = str(quantity)
        row.value = f"{quantity * unit:.2f}"
        row.currency = CURRENCIES.get(region or "us", "USD") if self.rng.random() < 0.7 else "USD"

    # -- kinds -------------------------------------------------------------

    def listed(self) -> None:
        """a. Listed parties under varied spellings, with goods off the CHPL."""
        for pick in LISTED:
            entity = self.entity(pick.entity_id)
            name = spelling(entity, pick.variant, self.rng)
            party = Party(pick.role, name, pick.country, self.text(pick.country))
            parties = [party]
            if pick.role in ("end_user", "consignee", "forwarder", "bank"):
                buyer_country = pick.country if pick.country in CLEAN_BY_COUNTRY else "hk"
                parties.insert(0, self.party("buyer", self.clean(buyer_country), address=False))
            destination = pick.country
            design = f"a: {entity.caption!r} ({entity.source}) as {pick.role}, {pick.variant}"
            if pick.note:
                design += f", {pick.note}"
            self.add("a", design, parties, self.plain(), destination, listed="match")

    def el_meu(self) -> None:
        """b. Entity List / MEU entries; every other row buys tier 1 chips."""
        for i, pick in enumerate(EL_MEU):
            entity = self.entity(pick.entity_id)
            name = spelling(entity, pick.variant, self.rng)
            parties = [Party(pick.role, name, pick.country, self.text(pick.country))]
            if pick.role != "buyer":
                parties.insert(0, self.party("buyer", self.clean("cn")))
            goods: tuple[str, str] | tuple[str, str, str] = (
                self.rng.choice(TIER_1) if i % 2 == 0 else self.plain()
            )
            programs = ", ".join(properties(entity).get("programId", []))
            design = f"b: {entity.caption!r} ({programs}) as {pick.role}, {pick.variant}"
            self.add("b", design, parties, goods, "cn", listed="match", el_meu=True)

    def clean_rows(self, count: int) -> None:
        """c. Unlisted EU/US/JP companies, goods off the CHPL, within the EU and the US."""
        west = list(CLEAN_WEST)
        for i in range(count):
            buyer = west[i % len(west)]
            parties = [self.party("buyer", buyer)]
            if i % 3 == 0:
                consignee = self.rng.choice([c for c in west if c.country == buyer.country] or west)
                if consignee != buyer:
                    parties.append(self.party("consignee", consignee))
            if i % 4 == 1:
                parties.append(self.party("forwarder", self.rng.choice(CLEAN_FORWARDERS)))
            if i % 5 == 2:
                parties.append(self.party("bank", self.rng.choice(CLEAN_BANKS)))
            if i % 7 == 3:
                parties.append(self.party("end_user", buyer))
            origin = self.rng.choice(("us", "de", "jp", "tw", "kr", "cn", "it", "fr", "nl"))
            transit = ("nl",) if i % 9 == 4 and buyer.country != "nl" else ()
            design = f"c: clean {buyer.name!r} ({buyer.country.upper()}), goods off the CHPL"
            self.add(
                "c", design, parties, self.plain(), buyer.country, origin=origin, transit=transit
            )

    def chpl_rows(self) -> None:
        """d. CHPL goods to Russia/Belarus, to diversion countries and to DE/US/JP."""
        plan: list[tuple[str, int, int]] = [
            # (destination, tier 1 rows, other-tier rows)
            ("ru", 7, 5),
            ("by", 3, 3),
            ("hk", 4, 2),
            ("cn", 3, 2),
            ("ae", 2, 2),
            ("tr", 2, 2),
            ("kz", 2, 1),
            ("kg", 2, 1),
            ("am", 1, 1),
            ("ge", 1, 1),
            ("de", 4, 4),
            ("us", 4, 4),
            ("jp", 4, 3),
        ]
        for destination, tier_1, others in plan:
            for goods in [*self._sample(TIER_1, tier_1), *self._sample(OTHER_TIERS, others)]:
                buyer = self.clean(destination)
                parties = [self.party("buyer", buyer)]
                if self.rng.random() < 0.3:
                    parties.append(self.party("consignee", self.clean(destination), address=False))
                outcome = (
                    "block"
                    if destination in EMBARGOED
                    else "review"
                    if destination in HIGH_DIVERSION
                    else "clear"
                )
                design = (
                    f"d: CHPL tier {goods[2]} ({goods[1]}) to {destination.upper()} "
                    f"for {buyer.name!r}: {outcome}"
                )
                origin = self.rng.choice(("us", "de", "jp", "tw", "kr", "nl", "my"))
                self.add("d", design, parties, goods, destination, origin=origin)

    def _sample(
        self, pool: Sequence[tuple[str, str, str]], count: int
    ) -> list[tuple[str, str, str]]:
        return [self.rng.choice(pool) for _ in range(count)]

    def end_user_rows(self) -> None:
        """e. The end user is in another country than the destination."""
        cases: list[tuple[str, str, bool]] = [
            # (destination, end user's country, CHPL goods)
            ("ae", "kz", False),
            ("ae", "ru", False),
            ("ae", "kg", False),
            ("tr", "ru", False),
            ("tr", "am", False),
            ("kz", "ru", False),
            ("am", "ge", False),
            ("nl", "de", False),
            ("de", "fr", False),
            ("us", "jp", False),
            ("ae", "ru", True),
            ("tr", "ru", True),
            ("kz", "ru", True),
            ("hk", "by", True),
            ("de", "ru", True),
            ("nl", "de", True),
            ("kg", "ru", True),
            ("ge", "am", True),
        ]
        for destination, country, chpl in cases:
            consignee = self.clean(destination)
            end_user = self.clean(country)
            parties = [
                self.party("buyer", consignee, address=False),
                self.party("end_user", end_user),
            ]
            goods: tuple[str, str] | tuple[str, str, str] = (
                self.rng.choice(CHPL_GOODS) if chpl else self.plain()
            )
            what = f"CHPL tier {goods[2]}" if len(goods) == 3 else "goods off the CHPL"
            design = (
                f"e: {what} shipped to {destination.upper()}, end user {end_user.name!r} "
                f"in {country.upper()}"
            )
            self.add("e", design, parties, goods, destination)

    def transit_rows(self) -> None:
        """f. Routes through embargoed countries (and Crimea)."""
        cases: list[tuple[str, str, tuple[str, ...], str, bool]] = [
            # (buyer's country, origin, transit, destination, CHPL goods)
            ("pl", "cn", ("kz", "ru", "by"), "pl", False),
            ("de", "cn", ("kz", "ru", "by"), "de", False),
            ("de", "cn", ("ru", "by"), "de", False),
            ("it", "cn", ("kz", "ru", "by", "pl"), "it", False),
            ("am", "in", ("ir",), "am", False),
            ("kz", "in", ("ir",), "kz", False),
            ("ae", "cn", ("ir",), "ae", False),
            ("tr", "kz", ("ru", "ge"), "tr", False),
            ("tr", "cn", ("ua-cri",), "tr", False),
            ("kz", "de", ("by", "ru"), "kz", False),
            ("kz", "de", ("pl", "by", "ru"), "kz", True),
            ("kg", "de", ("ru", "kz"), "kg", True),
            ("kz", "us", ("ru",), "kz", True),
            ("de", "cn", ("kz", "ru", "by"), "de", True),
            ("am", "ae", ("ir",), "am", True),
            ("ge", "tr", ("ru",), "ge", True),
            ("us", "kr", ("ru",), "us", False),
            ("at", "tw", ("by",), "at", True),
        ]
        for country, origin, transit, destination, chpl in cases:
            buyer = self.clean(country)
            goods: tuple[str, str] | tuple[str, str, str] = (
                self.rng.choice(CHPL_GOODS) if chpl else self.plain()
            )
            what = f"CHPL tier {goods[2]}" if len(goods) == 3 else "goods off the CHPL"
            route = " -> ".join(c.upper() for c in (origin, *transit, destination))
            design = f"f: {what} routed {route} for {buyer.name!r}"
            parties = [self.party("buyer", buyer)]
            self.add("f", design, parties, goods, destination, origin=origin, transit=transit)

    def problem_rows(self) -> None:
        """g. Rows read with problems (kept, review) and rows with no party (error file)."""
        unknown = iter(self.rng.sample(UNKNOWN_COUNTRIES, len(UNKNOWN_COUNTRIES)))

        def row(
            design: str,
            parties: list[Party],
            goods: tuple[str, str] | tuple[str, str, str],
            destination: str | None,
            **kwargs: Any,
        ) -> Row:
            return self.add(
                "g", f"g: {design}", parties, goods, destination, problem=True, **kwargs
            )

        # Unknown destination: goods and route checked on what was read.
        place = next(unknown)
        buyer = self.party("buyer", self.clean("us"))
        row(f"unknown destination {place!r}", [buyer], self.plain(), None).destination_text = place
        place = next(unknown)
        buyer = self.party("buyer", self.clean("de"))
        design = f"unknown destination {place!r}, tier 1 chips"
        row(design, [buyer], TIER_1[0], None).destination_text = place
        # Unknown party country.
        place = next(unknown)
        buyer = Party("buyer", self.clean("nl").name, None, place)
        row(f"buyer country {place!r} unknown", [buyer], self.plain(), "nl")
        # Unknown end-user country: no mismatch can be seen.
        place = next(unknown)
        parties = [
            self.party("buyer", self.clean("ae")),
            Party("end_user", self.clean("kz").name, None, place),
        ]
        row(f"end user country {place!r} unknown", parties, self.plain(), "ae")
        # An unknown transit country after a known embargoed one.
        place = next(unknown)
        buyer = self.party("buyer", self.clean("kz"))
        transit = row(f"transit 'RU;{place}'", [buyer], self.plain(), "kz", transit=("ru",))
        transit.transit.append((None, place))
        # Unknown origin: no rule looks at the origin; the CHPL rule still fires.
        place = next(unknown)
        buyer = self.party("buyer", self.clean("ae"))
        design = f"origin {place!r} unknown, tier 1 chips to AE"
        row(design, [buyer], TIER_1[2], "ae", origin=place)
        # Malformed HS codes: the goods cannot be checked against the CHPL.
        for text, destination in (
            ("85A2.31", "kz"),
            ("8542.3", "ru"),
            ("HS 854231", "hk"),
            ("85-42-31-X", "ae"),
            ("8542311", "tr"),
        ):
            buyer = self.party("buyer", self.clean(destination))
            design = f"malformed HS code {text!r} (tier 1 chips) to {destination.upper()}"
            row(design, [buyer], TIER_1[1], destination, hs_code=text, tier=None)
        # Missing HS code, missing destination, a buyer country without a buyer name.
        buyer = self.party("buyer", self.clean("fr"))
        row("no HS code", [buyer], ("", "Spare parts, assorted"), "fr", hs_code="")
        row("no destination", [self.party("buyer", self.clean("us"))], self.plain(), None)
        parties = [Party("buyer", "", None, "Germany"), self.party("consignee", self.clean("de"))]
        row("buyer country given but no buyer name", parties, self.plain(), "de")
        # A malformed HS code and an unknown destination together.
        place = next(unknown)
        buyer = self.party("buyer", self.clean("it"))
        design = f"malformed HS code '8542-31-AB' and unknown destination {place!r}"
        both = row(design, [buyer], TIER_1[3], None, hs_code="8542-31-AB", tier=None)
        both.destination_text = place
        # No party name at all: the error file.
        for values in (
            {
                "hs_code": "8542.31",
                "description": "Microcontrollers",
                "quantity": "500",
                "destination_country": "Russia",
            },
            {
                "buyer_country": "Hong Kong",
                "hs_code": "8542.32",
                "description": "Memory ICs",
                "destination_country": "Hong Kong",
            },
            {
                "consignee_address": "Room 12, 3/F, 88 Nathan Road, Kowloon",
                "hs_code": "8504.40",
                "destination_country": "Hong Kong",
            },
        ):
            self.errors.append((values, "no party name in any role"))

    def address_rows(self) -> None:
        """h. Parties at a listed entity's real address."""
        for pick in ADDRESSES:
            entity = self.entity(pick.entity_id)
            addresses = properties(entity).get("address", [])
            address = next(a for a in addresses if pick.match in a)
            if pick.variant == "upper":
                address = address.upper()
            elif pick.variant == "no-country":
                address = re.sub(r",\s*China$", "", address)
                assert not address.endswith("China"), address
            if pick.front is None:
                name = properties(entity)["name"][0]
                design = f"h: {entity.caption!r} at its listed address ({pick.variant})"
            else:
                name = pick.front
                design = f"h: unlisted {name!r} at the address of {entity.caption!r}"
                design += f" ({pick.variant})"
            party = Party("consignee", name, pick.country, self.text(pick.country), address)
            buyer = self.party("buyer", self.clean(pick.country), address=False)
            self.add(
                "h",
                design,
                [buyer, party],
                self.plain(),
                pick.country,
                address_listed=True,
                listed="match" if pick.front is None else None,
            )


# --------------------------------------------------------------------------- output


def check_goods() -> None:
    """The design's CHPL codes and tiers are the packaged list's; the plain goods are not on it."""
    with CHPL_FILE.open(encoding="utf-8", newline="") as handle:
        tiers = {row["hs_code"].replace(".", ""): row["tier"] for row in csv.DictReader(handle)}
    for code, _, tier in CHPL_GOODS:
        assert tiers.get(code) == tier, f"{code} is not on the CHPL as tier {tier}"
    for code, _ in PLAIN_GOODS:
        assert code not in tiers, f"{code} is on the CHPL"


def _key(text: str) -> str:
    return normalize(text, lowercase=True, ascii=True) or ""


def check_clean_names(entities: dict[str, StoredEntity]) -> None:
    """No unlisted name may contain a listed name (or alias, or former name) as whole words.

    Such a name is not clean by design: screening is right to raise it (a company
    called "X Horizon Trading" next to a listed tanker "HORIZON").  Listed names
    shorter than 4 characters are left out (company forms such as "SE")."""
    listed: dict[str, str] = {}
    for entity in entities.values():
        props = properties(entity)
        for prop in ("name", "alias", "weakAlias", "previousName"):
            for value in props.get(prop, []):
                key = _key(value)
                if len(key) >= 4:
                    listed.setdefault(key, entity.entity_id)
    companies = [
        *CLEAN_WEST,
        *CLEAN_JAPAN,
        *CLEAN_FORWARDERS,
        *CLEAN_BANKS,
        *(c for pool in CLEAN_BY_COUNTRY.values() for c in pool),
    ]
    names = [c.name for c in companies] + [a.front for a in ADDRESSES if a.front]
    problems = []
    for name in names:
        words = _key(name).split()
        for i in range(len(words)):
            for j in range(i + 1, len(words) + 1):
                part = " ".join(words[i:j])
                if part in listed:
                    problems.append(f"{name!r} contains {part!r}, listed as {listed[part]}")
    if problems:
        raise SystemExit("unlisted names that contain a listed name:\n" + "\n".join(problems))


def build(entities: dict[str, StoredEntity], seed: int) -> Builder:
    check_goods()
    check_clean_names(entities)
    builder = Builder(entities, seed)
    builder.listed()
    builder.el_meu()
    builder.clean_rows(62)
    builder.chpl_rows()
    builder.end_user_rows()
    builder.transit_rows()
    builder.problem_rows()
    builder.address_rows()
    return builder


def write(builder: Builder, out: Path, seed: int) -> Counter[str]:
    """The three files; rows of all kinds shuffled together, numbered in file order."""
    rows: list[Row | tuple[dict[str, str], str]] = [*builder.rows, *builder.errors]
    random.Random(seed + 1).shuffle(rows)
    out.mkdir(parents=True, exist_ok=True)
    records: list[list[str]] = []
    expected: list[list[str]] = []
    errors: list[list[str]] = []
    for number, item in enumerate(rows, start=1):
        row_id = f"SH-{number:04d}"
        if isinstance(item, Row):
            item.row_id = row_id
            values = item.record()
            risk, rules = item.expected()
            expected.append([row_id, risk, ";".join(rules), item.design])
        else:
            values = {c: item[0].get(c, "") for c in COLUMNS} | {"row_id": row_id}
            errors.append([row_id, item[1]])
        records.append([values[c] for c in COLUMNS])
    _write_csv(out / "shipments.csv", list(COLUMNS), records)
    _write_csv(out / "shipments.expected.csv", ["row_id", "risk", "rules", "design"], expected)
    _write_csv(out / "shipments.expected_errors.csv", ["row_id", "reason"], errors)
    counts: Counter[str] = Counter(r.kind for r in builder.rows)
    counts["g (error file)"] = len(errors)
    return counts


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def load_entities(settings: Settings) -> dict[str, StoredEntity]:
    store = Store.open(settings)
    try:
        if not store.active_versions():
            raise SystemExit(
                f"no lists loaded in {settings.store_url}: run "
                "`redline update --from-dir ../shared/data` first"
            )
        return {e.entity_id: e for e in store.iter_active_entities(targets_only=True)}
    finally:
        store.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=ROOT / "examples")
    parser.add_argument("--database-url", help="store to read (default: REDLINE_* settings)")
    args = parser.parse_args(argv)
    settings = Settings.load()
    if args.database_url:
        settings = settings.model_copy(update={"database_url": args.database_url})
    builder = build(load_entities(settings), args.seed)
    counts = write(builder, args.out, args.seed)
    total = sum(counts.values())
    kinds = ", ".join(f"{k}: {n}" for k, n in sorted(counts.items()))
    print(f"wrote {total} rows to {args.out / 'shipments.csv'} ({kinds})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
