"""The asyncio client, :class:`AsyncAgent`.

A reader task reads the agent's lines and completes the future of each response by id, so any
number of tasks may call one ``AsyncAgent`` at once. Cancelling the task awaiting a call sends
``$/cancelRequest`` for it. Progress callbacks run in the reader task (keep them quick).
"""

import asyncio
from dataclasses import dataclass
from typing import Any, AsyncIterator, Dict, Mapping, Optional, Sequence, Union

from ._core import Core
from ._errors import AgentConnectionError, CloudAgentError
from ._methods import ProgressCallback
from ._transport import AsyncTransport, StderrTarget

__all__ = ["AsyncAgent", "Progress", "Result"]


@dataclass(frozen=True)
class Progress:
    """One ``$/progress`` value of a :meth:`AsyncAgent.stream` (``value["kind"]`` is begin/report/end)."""

    value: Dict[str, Any]


@dataclass(frozen=True)
class Result:
    """The result that ends a :meth:`AsyncAgent.stream`."""

    value: Any


class AsyncAgent(Core):
    """An asyncio client of one agent session. Use ``await AsyncAgent.spawn()`` or ``connect()``.

    Every protocol method is available in snake_case and returns an awaitable
    (``await agent.create_cluster(name="demo", wait=True)``); :meth:`call` calls any method by
    its wire name, :meth:`stream` iterates over a call's progress and then its result.
    """

    def __init__(self, transport: AsyncTransport, *, close_timeout: float = 10.0) -> None:
        super().__init__()
        self._transport = transport
        self._close_timeout = close_timeout
        self._reader_task = asyncio.ensure_future(self._read_loop())

    @classmethod
    async def spawn(cls, path: Optional[str] = None, args: Sequence[str] = (),
                    env: Optional[Mapping[str, str]] = None, *,
                    stderr: StderrTarget = None) -> "AsyncAgent":
        """Run ``cloud-agent serve [args]``; the arguments are those of :meth:`Agent.spawn`."""
        return cls(await AsyncTransport.spawn(path, args, env, stderr))

    @classmethod
    async def connect(cls, socket_path: str) -> "AsyncAgent":
        """Open a session on a running ``cloud-agent serve --socket PATH``."""
        return cls(await AsyncTransport.connect(socket_path))

    @property
    def process(self) -> "Optional[asyncio.subprocess.Process]":
        """The spawned process, or ``None`` over a socket."""
        return self._transport.process

    # --- calls -------------------------------------------------------------------------------

    async def request(self, method: str, params: Optional[Mapping[str, Any]] = None, *,
                      progress: Optional[ProgressCallback] = None) -> Any:
        """Call ``method`` with a params dict and return its result.

        Cancelling the awaiting task sends ``$/cancelRequest`` for the request and raises
        :class:`asyncio.CancelledError` at once (the agent's -32800 answer is dropped).
        """
        future = asyncio.get_running_loop().create_future()
        request_id, line = self._register(method, params, progress, future)
        try:
            await self._write(line)
            return await future
        except asyncio.CancelledError:
            if self._forget(request_id):
                self._cancel_quietly(request_id)
            raise

    async def call(self, method: str, /, *, progress: Optional[ProgressCallback] = None,
                   **params: Any) -> Any:
        """Call any method by its wire name: ``await agent.call("getCluster", name="demo")``."""
        return await self.request(method, params, progress=progress)

    def _invoke(self, method: str, params: Any, progress: Optional[ProgressCallback]) -> Any:
        return self.request(method, params, progress=progress)

    async def stream(self, method: str, /, **params: Any) -> AsyncIterator[Union[Progress, Result]]:
        """Call ``method`` and yield each :class:`Progress` of it, then one :class:`Result`.

        An error response is raised from the iteration. Leaving the loop early (or cancelling
        the task iterating) cancels the request once the generator is closed; close it at once
        with ``contextlib.aclosing`` (Python 3.10+) or ``await gen.aclose()``::

            async for event in agent.stream("createCluster", name="demo", wait=True):
                if isinstance(event, Progress):
                    print(event.value["message"])
                else:
                    cluster = event.value
        """
        queue: "asyncio.Queue[Optional[Progress]]" = asyncio.Queue()
        task = asyncio.ensure_future(
            self.request(method, params, progress=lambda value: queue.put_nowait(Progress(value))))
        task.add_done_callback(lambda _: queue.put_nowait(None))
        try:
            while True:
                item = await queue.get()
                if item is None:
                    break
                yield item
            yield Result(task.result())
        finally:
            if not task.done():
                task.cancel()
                await asyncio.wait([task])

    def cancel(self, request_id: int) -> None:
        """Send ``$/cancelRequest`` for a request of this session."""
        try:
            self._transport.write(self._notification("$/cancelRequest", {"id": request_id}))
        except (OSError, RuntimeError) as error:
            raise AgentConnectionError(self._gone or f"cannot write to the agent: {error}") from error

    def _cancel_quietly(self, request_id: int) -> None:
        try:
            self.cancel(request_id)
        except AgentConnectionError:
            pass

    # --- plumbing ----------------------------------------------------------------------------

    async def _write(self, line: bytes) -> None:
        try:
            self._transport.write(line)
            await self._transport.drain()
        except (OSError, RuntimeError) as error:  # RuntimeError: writing to a closed transport
            raise AgentConnectionError(self._gone or f"cannot write to the agent: {error}") from error

    def _settle(self, future: Any, result: Any, error: Optional[BaseException]) -> None:
        if future.done():  # the awaiting task was cancelled
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    async def _read_loop(self) -> None:
        reason = "the agent closed the connection"
        try:
            while True:
                line = await self._transport.readline()
                if not line:
                    break
                self._dispatch(line)
        except (OSError, ValueError, asyncio.IncompleteReadError) as error:
            reason = f"reading from the agent failed: {error}"
        finally:
            self._disconnected(reason)

    # --- lifecycle ---------------------------------------------------------------------------

    async def close(self) -> None:
        """End the session: ``shutdown``, then ``exit``; reap a spawned agent. Idempotent."""
        if self._closed:
            return
        timeout = self._close_timeout
        if self._gone is None:
            try:
                await asyncio.wait_for(self.request("shutdown"), timeout)
                await self._write(self._notification("exit", {}))
            except (CloudAgentError, AgentConnectionError, asyncio.TimeoutError):
                pass
        self._closed = True
        self._transport.close_write()
        await asyncio.wait([self._reader_task], timeout=timeout)  # the agent ends the session
        await self._transport.close(timeout)
        if not self._reader_task.done():
            self._reader_task.cancel()
            await asyncio.wait([self._reader_task])
        self._disconnected("the client is closed")

    async def __aenter__(self) -> "AsyncAgent":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()
