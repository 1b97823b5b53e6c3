"""Admin stage: the management API."""
