"""The agency, storage and export docs and examples run, against the sandbox."""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)

pytestmark = pytest.mark.network


@pytest.mark.parametrize("page", ["agency.md", "storage.md", "export.md"])
def test_doc_blocks_run(page: str, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("openpyxl")
    pytest.importorskip("pandas")
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    blocks = BLOCK.findall(text)
    assert blocks, f"{page} has no python block"
    namespace: dict[str, object] = {"__name__": f"docs_{page}"}
    for block in blocks:
        exec(compile(block, f"docs/{page}", "exec"), namespace)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("update_all_requests.py", "Agence E0000000000 : erreur : Erreur d'authentification"),
        ("search_requests.py", "Mêmes comptes que sur l'ANTS : True"),
        ("link_request.py", "Demandes non reliées : 0"),
        ("export_excel.py", "demandes exportées dans demandes.xlsx"),
    ],
)
def test_example_runs(
    script: str,
    expected: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("openpyxl")
    pytest.importorskip("pandas")
    monkeypatch.setattr(sys, "argv", [script])
    with pytest.raises(SystemExit) as exc:
        runpy.run_path(str(ROOT / "examples" / script), run_name="__main__")
    assert exc.value.code == 0
    assert expected in capsys.readouterr().out
