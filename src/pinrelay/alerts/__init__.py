"""Alerts: rules evaluated every minute over the store, shown in the API and sent to a webhook."""
