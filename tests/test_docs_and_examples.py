"""Docs that run: every Python block of the docs and every example executes."""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
OFFLINE_DOCS = ["getting-started.md", "errors.md", "printing.md", "paper-requests.md"]
OFFLINE_EXAMPLES = ["validate_application.py"]


@pytest.mark.parametrize("page", OFFLINE_DOCS)
def test_doc_blocks_run(page: str) -> None:
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    blocks = BLOCK.findall(text)
    assert blocks, f"{page} has no python block"
    namespace: dict[str, object] = {"__name__": f"docs_{page}"}
    for block in blocks:
        exec(compile(block, f"docs/{page}", "exec"), namespace)


@pytest.mark.parametrize("script", OFFLINE_EXAMPLES)
def test_example_runs(
    script: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", [script])
    with pytest.raises(SystemExit) as exc:
        runpy.run_path(str(ROOT / "examples" / script), run_name="__main__")
    assert exc.value.code == 0
    assert "after fixing: 0 error(s)" in capsys.readouterr().out


def test_the_protocol_reference_renders_every_operation() -> None:
    import yaml

    hook = runpy.run_path(str(ROOT / "docs" / "hooks" / "openapi_reference.py"))
    text = hook["render"]()
    document = yaml.safe_load(
        (ROOT / "src" / "antsclient" / "protocol" / "openapi.yaml").read_text(encoding="utf-8")
    )
    ids = [
        op["operationId"]
        for item in document["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    ]
    assert len(ids) >= 25
    for operation_id in ids:
        assert f"`{operation_id}`" in text, operation_id
    page = "<!-- openapi-reference -->"
    assert hook["on_page_markdown"](f"# x\n{page}\n").count("### `") == len(ids)
