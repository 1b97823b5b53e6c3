"""Names of places that people type, mapped to the codes Pinterest hashes.

pinterest-capi.md §3: `st` is the two-letter state code and `country` the ISO-3166 alpha-2
code, both lowercase. Forms often hold the full name instead ("California", "United States"),
so the common ones are mapped here rather than dropped. Keys are lowercase, with spaces,
dots, hyphens and underscores removed (see `place_key`).
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s._\-]+")


def place_key(text: str) -> str:
    """Lowercase `text` and drop separators so "New-York" and "new york" meet."""
    return _SEPARATORS.sub("", text.strip().lower())


US_STATE_CODES: dict[str, str] = {
    place_key(name): code
    for name, code in (
        ("Alabama", "al"), ("Alaska", "ak"), ("Arizona", "az"), ("Arkansas", "ar"),
        ("California", "ca"), ("Colorado", "co"), ("Connecticut", "ct"), ("Delaware", "de"),
        ("District of Columbia", "dc"), ("Florida", "fl"), ("Georgia", "ga"), ("Hawaii", "hi"),
        ("Idaho", "id"), ("Illinois", "il"), ("Indiana", "in"), ("Iowa", "ia"),
        ("Kansas", "ks"), ("Kentucky", "ky"), ("Louisiana", "la"), ("Maine", "me"),
        ("Maryland", "md"), ("Massachusetts", "ma"), ("Michigan", "mi"), ("Minnesota", "mn"),
        ("Mississippi", "ms"), ("Missouri", "mo"), ("Montana", "mt"), ("Nebraska", "ne"),
        ("Nevada", "nv"), ("New Hampshire", "nh"), ("New Jersey", "nj"), ("New Mexico", "nm"),
        ("New York", "ny"), ("North Carolina", "nc"), ("North Dakota", "nd"), ("Ohio", "oh"),
        ("Oklahoma", "ok"), ("Oregon", "or"), ("Pennsylvania", "pa"), ("Rhode Island", "ri"),
        ("South Carolina", "sc"), ("South Dakota", "sd"), ("Tennessee", "tn"), ("Texas", "tx"),
        ("Utah", "ut"), ("Vermont", "vt"), ("Virginia", "va"), ("Washington", "wa"),
        ("West Virginia", "wv"), ("Wisconsin", "wi"), ("Wyoming", "wy"), ("Puerto Rico", "pr"),
        ("Guam", "gu"), ("U.S. Virgin Islands", "vi"), ("American Samoa", "as"),
        ("Northern Mariana Islands", "mp"), ("Washington DC", "dc"), ("Washington D.C.", "dc"),
    )
}  # fmt: skip

# Canadian provinces and territories: their postal abbreviations are the `st` codes.
CANADIAN_PROVINCE_CODES: dict[str, str] = {
    place_key(name): code
    for name, code in (
        ("Alberta", "ab"), ("British Columbia", "bc"), ("Manitoba", "mb"),
        ("New Brunswick", "nb"), ("Newfoundland and Labrador", "nl"), ("Newfoundland", "nl"),
        ("Nova Scotia", "ns"), ("Ontario", "on"), ("Prince Edward Island", "pe"),
        ("Quebec", "qc"), ("Québec", "qc"), ("Saskatchewan", "sk"),
        ("Northwest Territories", "nt"), ("Nunavut", "nu"), ("Yukon", "yt"),
    )
}  # fmt: skip

STATE_CODES: dict[str, str] = {**US_STATE_CODES, **CANADIAN_PROVINCE_CODES}

COUNTRY_CODES: dict[str, str] = {
    place_key(name): code
    for name, code in (
        ("United States", "us"), ("United States of America", "us"), ("USA", "us"),
        ("U.S.A.", "us"), ("U.S.", "us"), ("America", "us"),
        ("United Kingdom", "gb"), ("UK", "gb"), ("Great Britain", "gb"), ("England", "gb"),
        ("Scotland", "gb"), ("Wales", "gb"), ("Northern Ireland", "gb"), ("GBR", "gb"),
        ("Canada", "ca"), ("CAN", "ca"), ("Australia", "au"), ("AUS", "au"),
        ("New Zealand", "nz"), ("Ireland", "ie"), ("Germany", "de"), ("Deutschland", "de"),
        ("DEU", "de"), ("France", "fr"), ("FRA", "fr"), ("Spain", "es"), ("Italy", "it"),
        ("Netherlands", "nl"), ("The Netherlands", "nl"), ("Mexico", "mx"), ("Brazil", "br"),
        ("Japan", "jp"), ("India", "in"), ("United Kingdom of Great Britain and Northern Ireland",
        "gb"), ("Britain", "gb"), ("Österreich", "at"), ("Austria", "at"), ("Switzerland", "ch"),
        ("Schweiz", "ch"), ("Suisse", "ch"), ("Belgium", "be"), ("Belgique", "be"),
        ("Portugal", "pt"), ("Sweden", "se"), ("Norway", "no"), ("Denmark", "dk"),
        ("Finland", "fi"), ("Poland", "pl"), ("Polska", "pl"), ("Czech Republic", "cz"),
        ("Czechia", "cz"), ("Greece", "gr"), ("España", "es"), ("Italia", "it"),
        ("Nederland", "nl"), ("Holland", "nl"), ("Luxembourg", "lu"), ("Hungary", "hu"),
        ("Romania", "ro"), ("Turkey", "tr"), ("Türkiye", "tr"), ("Israel", "il"),
        ("South Africa", "za"), ("Argentina", "ar"), ("Chile", "cl"), ("Colombia", "co"),
        ("Peru", "pe"), ("México", "mx"), ("Brasil", "br"), ("Singapore", "sg"),
        ("Hong Kong", "hk"), ("South Korea", "kr"), ("Korea", "kr"), ("China", "cn"),
        ("Taiwan", "tw"), ("Philippines", "ph"), ("Indonesia", "id"), ("Malaysia", "my"),
        ("Thailand", "th"), ("Vietnam", "vn"), ("United Arab Emirates", "ae"), ("UAE", "ae"),
        ("Saudi Arabia", "sa"), ("Nigeria", "ng"), ("Kenya", "ke"), ("Egypt", "eg"),
        ("Puerto Rico", "pr"), ("Russia", "ru"), ("Ukraine", "ua"),
    )
}  # fmt: skip
