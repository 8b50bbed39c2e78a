// The committed generated files (methods.js, index.d.ts) match protocol/openrpc.json, and the
// generated API covers every method and error code of the document.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { generateFromFile, GENERATED_FILES, jsMethodName, OPENRPC_PATH } from '../generate.mjs';
import {
  Agent,
  CloudAgentError,
  ERROR_CLASSES,
  METHODS,
  NOTIFICATIONS,
  NotFoundError,
  PROTOCOL_VERSION,
  WaitTimeoutError,
} from '../index.js';
import { PACKAGE_DIR } from '../testing/fixtures.js';

const doc = JSON.parse(readFileSync(OPENRPC_PATH, 'utf8'));

test('the committed generated files are up to date with protocol/openrpc.json', () => {
  const generated = generateFromFile();
  assert.deepEqual(Object.keys(generated).sort(), [...GENERATED_FILES].sort());
  for (const name of GENERATED_FILES) {
    const committed = readFileSync(join(PACKAGE_DIR, name), 'utf8');
    assert.ok(
      committed === generated[name],
      `${name} is out of date: run 'node clients/typescript/generate.mjs' and commit the result`,
    );
  }
});

test('every request method is an agent method; notifications are not', () => {
  assert.equal(PROTOCOL_VERSION, doc['x-protocol-version']);
  const requests = doc.methods.filter((m) => !m['x-notification']).map((m) => m.name);
  const notifications = doc.methods.filter((m) => m['x-notification']).map((m) => m.name);
  assert.deepEqual(METHODS.map((m) => m.method), requests);
  assert.deepEqual([...NOTIFICATIONS], notifications);
  for (const name of requests) {
    assert.equal(typeof Agent.prototype[jsMethodName(name)], 'function', `agent.${jsMethodName(name)} for ${name}`);
  }
  for (const name of ['createCluster', 'getKubeconfig', 'debugSleep', 'rpcDiscover', 'waitClusterReady']) {
    assert.equal(typeof Agent.prototype[name], 'function', name);
  }
  assert.ok(notifications.includes('exit') && notifications.includes('$/cancelRequest'));
  assert.equal(Agent.prototype.exit, undefined);
  assert.equal(Agent.prototype.cancelRequest, undefined);
});

test('an error class for every code of x-error-codes', () => {
  const codes = doc['x-error-codes'].filter((e) => typeof e.code === 'number').map((e) => e.code);
  assert.deepEqual([...ERROR_CLASSES.keys()], codes);
  for (const [code, Class] of ERROR_CLASSES) {
    assert.equal(Class.code, code);
    assert.ok(Class.prototype instanceof CloudAgentError, Class.name);
  }
  assert.equal(ERROR_CLASSES.get(-32007), WaitTimeoutError);

  const notFound = CloudAgentError.fromErrorObject(
    { code: -32002, message: "cluster 'x' was not found", data: { type: 'notFound', resourceType: 'cluster', name: 'x' } },
    { method: 'getCluster' },
  );
  assert.ok(notFound instanceof NotFoundError);
  assert.equal(notFound.name, 'NotFoundError');
  assert.equal(notFound.method, 'getCluster');
  assert.equal(notFound.data.name, 'x');

  const unknown = CloudAgentError.fromErrorObject({ code: -31999, message: 'new' });
  assert.equal(unknown.constructor, CloudAgentError);
  assert.equal(unknown.code, -31999);
});

test('index.d.ts declares every method with its params type and result', () => {
  const dts = readFileSync(join(PACKAGE_DIR, 'index.d.ts'), 'utf8');
  assert.match(dts, /createCluster\(params: CreateClusterParams, options\?: CallOptions\): Promise<KubernetesCluster>;/);
  assert.match(dts, /getKubeconfig\(params: GetKubeconfigParams, options\?: CallOptions\): Promise<Kubeconfig>;/);
  assert.match(dts, /ping\(options\?: CallOptions\): Promise<EmptyObject>;/);
  assert.match(dts, /export declare class NotFoundError extends CloudAgentError \{[^}]*readonly data\?: NotFoundData;/);
  assert.match(dts, /export interface CreateClusterParams \{[\s\S]*?\/\*\*[\s\S]*?The new cluster's name/);
  for (const m of METHODS) assert.ok(dts.includes(` ${m.name}(`), `index.d.ts declares ${m.name}`);
});
