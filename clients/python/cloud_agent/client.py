"""The synchronous client, :class:`Agent`.

A reader thread reads the agent's lines and hands each response to the caller waiting for its
id, so several threads may call one ``Agent`` at once; progress callbacks run on that thread.
"""

import concurrent.futures
import threading
from typing import Any, Mapping, Optional, Sequence

from ._core import Core
from ._errors import AgentConnectionError, CloudAgentError
from ._methods import ProgressCallback
from ._transport import ProcessTransport, SocketTransport, StderrTarget

__all__ = ["Agent", "PendingCall"]


class PendingCall:
    """A request in flight, as answered by :meth:`Agent.start`."""

    def __init__(self, agent: "Agent", request_id: int, method: str,
                 future: "concurrent.futures.Future[Any]") -> None:
        self.agent = agent
        self.id = request_id
        self.method = method
        self._future = future

    def result(self, timeout: Optional[float] = None) -> Any:
        """Wait for the response: its result, or raise its :class:`CloudAgentError`.

        Raises :class:`TimeoutError` if ``timeout`` seconds pass first (the request goes on).
        """
        try:
            return self._future.result(timeout)
        except concurrent.futures.TimeoutError:
            raise TimeoutError(f"no answer to {self.method} (id {self.id}) in {timeout} s") from None

    def done(self) -> bool:
        return self._future.done()

    def cancel(self) -> None:
        """Send ``$/cancelRequest``: the call then ends with :class:`RequestCancelledError`,
        unless its response crossed the cancellation."""
        self.agent.cancel(self.id)


class Agent(Core):
    """A synchronous client of one agent session. Use :meth:`spawn` or :meth:`connect`.

    Every protocol method is available in snake_case (``agent.create_cluster(name="demo",
    wait=True)``), and :meth:`call` calls any method by its wire name. Thread-safe.
    """

    def __init__(self, transport: Any, *, close_timeout: float = 10.0) -> None:
        super().__init__()
        self._transport = transport
        self._close_timeout = close_timeout
        self._write_lock = threading.Lock()
        self._reader = threading.Thread(target=self._read_loop, name="cloud-agent-reader", daemon=True)
        self._reader.start()

    @classmethod
    def spawn(cls, path: Optional[str] = None, args: Sequence[str] = (),
              env: Optional[Mapping[str, str]] = None, *, stderr: StderrTarget = None) -> "Agent":
        """Run ``cloud-agent serve [args]`` and talk to it over its stdin and stdout.

        ``path`` is the binary (default ``$CLOUD_AGENT_BIN``, else ``cloud-agent`` on ``PATH``);
        ``env`` the child's whole environment (default ours); ``stderr`` where its log goes
        (default inherited; a file, ``subprocess.DEVNULL`` or a :class:`logging.Logger`).
        """
        return cls(ProcessTransport(path, args, env, stderr))

    @classmethod
    def connect(cls, socket_path: str) -> "Agent":
        """Open a session on a running ``cloud-agent serve --socket PATH``."""
        return cls(SocketTransport(socket_path))

    @property
    def process(self) -> Any:
        """The spawned :class:`subprocess.Popen`, or ``None`` over a socket."""
        return getattr(self._transport, "process", None)

    # --- calls -------------------------------------------------------------------------------

    def start(self, method: str, params: Optional[Mapping[str, Any]] = None, *,
              progress: Optional[ProgressCallback] = None) -> PendingCall:
        """Send a request without waiting for it; see :class:`PendingCall`."""
        future: "concurrent.futures.Future[Any]" = concurrent.futures.Future()
        request_id, line = self._register(method, params, progress, future)
        try:
            self._write(line)
        except BaseException:
            self._forget(request_id)
            raise
        return PendingCall(self, request_id, method, future)

    def request(self, method: str, params: Optional[Mapping[str, Any]] = None, *,
                progress: Optional[ProgressCallback] = None, timeout: Optional[float] = None) -> Any:
        """Call ``method`` with a params dict and wait for its result.

        With ``timeout``, a request still unanswered after that many seconds is cancelled
        (``$/cancelRequest``) and :class:`TimeoutError` is raised. Ctrl-C cancels it too.
        """
        pending = self.start(method, params, progress=progress)
        try:
            return pending.result(timeout)
        except (TimeoutError, KeyboardInterrupt):
            if not pending.done():
                self._cancel_quietly(pending.id)
                self._forget(pending.id)
            raise

    def call(self, method: str, /, *, progress: Optional[ProgressCallback] = None, **params: Any) -> Any:
        """Call any method by its wire name: ``agent.call("getCluster", name="demo")``."""
        return self.request(method, params, progress=progress)

    def _invoke(self, method: str, params: Any, progress: Optional[ProgressCallback]) -> Any:
        return self.request(method, params, progress=progress)

    def cancel(self, request_id: int) -> None:
        """Send ``$/cancelRequest`` for a request of this session (see :meth:`start`)."""
        self._write(self._notification("$/cancelRequest", {"id": request_id}))

    def _cancel_quietly(self, request_id: int) -> None:
        try:
            self.cancel(request_id)
        except AgentConnectionError:
            pass

    # --- plumbing ----------------------------------------------------------------------------

    def _write(self, line: bytes) -> None:
        try:
            with self._write_lock:
                self._transport.write(line)
        except (OSError, ValueError) as error:  # ValueError: write to a closed file
            raise AgentConnectionError(self._gone or f"cannot write to the agent: {error}") from error

    def _settle(self, future: Any, result: Any, error: Optional[BaseException]) -> None:
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def _read_loop(self) -> None:
        reason = "the agent closed the connection"
        try:
            while True:
                line = self._transport.readline()
                if not line:
                    break
                self._dispatch(line)
        except (OSError, ValueError) as error:
            reason = f"reading from the agent failed: {error}"
        finally:
            self._disconnected(reason)

    # --- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """End the session: ``shutdown``, then ``exit``; reap a spawned agent. Idempotent."""
        if self._closed:
            return
        timeout = self._close_timeout
        if self._gone is None:
            try:
                self.request("shutdown", timeout=timeout)
                self._write(self._notification("exit", {}))
            except (CloudAgentError, AgentConnectionError, TimeoutError):
                pass
        self._closed = True
        self._transport.close_write()
        self._reader.join(timeout)  # the agent ends the session: end of input
        self._transport.close(timeout)
        self._reader.join(timeout)
        self._disconnected("the client is closed")

    def __enter__(self) -> "Agent":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()
