"""The PostgreSQL engine: many processes on many hosts share one database."""
