"""File names that survive the round trip: a name with accents comes back with them
(``filename*``, RFC 6266 and 5987), a name too long for a file system is shortened keeping
its extension, and no failure leaves a partial file behind. Through both sessions on the
sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sandbox_fixtures import MODES, SandboxEnv, aw, cerfa02, sandbox_env, tiny_pdf

import antsclient as ants

pytestmark = pytest.mark.anyio

K = ants.DocumentKind


@pytest.fixture(params=MODES)
def env(request: pytest.FixtureRequest) -> Iterator[SandboxEnv]:
    with sandbox_env(request.param) as e:
        yield e


@pytest.mark.parametrize(
    "name",
    ["Pièce d'identité élève.pdf", "é" * 200 + ".pdf", "Ωμέγα 😀 ".strip() + ".pdf"],
    ids=["accents", "200-e-acute", "greek-emoji"],
)
async def test_a_name_survives_the_round_trip(env: SandboxEnv, tmp_path: Path, name: str) -> None:
    async with env.session() as s:
        draft = await aw(s.requests.create(cerfa02()))
        sent = await aw(s.attachments.upload(draft, K.IDENTITY, tiny_pdf(), filename=name))
        out = tmp_path / "out"
        saved = await aw(s.attachments.download(draft, K.IDENTITY, sent.file_id, to=out))
    assert saved.suffix == ".pdf"
    assert saved.read_bytes() == tiny_pdf()
    assert len(saved.name.encode()) <= 255
    if len(name) < 100:
        assert saved.name == name
    else:
        assert saved.name.startswith("é" * 50)
    assert [p.name for p in out.iterdir()] == [saved.name]  # nothing partial beside it
