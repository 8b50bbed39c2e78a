"""What the sync and asyncio clients share: request ids, routing responses and ``$/progress``."""

import itertools
import json
import logging
import threading
from typing import Any, Dict, Mapping, Optional, Tuple

from ._errors import AgentConnectionError, CloudAgentError
from ._methods import Methods, ProgressCallback

log = logging.getLogger("cloud_agent")


def encode(message: Mapping[str, Any]) -> bytes:
    """One protocol line: compact JSON (never containing a raw newline), then ``\\n``."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


class Core(Methods):
    """Pending requests by id, progress callbacks by token, and the dispatch of incoming lines.

    Subclasses own the transport and the futures: they call :meth:`_register` before sending a
    request, :meth:`_dispatch` for each line read, :meth:`_disconnected` when input ends, and
    implement :meth:`_settle`. Every method here is safe to call from any thread.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._pending: Dict[int, Tuple[Any, Any]] = {}  # id -> (future, progress token or None)
        self._progress: Dict[Any, ProgressCallback] = {}  # token -> callback
        self._closed = False
        self._gone: Optional[str] = None  # why the connection ended, once it has

    # --- subclass hooks ---------------------------------------------------------------------

    def _settle(self, future: Any, result: Any, error: Optional[BaseException]) -> None:
        """Complete ``future`` with ``result`` or ``error``."""
        raise NotImplementedError

    # --- requests ----------------------------------------------------------------------------

    def _register(self, method: str, params: Optional[Mapping[str, Any]],
                  progress: Optional[ProgressCallback], future: Any) -> Tuple[int, bytes]:
        """Give a request an id (and a progress token if ``progress``); answer its id and line."""
        body = dict(params or {})
        with self._lock:
            if self._gone is not None:
                raise AgentConnectionError(self._gone)
            if self._closed:
                raise AgentConnectionError("the client is closed")
            request_id = next(self._ids)
            token = None
            if progress is not None:
                token = body.setdefault("progressToken", f"py-{request_id}")
                self._progress[token] = progress
            self._pending[request_id] = (future, token)
        message = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if body:
            message["params"] = body
        return request_id, encode(message)

    def _forget(self, request_id: int) -> bool:
        """Stop tracking a request; True if it was still waiting for its response."""
        with self._lock:
            entry = self._pending.pop(request_id, None)
            if entry is not None and entry[1] is not None:
                self._progress.pop(entry[1], None)
        return entry is not None

    @staticmethod
    def _notification(method: str, params: Mapping[str, Any]) -> bytes:
        message: Dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params:
            message["params"] = dict(params)
        return encode(message)

    # --- incoming ----------------------------------------------------------------------------

    def _dispatch(self, line: bytes) -> None:
        if not line.strip():
            return
        try:
            message = json.loads(line)
        except ValueError:
            log.warning("cloud-agent sent a line that is not JSON: %r", line[:200])
            return
        for item in message if isinstance(message, list) else [message]:
            if isinstance(item, dict):
                self._dispatch_one(item)

    def _dispatch_one(self, message: Dict[str, Any]) -> None:
        if "method" in message:
            if message["method"] == "$/progress" and isinstance(message.get("params"), dict):
                params = message["params"]
                with self._lock:
                    callback = self._progress.get(params.get("token"))
                if callback is not None:
                    try:
                        callback(params.get("value"))
                    except Exception:  # a callback's bug must not stop the reader
                        log.exception("progress callback failed")
            return
        request_id = message.get("id")
        with self._lock:
            entry = self._pending.pop(request_id, None) if isinstance(request_id, int) else None
            if entry is not None and entry[1] is not None:
                self._progress.pop(entry[1], None)
        if entry is None:
            if "error" in message and request_id is None:
                log.warning("cloud-agent error without id: %s", message["error"])
            return  # e.g. the answer to a request given up (cancelled, timed out)
        if isinstance(message.get("error"), dict):
            self._settle(entry[0], None, CloudAgentError.from_response(message["error"]))
        else:
            self._settle(entry[0], message.get("result"), None)

    def _disconnected(self, reason: str) -> None:
        """Input ended: fail every pending request, and every later one."""
        with self._lock:
            if self._gone is None:
                self._gone = reason
            pending = list(self._pending.values())
            self._pending.clear()
            self._progress.clear()
        for future, _ in pending:
            self._settle(future, None, AgentConnectionError(reason))
