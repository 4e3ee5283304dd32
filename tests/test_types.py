"""mypy passes on `bot/` and `rituals/`: the ritual contract stays typed."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.timeout(300)  # a cold run without .mypy_cache analyses the dependencies too
def test_mypy_passes_on_bot_and_rituals() -> None:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install -e '.[test]')")
    result = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=290
    )
    assert result.returncode == 0, f"mypy failed:\n{result.stdout}{result.stderr}"


def _coroutine_names(trees: list[ast.Module]) -> set[str]:
    """Names of our coroutine functions: `async def`s and store methods made async by `@off_loop` or `@grouped`,
    less names that are also plain functions somewhere or methods of the built-in containers."""
    coroutines: set[str] = set()
    plain: set[str] = set(dir(dict)) | set(dir(list)) | set(dir(set)) | set(dir(str))
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.AsyncFunctionDef):
                coroutines.add(node.name)
            elif isinstance(node, ast.FunctionDef):
                decorators = {getattr(d.func if isinstance(d, ast.Call) else d, "id", None) for d in node.decorator_list}
                (coroutines if decorators & {"off_loop", "grouped"} else plain).add(node.name)
    return coroutines - plain


def test_no_coroutine_is_compared_with_none_unawaited() -> None:
    """mypy flags a forgotten `await` almost everywhere (unused coroutine, truth value,
    attribute, iteration), but not `store.get_state(...) is None`: this test does."""
    files = sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "rituals").rglob("*.py")])
    trees = [ast.parse(f.read_text(), str(f)) for f in files]
    names = _coroutine_names(trees)
    found = []
    for file, tree in zip(files, trees, strict=True):
        awaited = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Await)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Compare) or not any(isinstance(op, ast.Is | ast.IsNot) for op in node.ops):
                continue
            for side in (node.left, *node.comparators):
                func = side.func if isinstance(side, ast.Call) else None
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if name in names and id(side) not in awaited:
                    found.append(f"{file.relative_to(ROOT)}:{node.lineno}: {name}(...) is compared unawaited")
    assert not found, "\n".join(found)
