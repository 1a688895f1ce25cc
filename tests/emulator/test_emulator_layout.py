"""The emulator's layout: every operation of openapi.yaml (so every one of the clients' table)
is served, and its modules import one way (no circle), so each can be read and tested on its
own."""

from __future__ import annotations

import ast
from pathlib import Path
from urllib.parse import quote

import pytest
import yunxiao_emas.testing
from emulator_support import IDS, in_process_client
from yunxiao_emas._call.operations import OPERATIONS
from yunxiao_emas.cli.spec import operations
from yunxiao_emas.testing import EmulatedService
from yunxiao_emas.testing._gateway import CHECKS
from yunxiao_emas.testing._handlers import HANDLERS

PACKAGE = "yunxiao_emas.testing"
NAMES = list(operations())


def test_every_operation_of_the_contract_has_a_handler() -> None:
    assert sorted(HANDLERS) == sorted(NAMES)


def test_every_operation_of_the_table_has_a_handler() -> None:
    assert {operation.name for operation in OPERATIONS} <= set(HANDLERS)


@pytest.mark.parametrize("name", NAMES)
def test_every_operation_of_the_table_has_a_gateway_check(name: str) -> None:
    assert set(operations()[name].security) <= set(CHECKS)


@pytest.mark.parametrize("name", NAMES)
async def test_every_operation_of_the_table_is_routed_to_its_handler(
    service: EmulatedService, name: str
) -> None:
    spec = operations()[name]
    path = spec.path
    query = {}
    for parameter in spec.parameters:
        if not parameter.required:  # the list operations' filters and paging
            continue
        value = str(IDS[parameter.python_name])
        if parameter.location == "path":
            path = path.replace(f"{{{parameter.name}}}", quote(value, safe=""))
        else:
            query[parameter.name] = value
    async with in_process_client(service, None) as client:
        await client.request(spec.method, path, params=query)

    assert [call.operation for call in service.api_calls] == [name]


def top_level_imports(path: Path) -> set[str]:
    """The modules of this package that ``path`` imports when it is imported: module-level
    imports only (a function's lazy import or a TYPE_CHECKING block runs later or never)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            names.add(f"{PACKAGE}.{node.module}")
    return names


def test_the_emulators_modules_import_without_a_circle() -> None:
    folder = Path(yunxiao_emas.testing.__file__).parent
    graph = {f"{PACKAGE}.{p.stem}": top_level_imports(p) for p in folder.glob("_*.py")}
    done: set[str] = set()

    def visit(module: str, trail: tuple[str, ...]) -> None:
        assert module not in trail, f"import circle: {' -> '.join((*trail, module))}"
        if module in done:
            return
        for imported in graph.get(module, ()):
            visit(imported, (*trail, module))
        done.add(module)

    for module in graph:
        visit(module, ())
    assert len(done) >= 10  # the split: one module a job


def test_only_the_asgi_adapter_uses_the_http_framework() -> None:
    folder = Path(yunxiao_emas.testing.__file__).parent
    knowing = sorted(
        path.stem for path in folder.glob("_*.py") if "starlette" in path.read_text("utf-8")
    )

    # _service names Starlette only as the type of asgi_app, which _app builds.
    assert knowing == ["_app", "_service"]


def test_both_operations_give_each_id_the_same_rule() -> None:
    # add_artifact checks ids by the first rule of their name it finds: they must agree.
    rules: dict[str, set[tuple[object, ...]]] = {}
    for spec in operations().values():
        for p in spec.parameters:
            rule = (p.kind, p.minimum, p.maximum, p.min_length, p.max_length, p.required)
            rules.setdefault(p.name, set()).add(rule)

    assert {name: len(found) for name, found in rules.items()} == dict.fromkeys(rules, 1)
