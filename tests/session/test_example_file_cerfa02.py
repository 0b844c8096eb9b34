"""The example « Enregistrer une demande » runs end to end against a sandbox it starts."""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "file_cerfa02.py"


def test_example_files_a_complete_cerfa02(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "Enregistrer une demande" in (EXAMPLE.read_text(encoding="utf-8").split('"""')[1])
    monkeypatch.setattr(sys, "argv", [EXAMPLE.name])
    with pytest.raises(SystemExit) as exc:
        runpy.run_path(str(EXAMPLE), run_name="__main__")
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "applicant.address.city: ST PRIEST -> SAINT-PRIEST (69800)" in out
    numbers = re.findall(r"demande n° (\d+) : ", out)
    assert len(numbers) == 2 and numbers[0] == numbers[1]
    assert "Brouillon" in out
    assert "(awaiting_applicant_validation)" in out
