"""antsclient: file and follow French driving-licence applications with the ANTS.

The common path is one session opened with an agency's credentials::

    import antsclient as ants

    creds = ants.Credentials(agreement="E1706900030", login="claboret662", password="…")
    with ants.AntsSession(creds, base_url=url) as session:
        request = session.requests.create(application)

Importing the package is cheap: the referential, the converter, the sessions and the sandbox
load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from antsclient._version import __version__

if TYPE_CHECKING:
    from antsclient import agency, attachments, export, geo, lifecycle, sandbox, storage
    from antsclient._secret import Secret
    from antsclient.agency import SyncOptions, SyncReport, sync_agencies
    from antsclient.checks import validate
    from antsclient.divergence import Difference
    from antsclient.errors import (
        ActionNotAllowed,
        AntsError,
        AntsUnavailable,
        ApplicationDataError,
        AttachmentRejected,
        AuthenticationError,
        ConfigurationError,
        DivergenceCase,
        DivergenceError,
        FieldProblem,
        PermissionDenied,
        ProtocolError,
        RequestNotFound,
        ResourceNotFound,
        Severity,
        StoreError,
    )
    from antsclient.export import RequestList
    from antsclient.lifecycle import Action
    from antsclient.models import (
        Address,
        Applicant,
        Application,
        AttachmentFile,
        AttachmentSlot,
        Bucket,
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
        PrefectureDecision,
        PrefectureDocument,
        PrefectureDocumentKind,
        PreviousLicence,
        RequestStatus,
        RequestType,
        Right,
        Sex,
        Training,
        TrainingMode,
    )
    from antsclient.models.paper import Bordereau, PaperRequest, TrackingChannel
    from antsclient.session import (
        AntsSession,
        AsyncAntsSession,
        AsyncRequestPage,
        Limits,
        RequestPage,
        RetryPolicy,
    )
    from antsclient.storage import MemoryStore, SqliteStore

# Every public name is served on first access, so that `import antsclient` stays cheap:
# the models, the converter, the referential and the sessions load when first used.
_LAZY: dict[str, tuple[str, str | None]] = {
    "Secret": ("antsclient._secret", "Secret"),
    "ActionNotAllowed": ("antsclient.errors", "ActionNotAllowed"),
    "AntsError": ("antsclient.errors", "AntsError"),
    "AntsUnavailable": ("antsclient.errors", "AntsUnavailable"),
    "ApplicationDataError": ("antsclient.errors", "ApplicationDataError"),
    "AttachmentRejected": ("antsclient.errors", "AttachmentRejected"),
    "AuthenticationError": ("antsclient.errors", "AuthenticationError"),
    "ConfigurationError": ("antsclient.errors", "ConfigurationError"),
    "DivergenceError": ("antsclient.errors", "DivergenceError"),
    "DivergenceCase": ("antsclient.errors", "DivergenceCase"),
    "Difference": ("antsclient.divergence", "Difference"),
    "Bordereau": ("antsclient.models.paper", "Bordereau"),
    "PaperRequest": ("antsclient.models.paper", "PaperRequest"),
    "TrackingChannel": ("antsclient.models.paper", "TrackingChannel"),
    "printing": ("antsclient.printing", None),
    "FieldProblem": ("antsclient.errors", "FieldProblem"),
    "PermissionDenied": ("antsclient.errors", "PermissionDenied"),
    "ProtocolError": ("antsclient.errors", "ProtocolError"),
    "RequestNotFound": ("antsclient.errors", "RequestNotFound"),
    "ResourceNotFound": ("antsclient.errors", "ResourceNotFound"),
    "Severity": ("antsclient.errors", "Severity"),
    "StoreError": ("antsclient.errors", "StoreError"),
    "Address": ("antsclient.models", "Address"),
    "Applicant": ("antsclient.models", "Applicant"),
    "Application": ("antsclient.models", "Application"),
    "AttachmentFile": ("antsclient.models", "AttachmentFile"),
    "AttachmentSlot": ("antsclient.models", "AttachmentSlot"),
    "Bucket": ("antsclient.models", "Bucket"),
    "Cerfa": ("antsclient.models", "Cerfa"),
    "Cerfa02": ("antsclient.models", "Cerfa02"),
    "Cerfa06": ("antsclient.models", "Cerfa06"),
    "Credentials": ("antsclient.models", "Credentials"),
    "Declarations": ("antsclient.models", "Declarations"),
    "DocumentKind": ("antsclient.models", "DocumentKind"),
    "EPhoto": ("antsclient.models", "EPhoto"),
    "LegalRepresentative": ("antsclient.models", "LegalRepresentative"),
    "LicenceCategory": ("antsclient.models", "LicenceCategory"),
    "ObtainedBy": ("antsclient.models", "ObtainedBy"),
    "OnlineRequest": ("antsclient.models", "OnlineRequest"),
    "Prefecture": ("antsclient.models", "Prefecture"),
    "PrefectureDecision": ("antsclient.models", "PrefectureDecision"),
    "PrefectureDocument": ("antsclient.models", "PrefectureDocument"),
    "PrefectureDocumentKind": ("antsclient.models", "PrefectureDocumentKind"),
    "PreviousLicence": ("antsclient.models", "PreviousLicence"),
    "RequestStatus": ("antsclient.models", "RequestStatus"),
    "RequestType": ("antsclient.models", "RequestType"),
    "Training": ("antsclient.models", "Training"),
    "Right": ("antsclient.models", "Right"),
    "Sex": ("antsclient.models", "Sex"),
    "TrainingMode": ("antsclient.models", "TrainingMode"),
    "validate": ("antsclient.checks", "validate"),
    # Straight to each session's own module: the blocking one never loads asyncio.
    "AntsSession": ("antsclient._sync.session", "AntsSession"),
    "AsyncAntsSession": ("antsclient._async.session", "AsyncAntsSession"),
    "RetryPolicy": ("antsclient._policy", "RetryPolicy"),
    "RequestPage": ("antsclient._sync.pages", "RequestPage"),
    "AsyncRequestPage": ("antsclient._async.pages", "AsyncRequestPage"),
    "Limits": ("antsclient._transport", "Limits"),
    "RequestList": ("antsclient.export", "RequestList"),
    "SyncOptions": ("antsclient.agency", "SyncOptions"),
    "Action": ("antsclient.lifecycle", "Action"),
    "lifecycle": ("antsclient.lifecycle", None),
    "attachments": ("antsclient.attachments", None),
    "geo": ("antsclient.geo", None),
    "sandbox": ("antsclient.sandbox", None),
    "agency": ("antsclient.agency", None),
    "export": ("antsclient.export", None),
    "storage": ("antsclient.storage", None),
    "sync_agencies": ("antsclient.agency", "sync_agencies"),
    "SyncReport": ("antsclient.agency", "SyncReport"),
    "SqliteStore": ("antsclient.storage", "SqliteStore"),
    "MemoryStore": ("antsclient.storage", "MemoryStore"),
}

__all__ = [
    "Action",
    "ActionNotAllowed",
    "Address",
    "AntsError",
    "AntsSession",
    "AntsUnavailable",
    "Applicant",
    "Application",
    "ApplicationDataError",
    "AsyncAntsSession",
    "AsyncRequestPage",
    "AttachmentFile",
    "AttachmentRejected",
    "AttachmentSlot",
    "AuthenticationError",
    "Bordereau",
    "Bucket",
    "Cerfa",
    "Cerfa02",
    "Cerfa06",
    "ConfigurationError",
    "Credentials",
    "Declarations",
    "Difference",
    "DivergenceCase",
    "DivergenceError",
    "DocumentKind",
    "EPhoto",
    "FieldProblem",
    "LegalRepresentative",
    "LicenceCategory",
    "Limits",
    "MemoryStore",
    "ObtainedBy",
    "OnlineRequest",
    "PaperRequest",
    "PermissionDenied",
    "Prefecture",
    "PrefectureDecision",
    "PrefectureDocument",
    "PrefectureDocumentKind",
    "PreviousLicence",
    "ProtocolError",
    "RequestList",
    "RequestNotFound",
    "RequestPage",
    "RequestStatus",
    "RequestType",
    "ResourceNotFound",
    "RetryPolicy",
    "Right",
    "Secret",
    "Severity",
    "Sex",
    "SqliteStore",
    "StoreError",
    "SyncOptions",
    "SyncReport",
    "TrackingChannel",
    "Training",
    "TrainingMode",
    "__version__",
    "agency",
    "attachments",
    "export",
    "geo",
    "lifecycle",
    "printing",
    "sandbox",
    "storage",
    "sync_agencies",
    "validate",
]


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        msg = f"module 'antsclient' has no attribute {name!r}"
        raise AttributeError(msg) from None
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
