"""The Python client part of bench/run.py: what `clients/python`'s `cloud_agent` adds to a call.

`getCluster` on the built-in `local` provider, against one long-lived `cloud-agent serve
--socket PATH`, through three clients on three connections of that one agent, interleaved in
rounds whose order rotates (noise hits them alike):

- raw: JSON lines written to and read from the Unix socket by hand (`sendall`, `recv`,
  `json.loads`, id and result checked): the floor;
- sync: `cloud_agent.Agent.connect(PATH).get_cluster(name=...)` (a reader thread and a future);
- async: `await cloud_agent.AsyncAgent.connect(PATH).get_cluster(name=...)` in one event loop.

Figures: median, p90 and min latency per client, each client's overhead over raw (difference
of medians and ratio), and the CPU per call of this Python process and of the agent.
"""

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADING = "## Python client"
CLIENTS = ("raw", "sync", "async")
LABELS = {
    "raw": "raw JSON lines on the socket (`sendall` + `recv` + `json.loads`) — floor",
    "sync": "`Agent.connect(path).get_cluster(name=...)` (sync)",
    "async": "`await AsyncAgent.connect(path).get_cluster(name=...)` (asyncio)",
}
CLUSTER = "bench-py"
CALL_TIMEOUT = 30.0
SOCKET_WAIT = 5.0
EXIT_TIMEOUT = 5.0

perf = time.perf_counter_ns


class SetupError(Exception):
    """The Python client benchmark could not run (the client does not import, the agent did not start)."""


class Misbehaviour(Exception):
    """The agent answered something the protocol does not allow."""


class RawClient:
    """Sequential JSON-RPC calls written and read by hand on one Unix-socket connection."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(CALL_TIMEOUT)
        self.sock.connect(path)
        self.buf = b""
        self.next_id = 0

    def call(self, method, params):
        self.next_id += 1
        rid = self.next_id
        self.sock.sendall((json.dumps({"jsonrpc": "2.0", "id": rid, "method": method, "params": params},
                                      separators=(",", ":")) + "\n").encode())
        while True:
            i = self.buf.find(b"\n")
            while i < 0:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise Misbehaviour("raw: the agent closed the connection while %s (id %d) was open" % (method, rid))
                self.buf += chunk
                i = self.buf.find(b"\n")
            line, self.buf = self.buf[:i], self.buf[i + 1:]
            msg = json.loads(line)
            if "id" not in msg:
                continue  # a notification
            if msg.get("id") != rid or "result" not in msg:
                raise Misbehaviour("raw: %s (id %d) answered %r" % (method, rid, line[:300]))
            return msg["result"]

    def close(self):
        self.sock.close()


def cpu_ticks(pid):
    """utime + stime of a process, in clock ticks."""
    with open("/proc/%d/stat" % pid, "rb") as f:
        data = f.read()
    fields = data[data.rindex(b")") + 2:].split()
    return int(fields[11]) + int(fields[12])


def stats(samples_ns):
    s = sorted(x / 1e3 for x in samples_ns)
    k = max(0, min(len(s) - 1, int(round(0.9 * (len(s) - 1)))))
    return {"median": statistics.median(s), "p90": s[k], "min": s[0], "n": len(s)}


def check_cluster(client, result):
    if not isinstance(result, dict) or result.get("name") != CLUSTER or result.get("status") != "active":
        raise Misbehaviour("%s: getCluster %s answered %r" % (client, CLUSTER, str(result)[:300]))


def start_agent(binary, tmpdir, errfile):
    sock_path = os.path.join(tmpdir, "client-bench.sock")
    env = dict(os.environ)
    for d in ("state", "config"):
        os.makedirs(os.path.join(tmpdir, "client-" + d), exist_ok=True)
    env.update(XDG_STATE_HOME=os.path.join(tmpdir, "client-state"),
               XDG_CONFIG_HOME=os.path.join(tmpdir, "client-config"))
    env.pop("CLOUD_AGENT_LOG", None)
    proc = subprocess.Popen([binary, "serve", "--socket", sock_path, "--log-level", "error"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errfile, env=env)
    deadline = time.monotonic() + SOCKET_WAIT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SetupError("the agent exited (%d) before listening on %s" % (proc.returncode, sock_path))
        try:
            return proc, sock_path, RawClient(sock_path)
        except OSError:
            time.sleep(0.005)
    proc.kill()
    raise SetupError("the agent did not listen on %s within %.0f s" % (sock_path, SOCKET_WAIT))


def stop_agent(proc):
    proc.terminate()
    try:
        rc = proc.wait(EXIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise Misbehaviour("the agent did not exit within %.0f s of SIGTERM (killed)" % EXIT_TIMEOUT)
    finally:
        proc.stdin.close()
    if rc != 0:
        raise Misbehaviour("the agent exited %d after SIGTERM (expected 0)" % rc)


def split_evenly(total, parts):
    return [total * (i + 1) // parts - total * i // parts for i in range(parts)]


def run(binary, args, tmpdir, log):
    """Runs the benchmark. Returns (P, errors); errors are agent misbehaviour. Raises SetupError."""
    sys.path.insert(0, os.path.join(REPO, "clients", "python"))
    try:
        import cloud_agent
    except Exception as e:  # the part cannot run without the client
        raise SetupError("cannot import clients/python's cloud_agent: %s" % e)
    finally:
        sys.path.pop(0)
    P = {"calls": args.client_calls, "rounds": args.client_rounds, "warmup": args.client_warmup,
         "python": sys.version.split()[0], "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
         "samples": {c: [] for c in CLIENTS}, "client_cpu_ns": dict.fromkeys(CLIENTS, 0),
         "agent_ticks": dict.fromkeys(CLIENTS, 0), "hz": os.sysconf("SC_CLK_TCK")}
    errors = []
    errpath = os.path.join(tmpdir, "client-agent.stderr")
    with open(errpath, "ab") as errfile:
        proc, sock_path, raw = start_agent(binary, tmpdir, errfile)
    loop = asyncio.new_event_loop()
    sync_agent = async_agent = None
    try:
        log("python client: creating cluster %r on local (waits until active, ~3 s) ..." % CLUSTER)
        raw.call("initialize", {})
        check_cluster("raw", raw.call("createCluster", {"name": CLUSTER, "wait": True}))
        sync_agent = cloud_agent.Agent.connect(sock_path)
        async_agent = loop.run_until_complete(cloud_agent.AsyncAgent.connect(sock_path))

        async def async_calls(n, out):
            for _ in range(n):
                t0 = perf()
                r = await async_agent.get_cluster(name=CLUSTER)
                out.append(perf() - t0)
                check_cluster("async", r)

        def calls(client, n, out):
            if client == "async":
                loop.run_until_complete(async_calls(n, out))
                return
            for _ in range(n):
                t0 = perf()
                if client == "raw":
                    r = raw.call("getCluster", {"name": CLUSTER})
                else:
                    r = sync_agent.get_cluster(name=CLUSTER)
                out.append(perf() - t0)
                check_cluster(client, r)

        log("python client: warm-up (%d calls each) ..." % args.client_warmup)
        for c in CLIENTS:
            calls(c, args.client_warmup, [])
        shares = split_evenly(args.client_calls, args.client_rounds)
        log("python client: %d rounds, %d calls per client ..." % (args.client_rounds, args.client_calls))
        for rnd, n in enumerate(shares):
            order = CLIENTS[rnd % len(CLIENTS):] + CLIENTS[:rnd % len(CLIENTS)]
            for c in order:
                ticks0, cpu0 = cpu_ticks(proc.pid), time.process_time_ns()
                calls(c, n, P["samples"][c])
                P["client_cpu_ns"][c] += time.process_time_ns() - cpu0
                P["agent_ticks"][c] += cpu_ticks(proc.pid) - ticks0
    except Misbehaviour as e:
        errors.append(str(e))
    except (cloud_agent.CloudAgentError, cloud_agent.AgentConnectionError) as e:
        errors.append("a client call failed: %s" % e)
    finally:
        if sync_agent is not None:
            sync_agent.close()
        if async_agent is not None:
            loop.run_until_complete(async_agent.close())
        loop.close()
        raw.close()
        try:
            stop_agent(proc)
        except Misbehaviour as e:
            errors.append(str(e))
    P["stats"] = {c: stats(s) for c, s in P["samples"].items() if s}
    P["stderr_bytes"] = os.path.getsize(errpath)
    return P, errors


def rows(P):
    S = P["stats"]
    out = []
    for c in CLIENTS:
        if c not in S:
            continue
        s = S[c]
        over = "—" if c == "raw" else "+%.1f µs (×%.2f)" % (s["median"] - S["raw"]["median"], s["median"] / S["raw"]["median"])
        out.append((LABELS[c], "%.1f" % s["median"], "%.1f" % s["p90"], "%.1f" % s["min"], over,
                    "%.0f" % (P["client_cpu_ns"][c] / 1e3 / s["n"]),
                    "%.0f" % (P["agent_ticks"][c] * 1e6 / P["hz"] / s["n"])))
    return out


HEADERS = ("client", "median µs", "p90 µs", "min µs", "over raw (median)", "Python CPU µs/call",
           "agent CPU µs/call")


def section(P, binary, git, md_table, errors):
    lines = [HEADING, ""]
    lines.append("Generated by `python3 bench/run.py --client` (or a full run). `getCluster` on `local` "
                 "through `clients/python` next to raw JSON lines on the socket, interleaved in one run.")
    lines.append("")
    lines.append("- Date: %s; Python %s; %s CPUs" % (P["started"], P["python"], os.cpu_count()))
    lines.append("- Binary: `%s`; source %s" % (os.path.relpath(binary, REPO) if binary.startswith(REPO) else binary, git))
    lines.append("- Parameters: %d timed calls per client in %d rounds (order rotating), %d warm-up calls each"
                 % (P["calls"], P["rounds"], P["warmup"]))
    lines.append("")
    r = rows(P)
    if r:
        lines.append(md_table(HEADERS, r))
        lines.append("")
    if errors:
        lines.append("### Agent misbehaviour (Python client)")
        lines.append("")
        lines.extend("- " + e for e in errors)
        lines.append("")
    lines.append("### Method (Python client)")
    lines.append("")
    lines.append(
        "One `cloud-agent serve --socket PATH --log-level error` (empty XDG_STATE_HOME/XDG_CONFIG_HOME), one cluster "
        "`%s` created on the built-in `local` provider and waited for; then three connections to that agent: the raw "
        "floor (each request one `sendall` of a JSON line, then `recv` until a newline and `json.loads`, id and result "
        "checked), `cloud_agent.Agent` (sync: the call is registered with a future, written under a lock, and its "
        "response read by the client's reader thread) and `cloud_agent.AsyncAgent` (one event loop; each call awaited "
        "in turn). Every call is sequential and timed from before the request to the parsed result (perf_counter_ns); "
        "every result is checked (name, status `active`). \"over raw\" is the client's median minus the floor's median "
        "and their ratio. Python CPU is this process's `time.process_time` (all its threads) over that client's calls; "
        "agent CPU is utime + stime from `/proc/PID/stat` (clock ticks of 1/%d s, so coarse) over the same calls."
        % (CLUSTER, P["hz"]))
    lines.append("")
    return "\n".join(lines)
