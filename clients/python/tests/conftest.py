"""Fixtures: the real ``cloud-agent`` binary, over a spawned stdio agent and over a Unix socket.

The binary is ``$CLOUD_AGENT_BIN``, else ``<repo>/.build/debug/cloud-agent``, else
``cloud-agent`` on PATH; when none exists the tests fail (they are never skipped). Every test
gets its own ``XDG_STATE_HOME`` and ``XDG_CONFIG_HOME``, so no state leaks between tests.
"""

import asyncio
import functools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

from cloud_agent import Agent, AsyncAgent

REPO = Path(__file__).resolve().parents[3]
CLIENT_DIR = REPO / "clients" / "python"
SPEC = REPO / "protocol" / "openrpc.json"


def agent_binary() -> str:
    configured = os.environ.get("CLOUD_AGENT_BIN")
    if configured:
        if not (os.path.isfile(configured) and os.access(configured, os.X_OK)):
            pytest.fail(f"CLOUD_AGENT_BIN={configured} is not an executable file", pytrace=False)
        return configured
    built = REPO / ".build" / "debug" / "cloud-agent"
    if built.is_file():
        return str(built)
    found = shutil.which("cloud-agent")
    if not found:
        pytest.fail("cloud-agent binary not found: set CLOUD_AGENT_BIN, run `swift build` "
                    f"(for {built}) or put cloud-agent on PATH", pytrace=False)
    return found


def run_async(test: Callable[..., Any]) -> Callable[..., Any]:
    """Run a coroutine test function with ``asyncio.run`` (no plugin needed), within 60 s."""

    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return asyncio.run(asyncio.wait_for(test(*args, **kwargs), 60))

    return wrapper


def configure(agent: Agent, name: str, time_scale: float) -> None:
    """A local provider of the given pace (0: instant)."""
    agent.configure_provider(name=name, kind="local", time_scale=time_scale)


class AgentServer:
    """Opens client sessions on the agent of one test, over ``transport`` ("stdio" or "socket").

    stdio: every session is a new ``cloud-agent serve`` (same state directories).
    socket: one ``cloud-agent serve --socket PATH`` for the test; every session is a connection.
    """

    def __init__(self, transport: str, binary: str, env: Dict[str, str], workdir: Path) -> None:
        self.transport = transport
        self.binary = binary
        self.env = env
        self.workdir = workdir
        self.socket_path: Optional[str] = None
        self.process: Optional[subprocess.Popen] = None
        self._sync_agents: List[Agent] = []
        if transport == "socket":
            self._start_socket_agent()

    def _start_socket_agent(self) -> None:
        # A short directory: socket paths are limited to about 100 bytes.
        base = None if len(tempfile.gettempdir()) < 40 else "/tmp"
        self._socket_dir = tempfile.mkdtemp(prefix="ca-", dir=base)
        self.socket_path = os.path.join(self._socket_dir, "agent.sock")
        self.process = subprocess.Popen([self.binary, "serve", "--socket", self.socket_path],
                                        env=self.env, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"cloud-agent serve --socket exited with {self.process.returncode}")
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.connect(self.socket_path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"cloud-agent serve --socket did not listen on {self.socket_path}")
                time.sleep(0.05)
            finally:
                probe.close()

    def agent(self) -> Agent:
        """A sync session (closed at teardown if the test does not close it)."""
        if self.transport == "stdio":
            agent = Agent.spawn(self.binary, env=self.env)
        else:
            assert self.socket_path
            agent = Agent.connect(self.socket_path)
        self._sync_agents.append(agent)
        return agent

    async def async_agent(self) -> AsyncAgent:
        """An asyncio session; close it in the test (``async with``)."""
        if self.transport == "stdio":
            return await AsyncAgent.spawn(self.binary, env=self.env)
        assert self.socket_path
        return await AsyncAgent.connect(self.socket_path)

    def stop(self) -> None:
        for agent in self._sync_agents:
            agent.close()
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                status = self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                pytest.fail("the socket agent did not stop on SIGTERM")
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            assert status == 0, f"the socket agent exited with {status}"


@pytest.fixture(scope="session")
def binary() -> str:
    return agent_binary()


@pytest.fixture
def agent_env(tmp_path: Path) -> Dict[str, str]:
    """Our environment, with this test's own state and config directories."""
    state, config = tmp_path / "state", tmp_path / "config"
    state.mkdir()
    config.mkdir()
    return {**os.environ, "XDG_STATE_HOME": str(state), "XDG_CONFIG_HOME": str(config)}


@pytest.fixture(params=["stdio", "socket"])
def server(request: Any, binary: str, agent_env: Dict[str, str], tmp_path: Path) -> Iterator[AgentServer]:
    """The agent of this test, over each transport in turn."""
    srv = AgentServer(request.param, binary, agent_env, tmp_path)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def agent(server: AgentServer) -> Agent:
    """A sync session with two extra local providers: ``fast`` (instant) and ``paced`` (0.05)."""
    session = server.agent()
    configure(session, "fast", 0)
    configure(session, "paced", 0.05)
    return session
