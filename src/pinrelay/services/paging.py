"""How far a list may page: bounds the admin API's and the UI's list calls share."""

from __future__ import annotations

MAX_PAGE = 1000  # rows one list call returns at most
MAX_SEQ = 2**62  # the largest row number a cursor can name (SQLite integers are 64-bit)
