"""The wire: what antsclient sends to ANTS and how it reads the answers, without I/O.

Everything protocol-specific lives in this package, so a vendor holding another ANTS interface
swaps it and keeps the rest. Its interface — the names below — is a contract: the sessions
import nothing else from it, and ``tests/protocol/test_conformance.py`` runs against whatever
module provides it.

The contract:

* **Operations.** One builder per operation returns a :class:`Call` (method, path, body,
  upload, idempotency key, and how :class:`Safety`-ly it may be sent again), and a parser
  reads the answer into models (``parse_*``), raising :class:`~antsclient.ProtocolError`
  naming the fields it cannot read. Builders validate their arguments (request numbers, file
  ids) and raise ``ValueError`` before anything is sent.
* **Classification.** :func:`classify` turns any answer into an :class:`Outcome` (ok / renew
  the token / retry, processed or not, after N seconds / a typed error carrying the HTTP
  status and the server's request id); :func:`classify_failure` does the same for a
  transport failure. The shells never read a status code.
* **Paging.** :data:`MAX_PAGE_SIZE` is the largest page a search returns; :class:`Page` is one
  page as it arrived (its requests, those it could not read, and where it stands).
  :func:`receive_page` keeps a page's answer as it arrived (a :class:`PageAnswer`) and
  :func:`read_page` reads it later, where its requests are stored: ``parse_page`` is the
  two at once; :func:`prepare_reading` loads what the first reading needs ahead of it.
"""

from antsclient.protocol.operations import (
    API_PREFIX,
    MAX_PAGE_SIZE,
    Call,
    Page,
    PageAnswer,
    Safety,
    Token,
    Upload,
    count_requests,
    create_request,
    delete_attachment,
    delete_ephoto,
    delete_request,
    deposit_form,
    download_attachment,
    download_document,
    get_application,
    get_ephoto,
    get_request,
    link_request,
    list_attachments,
    list_documents,
    list_prefectures,
    list_request_types,
    login,
    parse_application,
    parse_attachment_file,
    parse_commune_names,
    parse_counts,
    parse_documents,
    parse_ephoto,
    parse_nothing,
    parse_page,
    parse_prefectures,
    parse_request,
    parse_request_types,
    parse_slots,
    parse_token,
    path_upload,
    prepare_reading,
    read_page,
    receive_page,
    search_communes,
    search_requests,
    send_complement,
    set_ephoto,
    stream_upload,
    transfer_request,
    upload_attachment,
    validate_request,
)
from antsclient.protocol.outcome import Outcome, Verdict, classify, classify_failure

OPERATIONS = (
    "login",
    "list_prefectures",
    "search_communes",
    "create_request",
    "get_request",
    "get_application",
    "validate_request",
    "delete_request",
    "transfer_request",
    "send_complement",
    "link_request",
    "search_requests",
    "count_requests",
    "list_request_types",
    "list_attachments",
    "upload_attachment",
    "download_attachment",
    "delete_attachment",
    "set_ephoto",
    "get_ephoto",
    "delete_ephoto",
    "deposit_form",
    "list_documents",
    "download_document",
)
"""Every operation builder of the contract, by name."""

__all__ = [
    "API_PREFIX",
    "MAX_PAGE_SIZE",
    "OPERATIONS",
    "Call",
    "Outcome",
    "Page",
    "PageAnswer",
    "Safety",
    "Token",
    "Upload",
    "Verdict",
    "classify",
    "classify_failure",
    "count_requests",
    "create_request",
    "delete_attachment",
    "delete_ephoto",
    "delete_request",
    "deposit_form",
    "download_attachment",
    "download_document",
    "get_application",
    "get_ephoto",
    "get_request",
    "link_request",
    "list_attachments",
    "list_documents",
    "list_prefectures",
    "list_request_types",
    "login",
    "parse_application",
    "parse_attachment_file",
    "parse_commune_names",
    "parse_counts",
    "parse_documents",
    "parse_ephoto",
    "parse_nothing",
    "parse_page",
    "parse_prefectures",
    "parse_request",
    "parse_request_types",
    "parse_slots",
    "parse_token",
    "path_upload",
    "prepare_reading",
    "read_page",
    "receive_page",
    "search_communes",
    "search_requests",
    "send_complement",
    "set_ephoto",
    "stream_upload",
    "transfer_request",
    "upload_attachment",
    "validate_request",
]
