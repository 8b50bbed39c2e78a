// Transport-specific behaviour: spawning and closing a stdio agent, a missing binary, stderr kept
// apart from the protocol, an agent that dies; independent sessions on one socket server.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { connectAgent, ConnectionClosedError, RequestCancelledError, spawnAgent } from '../index.js';
import { agentBinary, startSocketServer, testEnv } from '../testing/fixtures.js';

test('the cloud-agent binary is there', () => {
  assert.ok(agentBinary());
});

test('stdio: close() sends shutdown and exit; the agent exits 0; later calls reject', async (t) => {
  const { env } = testEnv(t);
  const agent = await spawnAgent({ path: agentBinary(), env });
  assert.equal(typeof agent.pid, 'number');
  assert.equal(agent.isClosed, false);
  const info = await agent.close();
  assert.deepEqual(info, { exitCode: 0, signal: null }, 'exit after shutdown is status 0');
  assert.equal(agent.isClosed, true);
  assert.deepEqual(await agent.closed, info);
  assert.deepEqual(await agent.close(), info, 'close is idempotent');
  await assert.rejects(agent.ping(), ConnectionClosedError);
});

test('stdio: a request pending at close() is answered -32800 by the exiting agent', async (t) => {
  const { env } = testEnv(t);
  const agent = await spawnAgent({ path: agentBinary(), env });
  const sleeping = agent.debugSleep({ seconds: 60 });
  const outcome = sleeping.then(() => 'resolved', (error) => error);
  await new Promise((r) => setTimeout(r, 100));
  const info = await agent.close();
  assert.equal(info.exitCode, 0);
  const error = await outcome;
  assert.ok(error instanceof RequestCancelledError, `got ${error}`);
});

test('stdio: a missing binary fails clearly', async () => {
  await assert.rejects(spawnAgent({ path: '/nonexistent/cloud-agent' }), /cannot start cloud-agent \(\/nonexistent\/cloud-agent\)/);
});

test("stdio: the agent's log goes to stderr, apart from the protocol", async (t) => {
  const { env } = testEnv(t);
  const lines = [];
  const agent = await spawnAgent({ path: agentBinary(), env, stderr: (line) => lines.push(line) });
  t.after(() => agent.close());
  await agent.configureProvider({ name: 'logged', kind: 'local', timeScale: 0 });
  assert.deepEqual(await agent.ping(), {});
  const deadline = Date.now() + 5000;
  while (!lines.some((l) => l.includes("'logged'")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.ok(lines.some((l) => l.includes("'logged'")), `stderr lines: ${JSON.stringify(lines)}`);
  assert.match(agent.stderrTail, /logged/);
});

test('stdio: an agent that dies rejects pending calls with ConnectionClosedError', async (t) => {
  const { env } = testEnv(t);
  const agent = await spawnAgent({ path: agentBinary(), env });
  const sleeping = agent.debugSleep({ seconds: 60 });
  await new Promise((r) => setTimeout(r, 100));
  process.kill(agent.pid, 'SIGKILL');
  await assert.rejects(sleeping, (error) => {
    assert.ok(error instanceof ConnectionClosedError);
    assert.equal(error.info.signal, 'SIGKILL');
    return true;
  });
  assert.equal((await agent.closed).signal, 'SIGKILL');
  await assert.rejects(agent.ping(), ConnectionClosedError);
  await agent.close();
});

test('socket: connections are independent sessions; close() ends only its own', async (t) => {
  const ctx = testEnv(t);
  const server = await startSocketServer(ctx);
  const first = await connectAgent(server.socketPath);
  const second = await connectAgent(server.socketPath);
  ctx.defer(() => second.close());

  const p = await first.configureProvider({ name: 'shared', kind: 'local', timeScale: 0 });
  await first.createCluster({ provider: p.name, name: 'seen-by-both', nodeCount: 0 });
  const fromSecond = await second.getCluster({ provider: 'shared', name: 'seen-by-both' });
  assert.equal(fromSecond.name, 'seen-by-both', 'providers and resources belong to the agent');

  const sleeping = first.debugSleep({ seconds: 60 });
  const outcome = sleeping.then(() => 'resolved', (error) => error);
  await new Promise((r) => setTimeout(r, 100));
  await first.close();
  const error = await outcome;
  assert.ok(error instanceof RequestCancelledError, `the agent cancels what is in flight when the connection ends; got ${error}`);
  await assert.rejects(first.ping(), ConnectionClosedError);

  assert.deepEqual(await second.ping(), {}, 'the other connection goes on');
  await second.close();
  const exit = await server.stop();
  assert.deepEqual(exit, { code: 0, signal: null });
  assert.equal(existsSync(server.socketPath), false, 'the agent removed its socket');
});

test('socket: connecting where nothing listens fails clearly', async (t) => {
  const { dir } = testEnv(t);
  await assert.rejects(connectAgent(join(dir, 'none.sock')), /cannot connect to cloud-agent at .*none\.sock/);
});
