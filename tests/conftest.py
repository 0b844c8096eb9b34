"""Shared fixtures: valid applications to start from, and small real document files.

Every factory fixture is session-scoped and returns a plain function, so Hypothesis tests can
use them too (no function-scoped fixture is reset between generated examples).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from pypdf import PdfWriter

from antsclient.models import (
    Address,
    Applicant,
    AttachmentFile,
    AttachmentSlot,
    Cerfa,
    Cerfa02,
    Cerfa06,
    Credentials,
    Declarations,
    DocumentKind,
    EPhoto,
    LegalRepresentative,
    LicenceCategory,
    ObtainedBy,
    OnlineRequest,
    Prefecture,
    PrefectureDocument,
    PrefectureDocumentKind,
    PreviousLicence,
    RequestStatus,
    Sex,
    TrainingMode,
)

# The package's own pytest plugin, loaded here rather than from its entry point (blocked in
# pyproject's addopts) so that coverage measures it.
pytest_plugins = ["antsclient.testing", "servers"]

settings.register_profile(
    "antsclient",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("antsclient")

# The fixed day every age and "in the future" check is judged on: tests never use today.
ON = dt.date(2025, 6, 1)

# An ePhoto code as printed on the photo sheet: 22 letters and digits.
EPHOTO_CODE = "AB12CD34EF56GH78IJ90KL"
NEPH = "230833200011"

# A real 1x1 JPEG (baseline, JFIF), 632 bytes.
_JPEG_B64 = (
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQER"
    "XRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2"
    "NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAABAAEDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAA"
    "AAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAk"
    "M2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTl"
    "JWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHw"
    "EAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRM"
    "iMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0"
    "dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6"
    "Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDAooorgPrT/9k="
)


# --- applications ---------------------------------------------------------------------------


def _address(**overrides: Any) -> Address:
    base: dict[str, Any] = {
        "street": "12 rue de la République",
        "postal_code": "69800",
        "city": "SAINT-PRIEST",
    }
    return Address(**{**base, **overrides})


def _applicant(**overrides: Any) -> Applicant:
    address = overrides.pop("address", None)
    base: dict[str, Any] = {
        "last_name": "Martin",
        "first_name": "Léa",
        "other_first_names": "Marie Anne",
        "birth_date": dt.date(2000, 3, 15),  # 25 on ON
        "birth_city": "LYON",
        "birth_department": "69",
        "birth_country": "FRANCE",
        "address": _address(),
        "email": "lea.martin@example.fr",
        "phone": "06 12 34 56 78",
        "sex": Sex.FEMALE,
    }
    if isinstance(address, dict):
        base["address"] = _address(**address)
    elif address is not None:
        base["address"] = address
    return Applicant(**{**base, **overrides})


def _legal_representative(**overrides: Any) -> LegalRepresentative:
    base: dict[str, Any] = {
        "last_name": "Martin",
        "first_name": "Paul",
        "address": _address(),
        "email": "paul.martin@example.fr",
        "phone": "0478000000",
        "relationship": "père",
    }
    return LegalRepresentative(**{**base, **overrides})


def _previous_licence(**overrides: Any) -> PreviousLicence:
    base: dict[str, Any] = {
        "categories": {LicenceCategory.B},
        "last_obtained_on": dt.date(2019, 5, 20),
        "last_obtained_place": "LYON",
        "issuing_department": "69",
    }
    return PreviousLicence(**{**base, **overrides})


def _application(cerfa: str = "02", **overrides: Any) -> Cerfa02 | Cerfa06:
    """A valid adult application, with ``overrides`` applied.

    ``applicant`` may be a dict (merged into the default applicant, whose ``address`` may be a
    dict too) or an :class:`Applicant`; ``declarations`` may be a dict.
    """
    applicant = overrides.pop("applicant", None)
    if isinstance(applicant, dict):
        overrides["applicant"] = _applicant(**applicant)
    elif applicant is not None:
        overrides["applicant"] = applicant
    else:
        overrides["applicant"] = _applicant()
    if cerfa == "06":
        base06: dict[str, Any] = {"categories": {LicenceCategory.B}, "neph": NEPH}
        return Cerfa06(**{**base06, "ephoto_code": EPHOTO_CODE, **overrides})
    declarations = overrides.pop("declarations", None)
    if isinstance(declarations, dict):
        overrides["declarations"] = Declarations(**declarations)
    elif declarations is not None:
        overrides["declarations"] = declarations
    base02: dict[str, Any] = {
        "categories": {LicenceCategory.B},
        "ephoto_code": EPHOTO_CODE,
        "medical_visit_date": None,
    }
    return Cerfa02(**{**base02, **overrides})


@pytest.fixture(scope="session")
def on() -> dt.date:
    """The fixed reference day of the suite."""
    return ON


@pytest.fixture(scope="session")
def make_applicant() -> Callable[..., Applicant]:
    return _applicant


@pytest.fixture(scope="session")
def make_address() -> Callable[..., Address]:
    return _address


@pytest.fixture(scope="session")
def make_legal_representative() -> Callable[..., LegalRepresentative]:
    return _legal_representative


@pytest.fixture(scope="session")
def make_previous_licence() -> Callable[..., PreviousLicence]:
    return _previous_licence


@pytest.fixture(scope="session")
def make_application() -> Callable[..., Cerfa02 | Cerfa06]:
    """``make_application(**overrides)``: a valid adult Cerfa 02 (B, no licence held)."""
    return _application


@pytest.fixture(scope="session")
def make_cerfa06() -> Callable[..., Cerfa02 | Cerfa06]:
    """``make_cerfa06(**overrides)``: a valid adult Cerfa 06 (B, NEPH known)."""
    return lambda **overrides: _application("06", **overrides)


@pytest.fixture(scope="session")
def born_aged() -> Callable[[int], dt.date]:
    """``born_aged(n)``: a birth date making the applicant exactly ``n`` on ON (birthday)."""
    return lambda years: ON.replace(year=ON.year - years)


# --- documents ------------------------------------------------------------------------------


def _pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret-user", "secret-owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _png() -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xc8\x0a\x0a")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


_JPEG = base64.b64decode(_JPEG_B64)
_PNG = _png()


@pytest.fixture(scope="session")
def make_pdf() -> Callable[..., bytes]:
    """``make_pdf(pages=1)``: a valid PDF with ``pages`` blank A4 pages."""
    return _pdf


@pytest.fixture(scope="session")
def encrypted_pdf() -> bytes:
    return _encrypted_pdf()


@pytest.fixture(scope="session")
def jpeg_bytes() -> bytes:
    return _JPEG


@pytest.fixture(scope="session")
def png_bytes() -> bytes:
    return _PNG


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, bytes], Path]:
    """``write_file(name, content)``: the path of a new file holding ``content``."""

    def write(name: str, content: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(content)
        return path

    return write


@pytest.fixture
def sized_file(tmp_path: Path) -> Callable[[str, bytes, int], Path]:
    """``sized_file(name, head, size)``: ``head`` then zeros up to ``size`` bytes (sparse)."""

    def make(name: str, head: bytes, size: int) -> Path:
        path = tmp_path / name
        with path.open("wb") as f:
            f.write(head)
            f.truncate(size)
        return path

    return make


# --- Hypothesis strategies for every model ----------------------------------------------------
# Served by a fixture (draw them with ``st.data()``), so that no test module imports another.


def _strategies() -> SimpleNamespace:
    text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
    optional_text = st.none() | text
    dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
    zones = st.sampled_from(
        [
            dt.UTC,
            dt.timezone(dt.timedelta(hours=2)),
            dt.timezone(dt.timedelta(hours=-5, minutes=-30)),
        ]
    )
    datetimes = st.datetimes(
        min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=zones
    )
    categories = st.frozensets(st.sampled_from(LicenceCategory))
    departments = (
        st.none() | st.sampled_from(["69", "99", "20", "2A", "2b", "974", "00", ""]) | text
    )
    countries = st.sampled_from(["FRANCE", "France", "ALGERIE", "MAROC", ""]) | text
    emails = st.sampled_from(["lea.martin@example.fr", "x@y.z", "", "@"]) | st.emails() | text
    nephs = st.none() | st.from_regex(r"\A[0-9 ]{0,22}\Z") | text
    addresses = st.builds(
        Address,
        street=text,
        postal_code=st.from_regex(r"\A\d{5}\Z") | text,
        city=text,
        complement=text,
        country=countries,
    )
    applicants = st.builds(
        Applicant,
        last_name=text,
        first_name=text,
        birth_date=dates,
        birth_city=text,
        birth_country=countries,
        address=addresses,
        email=emails,
        birth_department=departments,
        other_first_names=text,
        usage_name=optional_text,
        sex=st.none() | st.sampled_from(Sex),
        phone=st.none() | st.sampled_from(["0612345678", "+33612345678"]) | text,
    )
    representatives = st.builds(
        LegalRepresentative,
        last_name=text,
        first_name=text,
        address=addresses,
        email=st.none() | emails,
        phone=optional_text,
        relationship=optional_text,
    )
    previous_licences = st.builds(
        PreviousLicence,
        categories=categories,
        last_obtained_on=dates,
        last_obtained_place=text,
        obtained_by=st.sampled_from(ObtainedBy),
        exchange_country=optional_text,
        issuing_department=departments,
        issuing_prefecture=optional_text,
    )
    declarations = st.builds(
        Declarations,
        exam_pending=st.booleans(),
        exam_pending_other_department=st.booleans(),
        exam_pending_other_category=st.booleans(),
        reads_french=st.booleans(),
        adapted_vehicle=st.booleans(),
        training_mode=st.sampled_from(TrainingMode),
        vision_correction=st.booleans(),
        affection_or_handicap=st.booleans(),
        invalidity_pension=st.booleans(),
        opposes_data_reuse=st.booleans(),
    )
    ephoto_codes = st.none() | st.just(EPHOTO_CODE) | text
    cerfa02s = st.builds(
        Cerfa02,
        applicant=applicants,
        categories=categories,
        legal_representative=st.none() | representatives,
        previous_licence=st.none() | previous_licences,
        declarations=declarations,
        neph=nephs,
        medical_visit_date=st.none() | dates,
        ephoto_code=ephoto_codes,
        paper_mandate=st.booleans(),
        after_cancellation=st.booleans(),
        military_licence=st.booleans(),
        student_id=optional_text,
    )
    cerfa06s = st.builds(
        Cerfa06,
        applicant=applicants,
        categories=categories,
        neph=st.from_regex(r"\A[0-9 ]{0,22}\Z") | text,
        cerfa02_number=optional_text,
        legal_representative=st.none() | representatives,
        previous_licence=st.none() | previous_licences,
        ephoto_code=ephoto_codes,
        student_id=optional_text,
    )
    credentials = st.builds(
        Credentials,
        agreement=text,
        login=text,
        password=text,
        prefecture=optional_text,
        postal_code=optional_text,
    )
    online_requests = st.builds(
        OnlineRequest,
        number=st.from_regex(r"\A[0-9]{1,23}\Z"),
        cerfa=st.sampled_from(Cerfa),
        status=st.sampled_from(RequestStatus),
        status_label=text,
        type_label=text,
        created=datetimes,
        modified=datetimes,
        transferred=st.booleans(),
        neph=optional_text,
        student_id=optional_text,
        applicant_name=optional_text,
        email=optional_text,
        validated_at=st.none() | datetimes,
    )
    files = st.builds(
        AttachmentFile,
        file_id=text,
        name=text,
        pages=st.integers(min_value=0, max_value=10),
        size=st.integers(min_value=0, max_value=11_000_000),
        media_type=st.sampled_from(["application/pdf", "image/jpeg", "image/png"]),
        comment=optional_text,
    )
    slots = st.builds(
        AttachmentSlot,
        kind=st.sampled_from(DocumentKind),
        label=text,
        pages=st.integers(min_value=0, max_value=10),
        max_pages=st.integers(min_value=0, max_value=10),
        help=text,
        sent=st.booleans(),
        required=st.booleans(),
        comment=optional_text,
        files=st.lists(files, max_size=3).map(tuple),
    )
    ephotos = st.builds(
        EPhoto,
        code=text,
        cerfa=st.sampled_from(Cerfa),
        photo=st.binary(max_size=64),
        signature=st.binary(max_size=64),
        photo_media_type=st.sampled_from(["image/jpeg", "image/png"]),
        signature_media_type=st.sampled_from(["image/jpeg", "image/png"]),
    )
    prefecture_documents = st.builds(
        PrefectureDocument,
        kind=st.sampled_from(PrefectureDocumentKind),
        label=text,
        media_type=st.sampled_from(["application/pdf", "image/jpeg"]),
        available=st.booleans(),
    )
    prefectures = st.builds(Prefecture, code=text, name=text, department=text)
    return SimpleNamespace(
        prefectures=prefectures,
        text=text,
        dates=dates,
        datetimes=datetimes,
        addresses=addresses,
        applicants=applicants,
        representatives=representatives,
        previous_licences=previous_licences,
        declarations=declarations,
        cerfa02s=cerfa02s,
        cerfa06s=cerfa06s,
        applications=cerfa02s | cerfa06s,
        credentials=credentials,
        online_requests=online_requests,
        files=files,
        slots=slots,
        ephotos=ephotos,
        prefecture_documents=prefecture_documents,
    )


@pytest.fixture(scope="session")
def model_strategies() -> SimpleNamespace:
    """Hypothesis strategies building every model, valid or not (draw with ``st.data()``)."""
    return _strategies()
