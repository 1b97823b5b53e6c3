"""The bodies the admin API and the UI share: requests checked by pydantic, answers shown.

One module per domain (sources, integrations, delivery, events, pipelines, quality); the UI's
forms build the same request models, so a page refuses exactly what the API refuses, with
the same message.
"""
