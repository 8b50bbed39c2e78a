"""The package stays importable on Python 3.9, the oldest version pyproject.toml promises, when
the tests run on a newer one: its syntax parses as 3.9's grammar, and no annotation that 3.9
would evaluate uses a newer typing form."""

import ast
from pathlib import Path

import cloud_agent

PACKAGE = Path(cloud_agent.__file__).parent
SOURCES = sorted(PACKAGE.glob("*.py"))


def newer_annotation_forms(tree):
    """Annotations written `X | Y` (3.10's union syntax): without `from __future__ import
    annotations`, 3.9 evaluates them when the module loads, and `X | Y` raises TypeError there."""
    found = []
    for node in ast.walk(tree):
        annotations = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            annotations += [a.annotation for a in args.posonlyargs + args.args + args.kwonlyargs]
            annotations += [args.vararg and args.vararg.annotation, args.kwarg and args.kwarg.annotation, node.returns]
        elif isinstance(node, ast.AnnAssign):
            annotations.append(node.annotation)
        for annotation in filter(None, annotations):
            for part in ast.walk(annotation):
                if isinstance(part, ast.BinOp) and isinstance(part.op, ast.BitOr):
                    found.append("line %d: %s" % (part.lineno, ast.unparse(annotation)))
    return found


def test_the_package_has_sources():
    assert len(SOURCES) >= 5, SOURCES


def test_every_module_parses_as_python_3_9():
    for path in SOURCES:
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path), feature_version=(3, 9))


def test_no_annotation_needs_python_3_10():
    problems = {}
    for path in SOURCES:
        source = path.read_text(encoding="utf-8")
        if "from __future__ import annotations" in source:
            continue  # annotations are strings, never evaluated
        found = newer_annotation_forms(ast.parse(source))
        if found:
            problems[path.name] = found
    assert not problems, problems


def test_the_checks_catch_newer_code():
    match_statement = "match x:\n    case 1:\n        pass\n"
    try:
        ast.parse(match_statement, feature_version=(3, 9))
    except SyntaxError:
        pass
    else:
        raise AssertionError("a match statement parsed as Python 3.9")
    assert newer_annotation_forms(ast.parse("def f(x: int | None) -> None: ...\n"))
