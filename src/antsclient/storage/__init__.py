"""Storage: the protocols a host implements on its own database."""

from antsclient.storage.protocols import RequestStore, StudentDocument, StudentDocumentSource

__all__ = ["RequestStore", "StudentDocument", "StudentDocumentSource"]
