"""The sandbox and protocol pages run: every Python block executes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^ *```python\n(.*?)^ *```", re.MULTILINE | re.DOTALL)

pytestmark = pytest.mark.network


@pytest.mark.parametrize("page", ["sandbox.md", "protocol.md"])
def test_page_blocks_run(page: str) -> None:
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    blocks = BLOCK.findall(text)
    assert blocks
    namespace: dict[str, object] = {"__name__": f"docs_{page}"}
    for block in blocks:
        lines = block.splitlines()
        indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
        source = "\n".join(line[indent:] for line in lines)
        exec(compile(source, f"docs/{page}", "exec"), namespace)
