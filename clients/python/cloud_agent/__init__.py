"""A Python client of ``cloud-agent`` (JSON-RPC 2.0 over stdio or a Unix socket), stdlib only.

Sync::

    from cloud_agent import Agent

    with Agent.spawn() as agent:
        cluster = agent.create_cluster(name="demo", wait=True, progress=print)

asyncio::

    from cloud_agent import AsyncAgent

    async with await AsyncAgent.spawn() as agent:
        cluster = await agent.create_cluster(name="demo", wait=True)
"""

from . import _errors
from ._errors import *  # noqa: F401,F403  (every error class, and error_class_for_code: see _errors.__all__)
from ._methods import METHOD_NAMES, PROTOCOL_VERSION, ProgressCallback
from ._transport import find_agent_binary
from .aio import AsyncAgent, Progress, Result
from .client import Agent, PendingCall

__version__ = "0.1.0"

__all__ = [
    "Agent",
    "AsyncAgent",
    "PendingCall",
    "Progress",
    "Result",
    "ProgressCallback",
    "METHOD_NAMES",
    "PROTOCOL_VERSION",
    "find_agent_binary",
] + _errors.__all__
