"""Phone numbers reduced to the digits Pinterest hashes.

pinterest-capi.md §3: `ph` is digits only, with the country code, without leading zeros
(E.164 without the `+`). Until `phonenumbers` becomes a dependency this is a digits-only
approximation kept behind one function, `normalise_phone`, so it can be swapped whole.
"""

from __future__ import annotations

import re

_NON_DIGITS = re.compile(r"[^0-9]")
# E.164 allows at most 15 digits; fewer than 7 cannot be a reachable number with its
# country code, so such input is treated as garbage rather than hashed.
MIN_PHONE_DIGITS = 7
MAX_PHONE_DIGITS = 15


def normalise_phone(raw: str, *, default_calling_code: str | None = None) -> str | None:
    """Digits of `raw` without leading zeros, or None when it cannot be a phone number.

    With `default_calling_code` (e.g. "44"), a number written nationally with a trunk `0`
    ("07700 900123") gets that code in place of the zero ("447700900123"). A number written
    with `+` or the `00` international prefix already carries its country code.
    """
    text = raw.strip()
    digits = _NON_DIGITS.sub("", text)
    international = text.startswith("+") or digits.startswith("00")
    national_trunk = not international and digits.startswith("0")
    digits = digits.lstrip("0")
    if national_trunk and default_calling_code and default_calling_code.isdigit():
        digits = default_calling_code.lstrip("0") + digits
    if not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        return None
    return digits
