"""Exceptions: one :class:`CloudAgentError` subclass per JSON-RPC error code of the protocol.

The codes and names follow ``x-error-codes`` of ``protocol/openrpc.json``.
"""

from typing import Any, Dict, Mapping, Optional, Type

__all__ = [
    "CloudAgentError",
    "ParseError",
    "InvalidRequestError",
    "MethodNotFoundError",
    "InvalidParamsError",
    "InternalError",
    "RequestCancelledError",
    "ShuttingDownError",
    "NotFoundError",
    "ConflictError",
    "UnauthenticatedError",
    "PermissionDeniedError",
    "ThrottledError",
    "WaitTimeoutError",
    "UnsupportedOperationError",
    "ProviderError",
    "AgentConnectionError",
    "error_class_for_code",
]


class CloudAgentError(Exception):
    """An error response of the agent: ``.code``, ``.message`` and ``.data`` (``None`` if absent).

    Codes without a subclass of their own (e.g. future ones in -32099..-32010) raise this class.
    """

    code: int

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(code, message, data)
        self.code = code
        self.message = message
        self.data = data

    def __str__(self) -> str:
        return f"{self.message} (code {self.code})"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, data={self.data!r})"

    @staticmethod
    def from_response(error: Mapping[str, Any]) -> "CloudAgentError":
        """The exception for the ``error`` member of a JSON-RPC response."""
        code = error.get("code")
        message = str(error.get("message", ""))
        if not isinstance(code, int):
            return CloudAgentError(-32603, f"malformed error response: {dict(error)!r}", None)
        return error_class_for_code(code)(code, message, error.get("data"))


class ParseError(CloudAgentError):
    """-32700: the agent could not parse a message."""


class InvalidRequestError(CloudAgentError):
    """-32600: not a valid request (e.g. an id still in flight, a line too long)."""


class MethodNotFoundError(CloudAgentError):
    """-32601: the agent has no such method."""


class InvalidParamsError(CloudAgentError):
    """-32602: a param is missing, of the wrong type, out of range or refused (``data.param``)."""


class InternalError(CloudAgentError):
    """-32603: the agent failed while handling the request."""


class RequestCancelledError(CloudAgentError):
    """-32800: the request was cancelled (by ``$/cancelRequest`` or the session ending)."""


class ShuttingDownError(CloudAgentError):
    """-32001: the session has received ``shutdown``."""


class NotFoundError(CloudAgentError):
    """-32002: the resource does not exist."""


class ConflictError(CloudAgentError):
    """-32003: the resource exists, or its state forbids the operation."""


class UnauthenticatedError(CloudAgentError):
    """-32004: no usable credentials, or the cloud rejected them."""


class PermissionDeniedError(CloudAgentError):
    """-32005: the credentials lack permission."""


class ThrottledError(CloudAgentError):
    """-32006: the cloud asked to slow down (``data.retryAfterSeconds`` when given)."""


class WaitTimeoutError(CloudAgentError):
    """-32007: a wait's ``timeoutSeconds`` passed; the cloud operation continues."""


class UnsupportedOperationError(CloudAgentError):
    """-32008: the provider cannot do this."""


class ProviderError(CloudAgentError):
    """-32009: another failure reported by the cloud (``data.code``, ``data.retryable``)."""


class AgentConnectionError(ConnectionError):
    """The connection to the agent is closed (the agent exited, or :meth:`close` was called)."""


_BY_CODE: Dict[int, Type[CloudAgentError]] = {
    -32700: ParseError,
    -32600: InvalidRequestError,
    -32601: MethodNotFoundError,
    -32602: InvalidParamsError,
    -32603: InternalError,
    -32800: RequestCancelledError,
    -32001: ShuttingDownError,
    -32002: NotFoundError,
    -32003: ConflictError,
    -32004: UnauthenticatedError,
    -32005: PermissionDeniedError,
    -32006: ThrottledError,
    -32007: WaitTimeoutError,
    -32008: UnsupportedOperationError,
    -32009: ProviderError,
}

for _code, _cls in _BY_CODE.items():
    _cls.code = _code
del _code, _cls


def error_class_for_code(code: Optional[int]) -> Type[CloudAgentError]:
    """The exception class for an error code (:class:`CloudAgentError` for unknown codes)."""
    return _BY_CODE.get(code, CloudAgentError) if code is not None else CloudAgentError
