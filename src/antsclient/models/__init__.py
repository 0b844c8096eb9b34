"""The domain as typed data: credentials, applications, requests and their enums."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from antsclient.models.credentials import Credentials, department_of_postal_code
from antsclient.models.enums import (
    DOCUMENT_SPECS,
    Bucket,
    Cerfa,
    DocumentKind,
    DocumentSpec,
    LicenceCategory,
    ObtainedBy,
    PrefectureDecision,
    PrefectureDocumentKind,
    RequestStatus,
    RequestType,
    Requirement,
    Right,
    Sex,
    Training,
    TrainingMode,
)
from antsclient.models.request import (
    APPLICANT_VALIDATION_WINDOW,
    MANDATE_KEEPING_MONTHS,
    OnlineRequest,
)
from antsclient.models.window import DateWindow

if TYPE_CHECKING:
    from antsclient.models.application import (
        Address,
        Applicant,
        Application,
        Cerfa02,
        Cerfa06,
        Declarations,
        LegalRepresentative,
        PreviousLicence,
        application_type,
    )
    from antsclient.models.documents import (
        AttachmentFile,
        AttachmentSlot,
        EPhoto,
        Prefecture,
        PrefectureDocument,
    )
    from antsclient.models.paper import Bordereau, PaperRequest, TrackingChannel
    from antsclient.models.request_types import (
        REQUEST_TYPES,
        TRAININGS,
        Prerequisite,
        RequestTypeSpec,
        TrainingSpec,
    )

# The application data, the paper requests, what ANTS keeps beside a request (documents,
# ePhoto, prefectures) and the request types' table load on first use: a session that lists
# and follows requests needs none of them.
_LAZY: dict[str, str] = {
    **dict.fromkeys(
        ("AttachmentFile", "AttachmentSlot", "EPhoto", "Prefecture", "PrefectureDocument"),
        "antsclient.models.documents",
    ),
    **dict.fromkeys(
        (
            "Address",
            "Applicant",
            "Application",
            "Cerfa02",
            "Cerfa06",
            "Declarations",
            "LegalRepresentative",
            "PreviousLicence",
            "application_type",
        ),
        "antsclient.models.application",
    ),
    **dict.fromkeys(("Bordereau", "PaperRequest", "TrackingChannel"), "antsclient.models.paper"),
    **dict.fromkeys(
        ("REQUEST_TYPES", "TRAININGS", "Prerequisite", "RequestTypeSpec", "TrainingSpec"),
        "antsclient.models.request_types",
    ),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "APPLICANT_VALIDATION_WINDOW",
    "DOCUMENT_SPECS",
    "MANDATE_KEEPING_MONTHS",
    "REQUEST_TYPES",
    "TRAININGS",
    "Address",
    "Applicant",
    "Application",
    "AttachmentFile",
    "AttachmentSlot",
    "Bordereau",
    "Bucket",
    "Cerfa",
    "Cerfa02",
    "Cerfa06",
    "Credentials",
    "DateWindow",
    "Declarations",
    "DocumentKind",
    "DocumentSpec",
    "EPhoto",
    "LegalRepresentative",
    "LicenceCategory",
    "ObtainedBy",
    "OnlineRequest",
    "PaperRequest",
    "Prefecture",
    "PrefectureDecision",
    "PrefectureDocument",
    "PrefectureDocumentKind",
    "Prerequisite",
    "PreviousLicence",
    "RequestStatus",
    "RequestType",
    "RequestTypeSpec",
    "Requirement",
    "Right",
    "Sex",
    "TrackingChannel",
    "Training",
    "TrainingMode",
    "TrainingSpec",
    "application_type",
    "department_of_postal_code",
]
