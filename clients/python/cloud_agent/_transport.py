"""Transports: byte lines to and from a spawned ``cloud-agent serve`` or a Unix socket.

The protocol is one JSON text per line in each direction. These classes only move lines; request
ids, responses and notifications are handled by the clients (``client.py``, ``aio.py``).
"""

import asyncio
import logging
import os
import shutil
import socket
import subprocess
import threading
from typing import IO, Any, List, Mapping, Optional, Sequence, Union

__all__ = ["find_agent_binary", "StderrTarget"]

#: Where a spawned agent's stderr goes: ``None`` inherits ours; a file object, a file descriptor
#: or ``subprocess.DEVNULL`` as for :class:`subprocess.Popen`; a :class:`logging.Logger` gets one
#: ``INFO`` record per line. It is never mixed into the protocol (stdout).
StderrTarget = Union[None, int, IO[Any], logging.Logger]

#: Read limit of one line for asyncio streams: the protocol's default maximum (16 MiB), doubled.
LINE_LIMIT = 32 * 1024 * 1024

log = logging.getLogger("cloud_agent")


def find_agent_binary(path: Optional[str] = None) -> str:
    """The ``cloud-agent`` executable: ``path``, else ``$CLOUD_AGENT_BIN``, else ``cloud-agent`` on ``PATH``."""
    candidate = path or os.environ.get("CLOUD_AGENT_BIN")
    if candidate:
        return os.fspath(candidate)
    found = shutil.which("cloud-agent")
    if not found:
        raise FileNotFoundError(
            "cloud-agent not found: pass path=..., set CLOUD_AGENT_BIN or put cloud-agent on PATH")
    return found


def serve_command(path: Optional[str], args: Sequence[str]) -> List[str]:
    return [find_agent_binary(path), "serve", *args]


def _stderr_arg(stderr: StderrTarget) -> Any:
    return subprocess.PIPE if isinstance(stderr, logging.Logger) else stderr


def _log_lines(stream: IO[bytes], logger: logging.Logger) -> None:
    for line in iter(stream.readline, b""):
        logger.info("%s", line.decode("utf-8", "replace").rstrip())


class ProcessTransport:
    """``cloud-agent serve`` as a child process, speaking on its stdin and stdout."""

    def __init__(self, path: Optional[str], args: Sequence[str], env: Optional[Mapping[str, str]],
                 stderr: StderrTarget) -> None:
        self.process = subprocess.Popen(
            serve_command(path, args), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=_stderr_arg(stderr), env=dict(env) if env is not None else None)
        assert self.process.stdin and self.process.stdout
        self._stdin = self.process.stdin
        self._stdout = self.process.stdout
        if isinstance(stderr, logging.Logger):
            assert self.process.stderr
            threading.Thread(target=_log_lines, args=(self.process.stderr, stderr),
                             name="cloud-agent-stderr", daemon=True).start()

    def write(self, data: bytes) -> None:
        self._stdin.write(data)
        self._stdin.flush()

    def readline(self) -> bytes:
        return self._stdout.readline()

    def close_write(self) -> None:
        try:
            self._stdin.close()
        except OSError:
            pass

    def close(self, timeout: float) -> None:
        """Reap the process: end of input makes it exit; terminate or kill it if it does not."""
        self.close_write()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._stdout.close()


class SocketTransport:
    """A connection to ``cloud-agent serve --socket PATH``; the agent keeps running after it."""

    def __init__(self, socket_path: str) -> None:
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._sock.connect(os.fspath(socket_path))
        except BaseException:
            self._sock.close()
            raise
        self._reader = self._sock.makefile("rb")

    def write(self, data: bytes) -> None:
        self._sock.sendall(data)

    def readline(self) -> bytes:
        return self._reader.readline()

    def close_write(self) -> None:
        try:
            self._sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self, timeout: float) -> None:
        try:
            self._sock.shutdown(socket.SHUT_RDWR)  # also wakes a reader blocked in readline
        except OSError:
            pass
        self._reader.close()
        self._sock.close()


class AsyncTransport:
    """Asyncio streams to a spawned agent (``process`` set) or to a socket connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: Any,
                 process: "Optional[asyncio.subprocess.Process]" = None,
                 stderr_task: "Optional[asyncio.Task[None]]" = None) -> None:
        self.reader = reader
        self.writer = writer
        self.process = process
        self._stderr_task = stderr_task

    @classmethod
    async def spawn(cls, path: Optional[str], args: Sequence[str], env: Optional[Mapping[str, str]],
                    stderr: StderrTarget) -> "AsyncTransport":
        process = await asyncio.create_subprocess_exec(
            *serve_command(path, args), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=_stderr_arg(stderr), env=dict(env) if env is not None else None,
            limit=LINE_LIMIT)
        assert process.stdin and process.stdout
        task = None
        if isinstance(stderr, logging.Logger):
            assert process.stderr
            task = asyncio.ensure_future(cls._log_stderr(process.stderr, stderr))
        return cls(process.stdout, process.stdin, process, task)

    @classmethod
    async def connect(cls, socket_path: str) -> "AsyncTransport":
        reader, writer = await asyncio.open_unix_connection(os.fspath(socket_path), limit=LINE_LIMIT)
        return cls(reader, writer)

    @staticmethod
    async def _log_stderr(stream: asyncio.StreamReader, logger: logging.Logger) -> None:
        while True:
            line = await stream.readline()
            if not line:
                return
            logger.info("%s", line.decode("utf-8", "replace").rstrip())

    def write(self, data: bytes) -> None:
        """Queue ``data`` (asyncio writes are buffered; no await needed, so usable while cancelled)."""
        self.writer.write(data)

    async def drain(self) -> None:
        await self.writer.drain()

    async def readline(self) -> bytes:
        return await self.reader.readline()

    def close_write(self) -> None:
        if self.process is not None:
            self.writer.close()
        elif self.writer.can_write_eof():
            try:
                self.writer.write_eof()
            except OSError:
                pass

    async def close(self, timeout: float) -> None:
        self.close_write()
        if self.process is not None:
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except asyncio.TimeoutError:
                self.process.terminate()
                try:
                    await asyncio.wait_for(self.process.wait(), timeout)
                except asyncio.TimeoutError:
                    self.process.kill()
                    await self.process.wait()
            if self._stderr_task is not None:
                await self._stderr_task
        else:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
