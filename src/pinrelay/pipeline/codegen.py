"""Straight-line Python for each compiled pipeline: the evaluator of the ingest hot path.

Every event runs every matching pipeline (DESIGN.md, collect), and the closure interpreter of
`pipeline.compiler` pays a few Python calls per field for its generality (writer, runner,
path reader, `assign`, the steps), then walks the whole event again in `shape_event` and
`without_empty`. When a `PipelineSet` is built, each definition is turned here into ONE
function that does the same work with the structure known in advance:

- name-only paths read as chained `.get` calls, each camelCase / snake_case spelling in turn,
  and prefixes shared by several fields (`context`, `properties`) read once per event;
- targets written straight into nested dicts held in locals; transforms called as
  pre-bound callables (an elementwise one calls its scalar conversion directly);
- `shape_event` and `without_empty` run only when a test at a write says they may change
  something (`pipeline.codeproofs`); `finish_user_data` always runs.

The closure interpreter stays the reference (`CompiledPipeline.run_reference`); a
property-based test holds the two to equal events and notes. User input never becomes code:
see `pipeline.codebuilder`. `generated_source(definition)` shows the code, e.g. for

    static: [{target: event_name, value: lead}]
    mapping: [{source: message_id, target: event_id, transform: to_string}]
    context: [{source: context.ip, target: user_data.client_ip_address}]

    def run(inp):
        message = inp.message
        notes = []
        event = {}
        shape = False
        clean = True
        d0 = None
        # 'event_name'
        event['event_name'] = 'lead'
        # 'event_id'
        v = _M
        if message is not None and (message.__class__ is dict or isinstance(message, _Mapping)):
            x0 = message.get('message_id')
            if x0 is None:
                x0 = message.get('messageId')
            if x0 is not None:
                v = x0
        if v is not _M and not (v.__class__ is str):
            try:
                v = _t0(v) if isinstance(v, list) else _e0(v)
            except _TE as failure:
                notes.append(f"{_n0}{failure.reason}; field dropped")
                v = _M
        if v is not _M and v is not None and (v or not isinstance(v, _C)):
            if v.__class__ is not str:
                shape = True
            if v.__class__ is not str and not all(v):
                clean = False
            event['event_id'] = v
        # 'user_data.client_ip_address'
        v = _M
        if message is not None and (message.__class__ is dict or isinstance(message, _Mapping)):
            x0 = message.get('context')
            if x0 is not None and (x0.__class__ is dict or isinstance(x0, _Mapping)):
                x1 = x0.get('ip')
                if x1 is not None:
                    v = x1
        if v is not _M and v is not None and (v or not isinstance(v, _C)):
            if v.__class__ not in _SC:
                clean = False
            if d0 is None:
                d0 = event['user_data'] = {}
            d0['client_ip_address'] = v
        if shape:
            _shape_event(event, notes)
        _finish_user_data(event, message=message, identity_keys=inp.identity_keys, ...)
        if shape or not clean:
            return _Output('lead', _without_empty(event), tuple(notes), '<memory>')
        user_data = event['user_data']
        if not user_data:
            del event['user_data']
        elif not _hashes_are_clean(user_data):
            return _Output('lead', _without_empty(event), tuple(notes), '<memory>')
        return _Output('lead', event, tuple(notes), '<memory>')

`_t0` is the built `to_string` step, `_e0` its scalar conversion, `_n0` the note's prefix
(`event_id: to_string: `); several fields reading `context.*` would share one read of it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pinrelay.identity.clickid import click_id_of
from pinrelay.identity.hashing import HASHED_KEYS, is_sha256_hex
from pinrelay.pipeline.codebuilder import CodeBuilder
from pinrelay.pipeline.codeproofs import (
    INT_LIMIT,
    Made,
    Parts,
    Rules,
    hashes_are_clean,
    target_rules,
)
from pinrelay.pipeline.compiler import assign
from pinrelay.pipeline.events import EventInput, PipelineOutput
from pinrelay.pipeline.fieldcode import (
    ROOT,
    FieldEmitter,
    Keys,
    Write,
    constant,
    inlinable,
    inline_keys,
)
from pinrelay.pipeline.finishing import finish_user_data, shape_event, without_empty
from pinrelay.pipeline.model import (
    ClickIdEnrichment,
    FieldMapping,
    IdentityEnrichment,
    PipelineDefinition,
)
from pinrelay.pipeline.paths import MISSING
from pinrelay.pipeline.transforms import TransformError

Run = Callable[[EventInput], PipelineOutput]

# The names the generated code refers to besides its bound constants (`_c0`, `_t3`, ...).
_RUNTIME: dict[str, Any] = {
    "_M": MISSING,
    "_Mapping": Mapping,
    "_TE": TransformError,
    "_C": (str, list, dict),  # empty ones count as missing (`compiler.is_empty`)
    "_SC": frozenset((str, int, float, bool)),  # what without_empty keeps as it is
    "_INT_LIMIT": INT_LIMIT,
    "_assign": assign,
    "_shape_event": shape_event,
    "_finish_user_data": finish_user_data,
    "_without_empty": without_empty,
    "_hashes_are_clean": hashes_are_clean,
    "_click_id_of": click_id_of,
    "_is_hex": is_sha256_hex,
    "_Output": PipelineOutput,
}


@dataclass(frozen=True)
class GeneratedRun:
    run: Run  # does what `CompiledPipeline.run_reference` does
    source: str


def generate_run(definition: PipelineDefinition) -> GeneratedRun:
    """The generated function of one validated definition."""
    code = CodeBuilder()
    code.namespace.update(_RUNTIME)
    _PipelineEmitter(code, definition).emit_function()
    source = code.source()
    # the source holds no pipeline text but literals (pipeline.codebuilder)
    exec(compile(source, "<pinrelay generated pipeline>", "exec"), code.namespace)  # noqa: S102
    run: Run = code.namespace["run"]
    return GeneratedRun(run, source)


def generated_source(definition: PipelineDefinition) -> str:
    """The Python source generated for `definition`, for debugging."""
    return generate_run(definition).source


def _prefixes(parts: Parts) -> Iterator[Parts]:
    return (parts[:length] for length in range(1, len(parts)))


class _PipelineEmitter:
    def __init__(self, code: CodeBuilder, definition: PipelineDefinition) -> None:
        self.code = code
        self.definition = definition
        self.targets = [tuple(target.split(".")) for target in self._target_texts()]
        # A target inside another one's value (`custom_data` and `custom_data.value`) makes
        # the containers unknowable in advance: such a pipeline writes with `assign` and
        # finishes with the reference steps.
        self.tangled = any(
            short != long and long[: len(short)] == short
            for short in self.targets
            for long in self.targets
        )
        self.containers: dict[Parts, str] = {}
        self.known: set[Parts] = set()  # containers that exist whatever the event
        self.fields = FieldEmitter(code, {})

    def _target_texts(self) -> Iterator[str]:
        yield from (static.target for static in self.definition.static)
        yield from (mapping.target for mapping in self._mappings())
        for enrichment in self.definition.enrichments:
            if isinstance(enrichment, ClickIdEnrichment):
                yield enrichment.target
            else:
                yield enrichment.mapping.target

    def _mappings(self) -> Iterator[FieldMapping]:
        for mappings in self.definition.sections.values():
            yield from mappings

    def emit_function(self) -> None:
        emit = self.code.emit
        emit(0, "def run(inp):")
        emit(1, f"{ROOT} = inp.message")
        emit(1, "notes = []")
        emit(1, "event = {}")
        emit(1, f"shape = {self.tangled}")
        emit(1, f"clean = {not self.tangled}")
        if not self.tangled:
            self._shared_reads()
            for parts in self.targets:
                for prefix in _prefixes(parts):
                    if prefix not in self.containers:
                        self.containers[prefix] = name = self.code.local("d")
                        emit(1, f"{name} = None")
        for static in self.definition.static:
            self._static(static.target, static.value)
        for mapping in self._mappings():
            self.code.comment(1, mapping.target)
            self.fields.field(1, mapping, **self._top(mapping.target, "v"))
        for enrichment in self.definition.enrichments:
            if isinstance(enrichment, ClickIdEnrichment):
                self._click_id(enrichment)
            else:
                self._identity(enrichment)
        self._finish()

    def _shared_reads(self) -> None:
        """Read once, at the start, the name paths (and prefixes) several fields read: in a
        pipeline that is not tangled no write can change the message, so the value is the
        one each field would read."""
        uses: Counter[Keys] = Counter()
        nexts: dict[Keys, set[tuple[str, ...]]] = {}
        whole: set[Keys] = set()
        mappings = [*self._mappings()] + [
            e.mapping for e in self.definition.enrichments if isinstance(e, IdentityEnrichment)
        ]
        for mapping in mappings:
            if not inlinable(mapping, nested=False):
                continue
            for source in mapping.sources:
                keys = inline_keys(source)
                if keys is None:
                    continue
                whole.add(keys)
                for length in range(1, len(keys) + 1):
                    uses[keys[:length]] += 1
                    if length < len(keys):
                        nexts.setdefault(keys[:length], set()).add(keys[length])
        cache = self.fields.cache
        for keys in sorted(uses, key=len):
            if uses[keys] < 2 or (keys not in whole and len(nexts.get(keys, ())) < 2):
                continue
            start, rest = ROOT, keys
            for length in range(len(keys) - 1, 0, -1):
                if keys[:length] in cache:
                    start, rest = cache[keys[:length]], keys[length:]
                    break
            cache[keys] = name = self.code.local("p")
            self.fields.walk(1, start, rest, name, "None")

    def _top(self, target: str, var: str) -> dict[str, Any]:
        parts = tuple(target.split("."))
        rules = Rules(clean=False) if self.tangled else target_rules(parts)
        return {
            "root": ROOT,
            "label": target,
            "var": var,
            "rules": rules,
            "write": self._write(parts, var),
        }

    def _write(self, parts: Parts, var: str) -> Write:
        def write(depth: int) -> None:
            if self.tangled:
                self.code.emit(depth, f"_assign(event, {self.code.bind(parts, '_p')}, {var})")
                return
            holder = self._ensure(depth, parts[:-1])
            self.code.emit(depth, f"{holder}[{self.code.literal(parts[-1])}] = {var}")
            if depth == 1:  # not inside a condition: the containers exist from here on
                self.known.update(_prefixes(parts))

        return write

    def _ensure(self, depth: int, prefix: Parts) -> str:
        """The local of the container at `prefix`, made (with its parents) if need be."""
        if not prefix:
            return "event"
        name = self.containers[prefix]
        if prefix not in self.known:
            self.code.emit(depth, f"if {name} is None:")
            parent = self._ensure(depth + 1, prefix[:-1])
            self.code.emit(depth + 1, f"{name} = {parent}[{self.code.literal(prefix[-1])}] = {{}}")
        return name

    def _static(self, target: str, value: Any) -> None:
        top = self._top(target, constant(self.code, value))
        self.code.comment(1, target)
        if not self.tangled:
            self.fields.constant_tests(1, top["rules"], value)
        top["write"](1)

    def _click_id(self, enrichment: ClickIdEnrichment) -> None:
        code = self.code
        top = self._top(enrichment.target, "v")
        code.comment(1, enrichment.target)
        param, cookies = code.literal(enrichment.param), code.bind(enrichment.cookies)
        arguments = f"{ROOT}, inp.cookies, param={param}, cookie_names={cookies}"
        code.emit(1, f"v = _click_id_of({arguments})")
        code.emit(1, "v = v or inp.stored_click_id")
        code.emit(1, "if v is not None:")
        self.fields.tests(2, top["rules"], "v", Made(opaque=True))
        top["write"](2)

    def _identity(self, enrichment: IdentityEnrichment) -> None:
        """The mapping, else the hashes stored for the user under the target's key."""
        code, mapping = self.code, enrichment.mapping
        top = self._top(mapping.target, "v")
        key = mapping.target.rsplit(".", 1)[-1]
        on_missing: Write | None = None
        if key in HASHED_KEYS:

            def on_missing(depth: int) -> None:
                stored = f"inp.identity_keys.get({code.literal(key)}, ())"
                code.emit(depth, f"v = [x.lower() for x in {stored} if _is_hex(x)]")
                code.emit(depth, "if v:")
                self.fields.tests(depth + 1, top["rules"], "v", Made(opaque=True))
                top["write"](depth + 1)

        code.comment(1, mapping.target)
        self.fields.field(1, mapping, on_missing=on_missing, **top)

    def _finish(self) -> None:
        emit, literal = self.code.emit, self.code.literal
        name, origin = literal(self.definition.name), literal(self.definition.origin)

        def output(event: str) -> str:
            return f"return _Output({name}, {event}, tuple(notes), {origin})"

        emit(1, "if shape:")
        emit(2, "_shape_event(event, notes)")
        if self.definition.identity == "merge":
            identity = f"message={ROOT}, identity_keys=inp.identity_keys"
        else:
            identity = "message=None, identity_keys={}"
        emit(1, f"_finish_user_data(event, {identity}, message_keys=inp.message_keys, notes=notes)")
        emit(1, "if shape or not clean:")
        emit(2, output("_without_empty(event)"))
        emit(1, "user_data = event['user_data']")
        emit(1, "if not user_data:")
        emit(2, "del event['user_data']")
        emit(1, "elif not _hashes_are_clean(user_data):")
        emit(2, output("_without_empty(event)"))
        emit(1, output("event"))
