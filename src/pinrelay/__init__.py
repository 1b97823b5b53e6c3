"""pinrelay: server-side conversion tracking for the Pinterest API for Conversions (v5)."""

__version__ = "0.1.0"
