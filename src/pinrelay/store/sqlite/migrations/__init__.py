"""SQLite migrations, applied in order."""
