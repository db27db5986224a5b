"""The server's OpenAPI document, as served at ``/openapi.json``, and its Amper part.

``python -m mirloop.serve.openapi docs/amper-openapi.json`` writes the committed copy of the
Amper API (the ``/v1`` paths and the schemas they use); a test checks that it matches the code.
Without a path, the document is printed.
"""

from __future__ import annotations

import json
import sys
import tempfile
from typing import Any


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of an app built with default settings (in a throw-away data folder)."""
    from mirloop.serve.app import create_app
    from mirloop.serve.settings import ServeSettings

    with tempfile.TemporaryDirectory(prefix="mirloop-openapi-") as folder:
        return create_app(ServeSettings(folder)).openapi()


def amper_document(document: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``/v1`` paths of ``document`` (default: the server's) with only the schemas they use."""
    full = openapi_document() if document is None else document
    paths = {path: item for path, item in full["paths"].items() if path.startswith("/v1/")}
    schemas = full.get("components", {}).get("schemas", {})
    used: set[str] = set()
    todo: list[Any] = [paths]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[-1]
                if name not in used:
                    used.add(name)
                    todo.append(schemas[name])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return {
        **{k: v for k, v in full.items() if k not in ("paths", "components")},
        "paths": paths,
        "components": {
            "schemas": {name: schemas[name] for name in sorted(used)},
            "securitySchemes": full.get("components", {}).get("securitySchemes", {}),
        },
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = dumps(amper_document())
    if args:
        from mirloop.io.atomic import write_text

        write_text(args[0], text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
