"""Repair two defects in moto 5.x's SigV4 signature check (server mode).

moto verifies a request's signature in ``moto.iam.access_control.IAMRequestBase``:
``_create_aws_request`` rebuilds the request with

    AWSRequest(method=..., url=path, data=self._body or self._data, headers=...)

and re-signs it with the stored secret.  ``self._body`` is what Flask/werkzeug
left in ``request.data`` and ``self._data`` is moto's *parsed* parameter dict.
That goes wrong in exactly two situations, both of which make moto refuse
correctly signed requests (boto3's own included):

1. No body.  The client sent zero body bytes (every EKS GET/DELETE), so
   ``self._body`` is empty and moto signs ``self._data`` instead -- the query
   parameters, or, when there are none, the request *headers* -- urlencoded as
   if they were a form body.  The payload hash is then not SHA-256("").
   Repair: sign an empty payload, which is what was sent.

2. Form POST with ``%20``.  For ``application/x-www-form-urlencoded`` bodies
   werkzeug consumes the stream into ``request.form``, so ``self._body`` is
   empty again and moto re-encodes the parsed form with ``urlencode`` (which
   writes a space as ``+``).  AWS's canonical encoding (and boto3's) writes
   ``%20``, so the hash differs.  Repair: sign the bytes that were received --
   but only when they differ from moto's re-encoding by nothing except
   ``%20`` <-> ``+``; any other difference keeps moto's behaviour.

Nothing else changes: the signature is still recomputed with the secret that
moto's IAM holds for the access key and compared with the one the client sent,
so a request signed with a wrong secret (or altered in any other way) is still
refused.  Requests for which moto already had the body bytes are untouched.

To know what was actually on the wire, ``RawBodyCapture`` (a WSGI middleware
wrapped around moto's dispatcher) reads the body once, stores the bytes in the
WSGI environ under ``RAW_BODY_KEY`` and hands an identical stream on to moto.
The patched method finds that environ through the werkzeug ``EnvironHeaders``
object that moto passes in as ``headers``.  Where the raw body is unknown
(no middleware, chunked upload, non-werkzeug headers) the patch does nothing.
"""

from __future__ import annotations

import io
from typing import Any, Callable, Iterable

RAW_BODY_KEY = "cloud_agent.raw_body"
_PATCH_MARK = "_cloud_agent_sigv4_fix"


class RawBodyCapture:
    """WSGI middleware: remember the exact request body bytes in the environ."""

    def __init__(self, app: Callable[..., Iterable[bytes]]):
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not chunked:
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = -1
            if length == 0:
                environ[RAW_BODY_KEY] = b""
            elif length > 0:
                body = environ["wsgi.input"].read(length)
                environ["wsgi.input"] = io.BytesIO(body)
                environ[RAW_BODY_KEY] = body
        return self.app(environ, start_response)


def _raw_body(headers: Any) -> bytes | None:
    environ = getattr(headers, "environ", None)
    if not isinstance(environ, dict):
        return None
    raw = environ.get(RAW_BODY_KEY)
    return raw if isinstance(raw, bytes) else None


def _is_form(headers: Any) -> bool:
    try:
        ctype = headers.get("Content-Type") or ""
    except Exception:
        return False
    return ctype.split(";")[0].strip().lower() == "application/x-www-form-urlencoded"


def apply() -> None:
    """Patch ``IAMRequestBase._create_aws_request`` (idempotent)."""
    from moto.iam.access_control import IAMRequestBase

    original = IAMRequestBase._create_aws_request
    if getattr(original, _PATCH_MARK, False):
        return

    def _create_aws_request(self: Any) -> Any:
        request = original(self)
        if self._body:
            return request  # moto signed the real bytes: nothing to repair
        raw = _raw_body(self._headers)
        if raw is None:
            return request  # unknown wire body: leave moto's behaviour alone
        if raw == b"":
            # Case 1: nothing was sent, so the payload is the empty string.
            request.data = b""
        elif self._method == "POST" and _is_form(self._headers):
            # Case 2: only the %20 <-> + spelling of spaces may differ.
            rebuilt = request.body or b""
            if raw != rebuilt and raw.replace(b"%20", b"+") == rebuilt:
                request.data = raw
        return request

    setattr(_create_aws_request, _PATCH_MARK, True)
    _create_aws_request.__wrapped__ = original  # type: ignore[attr-defined]
    IAMRequestBase._create_aws_request = _create_aws_request  # type: ignore[method-assign]
