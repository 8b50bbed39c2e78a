"""The asyncio client against the real agent, over stdio and a Unix socket."""

import asyncio
import json
import logging
import time

import pytest

from cloud_agent import AsyncAgent, NotFoundError, Progress, Result
from conftest import run_async


async def configure(agent: AsyncAgent) -> None:
    await agent.configure_provider(name="fast", kind="local", time_scale=0)
    await agent.configure_provider(name="paced", kind="local", time_scale=0.05)
    await agent.configure_provider(name="glacial", kind="local", time_scale=1000)


def record_writes(agent: AsyncAgent) -> list:
    """Spy on the lines the client writes (to see its ``$/cancelRequest``)."""
    written = []
    transport = agent._transport
    original = transport.write

    def write(data: bytes) -> None:
        written.append(json.loads(data))
        original(data)

    transport.write = write
    return written


@run_async
async def test_basic_calls_and_errors(server):
    async with await server.async_agent() as agent:
        await configure(agent)
        assert await agent.ping() == {}
        cluster = await agent.create_cluster(name="demo", provider="fast", wait=True)
        assert cluster["status"] == "active"
        listed = await agent.list_clusters(provider="fast")
        assert [c["name"] for c in listed["clusters"]] == ["demo"]
        kubeconfig = await agent.get_kubeconfig(name="demo", provider="fast")
        assert "apiVersion" in kubeconfig["kubeconfig"]
        with pytest.raises(NotFoundError) as caught:
            await agent.get_cluster(name="absent", provider="fast")
        assert caught.value.data["name"] == "absent"
        document = await agent.rpc_discover()  # one line of a few hundred KB
        assert document["openrpc"].startswith("1.")


@run_async
async def test_progress_callback_and_stream(server):
    async with await server.async_agent() as agent:
        await configure(agent)
        events = []
        cluster = await agent.create_cluster(name="one", provider="paced", wait=True,
                                             progress=events.append)
        assert cluster["status"] == "active"
        assert events[0]["kind"] == "begin" and events[-1]["kind"] == "end"

        streamed = [e async for e in agent.stream("createCluster", name="two", provider="paced", wait=True)]
        assert all(isinstance(e, Progress) for e in streamed[:-1])
        assert isinstance(streamed[-1], Result) and streamed[-1].value["status"] == "active"
        kinds = [e.value["kind"] for e in streamed[:-1]]
        assert kinds[0] == "begin" and kinds[-1] == "end" and "report" in kinds

        with pytest.raises(NotFoundError):
            async for _ in agent.stream("waitClusterReady", name="absent", provider="fast"):
                pass


@run_async
async def test_cancelling_a_task_sends_cancel_request(server):
    async with await server.async_agent() as agent:
        await configure(agent)
        await agent.create_cluster(name="slow", provider="glacial")  # about 50 min to be active
        written = record_writes(agent)
        began = asyncio.Event()
        task = asyncio.ensure_future(
            agent.wait_cluster_ready(name="slow", provider="glacial", progress=lambda v: began.set()))
        await asyncio.wait_for(began.wait(), 10)
        # `begin` is sent as the wait method starts; the wait joins its poll loop just after.
        deadline = time.monotonic() + 10
        while (await agent.debug_stats())["waits"]["glacial"]["activeWaits"] != 1:
            assert time.monotonic() < deadline, "the wait never became active"
            await asyncio.sleep(0.02)

        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        request = next(m for m in written if m.get("method") == "waitClusterReady")
        assert {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": request["id"]}} in written

        # The agent stopped the wait (not the creation), and still serves.
        deadline = time.monotonic() + 10
        while (await agent.debug_stats())["waits"]["glacial"]["activeWaits"] != 0:
            assert time.monotonic() < deadline, "the agent did not end the cancelled wait"
            await asyncio.sleep(0.05)
        assert await agent.ping() == {}
        assert (await agent.get_cluster(name="slow", provider="glacial"))["status"] == "creating"


@run_async
async def test_leaving_a_stream_early_cancels_it(server):
    async with await server.async_agent() as agent:
        written = record_writes(agent)
        stream = agent.stream("debug.sleep", seconds=60)
        first = await stream.__anext__()
        assert isinstance(first, Progress) and first.value["kind"] == "begin"
        await stream.aclose()
        sent = next(m for m in written if m.get("method") == "debug.sleep")
        assert {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": sent["id"]}} in written
        assert await agent.ping() == {}


@run_async
async def test_concurrent_tasks(server):
    async with await server.async_agent() as agent:
        await configure(agent)
        reports = {i: [] for i in range(10)}
        t0 = time.monotonic()
        sleeps = [agent.debug_sleep(seconds=1, steps=i + 1, progress=reports[i].append) for i in range(10)]
        creates = [agent.create_cluster(name=f"c{i}", provider="fast", wait=True) for i in range(10)]
        results = await asyncio.gather(*sleeps, *creates, agent.ping())
        assert time.monotonic() - t0 < 6, "the calls did not run concurrently"  # 10 s one by one
        assert results[:10] == [{"slept": 1}] * 10
        assert [c["status"] for c in results[10:20]] == ["active"] * 10
        assert results[20] == {}
        for i, events in reports.items():
            assert sum(1 for e in events if e["kind"] == "report") == i + 1
        listed = await agent.list_clusters(provider="fast")
        assert sorted(c["name"] for c in listed["clusters"]) == sorted(f"c{i}" for i in range(10))


@run_async
async def test_close_reaps_a_spawned_agent(binary, agent_env):
    agent = await AsyncAgent.spawn(binary, env=agent_env)
    async with agent:
        assert await agent.ping() == {}
    assert agent.process.returncode == 0  # shutdown, then exit


@run_async
async def test_stderr_to_a_logger(binary, agent_env, caplog):
    caplog.set_level(logging.INFO, logger="agent-log")
    async with await AsyncAgent.spawn(binary, env=agent_env, stderr=logging.getLogger("agent-log")) as agent:
        await agent.configure_provider(name="logged", kind="local", time_scale=0)
    assert any("provider 'logged' (local) configured" in r.getMessage() for r in caplog.records)
