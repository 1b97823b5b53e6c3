"""Store stage: one interface (base.py), two engines (sqlite/, postgres/), picked by URL."""
