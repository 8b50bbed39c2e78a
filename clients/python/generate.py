#!/usr/bin/env python3
"""Generate ``cloud_agent/_methods.py`` from ``protocol/openrpc.json`` (stdlib only).

Usage::

    python3 clients/python/generate.py            # rewrite cloud_agent/_methods.py
    python3 clients/python/generate.py --check    # exit 1 if the committed file is out of date

Every request method of the OpenRPC document becomes a snake_case method of the ``Methods``
mixin, shared by the sync ``Agent`` and the asyncio ``AsyncAgent``: its params become
keyword-only arguments (required ones without a default, optional ones ``= None`` and left out of
the request when ``None``), plus ``progress=`` for a progress callback. Notification-only methods
(``exit``, ``$/cancelRequest``) get no method; the client sends them itself. ``progressToken``
and ``_meta`` are managed by the client through ``progress=``.
"""

import argparse
import importlib.util
import json
import keyword
import re
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, List, Optional

HERE = Path(__file__).resolve().parent
DEFAULT_SPEC = HERE.parent.parent / "protocol" / "openrpc.json"
DEFAULT_OUT = HERE / "cloud_agent" / "_methods.py"

# Params every request takes, which the client sets itself (see `progress=`).
CLIENT_MANAGED_PARAMS = {"progressToken", "_meta"}
WIDTH = 99


def snake_case(name: str) -> str:
    """``createCluster`` -> ``create_cluster``, ``publicIP`` -> ``public_ip``, ``debug.sleep`` -> ``debug_sleep``."""
    name = re.sub(r"[^0-9A-Za-z]+", "_", name)
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    name = name.strip("_").lower()
    return name + "_" if keyword.iskeyword(name) else name


def _load_error_classes() -> Any:
    """The package's error module, loaded by path (without importing the package itself)."""
    spec = importlib.util.spec_from_file_location("_cloud_agent_errors", HERE / "cloud_agent" / "_errors.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Generator:
    def __init__(self, doc: Dict[str, Any]) -> None:
        self.doc = doc
        self.errors = _load_error_classes()

    def resolve(self, node: Any) -> Any:
        """Follow ``$ref``s inside the document."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 20:
            target: Any = self.doc
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
            seen += 1
        return node

    def python_type(self, schema: Any) -> str:
        schema = self.resolve(schema) or {}
        simple = {"string": "str", "integer": "int", "number": "float", "boolean": "bool",
                  "array": "List[Any]", "object": "Dict[str, Any]", "null": "None"}
        kind = schema.get("type")
        if isinstance(kind, str) and kind in simple:
            return simple[kind]
        if isinstance(kind, list) and all(k in simple for k in kind):
            return "Union[" + ", ".join(simple[k] for k in kind) + "]"
        return "Any"

    def error_names(self, method: Dict[str, Any]) -> List[str]:
        names: List[str] = []
        for ref in method.get("errors", []):
            code = self.resolve(ref).get("code")
            name = self.errors.error_class_for_code(code).__name__
            if name not in names:
                names.append(name)
        return names

    # --- rendering ---------------------------------------------------------------------------

    @staticmethod
    def wrap(text: str, indent: str, first: str = "") -> List[str]:
        """Wrap prose (keeping paragraphs) to WIDTH, the first line prefixed by ``first``."""
        lines: List[str] = []
        for i, para in enumerate(p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()):
            if i:
                lines.append("")
            lines.extend(textwrap.wrap(
                " ".join(para.split()), WIDTH,
                initial_indent=indent + (first if i == 0 else ""),
                subsequent_indent=indent + (" " * 4 if first else ""),
                break_long_words=False, break_on_hyphens=False))
        return lines

    def docstring(self, method: Dict[str, Any], params: List[Dict[str, Any]], extra: bool) -> List[str]:
        ind = " " * 8
        body: List[str] = []
        summary = method.get("summary") or method["name"]
        body += self.wrap(f"``{method['name']}``: {summary}", ind)
        if method.get("description"):
            body += [""] + self.wrap(method["description"], ind)
        body += ["", ind + "Args:"]
        for p in params:
            text = p.get("description", "").strip() or "(no description)"
            schema = self.resolve(p.get("schema")) or {}
            if "default" in schema and "default" not in text.lower():
                text += f" Default: {json.dumps(schema['default'])}."
            if snake_case(p["name"]) != p["name"]:
                text += f" (``{p['name']}``)"
            body += self.wrap(text, ind + "    ", f"{snake_case(p['name'])}: ")
        if extra:
            body += self.wrap("Other params, sent as given (camelCase names, as in the protocol).",
                              ind + "    ", "**params: ")
        body += self.wrap("Called with the ``value`` of each ``$/progress`` notification of this "
                          "request (the client then sends a ``progressToken``).",
                          ind + "    ", "progress: ")
        result = method.get("result")
        if result:
            body += ["", ind + "Returns:"]
            desc = result.get("name", "")
            if result.get("description"):
                desc += ": " + result["description"]
            body += self.wrap(desc or "The result.", ind + "    ")
        errors = self.error_names(method)
        if errors:
            body += ["", ind + "Raises:"]
            body += self.wrap(", ".join(errors) + ".", ind + "    ")
        text = "\n".join(line.rstrip() for line in body)
        text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
        return [ind + '"""' + text.lstrip(), ind + '"""']

    def method(self, method: Dict[str, Any]) -> List[str]:
        params = [self.resolve(p) for p in method.get("params", [])]
        params = [p for p in params if p["name"] not in CLIENT_MANAGED_PARAMS]
        params.sort(key=lambda p: not p.get("required", False))  # stable: required first
        extra = "x-params-schema" in method
        name = snake_case(method["name"])
        sig = ["self", "*"]
        for p in params:
            typ = self.python_type(p.get("schema"))
            if p.get("required"):
                sig.append(f"{snake_case(p['name'])}: {typ}")
            else:
                sig.append(f"{snake_case(p['name'])}: Optional[{typ}] = None")
        sig.append("progress: Optional[ProgressCallback] = None")
        if extra:
            sig.append("**params: Any")
        lines = [f"    def {name}(", *[f"        {s}," for s in sig], "    ) -> Any:"]
        lines += self.docstring(method, params, extra)
        if params:
            lines.append("        request = _without_none({")
            lines += [f"            {json.dumps(p['name'])}: {snake_case(p['name'])}," for p in params]
            lines.append("        })")
        else:
            lines.append("        request: Dict[str, Any] = {}")
        if extra:
            lines.append("        request.update(params)")
        lines.append(f"        return self._invoke({json.dumps(method['name'])}, request, progress)")
        return lines

    def render(self) -> str:
        requests = [m for m in self.doc["methods"] if not m.get("x-notification")]
        out = [
            '"""Generated by clients/python/generate.py from protocol/openrpc.json: do not edit.',
            "",
            "One method per request method of the protocol, shared by ``Agent`` (which returns the",
            "result) and ``AsyncAgent`` (which returns an awaitable of it).",
            '"""',
            "",
            "# fmt: off",
            "from typing import {typing_names}",
            "",
            f"PROTOCOL_VERSION = {json.dumps(self.doc.get('x-protocol-version', ''))}",
            "",
            "#: Wire name -> Python method name, for every request method of the protocol.",
            "METHOD_NAMES: Dict[str, str] = {",
            *[f"    {json.dumps(m['name'])}: {json.dumps(snake_case(m['name']))}," for m in requests],
            "}",
            "",
            "#: A progress callback: called with the ``value`` of each ``$/progress`` notification.",
            "ProgressCallback = Callable[[Dict[str, Any]], Any]",
            "",
            "",
            "def _without_none(params: Dict[str, Any]) -> Dict[str, Any]:",
            "    return {k: v for k, v in params.items() if v is not None}",
            "",
            "",
            "class Methods:",
            '    """The protocol\'s methods; subclasses implement ``_invoke``."""',
            "",
            "    def _invoke(self, method: str, params: Dict[str, Any],",
            "                progress: Optional[ProgressCallback]) -> Any:",
            "        raise NotImplementedError",
        ]
        for m in requests:
            out.append("")
            out += self.method(m)
        text = "\n".join(out) + "\n"
        used = [n for n in ("Any", "Callable", "Dict", "List", "Optional", "Union") if n + "[" in text
                or n in ("Any", "Callable")]
        return text.replace("{typing_names}", ", ".join(used), 1)


def render(spec_path: Path = DEFAULT_SPEC) -> str:
    """The text of ``_methods.py`` for the OpenRPC document at ``spec_path``."""
    with open(spec_path, encoding="utf-8") as f:
        return Generator(json.load(f)).render()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="the OpenRPC document")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the file to write")
    parser.add_argument("--check", action="store_true", help="only check that --out is up to date")
    args = parser.parse_args(argv)
    text = render(args.spec)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else None
        if current != text:
            print(f"{args.out} is out of date: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
