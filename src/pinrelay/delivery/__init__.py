"""Delivery stage: the worker that sends the outbox to Pinterest."""
