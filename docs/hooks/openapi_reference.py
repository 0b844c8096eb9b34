"""mkdocs hook: render the protocol's OpenAPI document into the page that asks for it.

A page holding the line ``<!-- openapi-reference -->`` gets, in its place, every operation of
``src/antsclient/protocol/openapi.yaml`` (method, path, summary, parameters, request body,
answers) and every schema with its fields — built from the document at each docs build, so
the reference never drifts from the protocol.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MARKER = "<!-- openapi-reference -->"
DOCUMENT = Path(__file__).resolve().parents[2] / "src" / "antsclient" / "protocol" / "openapi.yaml"
METHODS = ("get", "post", "put", "delete", "patch")


def _ref(schema: dict[str, Any] | None) -> str:
    if not schema:
        return "—"
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[`{name}`](#{name.lower()})"
    if schema.get("type") == "array":
        return f"array of {_ref(schema.get('items'))}"
    if "enum" in schema:
        return " \\| ".join(f"`{v}`" for v in schema["enum"])
    kind = schema.get("type", "object")
    return f"`{' or '.join(kind) if isinstance(kind, list) else kind}`"


def _cell(text: object) -> str:
    return " ".join(str(text or "").split()).replace("|", "\\|")


def _operation(method: str, path: str, op: dict[str, Any], doc: dict[str, Any]) -> list[str]:
    lines = [f"### `{method.upper()} {path}` — `{op.get('operationId', '')}`", ""]
    if op.get("summary"):
        lines += [_cell(op["summary"]), ""]
    params = op.get("parameters", [])
    if params:
        lines += ["| parameter | in | required | type | description |", "|---|---|---|---|---|"]
        for given in params:
            param = given
            if "$ref" in given:
                param = doc["components"]["parameters"][given["$ref"].rsplit("/", 1)[-1]]
            lines.append(
                f"| `{param['name']}` | {param['in']} | {'yes' if param.get('required') else 'no'}"
                f" | {_ref(param.get('schema'))} | {_cell(param.get('description'))} |"
            )
        lines.append("")
    body = op.get("requestBody", {}).get("content", {})
    for media, content in body.items():
        lines += [f"Body ({media}): {_ref(content.get('schema'))}", ""]
    lines += ["| answer | meaning |", "|---|---|"]
    for status, given in op.get("responses", {}).items():
        answer = given
        if "$ref" in given:
            answer = doc["components"]["responses"][given["$ref"].rsplit("/", 1)[-1]]
        lines.append(f"| {status} | {_cell(answer.get('description'))} |")
    return [*lines, ""]


def _schema(name: str, schema: dict[str, Any]) -> list[str]:
    lines = [f"### {name}", ""]
    if schema.get("description"):
        lines += [_cell(schema["description"]), ""]
    properties = schema.get("properties", {})
    if properties:
        required = set(schema.get("required", []))
        lines += ["| field | type | required | description |", "|---|---|---|---|"]
        for field, spec in properties.items():
            lines.append(
                f"| `{field}` | {_ref(spec)} | {'yes' if field in required else 'no'}"
                f" | {_cell(spec.get('description'))} |"
            )
    elif "enum" in schema:
        lines.append(f"One of {_ref(schema)}.")
    return [*lines, ""]


def render(document: Path = DOCUMENT) -> str:
    """The reference of the protocol, as Markdown."""
    doc = yaml.safe_load(document.read_text(encoding="utf-8"))
    info = doc["info"]
    lines = [
        f"*{info['title']}*, version {info['version']} (OpenAPI {doc['openapi']}).",
        "",
        "## Operations",
        "",
    ]
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                lines += _operation(method, path, item[method], doc)
    lines += ["## Schemas", ""]
    for name, schema in doc.get("components", {}).get("schemas", {}).items():
        lines += _schema(name, schema)
    return "\n".join(lines)


def on_page_markdown(markdown: str, **_: Any) -> str:
    """mkdocs hook: replace the marker with the rendered reference."""
    return markdown.replace(MARKER, render()) if MARKER in markdown else markdown
