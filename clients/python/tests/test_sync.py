"""The sync client against the real agent on the local provider, over stdio and a Unix socket."""

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from cloud_agent import (
    PROTOCOL_VERSION,
    METHOD_NAMES,
    Agent,
    AgentConnectionError,
    CloudAgentError,
    ConflictError,
    InvalidParamsError,
    MethodNotFoundError,
    NotFoundError,
    RequestCancelledError,
    WaitTimeoutError,
)
from conftest import configure


def test_initialize_lists_exactly_the_generated_methods(agent):
    info = agent.initialize(client_info={"name": "pytest"}, protocol_version=PROTOCOL_VERSION)
    assert info["protocolVersion"] == PROTOCOL_VERSION
    assert sorted(info["capabilities"]["methods"]) == sorted(METHOD_NAMES)
    assert agent.ping() == {}


def test_create_cluster_with_wait_and_progress(agent):
    events = []
    cluster = agent.create_cluster(name="demo", provider="paced", node_count=2, wait=True,
                                   tags={"team": "py"}, progress=events.append)
    assert cluster["status"] == "active"
    assert cluster["name"] == "demo" and cluster["tags"] == {"team": "py"}
    assert cluster["nodePools"][0]["nodeCount"] == 2
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "begin" and kinds[-1] == "end" and "report" in kinds, kinds
    assert all(e["resource"]["name"] == "demo" for e in events if e["kind"] == "report")


def test_get_and_list_clusters(agent):
    for name in ("alpha", "beta", "gamma"):
        agent.create_cluster(name=name, provider="fast", node_count=1)
    got = agent.get_cluster(name="beta", provider="fast")
    assert got["name"] == "beta" and got["provider"] == "fast"
    first = agent.list_clusters(provider="fast", limit=2)
    assert [c["name"] for c in first["clusters"]] == ["alpha", "beta"]
    rest = agent.list_clusters(provider="fast", page_token=first["nextPageToken"])
    assert [c["name"] for c in rest["clusters"]] == ["gamma"]
    assert "nextPageToken" not in rest
    # The generic call is the same request.
    assert agent.call("getCluster", name="beta", provider="fast")["id"] == got["id"]


def test_node_pool_lifecycle(agent):
    agent.create_cluster(name="pools", provider="fast", wait=True)
    pool = agent.create_node_pool(cluster="pools", name="extra", node_count=2, provider="fast", wait=True)
    assert (pool["name"], pool["status"], pool["nodeCount"]) == ("extra", "active", 2)
    assert agent.get_node_pool(cluster="pools", name="extra", provider="fast")["id"] == pool["id"]
    scaled = agent.scale_node_pool(cluster="pools", name="extra", node_count=4, provider="fast", wait=True)
    assert scaled["nodeCount"] == 4 and scaled["status"] == "active"
    names = [p["name"] for p in agent.list_node_pools(cluster="pools", provider="fast")["nodePools"]]
    assert names == ["default", "extra"]
    deleted = agent.delete_node_pool(cluster="pools", name="extra", provider="fast", wait=True)
    assert deleted["status"] == "deleted"
    with pytest.raises(NotFoundError):
        agent.get_node_pool(cluster="pools", name="extra", provider="fast")


def test_instance_start_and_stop(agent):
    vm = agent.create_instance(name="vm1", provider="fast", tags={"role": "test"}, wait=True)
    assert vm["state"] == "running"
    stopped = agent.stop_instance(id=vm["id"], provider="fast", wait=True)
    assert stopped["state"] == "stopped"
    with pytest.raises(ConflictError):
        agent.wait_instance_ready(id=vm["id"], provider="fast")  # a stopped VM will not start by itself
    events = []
    started = agent.start_instance(id=vm["id"], provider="fast", wait=True, progress=events.append)
    assert started["state"] == "running"
    assert events and events[-1]["kind"] == "end"
    assert agent.get_instance(id=vm["id"], provider="fast")["state"] == "running"
    listed = agent.list_instances(provider="fast", tags={"role": "test"}, states=["running"])
    assert [i["id"] for i in listed["instances"]] == [vm["id"]]
    assert agent.terminate_instance(id=vm["id"], provider="fast", wait=True)["state"] == "deleted"


def test_get_kubeconfig(agent, tmp_path):
    agent.create_cluster(name="kube", provider="fast", wait=True)
    answer = agent.get_kubeconfig(name="kube", provider="fast")
    assert "apiVersion" in answer["kubeconfig"] and "kube" in answer["kubeconfig"]
    target = tmp_path / "kube.config"
    written = agent.get_kubeconfig(name="kube", provider="fast", path=str(target))
    assert written["path"] == str(target)
    assert target.read_text() == written["kubeconfig"]


def test_not_found_error_carries_data(agent):
    with pytest.raises(NotFoundError) as caught:
        agent.get_cluster(name="nowhere", provider="fast")
    error = caught.value
    assert isinstance(error, CloudAgentError)
    assert error.code == -32002
    assert "nowhere" in error.message
    assert error.data["name"] == "nowhere" and error.data["resourceType"] == "cluster"


def test_unknown_method_and_invalid_params(agent):
    with pytest.raises(MethodNotFoundError) as caught:
        agent.call("noSuchMethod", x=1)
    assert caught.value.code == -32601 and caught.value.data["method"] == "noSuchMethod"
    with pytest.raises(InvalidParamsError) as caught:
        agent.create_cluster(name="Not_Valid", provider="fast")
    assert caught.value.code == -32602 and caught.value.data["param"] == "name"


def test_wait_timeout(agent):
    configure(agent, "glacial", 1000)
    agent.create_cluster(name="slow", provider="glacial")
    with pytest.raises(WaitTimeoutError) as caught:
        agent.wait_cluster_ready(name="slow", provider="glacial", timeout_seconds=0.2)
    assert caught.value.code == -32007 and caught.value.data["operationContinues"] is True


def test_cancel_and_timeout(agent):
    began = threading.Event()
    pending = agent.start("debug.sleep", {"seconds": 60}, progress=lambda value: began.set())
    assert began.wait(10)
    pending.cancel()
    with pytest.raises(RequestCancelledError) as caught:
        pending.result(10)
    assert caught.value.code == -32800
    t0 = time.monotonic()
    with pytest.raises(TimeoutError):
        agent.request("debug.sleep", {"seconds": 60}, timeout=0.3)
    assert time.monotonic() - t0 < 5
    assert agent.ping() == {}


def test_concurrent_calls_from_threads(agent):
    def sleeper(i):
        events = []
        result = agent.debug_sleep(seconds=1, steps=i + 1, progress=events.append)
        assert result == {"slept": 1}
        return sum(1 for e in events if e["kind"] == "report")

    t0 = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        reports = list(pool.map(sleeper, range(8)))
        clusters = list(pool.map(
            lambda i: agent.create_cluster(name=f"c{i}", provider="fast", wait=True), range(8)))
    assert reports == list(range(1, 9))  # each callback got its own request's progress only
    assert time.monotonic() - t0 < 6, "the sleeps did not run concurrently"  # 8 s one by one
    assert all(c["status"] == "active" for c in clusters)
    assert len(agent.list_clusters(provider="fast")["clusters"]) == 8


def test_close_shuts_down_and_exits(server):
    with server.agent() as agent:
        assert agent.ping() == {}
    with pytest.raises(AgentConnectionError):
        agent.ping()
    if server.transport == "stdio":
        assert agent.process.returncode == 0  # shutdown, then exit
    else:
        with server.agent() as again:  # the socket agent still serves
            assert again.ping() == {}


def test_agent_dying_fails_pending_calls(binary, agent_env):
    agent = Agent.spawn(binary, env=agent_env)
    try:
        pending = agent.start("debug.sleep", {"seconds": 60})
        agent.process.kill()
        with pytest.raises(AgentConnectionError):
            pending.result(10)
        with pytest.raises(AgentConnectionError):
            agent.ping()
    finally:
        agent.close()


def test_stderr_to_a_logger(binary, agent_env, caplog):
    caplog.set_level(logging.INFO, logger="agent-log")
    with Agent.spawn(binary, env=agent_env, stderr=logging.getLogger("agent-log")) as agent:
        configure(agent, "logged", 0)
    assert any("provider 'logged' (local) configured" in r.getMessage() for r in caplog.records)
