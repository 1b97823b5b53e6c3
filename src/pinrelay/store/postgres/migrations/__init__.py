"""Ordered schema migrations of the PostgreSQL engine (NNNN_name.sql)."""
