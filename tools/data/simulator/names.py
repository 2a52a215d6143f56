"""Plausible, unique company names and bank-account identifiers for master data."""

from __future__ import annotations

import numpy as np

_EN_FIRST = (
    "Apex",
    "Summit",
    "Bluewater",
    "Granite",
    "Harbor",
    "Cedar",
    "Pioneer",
    "Atlas",
    "Vertex",
    "Silverline",
    "Ironwood",
    "Orion",
    "Delta",
    "Falcon",
    "Maple",
    "Crescent",
    "Evergreen",
    "Northern",
    "Pacific",
    "Prairie",
    "Quantum",
    "Redwood",
    "Sterling",
    "Titan",
    "Union",
    "Vanguard",
    "Westfield",
    "Keystone",
    "Liberty",
    "Meridian",
    "Beacon",
    "Cobalt",
    "Frontier",
    "Highland",
    "Lakeshore",
    "Midwest",
    "Oakridge",
    "Riverside",
    "Sierra",
    "Tristar",
)
_DE_FIRST = (
    "Rheinland",
    "Alpen",
    "Hanse",
    "Elbe",
    "Main",
    "Schwarzwald",
    "Nordsee",
    "Taunus",
    "Spree",
    "Isar",
    "Weser",
    "Mosel",
    "Bodensee",
    "Harz",
    "Eifel",
    "Odenwald",
    "Ruhr",
    "Neckar",
    "Donau",
    "Saale",
    "Lahn",
    "Allgäu",
    "Franken",
    "Westfalen",
    "Pfalz",
    "Havel",
)
_ROLE_WORDS = {
    "customer": (
        "Industrial",
        "Manufacturing",
        "Machinery",
        "Systems",
        "Engineering",
        "Fabrication",
        "Automation",
        "Equipment",
        "Controls",
        "Dynamics",
        "Works",
        "Hydraulics",
        "Tooling",
        "Assembly",
        "Motors",
        "Distribution",
        "Technologies",
    ),
    "inventory": (
        "Components",
        "Metals",
        "Plastics",
        "Electric",
        "Castings",
        "Bearings",
        "Fasteners",
        "Precision",
        "Polymers",
        "Electronics",
        "Alloys",
        "Parts",
    ),
    "rent": ("Properties", "Real Estate", "Estates"),
    "utilities": ("Energy", "Power", "Utilities"),
    "logistics": ("Freight", "Logistics", "Transport", "Shipping"),
    "services": (
        "Consulting",
        "Software",
        "Staffing",
        "Facility Services",
        "Maintenance",
        "Marketing",
        "IT Services",
        "Security",
        "Advisory",
        "Cleaning",
    ),
    "insurance": ("Insurance", "Assurance", "Mutual"),
}
_DE_ROLE_WORDS = {
    "customer": (
        "Maschinenbau",
        "Industrie",
        "Anlagenbau",
        "Technik",
        "Werke",
        "Systeme",
        "Antriebstechnik",
        "Automation",
        "Handel",
    ),
    "inventory": ("Metallbau", "Kunststoffe", "Elektro", "Komponenten", "Guss", "Präzision"),
    "rent": ("Immobilien",),
    "utilities": ("Stadtwerke",),
    "logistics": ("Spedition", "Logistik"),
    "services": ("Beratung", "Software", "Gebäudeservice", "IT-Service", "Personal"),
    "insurance": ("Versicherung",),
}
_LEGAL = {
    "US": ("Inc.", "LLC", "Corp."),
    "CA": ("Ltd.", "Inc."),
    "MX": ("S.A. de C.V.",),
    "DE": ("GmbH", "AG", "GmbH & Co. KG"),
    "AT": ("GmbH",),
    "NL": ("B.V.",),
    "FR": ("SAS", "S.A."),
    "IT": ("S.p.A.", "S.r.l."),
}
_GERMAN = {"DE", "AT"}


def company_names(rng: np.random.Generator, countries: list[str], roles: list[str]) -> list[str]:
    """One name per (country, role), unique across the list (bank lines match on names)."""
    seen: set[str] = set()
    names = []
    for country, role in zip(countries, roles, strict=True):
        german = country in _GERMAN
        firsts = _DE_FIRST if german else _EN_FIRST
        words = (_DE_ROLE_WORDS if german else _ROLE_WORDS)[role]
        legal = _LEGAL.get(country, ("Ltd.",))
        for attempt in range(50):
            first = firsts[rng.integers(len(firsts))]
            word = words[rng.integers(len(words))]
            base = f"{word} {first}" if german and role == "utilities" else f"{first} {word}"
            name = f"{base} {legal[rng.integers(len(legal))]}"
            if attempt >= 25:  # the word lists ran out for this role: number the name
                name = f"{base} {attempt} {legal[0]}"
            if name not in seen:
                break
        seen.add(name)
        names.append(name)
    return names


def _iban_check(country: str, bban: str) -> str:
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{98 - int(digits) % 97:02d}"


def iban(rng: np.random.Generator, country: str, bank_code: str | None = None) -> str:
    """A checksum-valid IBAN (DE, AT, NL), or a US routing/account pair for US accounts."""

    def digits(n: int) -> str:
        return "".join(str(d) for d in rng.integers(0, 10, n))

    if country == "US":
        return f"{rng.choice(['021000021', '026009593', '121000248', '071000013'])}-{digits(10)}"
    if country == "AT":
        bban = digits(5) + digits(11)
    elif country == "NL":
        bban = str(rng.choice(["ABNA", "INGB", "RABO"])) + digits(10)
    else:
        country = "DE"
        bban = (bank_code or digits(8)) + digits(10)
    return f"{country}{_iban_check(country, bban)}{bban}"
