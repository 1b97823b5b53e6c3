"""PII wherever a sender put it: emails and phone numbers under any key, in any text, in URLs.

`identity.redaction` hashes the match keys where the Segment spec puts them; senders also
put an email in `userId`, traits under their own names (`Email`, `customer_email`,
`phone_number`, `mobile`), or a form's fields in the page URL (`?email=jane%40shop.example`).
This module finds those, so that the stored copy of an event and the `event_source_url`
sent to Pinterest carry none of it (DESIGN.md: "No raw PII on disk covers every place").

- An email anywhere in a string (plain, or `%40`-encoded in a URL) becomes the SHA-256 of
  the normalised address, the same hash as the `em` match key.
- A value under a phone-like key becomes the `ph` hash (or is dropped when it is no phone),
  and a `+`-prefixed international number in any text becomes its `ph` hash.
- URL query parameters with a PII name (`email`, `phone`, `first_name`, ...) are hashed in
  the stored copy and dropped from `event_source_url`.

Scanning is linear in the input: no regular expression here can backtrack over a long run.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import msgspec

from pinrelay.identity.hashing import is_sha256_hex, normalise_and_hash, sha256_hex
from pinrelay.identity.phones import current_region
from pinrelay.identity.urlquery import plain_query

_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_DOMAIN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
MAX_LOCAL_CHARS = 64  # RFC 5321 limits of an address's parts: also what keeps the scan linear
MAX_DOMAIN_CHARS = 255
_AT = re.compile(r"@|%40|%2540", re.IGNORECASE)
_INTERNATIONAL_PHONE = re.compile(r"\+[0-9][0-9 ().\-]{6,18}[0-9]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_PHONE_NAMES = frozenset(
    ("phone", "phonenumber", "mobile", "mobilenumber", "tel", "telephone", "cell", "fax")
) | frozenset(("cellphone", "sms", "whatsapp", "msisdn"))
_PHONE_ENDINGS = ("phone", "phonenumber", "mobile", "mobilenumber")
_EMAIL_NAMES = frozenset(("email", "mail", "emailaddress", "em"))
# URL query parameters that carry a person's data: dropped from URLs sent out, hashed when kept.
_PERSON_PARAMS = ("ph", "name", "firstname", "lastname", "fullname", "givenname", "surname")
_PLACE_PARAMS = ("address", "street", "streetaddress", "zip", "zipcode", "postcode", "postalcode")
_OTHER_PARAMS = ("fn", "ln", "familyname", "dob", "birthday", "birthdate", "dateofbirth")
_PII_PARAM_NAMES = _PHONE_NAMES | _EMAIL_NAMES | frozenset(_PERSON_PARAMS)
_PII_PARAM_NAMES |= frozenset(_PLACE_PARAMS) | frozenset(_OTHER_PARAMS)


def _plain_name(key: str) -> str:
    """`customer_Email`, `customerEmail` and `customer-email` all read `customeremail`."""
    return _NOT_ALNUM.sub("", key.lower())


@functools.lru_cache(maxsize=4096)
def phone_key(key: str) -> bool:
    """Whether a key names a phone number (`phone_number`, `mobile`, `billingPhone`, ...)."""
    name = _plain_name(key)
    single = name[:-1] if name.endswith("s") and name != "sms" else name  # "phones"
    return single in _PHONE_NAMES or single.endswith(_PHONE_ENDINGS)


def _email_key(key: str) -> bool:
    name = _plain_name(key)
    return name in _EMAIL_NAMES or name.endswith("email")


@functools.lru_cache(maxsize=4096)
def pii_param(name: str) -> bool:
    """Whether a URL query parameter's name says it carries a person's data."""
    plain = _plain_name(name)
    return plain in _PII_PARAM_NAMES or plain.endswith(("email", *_PHONE_ENDINGS))


def _email_hash(address: str) -> str | None:
    return normalise_and_hash("em", unquote(unquote(address)))


def _email_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, hash) of each email address in `text`, found around each `@`."""
    spans: list[tuple[int, int, str]] = []
    last_end = 0
    for at in _AT.finditer(text):
        start = at.start()
        floor = max(last_end, at.start() - MAX_LOCAL_CHARS)
        while start > floor and text[start - 1] in _LOCAL_CHARS:
            start -= 1
        end = at.end()
        ceiling = min(len(text), at.end() + MAX_DOMAIN_CHARS)
        while end < ceiling and text[end] in _DOMAIN_CHARS:
            end += 1
        while end > at.end() and text[end - 1] in ".-":
            end -= 1  # a sentence's full stop is not part of the domain
        domain = text[at.end() : end]
        if start == at.start() or "." not in domain or domain.startswith("."):
            continue
        hashed = _email_hash(text[start : at.start()] + "@" + domain)
        if hashed is not None:
            spans.append((start, end, hashed))
            last_end = end
    return spans


def _replace(text: str, spans: list[tuple[int, int, str]]) -> str:
    if not spans:
        return text
    parts: list[str] = []
    cursor = 0
    for start, end, replacement in spans:
        parts += [text[cursor:start], replacement]
        cursor = end
    parts.append(text[cursor:])
    return "".join(parts)


def _phone_spans(text: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for match in _INTERNATIONAL_PHONE.finditer(text):
        hashed = normalise_and_hash("ph", match.group())
        if hashed is not None:
            spans.append((match.start(), match.end(), hashed))
    return spans


def has_pii_text(text: str) -> bool:
    """Whether `text` holds an email address or an international phone number."""
    return bool(_email_spans(text)) or bool(_phone_spans(text))


_MARK = re.compile(r"[@%+?]")  # no PII shape or URL query is possible without one of these


def scrub_text(text: str) -> str:
    """`text` with each email and `+` phone number replaced by its match-key hash."""
    if "@" in text or "%" in text:
        text = _replace(text, _email_spans(text))
    if "+" in text:
        text = _replace(text, _phone_spans(text))
    return text


def _param_hash(name: str, value: str) -> str:
    if _email_key(name):
        hashed = _email_hash(value)
    elif phone_key(name) or _plain_name(name) == "ph":
        hashed = normalise_and_hash("ph", value)
    else:
        hashed = None
    return hashed or sha256_hex(value.strip().lower())


Keep = Callable[[str, str], str | None]  # a query parameter's new value, None to drop it


def _rewrite_query(url: str, keep: Keep) -> str:
    """`url` with each query parameter passed through `keep` (None drops it)."""
    if "?" not in url or "=" not in url:
        return url
    query = plain_query(url)
    if query is not None and _untouched(query):
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(name, value) for name, raw in pairs if (value := keep(name, raw)) is not None]
    if kept == pairs:
        return url
    return urlunsplit(parts._replace(query=urlencode(kept)))


def _untouched(query: str) -> bool:
    """Whether no `keep` of this module can change a plain query (`urlquery.plain_query`):
    nothing to unquote, no `@`, and no parameter with a PII name."""
    if "%" in query or "+" in query or "@" in query:
        return False
    return not any(pii_param(piece.partition("=")[0]) for piece in query.split("&"))


def _hash_pii_param(name: str, value: str) -> str | None:
    if not value or is_sha256_hex(value):
        return value
    if pii_param(name):
        return _param_hash(name, value)
    return scrub_text(value)


def scrub_stored_text(text: str) -> str:
    """For the stored copy: PII query parameters hashed, then any email or phone hashed."""
    if "?" in text:  # a URL: the same one is in the message, the trace and the event
        return _scrubbed_url(text, current_region())
    return scrub_text(text)


# A page URL is scrubbed several times per event (the stored message, its trace, the Pinterest
# event's custom data): each result is remembered for a few URLs. A phone number's hash
# depends on the source's country (identity.phones), so the country is part of the key.
@functools.lru_cache(maxsize=64)
def _scrubbed_url(text: str, region: str) -> str:
    return scrub_text(_rewrite_query(text, _hash_pii_param))


def _drop_pii_param(name: str, value: str) -> str | None:
    if pii_param(name) or has_pii_text(value):
        return None
    return value


def clean_source_url(url: str) -> str:
    """`event_source_url` without PII: such query parameters and the fragment are dropped."""
    return _clean_source_url(url, current_region())


@functools.lru_cache(maxsize=64)  # as _scrubbed_url: the same URL again, per country
def _clean_source_url(url: str, region: str) -> str:
    url = _rewrite_query(url, _drop_pii_param)
    cut = url.find("#")
    if cut >= 0:
        url = url[:cut]
    return scrub_text(url)  # whatever is left (an address in the path) is hashed


def scrub_value(key: str, value: object) -> object | None:
    """One value of a message for the stored copy; None means drop the key."""
    if isinstance(value, str):
        if not phone_key(key):
            # the common case, kept cheap: most values hold none of the marks of PII
            return scrub_stored_text(value) if _MARK.search(value) else value
        if is_sha256_hex(value):
            return value
        return normalise_and_hash("ph", value)  # None (drop the key) when it is no phone
    if isinstance(value, int) and not isinstance(value, bool) and phone_key(key):
        return normalise_and_hash("ph", str(value))
    return value


def _needs_scrub(key: str, value: object) -> bool:
    """Whether scrub_value could change `value` (the fast path's test: most values can't)."""
    if isinstance(value, str):
        return _MARK.search(value) is not None or phone_key(key)
    kind = type(value)
    if kind is int:
        return phone_key(key)
    return not (value is None or kind is float or kind is bool)


_encode_json = msgspec.json.Encoder().encode
# In a tree's JSON: a mark of PII or of a URL query, an escape (`\n` would hide a key's
# letters), or one of the two characters whose lower case is an ASCII letter (İ, K).
_NOT_MARK_BYTES = bytes(set(range(256)) - set(b"@%+?\\"))
_LOWER_TO_ASCII = (b"\xc4\xb0", b"\xe2\x84\xaa")  # the UTF-8 of İ and K
_NOT_NAME_BYTES = bytes(set(range(256)) - set(b'abcdefghijklmnopqrstuvwxyz0123456789"'))
# Every phone key's plain name (`phone_key`) holds one of these.
_PHONE_WORD = re.compile(b"phone|mobile|tel|cell|fax|sms|whatsapp|msisdn")


def _clean_json(tree: object) -> bytes | None:
    """The JSON of `tree` if `scrub_tree` would leave it as it is, else None; decided on
    the JSON, in C: no string holds a mark of PII (`@ % + ?`) and no key can name a phone.
    None means "walk it", not "it holds PII" (a key `hotel`, a float `1e+20` are walked)."""
    try:
        encoded = _encode_json(tree)
    except (TypeError, OverflowError, RecursionError, msgspec.EncodeError):
        return None
    if encoded.translate(None, _NOT_MARK_BYTES) or any(c in encoded for c in _LOWER_TO_ASCII):
        return None
    names = encoded.lower().translate(None, _NOT_NAME_BYTES)
    return None if _PHONE_WORD.search(names) else encoded


def surely_clean(tree: object) -> bool:
    """Whether `scrub_tree` would leave `tree` as it is (see `_clean_json`)."""
    return _clean_json(tree) is not None


def scrubbed_json(tree: object) -> bytes:
    """`tree` scrubbed in place (`scrub_tree`) and encoded: for a tree built here, such as
    an event's trace, which is nearly always clean and then is encoded only once."""
    encoded = _clean_json(tree)
    if encoded is None:
        scrub_tree(tree, prune=False)
        encoded = _encode_json(tree)
    return encoded


def _prunable(node: object, owner: object, prune: bool) -> bool:
    """Whether the walk can leave `node` out: it is surely clean and, if a list, its items
    are not read as phone numbers by the key that holds them."""
    if not prune or not surely_clean(node):
        return False
    return isinstance(node, dict) or not (type(owner) is str and phone_key(owner))


def scrub_tree(tree: object, *, prune: bool = False) -> None:
    """Scrub every key and string of a JSON tree in place (iterative: depth is no risk).

    Items of a list are read as values of the list's key (`"phones": ["0151 ..."]`). The hot
    path of every stored event: exact type tests first, nothing copied unless it changes.
    `prune`: first ask `surely_clean`, and leave out the subtrees it clears, for trees
    that are mostly clean (a Pinterest event's custom data). A web event's message nearly
    always holds a URL query, so there the test costs more than the walk it could save.
    """
    if _prunable(tree, "", prune):
        return
    stack: list[tuple[object, str]] = [(tree, "")]
    while stack:
        node, owner = stack.pop()
        if isinstance(node, dict):
            changes: list[tuple[str, object]] = []
            renamed: list[str] = []
            for key, value in node.items():
                if type(key) is str and _MARK.search(key):
                    renamed.append(key)
                kind = type(value)
                if kind is str:  # most values: a text without a mark, under no phone key
                    if _MARK.search(value) is None and not phone_key(key):
                        continue
                elif kind is dict or kind is list or isinstance(value, dict | list):
                    stack.append((value, key))
                    continue
                if _needs_scrub(key, value):
                    cleaned = scrub_value(key, value)
                    if cleaned is not value:
                        changes.append((key, cleaned))
            for key, cleaned in changes:
                if cleaned is None:
                    del node[key]
                else:
                    node[key] = cleaned
            for key in renamed:
                if key in node and (new_key := scrub_text(key)) != key:
                    node[new_key] = node.pop(key)
        elif isinstance(node, list):
            kept: list[object] | None = None
            for index, item in enumerate(node):
                if isinstance(item, dict | list):
                    stack.append((item, owner))
                    cleaned = item
                elif _needs_scrub(owner, item):
                    cleaned = scrub_value(owner, item)
                else:
                    cleaned = item
                if cleaned is not item and kept is None:
                    kept = node[:index]  # the first change: keep what came before
                if kept is not None and (cleaned is not None or item is None):
                    kept.append(cleaned)
            if kept is not None:
                node[:] = kept


def stored_id(value: str | None) -> str | None:
    """A user or anonymous id as stored: hashed like `external_id` when it holds PII.

    The hash is the `external_id` match key's own, so a replay of the stored event gives
    the same `external_id` the original did (64-hex input passes through the normaliser).
    """
    if value is None or is_sha256_hex(value) or not has_pii_text(value):
        return value
    return normalise_and_hash("external_id", value)


def clean_outgoing_event(event: dict[str, object]) -> None:
    """A Pinterest event before it is queued: no PII outside `user_data` (hashed already).

    `event_source_url` loses its PII query parameters; an email or phone number that a
    mapping copied into `custom_data` (a search string, a form field) is hashed.
    """
    for key, value in event.items():
        if key == "user_data":
            continue
        if key == "event_source_url" and isinstance(value, str):
            event[key] = clean_source_url(value)
        elif isinstance(value, dict | list):
            scrub_tree(value, prune=True)
        elif isinstance(value, str):
            event[key] = scrub_stored_text(value)
