"""The generated statements of one field mapping (a part of `pipeline.codegen`'s function).

They do what `compiler.compile_field` does, in the same order (first non-null source, `each`,
transforms, `allowed`, empty -> default), then test the value for the finishing steps
(`pipeline.codeproofs`) and write it. What is not inlined calls the reference's own closures:
a path with `[n]` / `[]` (its `Path.reader()`), a template without a source or an `each`
inside an `each` (the whole field by `compile_field`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pinrelay.pipeline.codebuilder import CodeBuilder
from pinrelay.pipeline.codeproofs import (
    Made,
    Rules,
    is_clean,
    item_rules,
    keeps_shape,
    unclean_if,
    unshaped_if,
)
from pinrelay.pipeline.compiler import compile_field, fresh, transform_steps
from pinrelay.pipeline.model import NO_DEFAULT, FieldMapping
from pinrelay.pipeline.paths import Path
from pinrelay.pipeline.transforms import ELEMENTWISE, TRANSFORMS

Keys = tuple[tuple[str, ...], ...]  # the spellings of each step of a name-only path
Write = Callable[[int], None]  # emits the write of the value at the given depth

MAX_INLINE_STEPS = 8  # a longer name path is read by its closure: keeps the nesting shallow
ROOT = "message"  # the local holding the message in the generated function

# the identity fast paths: to_string gives a str unchanged, to_int an int in range
_UNCHANGED_BY = {
    "to_string": "{v}.__class__ is str",
    "to_int": "{v}.__class__ is int and -_INT_LIMIT < {v} < _INT_LIMIT",
}


def inline_keys(source: str) -> Keys | None:
    """The keys of a source path the generated code reads inline, or None."""
    keys = Path.parse(source).names_only
    return keys if keys is not None and len(keys) <= MAX_INLINE_STEPS else None


def inlinable(mapping: FieldMapping, *, nested: bool) -> bool:
    """Whether the generator writes the statements of `mapping` itself."""
    template_only = not mapping.sources and bool(mapping.transforms)
    if template_only and TRANSFORMS[mapping.transforms[0]].reads_root:
        return False  # the value starts as NO_SOURCE: rare, left to the closure
    return not (nested and mapping.each is not None)


def constant(code: CodeBuilder, value: Any) -> str:
    """An expression of `value` for one event: containers are copied (`compiler.fresh`)."""
    if isinstance(value, dict | list):
        return f"{code.bind(fresh(value), '_f')}()"
    return code.literal(value)


class FieldEmitter:
    """Emits field mappings into `code`; `cache` maps a name path of the message to the local
    that holds its value (or None) when the function starts (see codegen: shared reads)."""

    def __init__(self, code: CodeBuilder, cache: dict[Keys, str]) -> None:
        self.code = code
        self.cache = cache

    def field(
        self,
        depth: int,
        mapping: FieldMapping,
        *,
        root: str,
        label: str,
        var: str,
        rules: Rules,
        write: Write,
        on_missing: Write | None = None,
        nested: bool = False,
    ) -> None:
        """Compute `mapping` into `var`; when kept, test it against `rules` and `write` it;
        else `on_missing` (if given)."""
        emit = self.code.emit
        made = self._value(depth, mapping, root=root, label=label, var=var, nested=nested)
        if made.opaque or mapping.default is NO_DEFAULT:
            kept = f"{var} is not _M"
            if not made.opaque:
                kept += f" and {var} is not None and ({var} or not isinstance({var}, _C))"
            emit(depth, f"if {kept}:")
            self.tests(depth + 1, rules, var, made)
            write(depth + 1)
            if on_missing is not None:
                emit(depth, "else:")
                on_missing(depth + 1)
            return
        empty = f"{var} is _M or {var} is None or (not {var} and isinstance({var}, _C))"
        emit(depth, f"if {empty}:")
        emit(depth + 1, f"{var} = {constant(self.code, mapping.default)}")
        self.constant_tests(depth + 1, rules, mapping.default)
        if unshaped_if(rules, var, made) is not None or unclean_if(rules, var, made) is not None:
            emit(depth, "else:")
            self.tests(depth + 1, rules, var, made)
        write(depth)

    def tests(self, depth: int, rules: Rules, var: str, made: Made) -> None:
        """The finishing tests of a value computed per event (`pipeline.codeproofs`)."""
        for condition, flag in (
            (unshaped_if(rules, var, made), "shape = True"),
            (unclean_if(rules, var, made), "clean = False"),
        ):
            if condition == "True":
                self.code.emit(depth, flag)
            elif condition is not None:
                self.code.emit(depth, f"if {condition}:")
                self.code.emit(depth + 1, flag)

    def constant_tests(self, depth: int, rules: Rules, value: Any) -> None:
        """The finishing tests of a constant, decided now."""
        if not keeps_shape(rules, value):
            self.code.emit(depth, "shape = True")
        if rules.clean and not is_clean(value):
            self.code.emit(depth, "clean = False")

    def _value(
        self, depth: int, mapping: FieldMapping, *, root: str, label: str, var: str, nested: bool
    ) -> Made:
        code = self.code
        if not inlinable(mapping, nested=nested):
            run = code.bind(compile_field(mapping, label=label), "_f")
            code.emit(depth, f"{var} = {run}({root}, notes)")
            return Made(opaque=True)
        if not mapping.sources:
            code.emit(depth, f"{var} = _M")
        for position, source in enumerate(mapping.sources):
            if position:
                code.emit(depth, f"if {var} is _M:")
            self._read(depth + (1 if position else 0), source, root, var, bool(position))
        if mapping.each is not None:
            self._each(depth, mapping, mapping.each, var, label)
        for name, step, reads_root in transform_steps(mapping):
            self._transform(depth, name, step, reads_root, var=var, root=root, label=label)
        if mapping.allowed is not None:
            allowed = code.bind(mapping.allowed, "_a")
            note = f"{label}: the value is not one of the allowed values; field dropped"
            code.emit(depth, f"if {var} is not _M and {var} not in {allowed}:")
            code.emit(depth + 1, f"notes.append({code.literal(note)})")
            code.emit(depth + 1, f"{var} = _M")
        return Made(mapping.transforms, each=mapping.each is not None)

    def _read(self, depth: int, source: str, root: str, var: str, already_missing: bool) -> None:
        keys = inline_keys(source)
        if keys is None:
            reader = self.code.bind(Path.parse(source).reader(), "_r")
            self.code.emit(depth, f"{var} = {reader}({root})")
            return
        start = root
        if root == ROOT:
            for length in range(len(keys), 0, -1):
                if keys[:length] in self.cache:
                    start, keys = self.cache[keys[:length]], keys[length:]
                    break
        self.walk(depth, start, keys, var, "_M", already_missing=already_missing)

    def walk(
        self,
        depth: int,
        start: str,
        keys: Keys,
        out: str,
        missing: str,
        *,
        already_missing: bool = False,
    ) -> None:
        """`out` = the value at `keys` from `start`, or `missing`: `paths._read_keys` inlined
        (each spelling in turn; null is missing; a non-mapping on the way is missing)."""
        emit = self.code.emit
        if not keys:
            emit(depth, f"{out} = {start} if {start} is not None else {missing}")
            return
        if not already_missing:
            emit(depth, f"{out} = {missing}")
        current = start
        for position, spellings in enumerate(keys):
            emit(
                depth,
                f"if {current} is not None and ({current}.__class__ is dict"
                f" or isinstance({current}, _Mapping)):",
            )
            depth += 1
            last = position == len(keys) - 1
            found = out if last and missing == "None" else f"x{position}"
            emit(depth, f"{found} = {current}.get({self.code.literal(spellings[0])})")
            for spelling in spellings[1:]:
                emit(depth, f"if {found} is None:")
                emit(depth + 1, f"{found} = {current}.get({self.code.literal(spelling)})")
            current = found
        if missing != "None":
            emit(depth, f"if {current} is not None:")
            emit(depth + 1, f"{out} = {current}")

    def _transform(
        self,
        depth: int,
        name: str,
        step: Callable[..., Any],
        reads_root: bool,
        *,
        var: str,
        root: str,
        label: str,
    ) -> None:
        code = self.code
        if name == "as_list":  # `value if isinstance(value, list) else [value]`, cannot fail
            code.emit(depth, f"if {var} is not _M and not isinstance({var}, list):")
            code.emit(depth + 1, f"{var} = [{var}]")
            return
        guard = f"{var} is not _M"
        if name in _UNCHANGED_BY:
            guard += f" and not ({_UNCHANGED_BY[name].format(v=var)})"
        bound = code.bind(step, "_t")
        if reads_root:
            call = f"{bound}({var}, {root})"
        elif name in ELEMENTWISE:  # the step's own dispatch, without the call to the step
            convert = code.bind(ELEMENTWISE[name], "_e")
            call = f"{bound}({var}) if isinstance({var}, list) else {convert}({var})"
        else:
            call = f"{bound}({var})"
        prefix = code.bind(f"{label}: {name}: ", "_n")
        code.emit(depth, f"if {guard}:")
        code.emit(depth + 1, "try:")
        code.emit(depth + 2, f"{var} = {call}")
        code.emit(depth + 1, "except _TE as failure:")
        code.emit(depth + 2, f'notes.append(f"{{{prefix}}}{{failure.reason}}; field dropped")')
        code.emit(depth + 2, f"{var} = _M")

    def _each(
        self,
        depth: int,
        mapping: FieldMapping,
        each: tuple[FieldMapping, ...],
        var: str,
        label: str,
    ) -> None:
        """`compiler._each_runner` inlined: one object per item, empty ones left out."""
        code, emit = self.code, self.code.emit
        in_contents = mapping.target == "custom_data.contents" and not mapping.transforms
        items, item, built = code.local("items"), code.local("item"), code.local("built")
        emit(depth, f"if {var} is not _M:")
        emit(depth + 1, f"if {var}.__class__ is not list and isinstance({var}, _Mapping):")
        emit(depth + 2, f"{var} = [{var}]")
        emit(depth + 1, f"if isinstance({var}, list):")
        emit(depth + 2, f"{items} = []")
        emit(depth + 2, f"for {item} in {var}:")
        emit(depth + 3, f"{built} = {{}}")
        for sub in each:
            parts = tuple(sub.target.split("."))
            sub_var = code.local("w")
            code.comment(depth + 3, sub.target)
            self.field(
                depth + 3,
                sub,
                root=item,
                label=f"{label}[].{sub.target}",
                var=sub_var,
                rules=item_rules(parts, in_contents=in_contents),
                write=self._item_write(built, parts, sub_var),
                nested=True,
            )
        emit(depth + 3, f"if {built}:")
        emit(depth + 4, f"{items}.append({built})")
        emit(depth + 2, f"{var} = {items}")
        emit(depth + 1, "else:")
        note = f"{label}: each: the source is not a list; field dropped"
        emit(depth + 2, f"notes.append({code.literal(note)})")
        emit(depth + 2, f"{var} = _M")

    def _item_write(self, built: str, parts: tuple[str, ...], var: str) -> Write:
        code = self.code

        def write(depth: int) -> None:
            if len(parts) == 1:
                code.emit(depth, f"{built}[{code.literal(parts[0])}] = {var}")
            else:
                code.emit(depth, f"_assign({built}, {code.bind(parts, '_p')}, {var})")

        return write
