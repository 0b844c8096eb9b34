"""Storage: the protocols a host implements on its own database."""

from antsclient.storage.protocols import (
    RequestStore,
    Student,
    StudentDirectory,
    StudentDocument,
    StudentDocumentSource,
)

__all__ = [
    "RequestStore",
    "Student",
    "StudentDirectory",
    "StudentDocument",
    "StudentDocumentSource",
]
