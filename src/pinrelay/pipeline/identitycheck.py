"""Load-time check: can a pipeline ever give Pinterest the minimum identity it needs?

pinterest-capi.md §2.4: an event needs `user_data.em`, or `user_data.hashed_maids`, or both
`client_ip_address` and `client_user_agent`; without them every event is refused. A pipeline
with `identity: merge` (the default) also receives the match keys of the message and of the
stored profile, so it may always find some; with `identity: none` only its own targets
count, and when they cannot make the minimum the pipeline is useless: say so when loading.
"""

from __future__ import annotations

from pinrelay.pipeline.model import IdentityEnrichment, PipelineDefinition

ALONE_ENOUGH = frozenset(("user_data.em", "user_data.hashed_maids"))
TOGETHER_ENOUGH = frozenset(("user_data.client_ip_address", "user_data.client_user_agent"))

MISSING_IDENTITY = (
    "with identity: none this pipeline can never send the minimum identity Pinterest needs "
    "(user_data.em, user_data.hashed_maids, or both user_data.client_ip_address and "
    "user_data.client_user_agent); map one, e.g. {source: context.ip, target: "
    "user_data.client_ip_address} with {source: context.userAgent, target: "
    "user_data.client_user_agent}, or remove 'identity: none'"
)


def targets_of(definition: PipelineDefinition) -> set[str]:
    """Every full target path the pipeline may write."""
    targets = {static.target for static in definition.static}
    for mappings in definition.sections.values():
        targets.update(mapping.target for mapping in mappings)
    for enrichment in definition.enrichments:
        if isinstance(enrichment, IdentityEnrichment):
            targets.add(enrichment.mapping.target)
        else:
            targets.add(enrichment.target)
    return targets


def identity_problem(definition: PipelineDefinition) -> str | None:
    """Why the pipeline can never produce the minimum identity, or None if it may."""
    if definition.identity != "none":
        return None
    targets = targets_of(definition)
    if targets & ALONE_ENOUGH or targets >= TOGETHER_ENOUGH:
        return None
    return MISSING_IDENTITY
