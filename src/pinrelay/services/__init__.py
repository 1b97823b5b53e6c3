"""services: what the admin API and the UI both call (neither imports the other).

    context       ServiceContext: store, secrets, Pinterest client, alerts, imports, ...
    models/       request and answer bodies, one module per domain (pydantic)
    sources, integrations, pipelines (an integration's own), tokens, auth, throttle, paging
    delivery, deadletters, events, testevent, hints
    imports       offline imports: upload, preview, start
    matchquality, rangestats, eventstats, recovered   the dashboard's numbers

A service takes the context first, checks what the store cannot (existence, conflicts),
acts, audits, and returns an answer model or a record. It raises errors of the drawn tree
(pinrelay.errors) and never builds an HTTP answer: the admin API and the UI each render
them through pinrelay.erroranswers.
"""
