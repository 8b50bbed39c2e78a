// Test fixtures: finding the cloud-agent binary, per-test state directories, and the two
// transports (a spawned stdio agent, and a `serve --socket` agent the test starts and stops).
// Kept outside test/ so that `node --test clients/typescript/test/` does not run it as a test file.

import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { connectAgent, spawnAgent } from '../index.js';

export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = resolve(PACKAGE_DIR, '..', '..');

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The cloud-agent binary: $CLOUD_AGENT_BIN, else <repo>/.build/debug/cloud-agent if it exists,
 * else `cloud-agent` on PATH. Throws a clear error when there is none (the tests then fail:
 * they never skip).
 */
export function agentBinary() {
  const fromEnv = process.env.CLOUD_AGENT_BIN;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) {
      throw new Error(`CLOUD_AGENT_BIN=${fromEnv} is not an executable file: build cloud-agent (swift build) or fix the variable`);
    }
    return fromEnv;
  }
  const built = join(REPO_ROOT, '.build', 'debug', 'cloud-agent');
  if (isExecutable(built)) return built;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, 'cloud-agent'))) return join(dir, 'cloud-agent');
  }
  throw new Error(
    `cloud-agent binary not found: set CLOUD_AGENT_BIN, run 'swift build' in ${REPO_ROOT} `
      + '(for .build/debug/cloud-agent), or put cloud-agent on PATH',
  );
}

/**
 * A fresh directory with the XDG_STATE_HOME and XDG_CONFIG_HOME of one test, and `defer(fn)`,
 * cleanups run after the test in reverse order; the directory is removed last.
 * @param {import('node:test').TestContext} t
 */
export function testEnv(t) {
  const dir = mkdtempSync(join(tmpdir(), 'ca-ts-'));
  const cleanups = [() => rmSync(dir, { recursive: true, force: true })];
  t.after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });
  return {
    dir,
    env: { XDG_STATE_HOME: join(dir, 'state'), XDG_CONFIG_HOME: join(dir, 'config') },
    defer: (fn) => cleanups.push(fn),
  };
}

function canConnect(path) {
  return new Promise((resolve) => {
    const socket = createConnection({ path });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts `cloud-agent serve --socket PATH` in the test's directory, and stops it (SIGTERM,
 * expecting exit status 0) after the test.
 */
export async function startSocketServer({ dir, env, defer }) {
  const socketPath = join(dir, 'agent.sock');
  const child = spawn(agentBinary(), ['serve', '--socket', socketPath], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => {
    stderr = (stderr + text).slice(-16384);
  });
  let exitInfo = null;
  const exited = new Promise((resolveExit) => {
    child.once('error', (error) => {
      exitInfo ??= { code: null, signal: null, error };
      resolveExit(exitInfo);
    });
    child.once('exit', (code, signal) => {
      exitInfo ??= { code, signal };
      resolveExit(exitInfo);
    });
  });
  const server = {
    socketPath,
    child,
    get stderr() {
      return stderr;
    },
    async stop() {
      if (exitInfo) return exitInfo;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      const info = await exited;
      clearTimeout(timer);
      return info;
    },
  };
  defer(() => server.stop());
  const deadline = Date.now() + 15000;
  for (;;) {
    if (exitInfo) {
      const why = exitInfo.error ? exitInfo.error.message : `status ${exitInfo.code}, signal ${exitInfo.signal}`;
      throw new Error(`cloud-agent serve --socket ${socketPath} ended before listening (${why}): ${stderr}`);
    }
    if (existsSync(socketPath) && (await canConnect(socketPath))) break;
    if (Date.now() > deadline) throw new Error(`cloud-agent serve --socket did not listen within 15 s: ${stderr}`);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 25))]);
  }
  return server;
}

/**
 * The transports every shared test runs over. `open(t)` gives a fresh agent with its own state
 * directories (and, for the socket, its own server), closed after the test.
 */
export const TRANSPORTS = [
  {
    name: 'stdio (spawned child)',
    async open(t) {
      const ctx = testEnv(t);
      const agent = await spawnAgent({ path: agentBinary(), env: ctx.env });
      ctx.defer(() => agent.close());
      return { agent, ...ctx };
    },
  },
  {
    name: 'unix socket (serve --socket)',
    async open(t) {
      const ctx = testEnv(t);
      const server = await startSocketServer(ctx);
      const agent = await connectAgent(server.socketPath);
      ctx.defer(() => agent.close());
      return { agent, server, ...ctx };
    },
  },
];

/** Resolves after `ms` milliseconds. */
export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
