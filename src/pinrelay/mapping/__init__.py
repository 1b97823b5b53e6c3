"""mapping: one message for one integration, with the pipelines it runs at run time.

`pinrelay.pipeline` is the YAML language alone (pure: no I/O beyond reading the files it is
given, nothing of the store, the settings or HTTP). This package is what a running pinrelay
does with it, and may use all of those:

- where pipelines come from: `directory` (`--pipelines DIR`, hot reload), `registry` (the
  compiled set of each integration, cached; the server's one source of pipelines; built from
  the settings and the store by `pipeline_registry`);
- what an integration's settings add: `destinations` (the message's `integrations` object),
  `options` (+ `appcontext`, `privacy`), `salvage` (optional fields Pinterest would refuse);
- `mapper.map_for_integration`: the one function that maps a message for an integration,
  called by ingest, the UI's dry run and journey and `pinrelay pipeline run`; its trace
  steps and their `Outcome` are in `trace`.

A sibling of `pipeline` rather than a sub-package, so the dependency points one way and the
import-graph test can forbid the store, the settings and HTTP to the whole of `pipeline`.
"""
