"""House habits that ruff does not check: functions stay short unless a comment says why.

A function's length is counted from its first statement after the docstring to its last line, blank
lines left out. Over :data:`MAX_LINES`, the comment just above the ``def`` (or above its decorators)
must
start ``# long:`` and say why the function is better whole.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "kpi_helpers"
MAX_LINES = 40


def long_functions(package: Path = PACKAGE, limit: int = MAX_LINES) -> list[str]:
    """``path:line name (N lines)`` for each function over ``limit`` lines without a ``# long:``
    comment."""
    found = []
    for path in sorted(package.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            body = node.body
            has_doc = (
                isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            )
            first = body[1].lineno if has_doc and len(body) > 1 else body[0].lineno
            n = sum(1 for ln in lines[first - 1 : node.end_lineno] if ln.strip())
            top = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
            comment = []
            while top >= 1 and lines[top - 1].strip().startswith("#"):
                comment.insert(0, lines[top - 1].strip())
                top -= 1
            if n > limit and not (comment and comment[0].startswith("# long:")):
                found.append(
                    f"{path.relative_to(package.parent)}:{node.lineno} {node.name} ({n} lines)"
                )
    return found


def test_the_counter_sees_a_long_function_and_its_reason(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(41))
    (pkg / "a.py").write_text(f'def f():\n    """Doc."""\n{body}\n\ndef g():\n    return 1\n')
    assert long_functions(pkg) == ["pkg/a.py:1 f (41 lines)"]
    (pkg / "a.py").write_text(
        f"# long: one table built column by column,\n# in one pass\ndef f():\n{body}"
    )
    assert long_functions(pkg) == []
    (pkg / "a.py").write_text(f"# a comment that gives no reason\ndef f():\n{body}")
    assert long_functions(pkg) == ["pkg/a.py:2 f (41 lines)"]


def test_functions_are_short_or_say_why():
    found = long_functions()
    assert not found, (
        "split these functions, or put a '# long: <why>' comment above the def: " + "; ".join(found)
    )
