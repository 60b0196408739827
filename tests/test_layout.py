"""The package's layout is its first lesson: folders that are the architecture, imports one way.

Read from the source, as a learner would: every ``import`` of every module (those inside
functions too, which run as surely as the others; those under ``if TYPE_CHECKING:`` do not run
and are left out), then the rules of kedis/__init__.py's map checked on that graph.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

KEDIS = Path(__file__).resolve().parents[1] / "kedis"
TESTS = Path(__file__).resolve().parent
FRONT_ENDS = ("kedis.jupyter", "kedis.kernel", "kedis.widgets", "kedis.repl")
#: The network's I/O: the server and the client of a real Redis. (network/resp.py, RESP without
#: I/O, is a codec anyone may use: the AOF writes commands in RESP too.)
NETWORK = ("kedis.network.server", "kedis.network.remote")
#: The folders whose __init__ docstring lists its modules, one by one.
LISTED = ("engine", "commands", "structures", "persistence", "network", "jupyter", "util")


def module_name(path: Path) -> str:
    parts = path.relative_to(KEDIS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, modules: set[str]) -> set[str]:
    """The Kedis modules ``path`` imports when it runs."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    class Visitor(ast.NodeVisitor):
        def visit_If(self, node: ast.If) -> None:
            if "TYPE_CHECKING" in ast.unparse(node.test):
                for statement in node.orelse:
                    self.visit(statement)
            else:
                self.generic_visit(node)

        def visit_Import(self, node: ast.Import) -> None:
            found.update(alias.name for alias in node.names if alias.name in modules)

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:  # ``from . import rdb`` imports the module kedis....rdb
                submodule = f"{target}.{alias.name}"
                if submodule in modules:
                    found.add(submodule)
                elif target in modules:
                    found.add(target)

    Visitor().visit(ast.parse(path.read_text(), str(path)))
    found.discard(name)
    return found


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(path): path for path in KEDIS.rglob("*.py")}
    return {name: imports(path, set(paths)) for name, path in paths.items()}


GRAPH = import_graph()


def under(name: str, *prefixes: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def test_the_graph_is_read_from_every_module():
    assert len(GRAPH) > 50
    assert "kedis.engine.keyspace" in GRAPH["kedis.engine.dispatcher"]
    assert "kedis.engine.errors" in GRAPH["kedis.commands.strings"]


def test_no_module_imports_itself_back_through_others():
    # Tarjan's strongly connected components: any with two modules or more is a circle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        for other in GRAPH[name]:
            if other not in index:
                visit(other)
                low[name] = min(low[name], low[other])
            elif other in stack:
                low[name] = min(low[name], index[other])
        if low[name] == index[name]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == name:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for name in sorted(GRAPH):
        if name not in index:
            visit(name)
    assert circles == []


@pytest.mark.parametrize("rule, importers, forbidden", [
    ("the engine never imports a front end or the network", ("kedis.engine",),
     (*FRONT_ENDS, "kedis.network")),
    ("the handlers never import the dispatcher", ("kedis.commands",),
     ("kedis.engine.dispatcher", *FRONT_ENDS, *NETWORK)),
    ("persistence never imports the dispatcher", ("kedis.persistence",),
     ("kedis.engine.dispatcher", "kedis.commands", *FRONT_ENDS, *NETWORK)),
    ("the network never imports a front end", ("kedis.network",), FRONT_ENDS),
])
def test_imports_go_one_way(rule, importers, forbidden):
    wrong = sorted((name, other) for name, others in GRAPH.items() if under(name, *importers)
                   for other in others if under(other, *forbidden))
    assert wrong == [], rule


@pytest.mark.parametrize("folder, allowed", [
    ("kedis.util", ("kedis.util",)),
    ("kedis.structures", ("kedis.structures", "kedis.util")),
])
def test_the_lowest_folders_stand_alone(folder, allowed):
    wrong = sorted((name, other) for name, others in GRAPH.items() if under(name, folder)
                   for other in others if not under(other, *allowed))
    assert wrong == []


def test_importing_a_folder_runs_nothing():
    # A folder's __init__ is its description; importing kedis.engine.keyspace must not start the
    # whole engine (that is what ``import kedis`` is for). commands/ is the exception: importing
    # it registers the handlers, and widgets/ and kernel/ are public entry points.
    for folder in ("engine", "structures", "persistence", "network", "jupyter", "util"):
        tree = ast.parse((KEDIS / folder / "__init__.py").read_text())
        assert [type(node).__name__ for node in tree.body] == ["Expr"], folder


@pytest.mark.parametrize("folder", [path.name for path in sorted(KEDIS.iterdir())
                                    if (path / "__init__.py").exists()])
def test_each_folder_says_what_it_holds(folder):
    docstring = ast.get_docstring(ast.parse((KEDIS / folder / "__init__.py").read_text()))
    assert docstring and len(docstring.splitlines()) >= 3
    if folder in LISTED:
        missing = [path.name for path in sorted((KEDIS / folder).glob("*.py"))
                   if path.name != "__init__.py" and path.name not in docstring]
        assert missing == []


def test_the_tests_mirror_the_package():
    folders = {path.name for path in TESTS.iterdir() if path.is_dir() and any(path.glob("test_*.py"))}
    packages = {path.name for path in KEDIS.iterdir() if (path / "__init__.py").exists()}
    assert folders - packages == {"benchmarks"}  # (tests of the top-level benchmarks/ scripts)
