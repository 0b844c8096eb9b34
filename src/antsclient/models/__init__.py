"""The domain as typed data: credentials, applications, requests and their enums."""

from antsclient.models.application import (
    Address,
    Applicant,
    Application,
    Cerfa02,
    Cerfa06,
    Declarations,
    LegalRepresentative,
    PreviousLicence,
)
from antsclient.models.credentials import Credentials, department_of_postal_code
from antsclient.models.enums import (
    Bucket,
    Cerfa,
    DocumentKind,
    LicenceCategory,
    ObtainedBy,
    PrefectureDecision,
    RequestStatus,
    Right,
    Sex,
    TrainingMode,
)
from antsclient.models.request import (
    APPLICANT_VALIDATION_WINDOW,
    AttachmentFile,
    AttachmentSlot,
    EPhoto,
    OnlineRequest,
    PrefectureDocument,
)

__all__ = [
    "APPLICANT_VALIDATION_WINDOW",
    "Address",
    "Applicant",
    "Application",
    "AttachmentFile",
    "AttachmentSlot",
    "Bucket",
    "Cerfa",
    "Cerfa02",
    "Cerfa06",
    "Credentials",
    "Declarations",
    "DocumentKind",
    "EPhoto",
    "LegalRepresentative",
    "LicenceCategory",
    "ObtainedBy",
    "OnlineRequest",
    "PrefectureDecision",
    "PrefectureDocument",
    "PreviousLicence",
    "RequestStatus",
    "Right",
    "Sex",
    "TrainingMode",
    "department_of_postal_code",
]
