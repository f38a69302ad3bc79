"""Every module that tfgan_zoo/, tests/ and tools/ import comes from the standard
library, from this project, or from a distribution that setup.py declares as a
requirement or in an extra.

A machine whose Python already holds a package hides a missing declaration: the
suite once imported scipy, which no extra named, and passed only because the
machine image shipped it. This test reads the imports (every `import` statement,
also those inside functions) and the declarations, so it fails in any venv.
"""

import ast
import functools
import re
import runpy
import sys
import types
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCANNED = ("tfgan_zoo", "tests", "tools", "models", "export")

# Import names of declared distributions that a test environment need not hold (each
# is in an extra that CI does not install); the others resolve through installed metadata.
NOT_INSTALLED = {"torch": "torch", "tensorflow_serving": "tensorflow-serving-api"}


def normalise(distribution):
    return re.sub(r"[-_.]+", "-", distribution).lower()


def declared_distributions():
    """Normalised names of setup.py's install_requires and every extra's requirements."""
    captured = {}
    # setup.py runs against a stand-in setuptools that records its arguments.
    stand_in = types.ModuleType("setuptools")
    stand_in.setup = lambda **kwargs: captured.update(kwargs)
    stand_in.find_packages = lambda **kwargs: []
    real = sys.modules.get("setuptools")
    sys.modules["setuptools"] = stand_in
    try:
        runpy.run_path(str(REPO / "setup.py"), run_name="__main__")
    finally:
        if real is None:
            del sys.modules["setuptools"]
        else:
            sys.modules["setuptools"] = real
    requirements = list(captured["install_requires"])
    for extra in captured["extras_require"].values():
        requirements += extra
    return {normalise(re.match(r"[A-Za-z0-9_.\-]+", r).group()) for r in requirements}


def python_files():
    """The scanned files; setup.py is the declaration itself, run by pip's build backend."""
    for folder in SCANNED:
        yield from (REPO / folder).rglob("*.py")


def first_party_names():
    return {"tfgan_zoo", "tests", "helpers"} | {path.stem for path in python_files()}


def imported_modules(path):
    """Absolute module names imported anywhere in `path`."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module)
    return names


@functools.lru_cache(maxsize=1)
def installed_top_level_names():
    return metadata.packages_distributions()


def providing_distributions(module):
    """Normalised distributions that install `module`, from installed metadata."""
    top = module.split(".")[0]
    candidates = installed_top_level_names().get(top, [])
    if len(candidates) > 1:  # a namespace package such as `google`: match the file path
        prefix = module.replace(".", "/") + "/"
        candidates = [
            name
            for name in candidates
            if any(str(f).startswith(prefix) for f in metadata.files(name) or ())
        ]
    return {normalise(name) for name in candidates}


def undeclared(modules, declared, first_party):
    """{module: why} for every module not from the stdlib, this project or `declared`."""
    problems = {}
    for module in sorted(modules):
        top = module.split(".")[0]
        if top in sys.stdlib_module_names or top in first_party:
            continue
        providers = providing_distributions(module) or (
            {normalise(NOT_INSTALLED[top])} if top in NOT_INSTALLED else set()
        )
        if not providers:
            problems[module] = "installed by no distribution here, and not declared"
        elif not providers & declared:
            problems[module] = f"comes from {sorted(providers)}, which setup.py does not declare"
    return problems


def all_imports():
    return {module: path for path in python_files() for module in imported_modules(path)}


def test_every_imported_module_comes_from_a_declared_distribution():
    imports = all_imports()
    problems = undeclared(imports, declared_distributions(), first_party_names())
    assert not problems, "\n".join(
        f"{m} (in {imports[m].relative_to(REPO)}): {why}" for m, why in problems.items()
    )
    # The scan is not vacuous: third-party imports were found and resolved.
    assert {"tensorflow", "keras", "numpy", "PIL", "scipy.linalg", "pytest"} <= set(imports)


def test_a_missing_declaration_is_reported():
    declared = declared_distributions()
    assert {"scipy", "numpy", "tensorflow-cpu"} <= declared
    problems = undeclared(
        {"numpy.linalg", "keras", "json"}, declared - {"numpy"}, first_party_names()
    )
    assert problems == {"numpy.linalg": "comes from ['numpy'], which setup.py does not declare"}
    assert (
        "not declared" in undeclared({"no_such_module_xyz"}, declared, set())["no_such_module_xyz"]
    )
