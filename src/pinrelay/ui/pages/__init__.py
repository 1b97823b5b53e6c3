"""One module per UI page: each has a `router` and a `NAV` entry (None: not in the menu)."""
