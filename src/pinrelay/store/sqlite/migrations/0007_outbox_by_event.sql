-- The event debugger shows an event's journey in one call: find its outbox entries by event.
CREATE INDEX outbox_events_by_event ON outbox_events (event_seq);
