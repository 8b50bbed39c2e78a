#!/usr/bin/env python3
"""Benchmark for the cloud-agent JSON-RPC 2.0 agent.

Measures, in one run:
  1. start-up time (spawn -> `initialize` response read), 20 runs;
  2. sequential `ping` round-trip latency over stdio and over a Unix socket;
  3. pipelined `ping` throughput over stdio and over a Unix socket;
  4. peak RSS (VmHWM) of the agent after the pipelined run;
  5. waits: 1,000 concurrent `waitClusterReady` on a slow `local` provider in
     one agent (10 clusters x 100 waits, then 1,000 clusters x 1 wait): the
     agent's peak RSS, its CPU per minute of waiting, and its poll counts from
     `debug.stats` (`--waits` runs only this, `--no-waits` skips it);
  6. aws: `getCluster` through the agent's `aws` provider against one local
     moto server (scripts/moto-server, signature checking on), interleaved
     with `aws eks describe-cluster`, boto3 `describe_cluster` and a raw
     SigV4-signed HTTP request as the floor (`--aws` runs only this,
     `--no-aws` skips it). Only ever talks to moto on 127.0.0.1;
  7. python client: `getCluster` on `local` through clients/python's
     `cloud_agent` (sync and asyncio) next to raw JSON lines on the same
     agent's socket, interleaved (bench/python_client.py; `--client` runs only
     this, `--no-client` skips it).

It also measures 1-4 against `cat` (an echo that does no work) as a
"harness floor": the cost of Python + pipes + process wake-ups on its own.

Prints a table and writes bench/RESULTS.md (a part not run this time is kept
from the existing file).  Exits 0 unless the agent
misbehaves (wrong, missing or duplicate responses, crash, hang, non-zero exit);
a missed target is reported, never fatal.  Exit 1 = agent misbehaviour,
exit 2 = could not build / find the binary, bad usage, or (`--aws` or
`--client` only) that benchmark could not be set up.

Standard library only (Python 3.9+), except part 6, which needs boto3 and
moto[server] (for scripts/moto-server), and measures the aws CLI when `aws` is
on PATH; when part 6 cannot be set up, a full run skips it (keeping its
section) and `--aws` exits 2.
"""

import argparse
import datetime
import functools
import gc
import http.client
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import python_client

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SCRATCH = ".build-bench"
DEFAULT_BINARY = os.path.join(REPO, DEFAULT_SCRATCH, "release", "cloud-agent")
DEFAULT_RESULTS = os.path.join(REPO, "bench", "RESULTS.md")

# Targets (figure -> threshold); "met"/"not met" only, never fatal.
TARGET_STARTUP_MS = 20.0
TARGET_P50_US = 100.0
TARGET_RPS = 50_000.0

# Watchdog limits (seconds). If exceeded the agent is killed and reported as hung.
STARTUP_TIMEOUT = 10.0
PHASE_TIMEOUT = 300.0         # whole sequential or pipelined phase
STALL_TIMEOUT = 10.0          # no response at all for this long = hung
EXIT_TIMEOUT = 5.0
SOCKET_WAIT = 5.0

LEARN_ID = 987654321          # id of the ping used to learn the response layout
SYNC_ID = 987654322           # id of the ping sent after the pipelined run
SEQ_BASE = 1_000_000          # ids of sequential pings: SEQ_BASE + k
PIPE_BASE = 10_000_000        # ids of pipelined pings: PIPE_BASE + k

INIT_REQ = b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}\n'
NL = b"\n"

perf = time.perf_counter_ns


class AgentError(Exception):
    """The agent did something the interface contract does not allow."""


# --------------------------------------------------------------------------
# Helpers


def ping_req(i):
    return b'{"jsonrpc":"2.0","id":%d,"method":"ping"}\n' % i


def canonical_ping_resp(i):
    return b'{"jsonrpc":"2.0","id":%d,"result":{}}' % i


def short(b, n=300):
    s = b.decode("utf-8", "replace") if isinstance(b, (bytes, bytearray)) else str(b)
    return s if len(s) <= n else s[:n] + "...(%d chars)" % len(s)


def decode_msg(line):
    try:
        obj = json.loads(line)
    except ValueError as e:
        raise AgentError("response is not valid JSON (%s): %r" % (e, short(line)))
    if not isinstance(obj, dict):
        raise AgentError("response is not a JSON object: %r" % short(line))
    if obj.get("jsonrpc") != "2.0":
        raise AgentError('response lacks "jsonrpc":"2.0": %r' % short(line))
    return obj


def is_int_id(v):
    return isinstance(v, int) and not isinstance(v, bool)


def check_ping_response(line, want_id):
    """Slow path. True if `line` is the ping response for want_id; False if it is
    a notification (no id) that may be skipped; raises AgentError otherwise."""
    obj = decode_msg(line)
    if "id" not in obj and "method" in obj:
        return False  # server -> client notification; tolerated, skipped
    rid = obj.get("id")
    if "error" in obj:
        raise AgentError("ping id %s answered with an error: %r" % (want_id, short(line)))
    if not is_int_id(rid) or rid != want_id:
        raise AgentError("expected response to id %d, got id %r: %r" % (want_id, rid, short(line)))
    if obj.get("result") != {}:
        raise AgentError("ping id %d: result is not {}: %r" % (want_id, short(line)))
    return True


def ping_id_of(line):
    """Slow path for the pipelined reader: the id of a valid ping response, or None
    for a notification; raises AgentError otherwise."""
    obj = decode_msg(line)
    if "id" not in obj and "method" in obj:
        return None
    rid = obj.get("id")
    if "error" in obj:
        raise AgentError("ping answered with an error: %r" % short(line))
    if not is_int_id(rid):
        raise AgentError("response with a non-integer id: %r" % short(line))
    if obj.get("result") != {}:
        raise AgentError("ping id %d: result is not {}: %r" % (rid, short(line)))
    return rid


def learn_template(line, rid):
    """Split a valid ping response around its id digits, so later responses can
    be checked with a bytes comparison instead of json.loads."""
    digits = b"%d" % rid
    parts = line.split(digits)
    if len(parts) != 2:
        return None
    prefix, suffix = parts
    if (prefix[-1:].isdigit() or suffix[:1].isdigit()):
        return None
    try:
        if not check_ping_response(prefix + b"13579" + suffix, 13579):
            return None
    except AgentError:
        return None
    return prefix, suffix


def percentile(sorted_vals, p):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_vals:
        return float("nan")
    k = max(1, math.ceil(p / 100.0 * len(sorted_vals)))
    return sorted_vals[k - 1]


class Watchdog:
    """Kills `proc` if the `with` block is still running after `seconds`."""

    def __init__(self, proc, seconds):
        self.proc = proc
        self.seconds = seconds
        self.fired = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def _fire(self):
        self.fired = True
        try:
            self.proc.kill()
        except OSError:
            pass

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc):
        self._timer.cancel()
        return False


class StallWatchdog:
    """Kills `proc` if progress() stops changing for `stall` seconds, or the
    `with` block runs longer than `total` seconds."""

    def __init__(self, proc, progress, stall=STALL_TIMEOUT, total=PHASE_TIMEOUT):
        self.proc = proc
        self.progress = progress
        self.stall = stall
        self.total = total
        self.fired = None  # reason string once fired
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-watchdog", daemon=True)

    def _run(self):
        start = last_change = time.monotonic()
        last = self.progress()
        while not self._stop.wait(0.25):
            now = time.monotonic()
            cur = self.progress()
            if cur != last:
                last, last_change = cur, now
            if now - last_change >= self.stall:
                self.fired = "no progress for %.0f s" % self.stall
            elif now - start >= self.total:
                self.fired = "phase not finished after %.0f s" % self.total
            if self.fired:
                try:
                    self.proc.kill()
                except OSError:
                    pass
                return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        return False


def stderr_tail(path, n=20):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return ""
    lines = data.decode("utf-8", "replace").splitlines()
    return "\n".join(lines[-n:])


def read_status(pid):
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for ln in f:
                if ln.startswith(("VmHWM:", "VmRSS:")):
                    k, v = ln.split(":", 1)
                    out[k] = int(v.split()[0])  # kB
    except OSError:
        pass
    return out


def write_all_fd(fd, data):
    mv = memoryview(data)
    while mv:
        n = os.write(fd, mv)
        mv = mv[n:]


# --------------------------------------------------------------------------
# Endpoints: a spawned process plus a (write, read) byte channel to it.


class Endpoint:
    """One running process and the channel the benchmark talks to it over."""

    def __init__(self, label, proc, errfile, is_agent=True):
        self.label = label
        self.proc = proc
        self.errfile = errfile
        self.is_agent = is_agent
        self.buf = b""
        self.write = None      # small writes (one line)
        self.write_big = None  # large writes (pipelined chunks)
        self.read = None       # read(n) -> bytes, b"" on EOF

    def describe_death(self):
        rc = self.proc.poll()
        msg = ""
        if rc is not None:
            if rc < 0:
                msg = " (process died from signal %d)" % -rc
            else:
                msg = " (process exited with code %d)" % rc
        tail = stderr_tail(self.errfile) if self.errfile else ""
        if tail:
            msg += "\n    stderr tail:\n    " + tail.replace("\n", "\n    ")
        return msg

    def read_line(self, timeout, what):
        with Watchdog(self.proc, timeout) as wd:
            try:
                while True:
                    i = self.buf.find(NL)
                    if i >= 0:
                        line = self.buf[:i]
                        self.buf = self.buf[i + 1:]
                        return line
                    chunk = self.read(65536)
                    if not chunk:
                        break
                    self.buf += chunk
            except OSError:
                pass
        if wd.fired:
            raise AgentError("%s: no complete line within %.0f s while waiting for %s; agent hung (killed)"
                             % (self.label, timeout, what))
        raise AgentError("%s: connection closed while waiting for %s%s" % (self.label, what, self.describe_death()))

    def kill(self):
        if self.proc.poll() is None:
            try:
                self.proc.kill()
            except OSError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass


def spawn_stdio(binary, label, errfile):
    proc = subprocess.Popen([binary, "serve", "--log-level", "error"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=errfile, bufsize=0)
    ep = Endpoint(label, proc, errfile.name)
    wfd, rfd = proc.stdin.fileno(), proc.stdout.fileno()
    ep.write = functools.partial(os.write, wfd)
    ep.write_big = functools.partial(write_all_fd, wfd)
    ep.read = functools.partial(os.read, rfd)
    return ep


def spawn_cat(label):
    proc = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, bufsize=0)
    ep = Endpoint(label, proc, None, is_agent=False)
    wfd, rfd = proc.stdin.fileno(), proc.stdout.fileno()
    ep.write = functools.partial(os.write, wfd)
    ep.write_big = functools.partial(write_all_fd, wfd)
    ep.read = functools.partial(os.read, rfd)
    return ep


def spawn_socket(binary, label, errfile, sock_path, env=None):
    # stdin is a pipe kept open (and unused) so that an agent that also watches
    # stdin does not see EOF; stdout is discarded.
    proc = subprocess.Popen([binary, "serve", "--socket", sock_path, "--log-level", "error"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errfile, bufsize=0, env=env)
    ep = Endpoint(label, proc, errfile.name)
    deadline = time.monotonic() + SOCKET_WAIT
    sock = None
    last_err = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AgentError("%s: agent exited before listening on %s%s" % (label, sock_path, ep.describe_death()))
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(sock_path)
            sock = s
            break
        except OSError as e:
            last_err = e
            s.close()
            time.sleep(0.005)
    if sock is None:
        ep.kill()
        raise AgentError("%s: could not connect to %s within %.0f s (last error: %s)"
                         % (label, sock_path, SOCKET_WAIT, last_err))
    ep.sock = sock
    ep.write = sock.sendall
    ep.write_big = sock.sendall
    ep.read = sock.recv
    return ep


def initialize(ep):
    ep.write(INIT_REQ)
    while True:
        line = ep.read_line(STARTUP_TIMEOUT, "the initialize response")
        obj = decode_msg(line)
        if "id" not in obj and "method" in obj:
            continue
        if obj.get("id") != 1 or "error" in obj or not isinstance(obj.get("result"), dict):
            raise AgentError("%s: bad initialize response: %r" % (ep.label, short(line)))
        return obj["result"]


def stop_stdio(ep):
    """Close stdin; the agent must exit 0 and have written nothing more."""
    ep.proc.stdin.close()
    extra = b""
    with Watchdog(ep.proc, EXIT_TIMEOUT) as wd:
        try:
            while True:
                chunk = ep.read(65536)
                if not chunk:
                    break
                extra += chunk
        except OSError:
            pass
        try:
            rc = ep.proc.wait(EXIT_TIMEOUT + 1)
        except subprocess.TimeoutExpired:
            rc = None
    ep.proc.stdout.close()
    if wd.fired or rc is None:
        ep.kill()
        raise AgentError("%s: agent did not exit within %.0f s of stdin EOF (killed)" % (ep.label, EXIT_TIMEOUT))
    if ep.buf.strip() or extra.strip():
        raise AgentError("%s: unexpected output after the last response: %r" % (ep.label, short(ep.buf + extra)))
    if ep.is_agent and rc != 0:
        tail = stderr_tail(ep.errfile) if ep.errfile else ""
        raise AgentError("%s: agent exited with code %d after stdin EOF (expected 0)%s"
                         % (ep.label, rc, ("; stderr tail:\n" + tail) if tail else ""))


def stop_socket(ep):
    """Close the connection, SIGTERM the agent; it must exit 0."""
    try:
        ep.sock.close()
    except OSError:
        pass
    ep.proc.send_signal(signal.SIGTERM)
    try:
        rc = ep.proc.wait(EXIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        ep.kill()
        raise AgentError("%s: agent did not exit within %.0f s of SIGTERM (killed)" % (ep.label, EXIT_TIMEOUT))
    finally:
        try:
            ep.proc.stdin.close()
        except OSError:
            pass
    if rc != 0:
        raise AgentError("%s: agent exited with code %d after SIGTERM (expected 0)%s"
                         % (ep.label, rc, ep.describe_death()))


# --------------------------------------------------------------------------
# Measurements


def startup_once(argv, validate, errfile):
    """Spawn, send initialize, read one line. Returns elapsed ns."""
    t0 = perf()
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=errfile if errfile else subprocess.DEVNULL, bufsize=0)
    wfd, rfd = proc.stdin.fileno(), proc.stdout.fileno()
    os.write(wfd, INIT_REQ)
    buf = b""
    with Watchdog(proc, STARTUP_TIMEOUT) as wd:
        try:
            while True:
                chunk = os.read(rfd, 65536)
                if not chunk:
                    break
                buf += chunk
                i = buf.find(NL)
                if i >= 0:
                    break
        except OSError:
            pass
    t1 = perf()
    i = buf.find(NL)
    ep = Endpoint("start-up", proc, errfile.name if errfile else None, is_agent=validate)
    ep.read = functools.partial(os.read, rfd)
    if i < 0:
        if wd.fired:
            ep.kill()
            raise AgentError("start-up: no initialize response within %.0f s; agent hung (killed)" % STARTUP_TIMEOUT)
        ep.kill()
        raise AgentError("start-up: stdout closed before the initialize response%s" % ep.describe_death())
    line, ep.buf = buf[:i], buf[i + 1:]
    result = None
    if validate:
        obj = decode_msg(line)
        if obj.get("id") != 1 or "error" in obj or not isinstance(obj.get("result"), dict):
            ep.kill()
            raise AgentError("start-up: bad initialize response: %r" % short(line))
        result = obj["result"]
    stop_stdio(ep)
    return t1 - t0, result


def bench_startup(argv, runs, validate, errfile):
    startup_once(argv, validate, errfile)  # discarded warm-up run
    samples = []
    result = None
    for _ in range(runs):
        ns, result = startup_once(argv, validate, errfile)
        samples.append(ns / 1e6)
    return {
        "median": statistics.median(samples),
        "min": min(samples),
        "max": max(samples),
        "runs": runs,
        "samples": samples,
        "init_result": result,
    }


def learn(ep):
    """Send one ping and learn the byte layout of ping responses."""
    ep.write(ping_req(LEARN_ID))
    while True:
        line = ep.read_line(STARTUP_TIMEOUT, "the response to ping id %d" % LEARN_ID)
        if check_ping_response(line, LEARN_ID):
            return learn_template(line, LEARN_ID)


def bench_sequential(ep, warmup, samples_n, tmpl, make_req):
    total = warmup + samples_n
    ids = [SEQ_BASE + k for k in range(total)]
    reqs = [make_req(i) for i in ids]
    if tmpl:
        prefix, suffix = tmpl
        expected = [prefix + (b"%d" % i) + suffix for i in ids]
    else:
        expected = [None] * total
    samples = [0] * total
    write, read = ep.write, ep.read
    buf = ep.buf
    find = bytes.find
    error = None
    prog = [0]
    k = 0
    gc_was = gc.isenabled()
    gc.disable()
    with StallWatchdog(ep.proc, lambda: prog[0]) as wd:
        try:
            for k in range(total):
                prog[0] = k
                req = reqs[k]
                exp = expected[k]
                t0 = perf()
                write(req)
                while True:
                    i = find(buf, NL)
                    if i < 0:
                        chunk = read(65536)
                        if not chunk:
                            raise EOFError
                        buf += chunk
                        continue
                    line = buf[:i]
                    buf = buf[i + 1:]
                    if line == exp or check_ping_response(line, ids[k]):
                        break
                t1 = perf()
                samples[k] = t1 - t0
        except (EOFError, OSError):
            if wd.fired:
                error = AgentError("%s: sequential ping %d/%d (id %d) got no response (%s); agent hung (killed)"
                                   % (ep.label, k + 1, total, ids[k], wd.fired))
            else:
                error = AgentError("%s: connection closed during sequential ping %d/%d%s"
                                   % (ep.label, k + 1, total, ep.describe_death()))
        finally:
            if gc_was:
                gc.enable()
    ep.buf = buf
    if error:
        raise error
    s = sorted(x / 1000.0 for x in samples[warmup:])
    return {
        "p50": percentile(s, 50),
        "p90": percentile(s, 90),
        "p99": percentile(s, 99),
        "p999": percentile(s, 99.9),
        "min": s[0],
        "max": s[-1],
        "mean": sum(s) / len(s),
        "n": len(s),
        "warmup": warmup,
    }


def bench_pipelined(ep, n, tmpl, lines_per_write, make_req):
    reqs = [make_req(PIPE_BASE + k) for k in range(n)]
    chunks = [b"".join(reqs[j:j + lines_per_write]) for j in range(0, n, lines_per_write)]
    del reqs
    if tmpl:
        prefix, suffix = tmpl
    else:
        prefix, suffix = b"\x00never", b"\x00never"
    plen, slen = len(prefix), len(suffix)
    seen = bytearray(n)
    st = {"count": 0, "t_first": None, "t_last": None, "rerr": None, "werr": None, "extra": b""}
    write_big, read = ep.write_big, ep.read

    def writer():
        try:
            st["t_first"] = perf()
            for c in chunks:
                write_big(c)
        except OSError as e:
            st["werr"] = e

    def reader():
        buf = ep.buf
        count = 0
        try:
            while count < n:
                chunk = read(1 << 20)
                if not chunk:
                    break
                buf += chunk
                st["count"] = count
                lines = buf.split(NL)
                buf = lines.pop()
                for line in lines:
                    if line.startswith(prefix) and line.endswith(suffix):
                        mid = line[plen:len(line) - slen]
                        if mid.isdigit():
                            rid = int(mid)
                        else:
                            rid = ping_id_of(line)
                    else:
                        rid = ping_id_of(line)
                        if rid is None:
                            continue  # notification
                    idx = rid - PIPE_BASE
                    if idx < 0 or idx >= n:
                        raise AgentError("%s: pipelined: response with unexpected id %d" % (ep.label, rid))
                    if seen[idx]:
                        raise AgentError("%s: pipelined: duplicate response for id %d" % (ep.label, rid))
                    seen[idx] = 1
                    count += 1
                    if count == n:
                        st["t_last"] = perf()
        except AgentError as e:
            st["rerr"] = e
        except OSError as e:
            st["rerr"] = e
        st["count"] = count
        ep.buf = buf

    gc_was = gc.isenabled()
    gc.disable()
    try:
        with StallWatchdog(ep.proc, lambda: st["count"]) as wd:
            rt = threading.Thread(target=reader, name="bench-reader", daemon=True)
            wt = threading.Thread(target=writer, name="bench-writer", daemon=True)
            rt.start()
            wt.start()
            wt.join()
            rt.join()
    finally:
        if gc_was:
            gc.enable()
    count = st["count"]
    if isinstance(st["rerr"], AgentError):
        raise st["rerr"]
    if count != n:
        missing = [PIPE_BASE + k for k in range(n) if not seen[k]]
        how = ("agent hung: %s, killed" % wd.fired) if wd.fired \
            else ("connection closed%s" % ep.describe_death())
        raise AgentError("%s: pipelined: only %d of %d responses arrived (%s); first missing ids: %s%s"
                         % (ep.label, count, n, how, missing[:10],
                            ("; writer error: %s" % st["werr"]) if st["werr"] else ""))
    if st["werr"]:
        raise AgentError("%s: pipelined: write failed: %s" % (ep.label, st["werr"]))
    elapsed = (st["t_last"] - st["t_first"]) / 1e9
    return {"rps": n / elapsed, "seconds": elapsed, "n": n, "lines_per_write": lines_per_write}


def sync_check(ep):
    """After the pipelined run, one more ping: the next response must be its
    response (anything else is a stray or extra response)."""
    ep.write(ping_req(SYNC_ID))
    while True:
        line = ep.read_line(STARTUP_TIMEOUT, "the response to ping id %d (sent after the pipelined run)" % SYNC_ID)
        try:
            if check_ping_response(line, SYNC_ID):
                return
        except AgentError as e:
            raise AgentError("%s: after the pipelined run: %s" % (ep.label, e))


def run_session(ep, args, with_rss, res):
    """Fills `res` phase by phase, so a late failure keeps earlier figures."""
    try:
        return _run_session(ep, args, with_rss, res)
    except AgentError as e:
        msg = str(e)
        if not msg.startswith(ep.label + ":"):
            raise AgentError("%s: %s" % (ep.label, msg))
        raise


def _run_session(ep, args, with_rss, res):
    """initialize, learn layout, sequential, pipelined, sync, RSS."""
    if ep.is_agent:
        initialize(ep)
        tmpl = learn(ep)
        res["template"] = tmpl
        make_req = ping_req
    else:
        # `cat` echoes: send it the expected *response* lines, so the harness
        # reads and checks exactly what it would read from the agent.
        tmpl = (b'{"jsonrpc":"2.0","id":', b',"result":{}}')
        make_req = lambda i: canonical_ping_resp(i) + NL  # noqa: E731
    if with_rss:
        res["rss_before"] = read_status(ep.proc.pid)
    res["seq"] = bench_sequential(ep, args.warmup, args.samples, tmpl, make_req)
    res["pipe"] = bench_pipelined(ep, args.requests, tmpl, args.lines_per_write, make_req)
    if ep.is_agent:
        sync_check(ep)
    if with_rss:
        res["rss_after"] = read_status(ep.proc.pid)
    return res


def run_cat_session(args, res):
    ep = spawn_cat("cat floor")
    try:
        run_session(ep, args, False, res)
        stop_stdio(ep)
    except AgentError:
        ep.kill()
        raise
    return res


def run_ping_benchmark(binary, args, R, errors, errfile, tmpdir, log):
    """Start-up, round trip, throughput and RSS (stdio and socket), plus the `cat` floor.
    Fills R; appends agent misbehaviour to errors."""
    # 1. start-up
    log("start-up: %d runs ..." % args.startup_runs)
    with errfile("startup") as ef:
        try:
            R["startup"] = bench_startup([binary, "serve", "--log-level", "error"], args.startup_runs, True, ef)
        except AgentError as e:
            errors.append(e)
    if not args.no_floor and shutil.which("cat"):
        try:
            R["cat_startup"] = bench_startup(["cat"], args.startup_runs, False, None)
        except AgentError as e:
            log("note: cat floor start-up failed: %s" % e)

    # 2-4. stdio session
    log("stdio: %d+%d sequential pings, %d pipelined ..." % (args.warmup, args.samples, args.requests))
    with errfile("stdio") as ef:
        ep = spawn_stdio(binary, "stdio", ef)
        try:
            R["stdio"] = {}
            run_session(ep, args, True, R["stdio"])
            stop_stdio(ep)
        except AgentError as e:
            errors.append(e)
            ep.kill()

    # 2-4. socket session
    log("socket: %d+%d sequential pings, %d pipelined ..." % (args.warmup, args.samples, args.requests))
    sock_path = os.path.join(tmpdir, "agent.sock")
    with errfile("socket") as ef:
        ep = None
        try:
            ep = spawn_socket(binary, "socket", ef, sock_path)
            R["socket"] = {}
            run_session(ep, args, True, R["socket"])
            stop_socket(ep)
        except AgentError as e:
            errors.append(e)
            if ep:
                ep.kill()

    # harness floor
    if not args.no_floor and shutil.which("cat"):
        log("cat floor ...")
        try:
            R["cat"] = {}
            run_cat_session(args, R["cat"])
        except AgentError as e:
            log("note: cat floor failed: %s" % e)


# --------------------------------------------------------------------------
# Waits: many concurrent `waitClusterReady` on a slow `local` provider, one agent


WAIT_PROVIDER = "bench"
CONTROL_BASE = 100                # ids of control calls (initialize, configureProvider, debug.stats)
CREATE_BASE = 2_000_000           # ids of createCluster requests: CREATE_BASE + cluster index
WAIT_BASE = 3_000_000             # ids of waitClusterReady requests: WAIT_BASE + k
WAIT_STALL_TIMEOUT = 30.0         # nothing at all read for this long = hung (heartbeats come every 10 s)
CONTROL_TIMEOUT = 60.0
CREATE_SECONDS_AT_SCALE_1 = 3.0   # control plane 2 s + node pool 1 s at timeScale 1
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
TARGET_WAIT_RSS_MB = 60.0         # decimal MB: 60,000,000 bytes
TARGET_CPU_PER_MIN = 1.0          # agent CPU seconds per minute of waiting


def read_cpu_ticks(pid):
    """utime + stime of a process (all its threads), in clock ticks; None if it is gone."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(b")") + 2:].split()  # fields[0] is field 3 (state)
    return int(fields[11]) + int(fields[12])       # fields 14 (utime) and 15 (stime)


def reset_peak_rss(pid):
    """Resets VmHWM to the current RSS (Linux >= 4.0: write 5 to clear_refs). True if it worked."""
    try:
        with open("/proc/%d/clear_refs" % pid, "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def own_cpu_seconds():
    t = os.times()
    return t.user + t.system


class WaitSession:
    """A `cloud-agent serve` (stdio) plus a reader thread that reads everything the agent
    writes, all the time: responses to control calls and creates, responses to the waits, and
    `$/progress` notifications (each parsed, checked against the protocol's ordering rules,
    counted, then discarded)."""

    def __init__(self, binary, label, errfile, env):
        self.label = label
        self.errpath = errfile.name
        self.proc = subprocess.Popen([binary, "serve", "--log-level", "error"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=errfile, bufsize=0, env=env)
        self.wfd = self.proc.stdin.fileno()
        self.rfd = self.proc.stdout.fileno()
        self.cond = threading.Condition()
        self.replies = {}          # id -> message, for control calls and creates
        self.reply_t = {}          # id -> perf() when its response was read
        self.expected = set()      # control/create ids sent and not yet answered
        self.next_id = CONTROL_BASE
        self.bytes_read = 0
        self.eof = False
        self.error = None          # first AgentError the reader saw
        self.other_notes = 0       # notifications not about a wait
        self.wait_n = 0
        self.reader = threading.Thread(target=self._read, name="bench-wait-reader", daemon=True)
        self.reader.start()

    # -- the waits' bookkeeping (set up before the waits are sent)

    def expect_waits(self, names):
        with self.cond:
            n = len(names)
            self.wait_names = names
            self.wait_n = n
            self.notes = [0] * n          # progress notifications per wait
            self.reports = [0] * n
            self.heartbeats = [0] * n
            self.began = bytearray(n)
            self.ended = bytearray(n)
            self.answered = bytearray(n)
            self.last_note = [0] * n      # perf() of the wait's last notification
            self.max_gap = [0] * n        # longest gap between its notifications (ns), after its first report
            self.reported_waits = 0       # waits that have had at least one report
            self.answered_n = 0
            self.t_done = None            # perf() when the last wait response was read
            self.cpu_done = None          # agent CPU ticks then
            self.notes_total = 0

    def fail(self, msg):
        if self.error is None:
            self.error = AgentError("%s: %s" % (self.label, msg))

    def _read(self):
        buf = b""
        try:
            while True:
                chunk = os.read(self.rfd, 1 << 20)
                if not chunk:
                    break
                buf += chunk
                lines = buf.split(NL)
                buf = lines.pop()
                now = perf()
                with self.cond:
                    self.bytes_read += len(chunk)
                    for line in lines:
                        if line.strip():
                            self._handle(line, now)
                    self.cond.notify_all()
        except OSError:
            pass
        with self.cond:
            if buf.strip():
                self.fail("incomplete last line at EOF: %r" % short(buf))
            self.eof = True
            self.cond.notify_all()

    def _handle(self, line, now):
        try:
            obj = decode_msg(line)
        except AgentError as e:
            self.fail(str(e))
            return
        if "id" not in obj:
            if obj.get("method") != "$/progress":
                self.other_notes += 1
                return
            params = obj.get("params") if isinstance(obj.get("params"), dict) else {}
            token, value = params.get("token"), params.get("value")
            k = token - WAIT_BASE if is_int_id(token) else -1
            if not (0 <= k < self.wait_n):
                self.other_notes += 1
                return
            kind = value.get("kind") if isinstance(value, dict) else None
            if self.answered[k]:
                self.fail("wait id %d: $/progress after its response: %r" % (token, short(line)))
            elif self.ended[k]:
                self.fail("wait id %d: $/progress after its `end`: %r" % (token, short(line)))
            elif kind == "begin":
                if self.notes[k]:
                    self.fail("wait id %d: `begin` is not its first $/progress: %r" % (token, short(line)))
                self.began[k] = 1
            elif kind == "report":
                if not self.reports[k]:
                    self.reported_waits += 1
                else:
                    gap = now - self.last_note[k]
                    if gap > self.max_gap[k]:
                        self.max_gap[k] = gap
                self.reports[k] += 1
                if value.get("reason") == "heartbeat":
                    self.heartbeats[k] += 1
            elif kind == "end":
                self.ended[k] = 1
            else:
                self.fail("wait id %d: $/progress with kind %r: %r" % (token, kind, short(line)))
            self.notes[k] += 1
            self.notes_total += 1
            self.last_note[k] = now
            return
        rid = obj.get("id")
        k = rid - WAIT_BASE if is_int_id(rid) else -1
        if 0 <= k < self.wait_n:
            if self.answered[k]:
                self.fail("duplicate response to wait id %d: %r" % (rid, short(line)))
                return
            self.answered[k] = 1
            self.answered_n += 1
            res = obj.get("result")
            if "error" in obj or not isinstance(res, dict):
                self.fail("wait id %d (cluster %s) answered with an error: %r" % (rid, self.wait_names[k], short(line)))
            elif res.get("name") != self.wait_names[k] or res.get("status") != "active":
                self.fail("wait id %d: expected cluster %s with status active, got %r"
                          % (rid, self.wait_names[k], short(line)))
            if self.answered_n == self.wait_n:
                self.t_done = now
                self.cpu_done = read_cpu_ticks(self.proc.pid)
            return
        if rid not in self.expected:
            self.fail("response with an unexpected or duplicate id %r: %r" % (rid, short(line)))
            return
        self.expected.discard(rid)
        self.replies[rid] = obj
        self.reply_t[rid] = now

    # -- requests

    def send(self, data):
        try:
            write_all_fd(self.wfd, data)
        except OSError as e:
            raise AgentError("%s: write failed (%s)%s" % (self.label, e, self.describe_death()))

    def describe_death(self):
        ep = Endpoint(self.label, self.proc, self.errpath)
        return ep.describe_death()

    def check(self):
        if self.error:
            raise self.error

    def request_line(self, rid, method, params):
        return (json.dumps({"jsonrpc": "2.0", "id": rid, "method": method, "params": params},
                           separators=(",", ":")) + "\n").encode()

    def send_requests(self, items):
        """items: [(id, method, params)]; one write."""
        with self.cond:
            for rid, _, _ in items:
                self.expected.add(rid)
        self.send(b"".join(self.request_line(rid, m, p) for rid, m, p in items))

    def collect(self, ids, timeout, what):
        """Waits for the responses to `ids`; returns {id: result}; raises on an error response."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                self.check()
                if all(i in self.replies for i in ids):
                    break
                if self.eof:
                    raise AgentError("%s: connection closed while waiting for %s%s"
                                     % (self.label, what, self.describe_death()))
                left = deadline - time.monotonic()
                if left <= 0:
                    self.proc.kill()
                    raise AgentError("%s: no response within %.0f s while waiting for %s; agent hung (killed)"
                                     % (self.label, timeout, what))
                self.cond.wait(min(left, 1.0))
            out = {}
            for i in ids:
                msg = self.replies.pop(i)
                if "error" in msg or "result" not in msg:
                    raise AgentError("%s: %s: request id %s answered with an error: %r"
                                     % (self.label, what, i, short(json.dumps(msg))))
                out[i] = msg["result"]
            return out

    def call(self, method, params, timeout=CONTROL_TIMEOUT):
        self.next_id += 1
        rid = self.next_id
        self.send_requests([(rid, method, params)])
        return self.collect([rid], timeout, "the response to %s" % method)[rid]

    def stop(self):
        """Close stdin: the agent must exit 0 and write nothing more."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        self.reader.join(EXIT_TIMEOUT)
        try:
            rc = self.proc.wait(0 if self.reader.is_alive() else EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            rc = None
        if rc is None:
            self.kill()
            raise AgentError("%s: agent did not exit within %.0f s of stdin EOF (killed)" % (self.label, EXIT_TIMEOUT))
        self.check()
        if rc != 0:
            raise AgentError("%s: agent exited with code %d after stdin EOF (expected 0)%s"
                             % (self.label, rc, self.describe_death()))

    def kill(self):
        if self.proc.poll() is None:
            try:
                self.proc.kill()
            except OSError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass


def run_waits_scenario(binary, sc, args, errfile, log):
    """One scenario in one fresh agent: sc = {"key", "clusters", "per_cluster", "time_scale"}.
    Returns the figures; raises AgentError (with the figures so far in e.partial) on misbehaviour."""
    res = {"clusters": sc["clusters"], "per_cluster": sc["per_cluster"], "time_scale": sc["time_scale"],
           "waits": sc["clusters"] * sc["per_cluster"]}
    state_home = tempfile.mkdtemp(prefix="cloud-agent-bench-state-")
    config_home = tempfile.mkdtemp(prefix="cloud-agent-bench-config-")
    env = dict(os.environ, XDG_STATE_HOME=state_home, XDG_CONFIG_HOME=config_home)
    s = WaitSession(binary, "waits/" + sc["key"], errfile, env)
    try:
        _run_waits(s, sc, args, res, log)
        s.stop()
    except AgentError as e:
        s.kill()
        e.partial = res
        raise
    finally:
        s.kill()
        shutil.rmtree(state_home, ignore_errors=True)
        shutil.rmtree(config_home, ignore_errors=True)
    return res


def _run_waits(s, sc, args, res, log):
    n_clusters, per, scale = sc["clusters"], sc["per_cluster"], sc["time_scale"]
    n_waits = n_clusters * per
    expected_s = CREATE_SECONDS_AT_SCALE_1 * scale
    timeout_s = max(600.0, math.ceil(expected_s * 2 + 120))
    res["timeout_seconds"] = timeout_s
    pid = s.proc.pid

    init = s.call("initialize", {}, STARTUP_TIMEOUT)
    methods = (init.get("capabilities") or {}).get("methods") or []
    missing = [m for m in ("configureProvider", "createCluster", "waitClusterReady", "debug.stats") if m not in methods]
    if missing:
        raise AgentError("%s: the agent does not offer %s (initialize lists: %s)"
                         % (s.label, ", ".join(missing), ", ".join(methods)))
    s.call("configureProvider", {"name": WAIT_PROVIDER, "kind": "local", "timeScale": scale})

    if args.idle_seconds > 0:
        c0, t0 = read_cpu_ticks(pid), perf()
        time.sleep(args.idle_seconds)
        c1, t1 = read_cpu_ticks(pid), perf()
        res["idle"] = {"seconds": (t1 - t0) / 1e9, "cpu": (c1 - c0) / CLK_TCK}

    # Create the clusters (no wait), pipelined, and wait for all their responses.
    names = ["bench-%d" % i for i in range(n_clusters)]
    log("  %s: creating %d cluster(s) on provider %r (timeScale %g) ..." % (s.label, n_clusters, WAIT_PROVIDER, scale))
    t0 = perf()
    items = [(CREATE_BASE + i, "createCluster", {"provider": WAIT_PROVIDER, "name": names[i]}) for i in range(n_clusters)]
    s.send_requests(items)
    created = s.collect([rid for rid, _, _ in items], max(CONTROL_TIMEOUT, n_clusters * 0.5),
                        "the createCluster responses")
    res["create_seconds"] = (perf() - t0) / 1e9
    for i in range(n_clusters):
        c = created[CREATE_BASE + i]
        if not isinstance(c, dict) or c.get("name") != names[i]:
            raise AgentError("%s: createCluster %s: unexpected result %r" % (s.label, names[i], short(json.dumps(c))))
    res["created_status"] = sorted({c.get("status") for c in created.values()})
    # Creates are answered one after another: the time between responses is each create's cost.
    times = sorted(s.reply_t.pop(CREATE_BASE + i) for i in range(n_clusters))
    tenth = max(1, n_clusters // 10)
    if n_clusters >= 20:
        res["create_ms_first"] = (times[tenth - 1] - t0) / 1e6 / tenth
        res["create_ms_last"] = (times[-1] - times[-tenth - 1]) / 1e6 / tenth
    if res["create_seconds"] > expected_s * 0.5:
        log("  note: creating the clusters took %.1f s, over half of one cluster's creation time (%.0f s); "
            "use a larger time scale" % (res["create_seconds"], expected_s))

    # The waits: wait k is on cluster k mod n_clusters, all in one pipelined write.
    wait_names = [names[k % n_clusters] for k in range(n_waits)]
    s.expect_waits(wait_names)
    payload = b"".join(s.request_line(WAIT_BASE + k, "waitClusterReady",
                                      {"provider": WAIT_PROVIDER, "name": wait_names[k], "timeoutSeconds": timeout_s})
                       for k in range(n_waits))
    st_before = read_status(pid)
    res["rss_before_waits"] = st_before
    res["hwm_reset"] = reset_peak_rss(pid)
    log("  %s: sending %d waitClusterReady (%d per cluster); clusters become active ~%.0f s after creation ..."
        % (s.label, n_waits, per, expected_s))
    cpu_pre, t_pre = read_cpu_ticks(pid), perf()
    s.send(payload)
    t_sent, cpu_sent, own_sent = perf(), read_cpu_ticks(pid), own_cpu_seconds()
    res["send_seconds"] = (t_sent - t_pre) / 1e9
    res["send_cpu"] = (cpu_sent - cpu_pre) / CLK_TCK

    samples = [(t_sent, cpu_sent)]
    mid_stats = None
    last_log = t_sent
    with StallWatchdog(s.proc, lambda: s.bytes_read, stall=WAIT_STALL_TIMEOUT, total=timeout_s + 60) as wd:
        with s.cond:
            while True:
                s.check()
                if s.answered_n == n_waits:
                    break
                if s.eof:
                    how = ("agent hung: %s, killed" % wd.fired) if wd.fired else "connection closed"
                    raise AgentError("%s: only %d of %d waits answered (%s)%s"
                                     % (s.label, s.answered_n, n_waits, how, s.describe_death()))
                s.cond.wait(1.0)
                now = perf()
                if now - samples[-1][0] >= 1e9:
                    samples.append((now, read_cpu_ticks(pid)))
                if mid_stats is None and (s.reported_waits == n_waits or now - t_sent > 5e9):
                    # Every wait is subscribed (it has had a report): how many are active at once?
                    s.cond.release()
                    try:
                        mid_stats = s.call("debug.stats", {})
                        res["mid_stats_at"] = (perf() - t_sent) / 1e9
                    finally:
                        s.cond.acquire()
                if now - last_log >= 15e9:
                    last_log = now
                    log("  %s: %.0f s, %d/%d answered, %d progress notifications" %
                        (s.label, (now - t_sent) / 1e9, s.answered_n, n_waits, s.notes_total))
    t_done, cpu_done, own_done = s.t_done, s.cpu_done, own_cpu_seconds()
    st_after = read_status(pid)
    res["rss_after"] = st_after
    final_stats = s.call("debug.stats", {})

    window = (t_done - t_sent) / 1e9
    cpu = (cpu_done - cpu_sent) / CLK_TCK
    res.update({
        "window": window, "cpu": cpu, "cpu_per_min": cpu / window * 60.0 if window > 0 else float("nan"),
        "client_cpu": own_done - own_sent, "expected_seconds": expected_s,
        "hwm_lifetime_kb": max(st_before.get("VmHWM", 0), st_after.get("VmHWM", 0)),
        "hwm_waiting_kb": st_after.get("VmHWM") if res["hwm_reset"] else None,
    })
    # CPU rate after the first 10 s of the window (the burst of subscribing and first reports).
    later = [(t, c) for t, c in samples if t - t_sent >= 10e9]
    if later and window > 20:
        t10, c10 = later[0]
        res["cpu_per_min_after_10s"] = (cpu_done - c10) / CLK_TCK / ((t_done - t10) / 1e9) * 60.0
        res["cpu_first_10s"] = (c10 - cpu_sent) / CLK_TCK
    res["notes_total"] = s.notes_total
    res["other_notes"] = s.other_notes
    res["reports"] = sum(s.reports)
    res["heartbeats"] = sum(s.heartbeats)
    res["max_gap"] = max(s.max_gap) / 1e9 if s.max_gap else 0.0
    res["no_begin"] = n_waits - sum(s.began)
    res["no_end"] = n_waits - sum(s.ended)

    def provider_stats(st):
        w = (st.get("waits") or {}) if isinstance(st, dict) else {}
        p = w.get(WAIT_PROVIDER)
        if not isinstance(p, dict):
            raise AgentError("%s: debug.stats has no waits.%s: %r" % (s.label, WAIT_PROVIDER, short(json.dumps(st))))
        return p

    res["stats"] = provider_stats(final_stats)
    if mid_stats is not None:
        res["mid_stats"] = provider_stats(mid_stats)
    fs = res["stats"]
    problems = []
    if fs.get("waits") != n_waits:
        problems.append("waits is %r, expected %d" % (fs.get("waits"), n_waits))
    if fs.get("activeWaits") != 0:
        problems.append("activeWaits is %r after every wait was answered, expected 0" % fs.get("activeWaits"))
    if problems:
        raise AgentError("%s: debug.stats after the waits: %s (%s)"
                         % (s.label, "; ".join(problems), short(json.dumps(final_stats))))
    if res["no_begin"] or res["no_end"]:
        raise AgentError("%s: %d wait(s) had no `begin` and %d no `end` $/progress before their response"
                         % (s.label, res["no_begin"], res["no_end"]))


def waits_scenarios(args):
    out = []
    if not args.no_coalesced:
        per = max(1, args.wait_count // args.wait_clusters)
        out.append({"key": "coalesced", "clusters": args.wait_clusters, "per_cluster": per,
                    "time_scale": args.wait_time_scale})
    if not args.no_distinct:
        out.append({"key": "distinct", "clusters": args.wait_count, "per_cluster": 1,
                    "time_scale": args.distinct_time_scale})
    return out


def scenario_title(r):
    if r["per_cluster"] == 1:
        return "%s waits on %s distinct clusters" % (fmt_int(r["waits"]), fmt_int(r["clusters"]))
    return "%s waits: %s clusters × %s" % (fmt_int(r["waits"]), fmt_int(r["clusters"]), fmt_int(r["per_cluster"]))


def mb(kb):
    return kb * 1024 / 1e6


def build_wait_rows(W):
    rows = []
    for r in W.get("scenarios", []):
        if "window" not in r:
            continue
        title = scenario_title(r)
        hwm = r["hwm_lifetime_kb"]
        rows.append(("Agent peak RSS (VmHWM, whole run)", title,
                     "%.1f MiB (%.1f MB)" % (hwm / 1024.0, mb(hwm)),
                     "< %g MB" % TARGET_WAIT_RSS_MB, status(mb(hwm), TARGET_WAIT_RSS_MB)))
        rows.append(("Agent CPU per minute of waiting", title,
                     "%.2f s/min (%.2f s CPU in %.1f s)" % (r["cpu_per_min"], r["cpu"], r["window"]),
                     "< %g s/min" % TARGET_CPU_PER_MIN, status(r["cpu_per_min"], TARGET_CPU_PER_MIN)))
        st = r["stats"]
        polls, loops, waits = st.get("polls", 0), st.get("pollLoops", 0), st.get("waits", 0)
        if r["per_cluster"] > 1:
            target = "1 poll loop per cluster"
            ok = "met" if loops == r["clusters"] else "not met"
        else:
            target, ok = "reference (nothing to share)", "—"
        rows.append(("Polls / poll loops / waits (debug.stats)", title,
                     "%s / %s / %s (%.2f polls per wait)" % (fmt_int(polls), fmt_int(loops), fmt_int(waits),
                                                             polls / waits if waits else float("nan")),
                     target, ok))
    return rows


def waits_method_note(args):
    return (
        "Each scenario runs in its own fresh agent (`cloud-agent serve --log-level error` over stdio, "
        "`XDG_STATE_HOME` and `XDG_CONFIG_HOME` set to new empty temporary directories). The benchmark sends "
        "`initialize`, then `configureProvider {\"name\": \"%s\", \"kind\": \"local\", \"timeScale\": T}` "
        "(a cluster takes about 3×T s to become active: 2×T s control plane, 1×T s node pool), then%s creates the "
        "clusters with pipelined `createCluster {\"provider\": \"%s\", \"name\": \"bench-I\"}` (no wait) and waits "
        "for all their responses. It then writes all the `waitClusterReady {\"provider\", \"name\", "
        "\"timeoutSeconds\"}` requests (distinct ids; wait K is on cluster K mod clusters) in one pipelined write. "
        "A reader thread reads everything the agent writes the whole time: every `$/progress` notification is "
        "parsed, checked (a wait's `begin` first, its `end` last, nothing after its response) and discarded; every "
        "wait response must be its cluster with status `active`. "
        "Agent CPU is utime + stime of the agent process (all threads) from /proc/PID/stat, in clock ticks "
        "(1/%d s), from just after the write of the last wait request returned until the reader read the last wait "
        "response; it is divided by that window's wall time and multiplied by 60. "
        "Peak RSS is VmHWM from /proc/PID/status read after the last response (before the agent is stopped); the "
        "whole-run figure is the larger of VmHWM just before the waits were sent and at the end, and the "
        "waiting-only figure is VmHWM after resetting it (`echo 5 > /proc/PID/clear_refs`) just before the waits "
        "were sent. Poll counts are the provider's `debug.stats` counters after all waits were answered "
        "(`pollLoops` = loops started, `polls` = provider reads made by them); `debug.stats` is also called once "
        "during the window, after every wait has had its first progress report, to see how many waits were "
        "active at once. The agent is then stopped by closing stdin and must exit 0. One run per scenario (no "
        "medians: each run lasts about as long as a cluster's creation). The client is CPython on the same "
        "machine; its own CPU in the window is shown in the details."
        % (WAIT_PROVIDER,
           " (after measuring the idle agent's CPU for %g s)" % args.idle_seconds if args.idle_seconds > 0
           else "", WAIT_PROVIDER, CLK_TCK)
    )


def wait_details(W):
    det = []
    for r in W.get("scenarios", []):
        if "window" not in r:
            continue
        t = scenario_title(r)
        det.append("- **%s** (timeScale %g, so a cluster takes ~%.0f s; timeoutSeconds %g):"
                   % (t, r["time_scale"], r["expected_seconds"], r["timeout_seconds"]))
        det.append("  - clusters created in %.2f s (pipelined; status %s); %s wait requests written in %.3f s "
                   "(agent CPU during that write %.2f s)"
                   % (r["create_seconds"], "/".join(str(x) for x in r["created_status"]), fmt_int(r["waits"]),
                      r["send_seconds"], r["send_cpu"]))
        if "create_ms_first" in r:
            det.append("  - creates answered every %.1f ms on average over the first tenth, every %.1f ms over the "
                       "last tenth" % (r["create_ms_first"], r["create_ms_last"]))
        line = "  - waiting window %.1f s; agent CPU %.2f s (%.3f s/min)" % (r["window"], r["cpu"], r["cpu_per_min"])
        if "cpu_per_min_after_10s" in r:
            line += "; of which %.2f s in the first 10 s, then %.3f s/min" % (r["cpu_first_10s"],
                                                                          r["cpu_per_min_after_10s"])
        if "idle" in r:
            i = r["idle"]
            line += "; idle agent before creating: %.2f s CPU in %.1f s" % (i["cpu"], i["seconds"])
        det.append(line)
        rb, ra = r.get("rss_before_waits", {}), r.get("rss_after", {})
        line = ("  - memory: VmRSS %.1f MiB before the waits, %.1f MiB after; VmHWM whole run %.1f MiB"
                % (rb.get("VmRSS", 0) / 1024.0, ra.get("VmRSS", 0) / 1024.0, r["hwm_lifetime_kb"] / 1024.0))
        if r.get("hwm_waiting_kb") is not None:
            line += ", during the waits only %.1f MiB" % (r["hwm_waiting_kb"] / 1024.0)
        else:
            line += " (VmHWM could not be reset, so no waiting-only peak)"
        det.append(line)
        st = r["stats"]
        line = ("  - debug.stats `%s` after: %s"
                % (WAIT_PROVIDER, json.dumps(st, sort_keys=True, separators=(", ", ": "))))
        if r.get("mid_stats") is not None:
            line += "; %.1f s into the window: %s" % (r["mid_stats_at"],
                                                     json.dumps(r["mid_stats"], sort_keys=True, separators=(", ", ": ")))
        det.append(line)
        loops = st.get("pollLoops") or 0
        if loops:
            det.append("  - %.1f polls per poll loop (the local provider polls from timeScale × 50 ms (50 ms to 2 s) backing off to timeScale × 0.25 s (1 s to 30 s), "
                       "with jitter)" % (st.get("polls", 0) / loops))
        det.append("  - $/progress read and discarded: %s (%.1f per wait: %s reports, of which %s heartbeats); "
                   "longest gap between two notifications of one wait, as seen by the client: %.1f s%s"
                   % (fmt_int(r["notes_total"]), r["notes_total"] / r["waits"], fmt_int(r["reports"]),
                      fmt_int(r["heartbeats"]), r["max_gap"],
                      ("; %d other notifications" % r["other_notes"]) if r["other_notes"] else ""))
        det.append("  - client (CPython) CPU in the window: %.2f s" % r["client_cpu"])
    return det


def waits_section(W, args, binary, info, errors):
    lines = ["## Waits", ""]
    lines.append("Generated by `python3 bench/run.py --waits` (or a full run). Concurrent `waitClusterReady` "
                 "on a slow `local` provider in one agent.")
    lines.append("")
    lines.append("- Date: %s" % W["started"])
    lines.append("- Machine: %s CPUs (nproc), %s; kernel %s; load average at start %s"
                 % (info["nproc"], info["cpu"], info["kernel"], info["load"]))
    lines.append("- Binary: `%s`, %s bytes; source %s"
                 % (os.path.relpath(binary, REPO) if binary.startswith(REPO) else binary,
                    fmt_int(os.path.getsize(binary)), W.get("git", "unknown")))
    lines.append("- Parameters: %s" % W["params"])
    lines.append("")
    rows = build_wait_rows(W)
    if rows:
        lines.append(md_table(HEADERS_WAITS, rows))
        lines.append("")
    det = wait_details(W)
    if det:
        lines.append("Details (one run of each scenario):")
        lines.append("")
        lines.extend(det)
        lines.append("")
    if errors:
        lines.append("### Agent misbehaviour (waits)")
        lines.append("")
        for e in errors:
            lines.append("- " + str(e).replace("\n", "\n  "))
        lines.append("")
    if W.get("stderr_notes"):
        lines.append("### Agent stderr (waits, at --log-level error)")
        lines.append("")
        for n in W["stderr_notes"]:
            lines.append("- " + n)
        lines.append("")
    lines.append("### Method (waits)")
    lines.append("")
    lines.append(waits_method_note(args))
    lines.append("")
    return "\n".join(lines)


HEADERS_WAITS = ("Figure", "Scenario", "Value", "Target", "Status")


def waits_params(args):
    parts = []
    for sc in waits_scenarios(args):
        parts.append("%s: %s cluster(s) × %s wait(s), timeScale %g"
                     % (sc["key"], fmt_int(sc["clusters"]), fmt_int(sc["per_cluster"]), sc["time_scale"]))
    return "; ".join(parts) + "; idle reference %g s" % args.idle_seconds


def run_waits(binary, args, tmpdir, log):
    """Runs the waits scenarios. Returns (W, errors)."""
    W = {"scenarios": [], "git": git_rev(), "params": waits_params(args),
         "started": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()}
    errors = []
    notes = []
    for sc in waits_scenarios(args):
        log("waits/%s: %d cluster(s) × %d wait(s), timeScale %g ..."
            % (sc["key"], sc["clusters"], sc["per_cluster"], sc["time_scale"]))
        p = os.path.join(tmpdir, "waits-%s.stderr" % sc["key"])
        with open(p, "ab") as ef:
            try:
                W["scenarios"].append(run_waits_scenario(binary, sc, args, ef, log))
            except AgentError as e:
                errors.append(e)
                part = getattr(e, "partial", None)
                if part and "window" in part and "stats" in part:
                    W["scenarios"].append(part)
        try:
            size = os.path.getsize(p)
        except OSError:
            size = 0
        if size:
            notes.append("waits/%s run wrote %d bytes to stderr; last lines: `%s`"
                         % (sc["key"], size, short(stderr_tail(p, 3).replace("\n", " ⏎ "), 400)))
    W["stderr_notes"] = notes
    return W, errors


# --------------------------------------------------------------------------
# AWS: `getCluster` through the agent against one moto server, side by side with the aws CLI,
# boto3 and a raw SigV4-signed HTTP request, interleaved in rounds.


MOTO_SCRIPT = os.path.join(REPO, "scripts", "moto-server")
AWS_HEADING = "## AWS"
AWS_PROVIDER = "aws"
AWS_CLUSTER = "bench-aws"
AWS_K8S_VERSION = "1.30"
MOTO_START_TIMEOUT = 120.0    # moto-server bootstraps IAM/EC2 before printing `ready` (~4 s)
MOTO_STOP_TIMEOUT = 15.0
AWS_CALL_TIMEOUT = 30.0       # one getCluster / describe_cluster / raw request
AWS_CLI_TIMEOUT = 60.0        # one `aws eks describe-cluster` process
AWS_COUNT_CALLS = 10          # calls per client while moto's request recorder is on
AWS_ID_BASE = 5_000_000       # ids of the agent requests in this part
AWS_LOOPBACK = ("127.0.0.1",)


class SetupError(Exception):
    """The AWS benchmark could not run (boto3, moto or the aws CLI missing, moto did not start,
    a reference client failed). Not the agent's misbehaviour."""


def aws_clean_env(base):
    """`base` without any AWS_* setting of the caller: no profile, no config or credentials
    file, no instance metadata; proxies bypassed for the loopback moto endpoint."""
    env = {k: v for k, v in base.items() if not k.startswith("AWS_")}
    env["AWS_CONFIG_FILE"] = os.devnull
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    no_proxy = env.get("NO_PROXY", env.get("no_proxy", ""))
    extra = "127.0.0.1,localhost"
    env["NO_PROXY"] = env["no_proxy"] = ("%s,%s" % (no_proxy, extra)) if no_proxy else extra
    return env


class _Environ:
    """Temporarily replaces os.environ (boto3 in this process reads it)."""

    def __init__(self, env):
        self.env = env
        self.saved = None

    def __enter__(self):
        self.saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(self.env)
        return self

    def __exit__(self, *exc):
        os.environ.clear()
        os.environ.update(self.saved)
        return False


def dist_version(name):
    try:
        from importlib import metadata
        return metadata.version(name)
    except Exception:  # noqa: BLE001 - any failure: unknown
        return "unknown"


class MotoServer:
    """One `scripts/moto-server --state-file F --watch-stdin yes` (signature checking on), with
    moto's request recorder pointed at a file of ours (off until start_recording)."""

    def __init__(self, tmpdir):
        self.state_path = os.path.join(tmpdir, "moto-state.json")
        self.record_path = os.path.join(tmpdir, "moto-recording.jsonl")
        self.errpath = os.path.join(tmpdir, "moto.stderr")
        self.proc = None

    def start(self):
        if not os.access(MOTO_SCRIPT, os.X_OK):
            raise SetupError("%s is missing or not executable" % MOTO_SCRIPT)
        env = dict(os.environ, MOTO_RECORDER_FILEPATH=self.record_path)
        env.pop("MOTO_ENABLE_RECORDING", None)
        with open(self.errpath, "ab") as ef:
            self.proc = subprocess.Popen([MOTO_SCRIPT, "--state-file", self.state_path, "--watch-stdin", "yes"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=ef, env=env,
                                         bufsize=0)
        buf = b""
        t0 = perf()
        with Watchdog(self.proc, MOTO_START_TIMEOUT) as wd:
            try:
                while NL not in buf:
                    chunk = os.read(self.proc.stdout.fileno(), 4096)
                    if not chunk:
                        break
                    buf += chunk
            except OSError:
                pass
        self.start_seconds = (perf() - t0) / 1e9
        line = buf.split(NL, 1)[0].decode("utf-8", "replace").strip()
        if not line.startswith("ready "):
            self.stop()
            why = ("not ready within %.0f s (killed)" % MOTO_START_TIMEOUT) if wd.fired else \
                  ("exited with code %s" % self.proc.returncode)
            hint = " (exit 3: moto is not installed; python3 -m pip install 'moto[server]' boto3)" \
                if self.proc.returncode == 3 else ""
            raise SetupError("scripts/moto-server %s%s; stderr tail: %s"
                             % (why, hint, stderr_tail(self.errpath, 5).replace("\n", " ⏎ ")))
        endpoint = line[len("ready "):].strip()
        try:
            with open(self.state_path) as f:
                state = json.load(f)
        except (OSError, ValueError) as e:
            self.stop()
            raise SetupError("cannot read moto-server's state file: %s" % e)
        missing = [k for k in ("endpoint", "region", "accessKeyId", "secretAccessKey", "eksRoleArn", "subnets")
                   if not state.get(k)]
        if missing:
            self.stop()
            raise SetupError("moto-server's state file lacks %s" % ", ".join(missing))
        u = urllib.parse.urlsplit(endpoint)
        # Only ever the moto server we started, on the loopback interface.
        if state["endpoint"] != endpoint or u.scheme != "http" or u.hostname not in AWS_LOOPBACK or not u.port:
            self.stop()
            raise SetupError("refusing to run: moto endpoint %r is not http://127.0.0.1:PORT" % endpoint)
        self.state = state
        self.endpoint = endpoint
        self.host, self.port = u.hostname, u.port
        return state

    def moto_api(self, action):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            conn.request("POST", "/moto-api/recorder/%s" % action, body=b"")
            resp = conn.getresponse()
            body = resp.read()
        finally:
            conn.close()
        if resp.status != 200:
            raise SetupError("moto recorder %s: HTTP %d %s" % (action, resp.status, short(body, 200)))

    def record(self, fn, n):
        """Calls fn() n times with moto's request recorder on; returns the recorded
        (method, path) pairs, or None if moto recorded nothing at all."""
        self.moto_api("reset-recording")
        self.moto_api("start-recording")
        try:
            for _ in range(n):
                fn()
        finally:
            self.moto_api("stop-recording")
        out = []
        try:
            with open(self.record_path) as f:
                for ln in f:
                    if ln.strip():
                        e = json.loads(ln)
                        out.append((e.get("method"), urllib.parse.urlsplit(e.get("url") or "").path))
        except (OSError, ValueError):
            return None
        return out or None

    def stop(self):
        if self.proc is None:
            return None
        try:
            self.proc.stdin.close()    # --watch-stdin yes: EOF stops it (and it removes the state file)
        except OSError:
            pass
        try:
            rc = self.proc.wait(MOTO_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        try:
            self.proc.stdout.close()
        except OSError:
            pass
        return rc


class AgentSocketClient:
    """Sequential JSON-RPC calls over the agent's Unix socket (an Endpoint from spawn_socket)."""

    def __init__(self, ep):
        self.ep = ep
        self.next_id = AWS_ID_BASE
        ep.sock.settimeout(AWS_CALL_TIMEOUT)

    def _line(self, what):
        ep = self.ep
        while True:
            i = ep.buf.find(NL)
            if i >= 0:
                line = ep.buf[:i]
                ep.buf = ep.buf[i + 1:]
                return line
            try:
                chunk = ep.sock.recv(65536)
            except socket.timeout:
                ep.kill()
                raise AgentError("%s: no response within %.0f s while waiting for %s; agent hung (killed)"
                                 % (ep.label, AWS_CALL_TIMEOUT, what))
            except OSError:
                chunk = b""
            if not chunk:
                raise AgentError("%s: connection closed while waiting for %s%s" % (ep.label, what, ep.describe_death()))
            ep.buf += chunk

    def call(self, method, params):
        self.next_id += 1
        rid = self.next_id
        self.ep.write((json.dumps({"jsonrpc": "2.0", "id": rid, "method": method, "params": params},
                                  separators=(",", ":")) + "\n").encode())
        what = "the response to %s (id %d)" % (method, rid)
        while True:
            line = self._line(what)
            obj = decode_msg(line)
            if "id" not in obj and "method" in obj:
                continue  # a notification
            if obj.get("id") != rid:
                raise AgentError("%s: expected %s, got %r" % (self.ep.label, what, short(line)))
            if "error" in obj or "result" not in obj:
                raise AgentError("%s: %s is an error: %r" % (self.ep.label, what, short(line)))
            return obj["result"]


class RawSigV4:
    """GETs to moto on one http.client connection, each signed (SigV4, service eks) by botocore's
    SigV4Auth just before it is sent. The connection is kept for the next request when the server
    allows it; moto's werkzeug server answers `Connection: close`, so http.client reconnects
    (counted in `connects`)."""

    def __init__(self, endpoint, region, key, secret):
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        u = urllib.parse.urlsplit(endpoint)
        self.base = "%s://%s" % (u.scheme, u.netloc)
        self.signer = SigV4Auth(Credentials(key, secret), "eks", region)
        self.AWSRequest = AWSRequest
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=AWS_CALL_TIMEOUT)
        self.connects = 0
        self.requests = 0
        self.closed_by_server = 0

    def get(self, path):
        req = self.AWSRequest(method="GET", url=self.base + path)
        self.signer.add_auth(req)
        if self.conn.sock is None:
            self.connects += 1
        self.conn.request("GET", path, headers=dict(req.headers.items()))
        resp = self.conn.getresponse()
        body = resp.read()
        self.requests += 1
        if resp.will_close:
            self.closed_by_server += 1
        if resp.status != 200:
            raise SetupError("raw GET %s: HTTP %d: %s" % (path, resp.status, short(body, 200)))
        return json.loads(body)

    def close(self):
        self.conn.close()


def aws_stats(samples_ns):
    s = sorted(x / 1e6 for x in samples_ns)
    return {"median": statistics.median(s), "p90": percentile(s, 90), "min": s[0], "max": s[-1],
            "mean": sum(s) / len(s), "n": len(s)}


def split_evenly(total, parts):
    return [total * (i + 1) // parts - total * i // parts for i in range(parts)]


AWS_CLIENTS = ("agent", "cli", "boto3", "raw", "raw2")
AWS_LABELS = {
    "agent": "agent `getCluster` (Unix socket, one long-lived agent)",
    "cli": "`aws eks describe-cluster` (one process per call)",
    "boto3": "boto3 `describe_cluster` (one client, in process)",
    "raw": "raw HTTP `GET /clusters/N` (SigV4, http.client) — floor",
    "raw2": "raw HTTP, the agent's 2 requests (`GET /clusters/N` + `/node-groups`)",
}


def run_aws(binary, args, tmpdir, log):
    """The AWS benchmark. Returns (A, errors); errors are agent misbehaviour. Raises SetupError
    when it cannot run at all."""
    try:
        import boto3
        import botocore
    except ImportError as e:
        raise SetupError("boto3 is not importable (%s); python3 -m pip install boto3 'moto[server]'" % e)
    A = {"started": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
         "info": machine_info(), "git": git_rev(), "params": {}, "stats": {}, "cpu": {}, "requests": {}}
    aws_cli = shutil.which("aws")
    A["versions"] = {"boto3": boto3.__version__, "botocore": botocore.__version__,
                     "werkzeug": dist_version("werkzeug"), "python": platform.python_version()}
    if aws_cli:
        try:
            v = subprocess.run([aws_cli, "--version"], capture_output=True, text=True, timeout=60,
                               env=aws_clean_env(os.environ))
            A["versions"]["aws-cli"] = (v.stdout.strip() or v.stderr.strip()).splitlines()[0]
        except (OSError, subprocess.SubprocessError, IndexError) as e:
            raise SetupError("`aws --version` failed: %s" % e)
        A["aws_cli_path"] = aws_cli
    else:
        log("note: no `aws` on PATH: the AWS CLI is not measured")

    clean = aws_clean_env(os.environ)
    errors = []
    moto = MotoServer(tmpdir)
    agent_ep = None
    raw = None
    state_home = tempfile.mkdtemp(prefix="cloud-agent-bench-state-", dir=tmpdir)
    config_home = tempfile.mkdtemp(prefix="cloud-agent-bench-config-", dir=tmpdir)
    agent_err = os.path.join(tmpdir, "aws-agent.stderr")
    with _Environ(clean):
        try:
            log("aws: starting scripts/moto-server ...")
            st = moto.start()
            A["versions"]["moto"] = st.get("motoVersion") or dist_version("moto")
            A["moto_start_seconds"] = moto.start_seconds
            endpoint, region, name = st["endpoint"], st["region"], AWS_CLUSTER
            log("aws: moto %s ready at %s in %.1f s; creating EKS cluster %r ..."
                % (A["versions"]["moto"], endpoint, moto.start_seconds, name))

            session = boto3.session.Session(aws_access_key_id=st["accessKeyId"],
                                            aws_secret_access_key=st["secretAccessKey"], region_name=region)
            eks = session.client("eks", endpoint_url=endpoint)
            try:
                created = eks.create_cluster(name=name, version=AWS_K8S_VERSION, roleArn=st["eksRoleArn"],
                                             resourcesVpcConfig={"subnetIds": st["subnets"][:2]})["cluster"]
            except botocore.exceptions.BotoCoreError as e:
                raise SetupError("boto3 create_cluster failed: %s" % e)
            except botocore.exceptions.ClientError as e:
                raise SetupError("boto3 create_cluster failed: %s" % e)
            arn = created.get("arn")
            A["cluster"] = {"name": name, "version": AWS_K8S_VERSION, "status": created.get("status")}

            # 1. the agent: one long-lived `serve --socket`, provider `aws` pointed at moto
            agent_env = dict(clean, XDG_STATE_HOME=state_home, XDG_CONFIG_HOME=config_home)
            with open(agent_err, "ab") as ef:
                agent_ep = spawn_socket(binary, "aws/agent", ef, os.path.join(tmpdir, "aws-agent.sock"), env=agent_env)
            agent = AgentSocketClient(agent_ep)
            init = agent.call("initialize", {})
            methods = (init.get("capabilities") or {}).get("methods") or []
            missing = [m for m in ("configureProvider", "getCluster") if m not in methods]
            if missing:
                raise AgentError("aws/agent: the agent does not offer %s" % ", ".join(missing))
            agent.call("configureProvider", {"name": AWS_PROVIDER, "kind": "aws", "region": region,
                                             "endpointURL": endpoint, "accessKeyId": st["accessKeyId"],
                                             "secretAccessKey": st["secretAccessKey"]})
            agent_params = {"provider": AWS_PROVIDER, "name": name}

            def agent_call():
                r = agent.call("getCluster", agent_params)
                if not isinstance(r, dict) or r.get("name") != name:
                    raise AgentError("aws/agent: getCluster %s: unexpected result %r" % (name, short(json.dumps(r))))
                return r

            first = agent_call()
            if arn and first.get("id") != arn:
                raise AgentError("aws/agent: getCluster %s: id %r, expected the cluster ARN %r"
                                 % (name, first.get("id"), arn))
            A["agent_result"] = {k: first.get(k) for k in ("status", "version", "cloud", "provider")}
            A["agent_result"]["nodePools"] = len(first.get("nodePools") or [])

            # 3. boto3, one client
            def boto3_call():
                r = eks.describe_cluster(name=name)["cluster"]
                if r.get("name") != name:
                    raise SetupError("boto3 describe_cluster: unexpected cluster %r" % r.get("name"))

            # 4. raw HTTP, kept alive, signed per call
            raw = RawSigV4(endpoint, region, st["accessKeyId"], st["secretAccessKey"])
            path1 = "/clusters/%s" % urllib.parse.quote(name, safe="")
            path2 = "/clusters/%s/node-groups?maxResults=100" % urllib.parse.quote(name, safe="")

            def raw_call():
                if raw.get(path1)["cluster"]["name"] != name:
                    raise SetupError("raw GET %s: unexpected cluster" % path1)

            def raw2_call():
                if raw.get(path1)["cluster"]["name"] != name:
                    raise SetupError("raw GET %s: unexpected cluster" % path1)
                if not isinstance(raw.get(path2).get("nodegroups"), list):
                    raise SetupError("raw GET %s: no nodegroups list" % path2)

            # 2. the aws CLI, one process per call
            cli_env = dict(clean, AWS_ACCESS_KEY_ID=st["accessKeyId"], AWS_SECRET_ACCESS_KEY=st["secretAccessKey"],
                           AWS_CONFIG_FILE=os.devnull)
            cli_argv = [aws_cli, "eks", "describe-cluster", "--name", name, "--endpoint-url", endpoint,
                        "--region", region] if aws_cli else None
            A["cli_argv"] = "aws eks describe-cluster --name %s --endpoint-url %s --region %s" % (name, endpoint, region)

            def cli_call():
                try:
                    r = subprocess.run(cli_argv, env=cli_env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, timeout=AWS_CLI_TIMEOUT)
                except subprocess.TimeoutExpired:
                    raise SetupError("aws eks describe-cluster took more than %.0f s" % AWS_CLI_TIMEOUT)
                if r.returncode != 0:
                    raise SetupError("aws eks describe-cluster exited %d: %s"
                                     % (r.returncode, short(r.stderr.decode("utf-8", "replace").strip(), 300)))
                if json.loads(r.stdout)["cluster"]["name"] != name:
                    raise SetupError("aws eks describe-cluster: unexpected cluster")

            calls = {"agent": agent_call, "boto3": boto3_call, "raw": raw_call, "raw2": raw2_call}
            counts = {"agent": args.aws_calls, "boto3": args.aws_calls, "raw": args.aws_calls,
                      "raw2": args.aws_calls}
            if cli_argv:
                calls["cli"] = cli_call
                counts["cli"] = args.aws_cli_calls
            keys = [k for k in AWS_CLIENTS if k in calls]
            rounds = args.aws_rounds
            per_round = {k: split_evenly(counts[k], rounds) for k in keys}
            A["params"] = {"rounds": rounds, "calls": counts, "warmup": args.aws_warmup,
                           "cli_warmup": 1 if args.aws_warmup > 0 else 0}

            # warm-up (discarded): connections, caches, moto's code paths, the CLI's files
            log("aws: warm-up (%d calls per in-process client, %d CLI) ..."
                % (args.aws_warmup, A["params"]["cli_warmup"]))
            for k in keys:
                for _ in range(A["params"]["cli_warmup"] if k == "cli" else args.aws_warmup):
                    calls[k]()

            # the measured rounds: each round runs every client, in a rotating order
            samples = {k: [] for k in keys}
            cpu = {k: {"agent": 0, "moto": 0, "client": 0.0, "wall": 0} for k in keys}
            agent_pid, moto_pid = agent_ep.proc.pid, moto.proc.pid
            log("aws: %d rounds: %s ..." % (rounds, ", ".join("%s %d" % (k, counts[k]) for k in keys)))
            for r in range(rounds):
                order = keys[r % len(keys):] + keys[:r % len(keys)]
                for k in order:
                    n = per_round[k][r]
                    if not n:
                        continue
                    fn, out = calls[k], samples[k]
                    gc.collect()
                    gc.disable()
                    try:
                        t_own = os.times()
                        a0, m0, w0 = read_cpu_ticks(agent_pid), read_cpu_ticks(moto_pid), perf()
                        for _ in range(n):
                            t0 = perf()
                            fn()
                            out.append(perf() - t0)
                        a1, m1, w1 = read_cpu_ticks(agent_pid), read_cpu_ticks(moto_pid), perf()
                        t_own1 = os.times()
                    finally:
                        gc.enable()
                    c = cpu[k]
                    c["agent"] += (a1 - a0) if a0 is not None and a1 is not None else 0
                    c["moto"] += (m1 - m0) if m0 is not None and m1 is not None else 0
                    if k == "cli":
                        c["client"] += (t_own1.children_user + t_own1.children_system
                                        - t_own.children_user - t_own.children_system)
                    else:
                        c["client"] += t_own1.user + t_own1.system - t_own.user - t_own.system
                    c["wall"] += w1 - w0
            for k in keys:
                A["stats"][k] = aws_stats(samples[k])
                n = len(samples[k])
                A["cpu"][k] = {"agent_ms": cpu[k]["agent"] / CLK_TCK * 1000.0 / n,
                               "moto_ms": cpu[k]["moto"] / CLK_TCK * 1000.0 / n,
                               "client_ms": cpu[k]["client"] * 1000.0 / n}
            A["raw_connects"], A["raw_requests"], A["raw_closed"] = raw.connects, raw.requests, raw.closed_by_server
            A["agent_idle"] = {"ticks": sum(cpu[k]["agent"] for k in keys if k != "agent"),
                               "seconds": sum(cpu[k]["wall"] for k in keys if k != "agent") / 1e9}

            # HTTP requests moto receives per call, from moto's request recorder (off while timing)
            log("aws: counting the HTTP requests moto receives per call (%d calls each, recorder on) ..."
                % AWS_COUNT_CALLS)
            for k in keys:
                n = 1 if k == "cli" else AWS_COUNT_CALLS
                rec = moto.record(calls[k], n)
                if rec is None:
                    A["requests"][k] = None
                    continue
                kinds = {}
                for m, p in rec:
                    p = p.replace("/" + urllib.parse.quote(name, safe=""), "/N", 1)
                    kinds["%s %s" % (m, p)] = kinds.get("%s %s" % (m, p), 0) + 1
                A["requests"][k] = {"calls": n, "total": len(rec), "kinds": kinds}
        except AgentError as e:
            errors.append(e)
        finally:
            if raw is not None:
                raw.close()
            if agent_ep is not None:
                if agent_ep.proc.poll() is None:
                    try:
                        stop_socket(agent_ep)
                    except AgentError as e:
                        errors.append(e)
                else:
                    agent_ep.kill()
            A["moto_exit"] = moto.stop()
            shutil.rmtree(state_home, ignore_errors=True)
            shutil.rmtree(config_home, ignore_errors=True)
    notes = []
    try:
        size = os.path.getsize(agent_err)
    except OSError:
        size = 0
    if size:
        notes.append("aws/agent wrote %d bytes to stderr; last lines: `%s`"
                     % (size, short(stderr_tail(agent_err, 3).replace("\n", " ⏎ "), 400)))
    A["stderr_notes"] = notes
    return A, errors


def fmt_ms(x):
    return "%.2f ms" % x if x < 100 else "%.0f ms" % x


def aws_requests_text(req):
    if not req:
        return "not counted"
    per = req["total"] / req["calls"]
    return ("%d" % per) if req["total"] % req["calls"] == 0 else "%.1f" % per


HEADERS_AWS = ("Client", "HTTP requests to moto per call", "Median", "p90", "Min", "Calls",
               "Client CPU per call", "moto CPU per call")


def build_aws_rows(A):
    rows = []
    for k in AWS_CLIENTS:
        s = A["stats"].get(k)
        if not s:
            continue
        c = A["cpu"].get(k, {})
        own = c.get("agent_ms") if k == "agent" else c.get("client_ms")
        rows.append((AWS_LABELS[k], aws_requests_text(A["requests"].get(k)), fmt_ms(s["median"]), fmt_ms(s["p90"]),
                     fmt_ms(s["min"]), fmt_int(s["n"]),
                     ("%s (%s)" % (fmt_ms(own), CPU_OWNER[k])) if own is not None else "—",
                     fmt_ms(c["moto_ms"]) if "moto_ms" in c else "—"))
    return rows


CPU_OWNER = {"agent": "the agent", "cli": "the aws process", "boto3": "Python", "raw": "Python", "raw2": "Python"}


def aws_ratio_lines(A):
    S = A["stats"]
    out = []
    ag = S.get("agent")
    if not ag:
        return out
    m = ag["median"]
    if S.get("cli"):
        c = S["cli"]["median"]
        out.append("agent / aws CLI (medians): %.3f (%s against %s: the CLI takes %.0f× as long)"
                   % (m / c, fmt_ms(m), fmt_ms(c), c / m))
    if S.get("boto3"):
        b = S["boto3"]["median"]
        out.append("agent / boto3 (medians): %.2f (%s against %s)" % (m / b, fmt_ms(m), fmt_ms(b)))
    if S.get("raw"):
        r = S["raw"]["median"]
        out.append("agent overhead over the raw request (1 request): %+.2f ms (agent median − raw median), "
                   "ratio %.2f" % (m - r, m / r))
    if S.get("raw2"):
        r = S["raw2"]["median"]
        out.append("agent overhead over the same 2 raw requests: %+.2f ms, ratio %.2f" % (m - r, m / r))
    return out


def aws_detail_lines(A):
    det = []
    ar = A.get("agent_result")
    if ar:
        det.append("getCluster on the aws provider makes DescribeCluster (`GET /clusters/N`) + ListNodegroups "
                   "(`GET /clusters/N/node-groups`) + one DescribeNodegroup per node group; the benchmark cluster "
                   "has %d node group(s), so %s. The CLI, boto3 and the raw floor make one DescribeCluster."
                   % (ar["nodePools"], "2 requests per getCluster" if ar["nodePools"] == 0
                      else "%d requests per getCluster" % (2 + ar["nodePools"])))
    req = A.get("requests") or {}
    parts = []
    for k in AWS_CLIENTS:
        r = req.get(k)
        if r:
            parts.append("%s %s in %d call(s) (%s)" % (k, fmt_int(r["total"]), r["calls"],
                                                       ", ".join("%s × %d" % (p, n) for p, n in sorted(r["kinds"].items()))))
        elif k in req:
            parts.append("%s: nothing recorded" % k)
    if parts:
        det.append("requests moto received, counted with moto's request recorder after the timed rounds: "
                   + "; ".join(parts))
    for k in AWS_CLIENTS:
        s = A["stats"].get(k)
        if not s:
            continue
        c = A["cpu"].get(k, {})
        line = ("%s: n=%s, min %s, median %s, mean %s, p90 %s, max %s; CPU per call: moto %.2f ms"
                % (k, fmt_int(s["n"]), fmt_ms(s["min"]), fmt_ms(s["median"]), fmt_ms(s["mean"]), fmt_ms(s["p90"]),
                   fmt_ms(s["max"]), c.get("moto_ms", 0)))
        if k == "agent":
            line += ", agent %.2f ms, benchmark client %.2f ms" % (c.get("agent_ms", 0), c.get("client_ms", 0))
        elif k == "cli":
            line += ", the aws process %.0f ms" % c.get("client_ms", 0)
        else:
            line += ", this Python process %.2f ms" % c.get("client_ms", 0)
        det.append(line)
    if "raw_connects" in A:
        det.append("moto's server (werkzeug) closes the connection after every response (`Connection: close` "
                   "on %s of the raw floors' %s requests, warm-up included; %s TCP connections opened), so no client "
                   "can keep a connection alive: every request to moto, from any client, opens a new loopback TCP "
                   "connection" % (fmt_int(A["raw_closed"]), fmt_int(A["raw_requests"]), fmt_int(A["raw_connects"])))
    ai = A.get("agent_idle")
    if ai and ai["seconds"] > 0:
        det.append("agent CPU while the other clients ran (the agent idle): %.2f s in %.1f s"
                   % (ai["ticks"] / CLK_TCK, ai["seconds"]))
    if ar:
        det.append("agent's view of the cluster: status %s, version %s" % (ar.get("status"), ar.get("version")))
    if "moto_start_seconds" in A:
        det.append("moto-server start (bootstrap included) %.1f s; exit status after stdin EOF %s"
                   % (A["moto_start_seconds"], A.get("moto_exit")))
    return det


def aws_versions_text(A):
    v = A["versions"]
    parts = ["aws-cli: %s%s" % (v["aws-cli"], " (`%s`)" % A["aws_cli_path"] if A.get("aws_cli_path") else "")
             if v.get("aws-cli") else "aws-cli: not found (not measured)",
             "boto3 %s" % v.get("boto3"), "botocore %s" % v.get("botocore"), "moto %s" % v.get("moto", "?"),
             "werkzeug %s" % v.get("werkzeug"), "CPython %s" % v.get("python")]
    return "; ".join(parts)


def aws_params_text(A):
    p = A["params"]
    if not p:
        return "—"
    c = p["calls"]
    return ("%d round(s); per client %s; warm-up %d call(s) per in-process client and %d CLI call(s), discarded"
            % (p["rounds"], ", ".join("%s %s" % (k, fmt_int(c[k])) for k in AWS_CLIENTS if k in c), p["warmup"],
               p["cli_warmup"]))


def aws_method_note(moto_version):
    return (
        "One moto server (`scripts/moto-server --state-file F --watch-stdin yes`: moto %s with SigV4 signature "
        "checking on, on 127.0.0.1; stopped by closing its stdin) and one EKS cluster, `%s`, created with boto3 "
        "(`create_cluster(name, version=\"%s\", roleArn=eksRoleArn, resourcesVpcConfig={\"subnetIds\": subnets[:2]})`, "
        "no node groups). Every client uses the keys moto-server bootstrapped, with every `AWS_*` variable of the "
        "caller removed, `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` = /dev/null and proxies bypassed for "
        "127.0.0.1. The clients: (1) one long-lived `cloud-agent serve --socket PATH --log-level error` (the "
        "release build; its own empty `XDG_STATE_HOME`/`XDG_CONFIG_HOME`) configured with `configureProvider "
        "{\"name\": \"aws\", \"kind\": \"aws\", \"region\", \"endpointURL\", \"accessKeyId\", \"secretAccessKey\"}`, "
        "then sequential `getCluster {\"provider\": \"aws\", \"name\"}` over one Unix-socket connection (each "
        "response parsed, its name checked; the first one's `id` must be the cluster ARN); (2) `aws eks "
        "describe-cluster --name N --endpoint-url E --region R`, one process per call as a shell script would run "
        "it, keys in `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, its JSON output parsed; (3) boto3 "
        "`describe_cluster(name=N)` on one client created once (default botocore configuration); (4) the floor: "
        "`GET /clusters/N` with `http.client` on one `HTTPConnection` (kept alive where the server allows it; "
        "moto's werkzeug server sends `Connection: close`, so it reconnects for each request, as every client "
        "must), signed for each call by botocore's `SigV4Auth` (service eks), the JSON body parsed; and (5) the "
        "same with the agent's two requests "
        "(`GET /clusters/N` then `GET /clusters/N/node-groups?maxResults=100`). After a discarded warm-up, the "
        "calls run in rounds; each round runs a share of every client's calls, one client after the other, the "
        "order rotating from round to round, so that noise on the machine falls on all of them alike. A call's "
        "latency is `time.perf_counter_ns` around it (request out to response parsed; for the CLI, spawn to "
        "exit), with Python's garbage collector off during a client's batch (collected between batches). "
        "Percentiles are nearest-rank. CPU per call is CPU time (user + system) over a client's timed batches "
        "divided by its calls: moto's and the agent's from /proc/PID/stat (clock ticks of 1/%d s), the "
        "benchmark's own Python process's from os.times() (for boto3 and the raw floors: the client's CPU, signing "
        "and parsing included), the aws processes' from os.times() children times. After the timed rounds, moto's request recorder (`/moto-api/recorder/`, off while "
        "timing) records %d calls of each client (1 of the CLI) to count the HTTP requests moto receives per call. "
        "moto does the same work for every client's DescribeCluster, so the differences are the clients' own "
        "cost plus, for the agent, its second request (ListNodegroups)."
        % (moto_version, AWS_CLUSTER, AWS_K8S_VERSION, CLK_TCK, AWS_COUNT_CALLS)
    )


def aws_section(A, binary, errors):
    info = A["info"]
    lines = [AWS_HEADING, ""]
    lines.append("Generated by `python3 bench/run.py --aws` (or a full run). `getCluster` through the agent's "
                 "`aws` provider against moto, next to the AWS CLI, boto3 and a raw signed HTTP request, "
                 "interleaved in one run.")
    lines.append("")
    lines.append("- Date: %s" % A["started"])
    lines.append("- Machine: %s CPUs (nproc), %s; kernel %s; load average at start %s"
                 % (info["nproc"], info["cpu"], info["kernel"], info["load"]))
    lines.append("- Binary: `%s`, %s bytes; source %s"
                 % (os.path.relpath(binary, REPO) if binary.startswith(REPO) else binary,
                    fmt_int(os.path.getsize(binary)), A.get("git", "unknown")))
    lines.append("- Versions: %s" % aws_versions_text(A))
    lines.append("- Parameters: %s" % aws_params_text(A))
    lines.append("")
    rows = build_aws_rows(A)
    if rows:
        lines.append(md_table(HEADERS_AWS, rows))
        lines.append("")
    rl = aws_ratio_lines(A)
    if rl:
        lines.append("Ratios:")
        lines.append("")
        lines.extend("- " + x for x in rl)
        lines.append("")
    det = aws_detail_lines(A)
    if det:
        lines.append("Details:")
        lines.append("")
        lines.extend("- " + x for x in det)
        lines.append("")
    if errors:
        lines.append("### Agent misbehaviour (AWS)")
        lines.append("")
        for e in errors:
            lines.append("- " + str(e).replace("\n", "\n  "))
        lines.append("")
    if A.get("stderr_notes"):
        lines.append("### Agent stderr (AWS, at --log-level error)")
        lines.append("")
        for n in A["stderr_notes"]:
            lines.append("- " + n)
        lines.append("")
    lines.append("### Method (AWS)")
    lines.append("")
    lines.append(aws_method_note(A["versions"].get("moto", "?")))
    lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Build, machine info, reporting


def build(args):
    cmd = ["swift", "build", "-c", "release", "--scratch-path", DEFAULT_SCRATCH]
    print("$ (cd %s && %s)" % (REPO, " ".join(cmd)), file=sys.stderr, flush=True)
    t0 = time.monotonic()
    try:
        rc = subprocess.call(cmd, cwd=REPO, stdout=sys.stderr, stderr=sys.stderr)
    except OSError as e:
        print("build failed: %s" % e, file=sys.stderr)
        return False
    print("build finished in %.1f s (exit %d)" % (time.monotonic() - t0, rc), file=sys.stderr, flush=True)
    return rc == 0


def machine_info():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for ln in f:
                if ln.lower().startswith("model name"):
                    cpu = ln.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count()
    u = os.uname()
    try:
        with open("/proc/loadavg") as f:
            load = " ".join(f.read().split()[:3])
    except OSError:
        load = "unknown"
    return {"nproc": nproc, "cpu": cpu, "kernel": "%s %s %s" % (u.sysname, u.release, u.machine),
            "python": platform.python_version(), "load": load}


def swift_version():
    try:
        out = subprocess.run(["swift", "--version"], capture_output=True, text=True, timeout=30).stdout
        return out.strip().splitlines()[0] if out.strip() else None
    except (OSError, subprocess.SubprocessError):
        return None


def git_rev():
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                             text=True, timeout=10)
        if out.returncode == 0:
            rev = out.stdout.strip()
            dirty = subprocess.run(["git", "status", "--porcelain", "--", "Sources", "Package.swift"],
                                   cwd=REPO, capture_output=True, text=True, timeout=10).stdout.strip()
            return rev + (" (+ uncommitted changes)" if dirty else "")
        return "no commit yet (working tree)"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def fmt_int(x):
    return "{:,}".format(int(round(x)))


def status(value, target, lower_is_better=True):
    if value is None:
        return "not measured"
    ok = value < target if lower_is_better else value >= target
    return "met" if ok else "not met"


def build_rows(R):
    """Rows: (figure, transport, value, target, status)."""
    rows = []
    su = R.get("startup")
    if su:
        rows.append(("Start-up to initialize response, median of %d" % su["runs"], "stdio",
                     "%.2f ms (min %.2f, max %.2f)" % (su["median"], su["min"], su["max"]),
                     "< %g ms" % TARGET_STARTUP_MS, status(su["median"], TARGET_STARTUP_MS)))
    else:
        rows.append(("Start-up to initialize response", "stdio", "failed", "< %g ms" % TARGET_STARTUP_MS,
                     "not measured"))
    for key, tr in (("stdio", "stdio"), ("socket", "socket")):
        s = R.get(key, {}).get("seq")
        rows.append(("Ping round trip p50 (sequential)", tr, "%.1f µs" % s["p50"] if s else "failed",
                     "< %g µs" % TARGET_P50_US, status(s["p50"] if s else None, TARGET_P50_US)))
    for key, tr in (("stdio", "stdio"), ("socket", "socket")):
        s = R.get(key, {}).get("seq")
        rows.append(("Ping round trip p99 (sequential)", tr, "%.1f µs" % s["p99"] if s else "failed", "—", "—"))
    for key, tr in (("stdio", "stdio"), ("socket", "socket")):
        p = R.get(key, {}).get("pipe")
        rows.append(("Pipelined ping throughput", tr, "%s req/s" % fmt_int(p["rps"]) if p else "failed",
                     "≥ %s req/s" % fmt_int(TARGET_RPS),
                     status(p["rps"] if p else None, TARGET_RPS, lower_is_better=False)))
    for key, tr in (("stdio", "stdio"), ("socket", "socket")):
        r = R.get(key, {}).get("rss_after", {})
        v = r.get("VmHWM")
        rows.append(("Agent peak RSS (VmHWM) after pipelined run", tr,
                     "%.1f MiB" % (v / 1024.0) if v is not None else "n/a", "—", "—"))
    csu = R.get("cat_startup")
    cs = R.get("cat", {}).get("seq")
    cp = R.get("cat", {}).get("pipe")
    if csu:
        rows.append(("Harness floor: spawn `cat` + echo one line, median", "stdio (cat)",
                     "%.2f ms (min %.2f, max %.2f)" % (csu["median"], csu["min"], csu["max"]),
                     "reference", "—"))
    if cs:
        rows.append(("Harness floor: round trip p50 / p99", "stdio (cat)",
                     "%.1f / %.1f µs" % (cs["p50"], cs["p99"]), "reference", "—"))
    if cp:
        rows.append(("Harness floor: pipelined throughput", "stdio (cat)",
                     "%s lines/s" % fmt_int(cp["rps"]), "reference", "—"))
    return rows


def text_table(headers, rows):
    widths = [max(len(str(r[i])) for r in [headers] + rows) for i in range(len(headers))]
    sep = "  "
    out = [sep.join(str(h).ljust(w) for h, w in zip(headers, widths)).rstrip(),
           sep.join("-" * w for w in widths)]
    for r in rows:
        out.append(sep.join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    return "\n".join(out)


def md_table(headers, rows):
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |")
    return "\n".join(out)


HEADERS = ("Figure", "Transport", "Value", "Target", "Status")


def method_note(args):
    return (
        "Everything was measured in one run of `bench/run.py` against a release build "
        "(`swift build -c release --scratch-path .build-bench`), each agent started with `--log-level error`. "
        "Start-up is the wall time from just before `subprocess.Popen([bin, \"serve\", \"--log-level\", \"error\"])` "
        "until the `initialize` response line has been read (one discarded warm-up spawn, then %d timed runs; "
        "each agent is then stopped by closing stdin and must exit 0). "
        "Round trip is sequential `ping` (write one request, read until its response line, repeat), timed with "
        "`time.perf_counter_ns` around the raw `os.write`/`os.read` (stdio) or `sendall`/`recv` (Unix socket) calls "
        "with the benchmark's own line buffering and pre-encoded requests; %d warm-up pings, then %s samples, "
        "nearest-rank percentiles. Throughput is %s pipelined `ping`s written by one thread in chunks of %d lines "
        "while another thread reads and counts responses; the rate is count / (first write to last response read), "
        "and every id must come back exactly once (matched by id, any order), followed by one more ping that must "
        "be the next line. Peak RSS is VmHWM from /proc/PID/status read after the pipelined run, before the agent "
        "is stopped (stdio: EOF on stdin, socket: SIGTERM; both must exit 0). "
        "The client is CPython, so its own overhead (syscall wrappers, the GIL, parsing responses, thread "
        "switches) is part of every figure, and on a small machine the client and the agent compete for CPUs; "
        "the `cat` rows run the identical harness against `cat` echoing pre-formed response lines, giving the floor "
        "the harness itself can reach on this machine — the agent's own cost is roughly the difference."
        % (args.startup_runs, args.warmup, fmt_int(args.samples), fmt_int(args.requests), args.lines_per_write)
    )


def ping_report(R, args, binary, errors, info, started):
    """The ping part of RESULTS.md (everything before `## Waits`)."""
    lines = []
    lines.append("# cloud-agent benchmark results")
    lines.append("")
    lines.append("Generated by `python3 bench/run.py`. Do not edit by hand; re-run the benchmark.")
    lines.append("")
    lines.append("- Date: %s" % started)
    lines.append("- Machine: %s CPUs (nproc), %s; kernel %s; load average at start %s"
                 % (info["nproc"], info["cpu"], info["kernel"], info["load"]))
    lines.append("- Binary: `%s`, %s bytes (%.2f MiB)" % (os.path.relpath(binary, REPO) if binary.startswith(REPO)
                                                        else binary, fmt_int(R["binary_size"]),
                                                        R["binary_size"] / 1048576.0))
    if R.get("swift"):
        lines.append("- Toolchain: %s" % R["swift"])
    lines.append("- Source: %s" % R.get("git", "unknown"))
    lines.append("- Client: CPython %s" % info["python"])
    if R.get("startup", {}).get("init_result") is not None:
        lines.append("- `initialize` result: `%s`" % short(json.dumps(R["startup"]["init_result"],
                                                                       separators=(",", ":")), 200))
    lines.append("")
    lines.append("## Figures")
    lines.append("")
    lines.append(md_table(HEADERS, build_rows(R)))
    lines.append("")
    det = []
    for key in ("stdio", "socket", "cat"):
        s = R.get(key, {}).get("seq")
        p = R.get(key, {}).get("pipe")
        label = {"cat": "stdio (cat floor)"}.get(key, key)
        if s:
            det.append("- %s round trip (µs, n=%s): min %.1f, p50 %.1f, p90 %.1f, p99 %.1f, p99.9 %.1f, max %.1f, mean %.1f"
                       % (label, fmt_int(s["n"]), s["min"], s["p50"], s["p90"], s["p99"], s["p999"], s["max"],
                          s["mean"]))
        if p:
            det.append("- %s pipelined: %s requests in %.3f s" % (label, fmt_int(p["n"]), p["seconds"]))
        rb = R.get(key, {}).get("rss_before", {})
        ra = R.get(key, {}).get("rss_after", {})
        if rb and ra:
            det.append("- %s agent memory: VmRSS %.1f MiB after initialize, VmRSS %.1f MiB / VmHWM %.1f MiB "
                       "after pipelined run" % (label, rb.get("VmRSS", 0) / 1024.0, ra.get("VmRSS", 0) / 1024.0,
                                                ra.get("VmHWM", 0) / 1024.0))
    su = R.get("startup")
    if su:
        det.append("- start-up samples (ms): " + ", ".join("%.2f" % x for x in su["samples"]))
    if det:
        lines.append("Details:")
        lines.append("")
        lines.extend(det)
        lines.append("")
    if errors:
        lines.append("## Agent misbehaviour")
        lines.append("")
        for e in errors:
            lines.append("- " + str(e).replace("\n", "\n  "))
        lines.append("")
    if R.get("stderr_notes"):
        lines.append("## Agent stderr (at --log-level error)")
        lines.append("")
        for n in R["stderr_notes"]:
            lines.append("- " + n)
        lines.append("")
    lines.append("## Method")
    lines.append("")
    lines.append(method_note(args))
    lines.append("")
    return "\n".join(lines)


WAITS_HEADING = "## Waits"
SECTION_HEADINGS = (WAITS_HEADING, AWS_HEADING, python_client.HEADING)   # sections after the ping part, in file order


def split_results(path):
    """The parts of an existing RESULTS.md: {"ping": ..., "## Waits": ..., "## AWS": ...}, each the
    text or None. A section runs from its heading line to the next of these headings (or the end);
    the ping part is everything before the first of them."""
    parts = {"ping": None}
    parts.update((h, None) for h in SECTION_HEADINGS)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return parts
    key, cur = "ping", []
    for ln in text.split("\n"):
        if ln.rstrip() in SECTION_HEADINGS:
            parts[key] = "\n".join(cur).rstrip("\n") + "\n" if "\n".join(cur).strip() else None
            key, cur = ln.rstrip(), []
        cur.append(ln)
    parts[key] = "\n".join(cur).rstrip("\n") + "\n" if "\n".join(cur).strip() else None
    return parts


def write_results(path, ping_text, waits_text, aws_text=None, client_text=None):
    """Writes RESULTS.md; a part that was not measured in this run is kept from the existing file."""
    old = split_results(path)
    ping_text = ping_text or old["ping"] or ("# cloud-agent benchmark results\n\n"
                                             "Generated by `python3 bench/run.py`. Do not edit by hand; re-run the "
                                             "benchmark.\n")
    text = ping_text.rstrip("\n") + "\n"
    for heading, new in zip(SECTION_HEADINGS, (waits_text, aws_text, client_text)):
        sec = new or old[heading]
        if sec:
            text += "\n" + sec.rstrip("\n") + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


# --------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description="Benchmark the cloud-agent JSON-RPC agent (see bench/README.md).")
    ap.add_argument("--binary", help="use this cloud-agent binary (implies --no-build)")
    ap.add_argument("--no-build", action="store_true", help="do not run swift build; use %s"
                    % os.path.relpath(DEFAULT_BINARY, REPO))
    ap.add_argument("--results", default=DEFAULT_RESULTS, help="where to write the Markdown report "
                    "(default: bench/RESULTS.md)")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--waits", action="store_true",
                      help="run only the waits benchmark (the other figures in RESULTS.md are kept)")
    mode.add_argument("--no-waits", action="store_true",
                      help="skip the waits benchmark (its section in RESULTS.md is kept)")
    mode.add_argument("--aws", action="store_true",
                      help="run only the AWS benchmark (getCluster through the agent against moto, next to the "
                           "aws CLI, boto3 and a raw signed request; the other figures in RESULTS.md are kept)")
    ap.add_argument("--no-aws", action="store_true",
                    help="skip the AWS benchmark (its section in RESULTS.md is kept)")
    mode.add_argument("--client", action="store_true",
                      help="run only the Python client benchmark (getCluster on local through clients/python "
                           "next to raw JSON lines; the other figures in RESULTS.md are kept)")
    ap.add_argument("--no-client", action="store_true",
                    help="skip the Python client benchmark (its section in RESULTS.md is kept)")
    g = ap.add_argument_group("ping benchmark (start-up, round trip, throughput)")
    g.add_argument("--startup-runs", type=int, default=20)
    g.add_argument("--warmup", type=int, default=500)
    g.add_argument("--samples", type=int, default=10_000)
    g.add_argument("--requests", type=int, default=100_000)
    g.add_argument("--lines-per-write", type=int, default=1000)
    g.add_argument("--no-floor", action="store_true", help="skip the `cat` harness-floor measurements")
    g = ap.add_argument_group("waits benchmark (concurrent waitClusterReady on a slow local provider)")
    g.add_argument("--wait-time-scale", type=float, default=20.0, metavar="T",
                   help="timeScale of the local provider: a cluster becomes active ~3*T s after creation "
                        "(default 20, ~60 s; 1 for a quick run)")
    g.add_argument("--distinct-time-scale", type=float, default=60.0, metavar="T",
                   help="timeScale for the distinct-clusters scenario (default 60, ~180 s: creating 1,000 "
                        "clusters takes about a minute, and they must all still be creating when the waits start)")
    g.add_argument("--wait-count", type=int, default=1000, help="waits per scenario (default 1000)")
    g.add_argument("--wait-clusters", type=int, default=10,
                   help="clusters shared by the waits in the coalesced scenario (default 10)")
    g.add_argument("--no-coalesced", action="store_true", help="skip the coalesced scenario")
    g.add_argument("--no-distinct", action="store_true",
                   help="skip the scenario with one wait per cluster (--wait-count clusters)")
    g.add_argument("--idle-seconds", type=float, default=3.0,
                   help="measure the idle agent's CPU for this long first, as a reference (0 = skip)")
    g = ap.add_argument_group("AWS benchmark (needs boto3 and moto[server], measures the aws CLI if on PATH; talks only to a local moto)")
    g.add_argument("--aws-calls", type=int, default=200,
                   help="timed calls of the agent, of boto3 and of each raw floor (default 200)")
    g.add_argument("--aws-cli-calls", type=int, default=20,
                   help="timed `aws eks describe-cluster` processes (default 20)")
    g.add_argument("--aws-rounds", type=int, default=10,
                   help="rounds the calls are spread over, clients interleaved (default 10)")
    g.add_argument("--aws-warmup", type=int, default=20,
                   help="discarded warm-up calls per in-process client (the CLI gets 1; default 20)")
    g = ap.add_argument_group("Python client benchmark (clients/python against raw JSON lines on one socket agent)")
    g.add_argument("--client-calls", type=int, default=5000,
                   help="timed getCluster calls per client (default 5000)")
    g.add_argument("--client-rounds", type=int, default=10,
                   help="rounds the calls are spread over, clients interleaved (default 10)")
    g.add_argument("--client-warmup", type=int, default=200,
                   help="discarded warm-up calls per client (default 200)")
    args = ap.parse_args()
    if args.client and args.no_client:
        ap.error("--client and --no-client contradict each other")
    if min(args.client_calls, args.client_rounds) < 1 or args.client_warmup < 0:
        ap.error("the --client-* counts must be positive")
    if args.aws and args.no_aws:
        ap.error("--aws and --no-aws contradict each other")
    if min(args.aws_calls, args.aws_cli_calls, args.aws_rounds) < 1 or args.aws_warmup < 0:
        ap.error("the --aws-* counts must be positive")
    if min(args.startup_runs, args.samples, args.requests, args.lines_per_write) < 1 or args.warmup < 0:
        ap.error("counts must be positive")
    if args.wait_count < 1 or args.wait_clusters < 1 or args.wait_clusters > args.wait_count:
        ap.error("--wait-count and --wait-clusters must be positive, with clusters <= waits")
    for t in (args.wait_time_scale, args.distinct_time_scale):
        if t is not None and not (0 < t <= 10_000):
            ap.error("time scales must be more than 0 and at most 10000")
    if args.idle_seconds < 0:
        ap.error("--idle-seconds must not be negative")
    only_one = args.waits or args.aws or args.client
    run_ping_part = not only_one
    run_waits_part = (args.waits or not (args.no_waits or only_one)) and bool(waits_scenarios(args))
    run_aws_part = args.aws or not (args.no_aws or only_one)
    run_client_part = args.client or not (args.no_client or only_one)

    started = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()

    if args.binary:
        binary = os.path.abspath(args.binary)
    else:
        binary = DEFAULT_BINARY
        if not args.no_build and not build(args):
            print("error: swift build failed; nothing measured", file=sys.stderr)
            return 2
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print("error: no executable at %s" % binary, file=sys.stderr)
        return 2

    info = machine_info()
    R = {"binary_size": os.path.getsize(binary), "swift": swift_version(), "git": git_rev()}
    errors = []
    wait_errors = []
    W = None
    aws_errors = []
    A = None
    aws_setup_error = None
    P = None
    client_errors = []
    client_setup_error = None
    tmpdir = tempfile.mkdtemp(prefix="cloud-agent-bench-")
    errpaths = {}

    def errfile(name):
        p = os.path.join(tmpdir, name + ".stderr")
        errpaths[name] = p
        return open(p, "ab")

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    try:
        if run_ping_part:
            run_ping_benchmark(binary, args, R, errors, errfile, tmpdir, log)
        if run_waits_part:
            W, wait_errors = run_waits(binary, args, tmpdir, log)
        if run_aws_part:
            try:
                A, aws_errors = run_aws(binary, args, tmpdir, log)
            except SetupError as e:
                aws_setup_error = e
                log("aws: cannot run the AWS benchmark: %s" % e)
        if run_client_part:
            try:
                P, client_errors = python_client.run(binary, args, tmpdir, log)
            except python_client.SetupError as e:
                client_setup_error = e
                log("python client: cannot run its benchmark: %s" % e)
    finally:
        notes = []
        for name, p in errpaths.items():
            try:
                size = os.path.getsize(p)
            except OSError:
                size = 0
            if size:
                notes.append("%s run wrote %d bytes to stderr; last lines: `%s`"
                             % (name, size, short(stderr_tail(p, 3).replace("\n", " ⏎ "), 400)))
        R["stderr_notes"] = notes
        shutil.rmtree(tmpdir, ignore_errors=True)

    print()
    print("cloud-agent benchmark  %s" % started)
    print("machine: %s CPUs, %s, %s, load %s" % (info["nproc"], info["cpu"], info["kernel"], info["load"]))
    print("binary:  %s (%.2f MiB)" % (binary, R["binary_size"] / 1048576.0))
    if run_ping_part:
        print()
        print(text_table(HEADERS, build_rows(R)))
        print()
        for n in R["stderr_notes"]:
            print("note: " + n)
        if errors:
            print("AGENT MISBEHAVIOUR:")
            for e in errors:
                print("  - " + str(e))
    if W is not None:
        print()
        print("waits (%s):" % W["params"])
        print()
        rows = build_wait_rows(W)
        if rows:
            print(text_table(HEADERS_WAITS, rows))
            print()
        for d in wait_details(W):
            print(d.replace("**", ""))
        for n in W["stderr_notes"]:
            print("note: " + n)
        if wait_errors:
            print("AGENT MISBEHAVIOUR (waits):")
            for e in wait_errors:
                print("  - " + str(e))
    if A is not None:
        print()
        print("aws (%s):" % aws_params_text(A))
        print("versions: %s; %s CPUs" % (aws_versions_text(A), A["info"]["nproc"]))
        print()
        rows = build_aws_rows(A)
        if rows:
            print(text_table(HEADERS_AWS, [tuple(str(c).replace("`", "") for c in r) for r in rows]))
            print()
        for x in aws_ratio_lines(A):
            print(x)
        for x in aws_detail_lines(A):
            print("- " + x.replace("`", ""))
        for n in A["stderr_notes"]:
            print("note: " + n)
        if aws_errors:
            print("AGENT MISBEHAVIOUR (aws):")
            for e in aws_errors:
                print("  - " + str(e))
    if aws_setup_error is not None:
        print()
        print("aws: not measured: %s%s" % (aws_setup_error, " (the AWS section of %s is kept)"
                                           % os.path.basename(args.results)))
    if P is not None:
        print()
        print("python client (getCluster on local, %d calls per client, %d rounds):" % (P["calls"], P["rounds"]))
        print()
        print(text_table(python_client.HEADERS, [tuple(str(c).replace("`", "") for c in r)
                                                 for r in python_client.rows(P)]))
        if client_errors:
            print("AGENT MISBEHAVIOUR (python client):")
            for e in client_errors:
                print("  - " + str(e))
    if client_setup_error is not None:
        print()
        print("python client: not measured: %s" % client_setup_error)
    write_results(args.results,
                  ping_report(R, args, binary, errors, info, started) if run_ping_part else None,
                  waits_section(W, args, binary, info, wait_errors) if W is not None else None,
                  aws_section(A, binary, aws_errors) if A is not None else None,
                  python_client.section(P, binary, R["git"], md_table, client_errors) if P is not None else None)
    print("wrote %s" % os.path.abspath(args.results))
    if errors or wait_errors or aws_errors or client_errors:
        return 1
    if (args.aws and aws_setup_error is not None) or (args.client and client_setup_error is not None):
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
