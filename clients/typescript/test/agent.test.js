// The client against the real cloud-agent binary on the built-in `local` provider, over both
// transports: a spawned `cloud-agent serve` (stdio) and `cloud-agent serve --socket PATH`.

import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import {
  CloudAgentError,
  ConflictError,
  InvalidParamsError,
  MethodNotFoundError,
  NotFoundError,
  PROTOCOL_VERSION,
  RequestCancelledError,
} from '../index.js';
import { TRANSPORTS } from '../testing/fixtures.js';

/** Configures a local provider: timeScale 0 is instant, 0.05 gives a few progress reports. */
async function provider(agent, name, timeScale) {
  const description = await agent.configureProvider({ name, kind: 'local', timeScale });
  assert.equal(description.name, name);
  return name;
}

for (const transport of TRANSPORTS) {
  describe(`over ${transport.name}`, () => {
    test('initialize answered on connect, then ping', async (t) => {
      const { agent } = await transport.open(t);
      assert.equal(agent.serverInfo.name, 'cloud-agent');
      assert.equal(agent.initializeResult.protocolVersion, PROTOCOL_VERSION);
      assert.ok(agent.initializeResult.capabilities.methods.includes('createCluster'));
      assert.deepEqual(await agent.ping(), {});
    });

    test('createCluster with wait reports progress; getCluster and listClusters', async (t) => {
      const { agent } = await transport.open(t);
      const p = await provider(agent, 'paced', 0.05);
      const progress = [];
      const cluster = await agent.createCluster(
        { provider: p, name: 'demo', nodeCount: 2, tags: { team: 'platform' }, wait: true },
        { onProgress: (value, params) => progress.push({ value, params }) },
      );
      const seenAtAnswer = progress.length;
      assert.equal(cluster.name, 'demo');
      assert.equal(cluster.status, 'active');
      assert.equal(cluster.provider, p);
      assert.ok(cluster.endpoint, 'an active cluster has an endpoint');
      assert.deepEqual(cluster.tags, { team: 'platform' });

      const kinds = progress.map((x) => x.value.kind);
      assert.equal(kinds[0], 'begin');
      assert.equal(kinds.at(-1), 'end');
      const reports = progress.filter((x) => x.value.kind === 'report');
      assert.ok(reports.length >= 1, `expected wait reports, got ${JSON.stringify(kinds)}`);
      assert.equal(reports.at(-1).value.status, 'active');
      assert.equal(reports.at(-1).value.resource.name, 'demo');
      const tokens = new Set(progress.map((x) => x.params.token));
      assert.equal(tokens.size, 1, 'all progress of a call carries its one token');

      await new Promise((r) => setTimeout(r, 50));
      assert.equal(progress.length, seenAtAnswer, 'no progress after the answer');

      const got = await agent.getCluster({ provider: p, name: 'demo' });
      assert.equal(got.id, cluster.id);
      assert.equal(got.status, 'active');
      assert.deepEqual(got.nodePools.map((np) => [np.name, np.nodeCount]), [['default', 2]]);

      await agent.createCluster({ provider: p, name: 'other', nodeCount: 0 });
      const list = await agent.listClusters({ provider: p });
      assert.deepEqual(list.clusters.map((c) => c.name), ['demo', 'other']);
      const page = await agent.listClusters({ provider: p, limit: 1 });
      assert.equal(page.clusters.length, 1);
      assert.ok(page.nextPageToken);
    });

    test('a node pool: create, get, list, scale, delete', async (t) => {
      const { agent } = await transport.open(t);
      const p = await provider(agent, 'fast', 0);
      await agent.createCluster({ provider: p, name: 'pools', nodeCount: 1, wait: true });
      const pool = await agent.createNodePool({ provider: p, cluster: 'pools', name: 'gpu', nodeCount: 2, wait: true });
      assert.equal(pool.name, 'gpu');
      assert.equal(pool.cluster, 'pools');
      assert.equal(pool.status, 'active');
      assert.equal(pool.nodeCount, 2);

      assert.equal((await agent.getNodePool({ provider: p, cluster: 'pools', name: 'gpu' })).id, pool.id);
      const list = await agent.listNodePools({ provider: p, cluster: 'pools' });
      assert.deepEqual(list.nodePools.map((np) => np.name), ['default', 'gpu']);

      const scaled = await agent.scaleNodePool({ provider: p, cluster: 'pools', name: 'gpu', nodeCount: 4, wait: true });
      assert.equal(scaled.nodeCount, 4);
      assert.equal(scaled.status, 'active');

      const deleted = await agent.deleteNodePool({ provider: p, cluster: 'pools', name: 'gpu', wait: true });
      assert.equal(deleted.status, 'deleted');
      await assert.rejects(agent.getNodePool({ provider: p, cluster: 'pools', name: 'gpu' }), (error) => {
        assert.ok(error instanceof NotFoundError);
        assert.deepEqual(error.data, { type: 'notFound', resourceType: 'node pool', name: 'pools/gpu' });
        return true;
      });
    });

    test('an instance: create, stop, start, get, list, terminate', async (t) => {
      const { agent } = await transport.open(t);
      const p = await provider(agent, 'fast', 0);
      const created = await agent.createInstance({ provider: p, name: 'vm-1', tags: { role: 'web' }, wait: true });
      assert.equal(created.state, 'running');
      assert.match(created.id, /^i-/);

      const stopped = await agent.stopInstance({ provider: p, id: created.id, wait: true });
      assert.equal(stopped.state, 'stopped');
      assert.equal((await agent.getInstance({ provider: p, id: created.id })).state, 'stopped');

      const started = await agent.startInstance({ provider: p, id: created.id, wait: true });
      assert.equal(started.state, 'running');

      const list = await agent.listInstances({ provider: p, tags: { role: 'web' } });
      assert.deepEqual(list.instances.map((i) => i.id), [created.id]);

      const terminated = await agent.terminateInstance({ provider: p, id: created.id, wait: true });
      assert.equal(terminated.state, 'deleted');
    });

    test('getKubeconfig, inline and written to a file', async (t) => {
      const { agent, dir } = await transport.open(t);
      const p = await provider(agent, 'fast', 0);
      await agent.createCluster({ provider: p, name: 'kube', nodeCount: 1, wait: true });
      const inline = await agent.getKubeconfig({ provider: p, name: 'kube' });
      assert.match(inline.kubeconfig, /^apiVersion: v1$/m);
      assert.match(inline.kubeconfig, /kube/);
      assert.equal(inline.path, undefined);

      const path = join(dir, 'kube', 'config.yaml');
      const written = await agent.getKubeconfig({ provider: p, name: 'kube', path });
      assert.equal(written.path, path);
      assert.equal(readFileSync(path, 'utf8'), written.kubeconfig);
      assert.equal(statSync(path).mode & 0o777, 0o600);
    });

    test('typed errors: NotFoundError with data, ConflictError, InvalidParamsError, MethodNotFoundError', async (t) => {
      const { agent } = await transport.open(t);
      const p = await provider(agent, 'fast', 0);

      await assert.rejects(agent.getCluster({ provider: p, name: 'missing' }), (error) => {
        assert.ok(error instanceof NotFoundError);
        assert.ok(error instanceof CloudAgentError);
        assert.ok(error instanceof Error);
        assert.equal(error.name, 'NotFoundError');
        assert.equal(error.code, -32002);
        assert.equal(error.method, 'getCluster');
        assert.deepEqual(error.data, { type: 'notFound', resourceType: 'cluster', name: 'missing' });
        assert.match(error.message, /missing/);
        return true;
      });

      await agent.createCluster({ provider: p, name: 'twice', nodeCount: 0 });
      await assert.rejects(agent.createCluster({ provider: p, name: 'twice', nodeCount: 0 }), (error) => {
        assert.ok(error instanceof ConflictError);
        assert.equal(error.code, -32003);
        assert.equal(error.data.type, 'conflict');
        assert.equal(error.data.name, 'twice');
        return true;
      });

      await assert.rejects(agent.createCluster({ provider: p, name: 'Not_Portable' }), (error) => {
        assert.ok(error instanceof InvalidParamsError);
        assert.equal(error.code, -32602);
        assert.equal(error.data.param, 'name');
        return true;
      });

      await assert.rejects(agent.call('noSuchMethod', { x: 1 }), (error) => {
        assert.ok(error instanceof MethodNotFoundError);
        assert.equal(error.code, -32601);
        assert.deepEqual(error.data, { method: 'noSuchMethod' });
        return true;
      });
      assert.deepEqual(await agent.ping(), {}, 'errors leave the session usable');
    });

    test('AbortSignal cancels a long waitClusterReady; the agent still answers', async (t) => {
      const { agent } = await transport.open(t);
      const p = await provider(agent, 'slow', 1000); // a cluster takes ~50 min here
      const created = await agent.createCluster({ provider: p, name: 'slow', nodeCount: 1 });
      assert.equal(created.status, 'creating');

      const controller = new AbortController();
      const progress = [];
      const started = Date.now();
      const waiting = agent.waitClusterReady(
        { provider: p, name: 'slow', timeoutSeconds: 3600 },
        {
          signal: controller.signal,
          onProgress: (value) => {
            progress.push(value.kind);
            if (value.kind === 'report') controller.abort();
          },
        },
      );
      await assert.rejects(waiting, (error) => {
        assert.ok(error instanceof RequestCancelledError, `got ${error}`);
        assert.equal(error.code, -32800);
        assert.equal(error.method, 'waitClusterReady');
        assert.equal(error.cause, controller.signal.reason);
        assert.equal(error.cause.name, 'AbortError');
        assert.equal(error.data.type, 'cancelled');
        assert.equal(error.data.resourceType, 'cluster');
        assert.equal(error.data.name, 'slow');
        assert.equal(error.data.target, 'active');
        assert.equal(error.data.operationContinues, true);
        return true;
      });
      assert.ok(Date.now() - started < 15000, 'the cancellation was answered promptly');
      assert.equal(progress[0], 'begin');

      assert.deepEqual(await agent.ping(), {});
      const after = await agent.getCluster({ provider: p, name: 'slow' });
      assert.equal(after.status, 'creating', 'the operation goes on after a cancelled wait');
    });

    test('an already aborted signal rejects at once and sends nothing', async (t) => {
      const { agent } = await transport.open(t);
      const seen = [];
      agent.onNotification((m) => seen.push(m));
      const controller = new AbortController();
      controller.abort(new Error('changed my mind'));
      await assert.rejects(agent.debugSleep({ seconds: 5 }, { signal: controller.signal }), (error) => {
        assert.ok(error instanceof RequestCancelledError);
        assert.equal(error.data, undefined);
        assert.equal(error.cause.message, 'changed my mind');
        return true;
      });
      assert.deepEqual(await agent.ping(), {});
      assert.deepEqual(seen, [], 'no sleep was started');
    });

    test('cancelling debug.sleep mid-way', async (t) => {
      const { agent } = await transport.open(t);
      const controller = new AbortController();
      const kinds = [];
      const sleeping = agent.debugSleep({ seconds: 30, steps: 30 }, {
        signal: controller.signal,
        onProgress: (v) => {
          kinds.push(v.kind);
          if (v.kind === 'begin') setTimeout(() => controller.abort(), 100);
        },
      });
      await assert.rejects(sleeping, (error) => error instanceof RequestCancelledError && error.data === undefined);
      assert.equal(kinds[0], 'begin');
    });

    test('concurrent calls are matched to their answers, progress to its call', async (t) => {
      const { agent } = await transport.open(t);
      const finished = [];
      const progress = new Map();
      const sleeps = [0.6, 0.3, 0.1].map((seconds) => {
        progress.set(seconds, []);
        return agent
          .debugSleep({ seconds, steps: 3 }, { onProgress: (v) => progress.get(seconds).push(v) })
          .then((result) => {
            finished.push(seconds);
            return result;
          });
      });
      const echoes = Array.from({ length: 25 }, (_, i) => agent.debugEcho({ i, text: `héllo ${i}`, list: [i, null] }));
      const pings = Array.from({ length: 5 }, () => agent.ping());

      const [sleepResults, echoResults] = await Promise.all([
        Promise.all(sleeps),
        Promise.all(echoes),
        Promise.all(pings),
      ]);
      assert.deepEqual(sleepResults, [{ slept: 0.6 }, { slept: 0.3 }, { slept: 0.1 }]);
      assert.deepEqual(finished, [0.1, 0.3, 0.6], 'answers came out of order and were matched by id');
      echoResults.forEach((r, i) => assert.deepEqual(r, { i, text: `héllo ${i}`, list: [i, null] }));
      for (const [seconds, values] of progress) {
        assert.equal(values[0].kind, 'begin');
        assert.equal(values[0].message, `sleeping for ${seconds} s`);
        assert.equal(values.at(-1).kind, 'end');
        const percentages = values.filter((v) => v.kind === 'report').map((v) => v.percentage);
        assert.equal(percentages.length, 3, `3 steps: ${percentages}`);
        assert.ok(percentages.every((x, i) => i === 0 || x > percentages[i - 1]), `${percentages}`);
        assert.equal(percentages.at(-1), 100);
      }
    });

    test("onProgress uses the caller's own progressToken", async (t) => {
      const { agent } = await transport.open(t);
      const tokens = [];
      const result = await agent.debugSleep(
        { seconds: 0.1, progressToken: 'mine' },
        { onProgress: (_value, params) => tokens.push(params.token) },
      );
      assert.deepEqual(result, { slept: 0.1 });
      assert.ok(tokens.length >= 2);
      assert.ok(tokens.every((tok) => tok === 'mine'));
      const echoed = await agent.debugEcho({ a: 1 }, { onProgress: () => {} });
      assert.equal(echoed.a, 1);
      assert.equal(typeof echoed.progressToken, 'string', 'the client sends a progressToken when asked for progress');
    });
  });
}
