"""Store stage: one interface, engine packages below."""
