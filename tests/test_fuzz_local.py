"""Property tests over local input: ``validate``, the geo check and file inspection take any
text (lone surrogates, controls, huge numbers) and any bytes, and answer with problems or an
:class:`~antsclient.AntsError` — never a crash."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import attrs
from hypothesis import event, given, settings
from hypothesis import strategies as st

import antsclient as ants
from antsclient.attachments import inspect_file

wild_text = st.text(max_size=40) | st.sampled_from(
    ["\ud800", "DUPONT\x0bJean", "9" * 21, "=HYPERLINK(1)", "SAINT\u0301", "", " " * 5]
)


@settings(max_examples=150, deadline=None)
@given(
    last=wild_text,
    first=wild_text,
    city=wild_text,
    department=st.none() | wild_text,
    country=wild_text,
    street=wild_text,
    postal=wild_text,
)
def test_validate_and_geo_check_take_any_text(
    make_application: Callable[..., Any],
    last: str,
    first: str,
    city: str,
    department: str | None,
    country: str,
    street: str,
    postal: str,
) -> None:
    base = make_application()
    try:
        address = attrs.evolve(base.applicant.address, street=street, postal_code=postal, city=city)
        applicant = attrs.evolve(
            base.applicant,
            last_name=last,
            first_name=first,
            birth_city=city,
            birth_department=department,
            birth_country=country,
            address=address,
        )
        application = attrs.evolve(base, applicant=applicant)
    except ants.AntsError:
        event("refused at construction")
        return
    event("checked")
    problems = ants.validate(application)
    assert all(isinstance(p, ants.FieldProblem) for p in problems)
    report = ants.geo.check(application)
    assert all(isinstance(p, ants.FieldProblem) for p in report.field_problems(()))


prefixes = st.sampled_from([b"%PDF-1.4\n", b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b""])


@settings(max_examples=200, deadline=None)
@given(prefix=prefixes, rest=st.binary(max_size=600), name=st.none() | wild_text)
def test_file_inspection_takes_any_bytes(prefix: bytes, rest: bytes, name: str | None) -> None:
    content = prefix + rest
    for source in (content, io.BytesIO(content)):
        try:
            info = inspect_file(source, name=name)
        except ants.AttachmentRejected:
            continue
        assert info.size == len(content)
        assert info.pages >= 1


@settings(max_examples=60, deadline=None)
@given(cut=st.integers(min_value=0, max_value=2000), flip=st.integers(min_value=0, max_value=255))
def test_a_damaged_real_pdf_is_read_or_refused(
    make_pdf: Callable[..., bytes], cut: int, flip: int
) -> None:
    pdf = bytearray(make_pdf(2))
    position = cut % len(pdf)
    pdf[position] = flip
    for damaged in (bytes(pdf), bytes(pdf[: max(position, 6)])):
        try:
            info = inspect_file(damaged, name="cni.pdf")
        except ants.AttachmentRejected as exc:
            code = exc.code
        else:
            code = "attachment.read" if info.pages >= 1 else "no pages"
        assert code.startswith("attachment.")
