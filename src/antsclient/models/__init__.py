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
    application_type,
)
from antsclient.models.credentials import Credentials, department_of_postal_code
from antsclient.models.enums import (
    Bucket,
    Cerfa,
    DocumentKind,
    LicenceCategory,
    ObtainedBy,
    PrefectureDecision,
    PrefectureDocumentKind,
    RequestStatus,
    Right,
    Sex,
    TrainingMode,
)
from antsclient.models.paper import Bordereau, PaperRequest, TrackingChannel
from antsclient.models.request import (
    APPLICANT_VALIDATION_WINDOW,
    AttachmentFile,
    AttachmentSlot,
    EPhoto,
    OnlineRequest,
    Prefecture,
    PrefectureDocument,
)
from antsclient.models.window import DateWindow

__all__ = [
    "APPLICANT_VALIDATION_WINDOW",
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
    "PreviousLicence",
    "RequestStatus",
    "Right",
    "Sex",
    "TrackingChannel",
    "TrainingMode",
    "application_type",
    "department_of_postal_code",
]
