// cloud-agent client for Node: JSON-RPC 2.0, one JSON text per line, over a spawned
// `cloud-agent serve` (stdin/stdout) or a Unix socket (`cloud-agent serve --socket PATH`).
// No dependencies. The per-method wrappers and the error classes by code are generated from
// protocol/openrpc.json into methods.js (see generate.mjs); types are in index.d.ts.

import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { join } from 'node:path';

import { CloudAgentError, ConnectionClosedError, registerErrorClasses } from './errors.js';
import { AgentMethods, ERROR_CLASSES, RequestCancelledError } from './methods.js';

export * from './methods.js';
export { CloudAgentError, ConnectionClosedError } from './errors.js';

registerErrorClasses(ERROR_CLASSES);

const CLIENT_VERSION = '0.1.0';
const DEFAULT_CLIENT_INFO = Object.freeze({ name: 'cloud-agent-ts', version: CLIENT_VERSION });
const STDERR_TAIL_BYTES = 16 * 1024;

/** The transports' hook to end a stdio session: `shutdown`, then `exit`. */
const shutdownAndExit = Symbol('shutdownAndExit');

function tokenKey(token) {
  return `${typeof token}:${token}`;
}

function isToken(value) {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/**
 * A connection to cloud-agent. Create one with `spawnAgent` or `connectAgent`; every protocol
 * request method is a method of this object (generated in methods.js), all going through `call`.
 */
export class Agent extends AgentMethods {
  #writable;
  #nextId = 1;
  /** id → pending request */
  #pending = new Map();
  /** progress token key → onProgress */
  #progress = new Map();
  #listeners = new Set();
  #chunks = [];
  #closed = false;
  #closing = null;
  #closedPromise;
  #resolveClosed;
  #closeInfo = null;
  #transport;

  /** @internal Use spawnAgent or connectAgent. */
  constructor(transport) {
    super();
    this.#transport = transport;
    this.#writable = transport.writable;
    this.initializeResult = undefined;
    this.#closedPromise = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    transport.readable.on('data', (chunk) => this.#onData(chunk));
    transport.readable.on('error', () => {}); // followed by 'close'
    transport.writable.on('error', () => {}); // EPIPE etc.: the read side reports the end
    transport.readable.on('close', () => this.#onEnd());
  }

  /** Resolves with how the connection ended, once it has. */
  get closed() {
    return this.#closedPromise;
  }

  /** Whether the connection has ended or `close()` was called. */
  get isClosed() {
    return this.#closed || this.#closing !== null;
  }

  get serverInfo() {
    return this.initializeResult?.serverInfo;
  }

  get stderrTail() {
    return this.#transport.stderrTail?.() ?? '';
  }

  get pid() {
    return this.#transport.child?.pid;
  }

  /**
   * Sends a request and resolves with its result.
   * @param {string} method
   * @param {object|unknown[]} [params]
   * @param {{signal?: AbortSignal, onProgress?: (value: object, params: object) => void}} [options]
   */
  call(method, params, options = {}) {
    if (this.#closing !== null) {
      return Promise.reject(this.#closedError(`cannot call ${method}: the agent connection is closing`));
    }
    return this.#request(method, params, options ?? {});
  }

  #request(method, params, { signal, onProgress } = {}) {
    if (typeof method !== 'string') return Promise.reject(new TypeError('method must be a string'));
    if (params !== undefined && (params === null || typeof params !== 'object')) {
      return Promise.reject(new TypeError('params must be an object (or an array), or undefined'));
    }
    if (onProgress !== undefined && typeof onProgress !== 'function') {
      return Promise.reject(new TypeError('onProgress must be a function'));
    }
    if (this.#closed) {
      return Promise.reject(this.#closedError(`cannot call ${method}: the agent connection is closed`));
    }
    if (signal?.aborted) {
      return Promise.reject(new RequestCancelledError(`${method}: request cancelled before it was sent`, {
        method,
        cause: signal.reason,
      }));
    }

    const id = this.#nextId++;
    let token;
    if (onProgress) {
      if (Array.isArray(params)) {
        token = id; // by-position params cannot carry a token: the agent uses the request id
      } else if (isToken(params?.progressToken)) {
        token = params.progressToken;
      } else if (isToken(params?._meta?.progressToken)) {
        token = params._meta.progressToken;
      } else {
        token = `ts-progress-${id}`;
        params = { ...(params ?? {}), progressToken: token };
      }
    }

    return new Promise((resolve, reject) => {
      const entry = { method, resolve, reject, signal, token, cancelSent: false, onAbort: null };
      this.#pending.set(id, entry);
      if (token !== undefined) this.#progress.set(tokenKey(token), onProgress);
      if (signal) {
        entry.onAbort = () => {
          if (this.#pending.get(id) !== entry || entry.cancelSent) return;
          entry.cancelSent = true;
          this.#send({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id } });
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      const message = { jsonrpc: '2.0', id, method };
      if (params !== undefined) message.params = params;
      this.#send(message);
    });
  }

  /**
   * Sends a notification (no response), e.g. `agent.notify('$/cancelRequest', {id})`.
   * @param {string} method
   * @param {object|unknown[]} [params]
   */
  notify(method, params) {
    if (this.#closed) throw this.#closedError(`cannot send ${method}: the agent connection is closed`);
    const message = { jsonrpc: '2.0', method };
    if (params !== undefined) message.params = params;
    this.#send(message);
  }

  /**
   * Listens to the agent's notifications (all of them, `$/progress` included).
   * @param {(message: {jsonrpc: string, method: string, params?: unknown}) => void} listener
   * @returns {() => void} unsubscribes
   */
  onNotification(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Ends the session: `shutdown` + `exit` for a spawned agent (then waits for it to exit), or
   * ends the socket connection. Idempotent.
   * @param {{timeoutMs?: number}} [options]
   */
  close({ timeoutMs = 5000 } = {}) {
    if (this.#closing) return this.#closing;
    this.#closing = (async () => {
      if (!this.#closed) await this.#transport.close(this, timeoutMs);
      await this.#closedPromise;
      return this.#closeInfo;
    })();
    return this.#closing;
  }

  /** @internal Used by the stdio transport's close. */
  async [shutdownAndExit](timeoutMs) {
    try {
      await this.#request('shutdown', undefined, { signal: AbortSignal.timeout(timeoutMs) });
    } catch {
      // gone already, or not answering: exit anyway
    }
    if (!this.#closed) {
      this.#send({ jsonrpc: '2.0', method: 'exit' });
    }
  }

  #send(message) {
    const line = `${JSON.stringify(message)}\n`;
    try {
      this.#writable.write(line);
    } catch {
      // the stream is gone: 'close' rejects what is pending
    }
  }

  #onData(chunk) {
    let start = 0;
    let nl;
    while ((nl = chunk.indexOf(10, start)) !== -1) {
      let line = chunk.subarray(start, nl);
      if (this.#chunks.length) {
        this.#chunks.push(line);
        line = Buffer.concat(this.#chunks);
        this.#chunks = [];
      }
      this.#onLine(line.toString('utf8'));
      start = nl + 1;
    }
    if (start < chunk.length) this.#chunks.push(chunk.subarray(start));
  }

  #onLine(text) {
    if (!text.trim()) return;
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return; // not a protocol line; the agent never writes one
    }
    for (const m of Array.isArray(message) ? message : [message]) this.#onMessage(m);
  }

  #onMessage(message) {
    if (message === null || typeof message !== 'object') return;
    if (typeof message.method === 'string' && !('id' in message)) {
      this.#onNotification(message);
      return;
    }
    if (!('result' in message) && !('error' in message)) return;
    const entry = this.#pending.get(message.id);
    if (!entry) return; // id null (an error about a line we never sent) or unknown
    this.#settle(message.id, entry);
    if ('error' in message && message.error) {
      const cause = entry.cancelSent && message.error.code === RequestCancelledError.code ? entry.signal?.reason : undefined;
      entry.reject(CloudAgentError.fromErrorObject(message.error, { method: entry.method, cause }));
    } else {
      entry.resolve(message.result);
    }
  }

  #settle(id, entry) {
    this.#pending.delete(id);
    if (entry.token !== undefined) {
      const key = tokenKey(entry.token);
      if (this.#progress.get(key) !== undefined) this.#progress.delete(key);
    }
    if (entry.onAbort) entry.signal.removeEventListener('abort', entry.onAbort);
  }

  #onNotification(message) {
    if (message.method === '$/progress' && message.params && isToken(message.params.token)) {
      const handler = this.#progress.get(tokenKey(message.params.token));
      if (handler) {
        try {
          handler(message.params.value, message.params);
        } catch {
          // a callback's exception must not break the connection
        }
      }
    }
    for (const listener of this.#listeners) {
      try {
        listener(message);
      } catch {
        // ignored, as above
      }
    }
  }

  async #onEnd() {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeInfo = await this.#transport.closeInfo();
    const error = this.#closedError('the agent connection closed before the request was answered');
    for (const [id, entry] of [...this.#pending]) {
      this.#settle(id, entry);
      entry.reject(error);
    }
    this.#progress.clear();
    this.#resolveClosed(this.#closeInfo);
  }

  #closedError(message) {
    const info = this.#closeInfo ?? undefined;
    const tail = this.stderrTail;
    let text = message;
    if (info && (info.exitCode !== null || info.signal !== null)) {
      text += ` (agent exited with ${info.signal ? `signal ${info.signal}` : `status ${info.exitCode}`})`;
    }
    if (tail.trim()) text += `; agent stderr ends with:\n${tail.trimEnd().split('\n').slice(-10).join('\n')}`;
    return new ConnectionClosedError(text, { info, stderrTail: tail || undefined });
  }
}

async function initializeOrClose(agent, { initialize = true, clientInfo } = {}) {
  if (!initialize) return agent;
  try {
    agent.initializeResult = await agent.initialize({ clientInfo: clientInfo ?? DEFAULT_CLIENT_INFO });
  } catch (error) {
    await agent.close({ timeoutMs: 2000 }).catch(() => {});
    throw error;
  }
  return agent;
}

/**
 * Runs `cloud-agent serve` as a child process and resolves with an Agent talking to it over
 * its stdin and stdout (stderr, its log, is kept apart).
 * @param {{path?: string, args?: string[], env?: Record<string, string|undefined>, cwd?: string,
 *   stderr?: 'pipe'|'inherit'|'ignore'|((line: string) => void), initialize?: boolean,
 *   clientInfo?: {name: string, version?: string}}} [options]
 */
export async function spawnAgent(options = {}) {
  const { path, args = [], env, cwd, stderr = 'pipe' } = options;
  const bin = path ?? process.env.CLOUD_AGENT_BIN ?? 'cloud-agent';
  const stderrMode = typeof stderr === 'function' ? 'pipe' : stderr;
  if (!['pipe', 'inherit', 'ignore'].includes(stderrMode)) {
    throw new TypeError("stderr must be 'pipe', 'inherit', 'ignore' or a function");
  }
  const child = spawn(bin, ['serve', ...args], {
    cwd,
    env: env ? { ...process.env, ...env } : process.env,
    stdio: ['pipe', 'pipe', stderrMode],
  });
  await new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => {
      reject(new Error(`cannot start cloud-agent (${bin}): ${error.message}`, { cause: error }));
    });
  });

  let tail = '';
  if (child.stderr) {
    let partial = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text) => {
      tail = (tail + text).slice(-STDERR_TAIL_BYTES);
      if (typeof stderr === 'function') {
        const lines = (partial + text).split('\n');
        partial = lines.pop();
        for (const line of lines) {
          try {
            stderr(line);
          } catch {
            // ignored
          }
        }
      }
    });
  }
  const exited = new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ exitCode: child.exitCode, signal: child.signalCode });
    } else {
      child.once('exit', (exitCode, signal) => resolve({ exitCode, signal }));
    }
  });
  const waitExit = (ms) => Promise.race([exited, new Promise((r) => setTimeout(r, ms, null).unref())]);

  const transport = {
    child,
    readable: child.stdout,
    writable: child.stdin,
    stderrTail: () => tail,
    async closeInfo() {
      // stdout closes as the agent exits: give the exit status a moment to arrive
      return (await waitExit(1000)) ?? { exitCode: null, signal: null };
    },
    async close(agent, timeoutMs) {
      await agent[shutdownAndExit](timeoutMs);
      child.stdin.end();
      if (await waitExit(timeoutMs)) return;
      child.kill('SIGTERM');
      if (await waitExit(2000)) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  return initializeOrClose(new Agent(transport), options);
}

/** The socket path `cloud-agent serve --socket` uses when given none. */
export function defaultSocketPath() {
  if (process.env.XDG_RUNTIME_DIR) return join(process.env.XDG_RUNTIME_DIR, 'cloud-agent', 'agent.sock');
  return join('/tmp', `cloud-agent-${process.getuid?.() ?? 0}`, 'agent.sock');
}

/**
 * Connects to `cloud-agent serve --socket PATH`; each connection is its own session.
 * @param {string} [socketPath] default: defaultSocketPath()
 * @param {{initialize?: boolean, clientInfo?: {name: string, version?: string}}} [options]
 */
export async function connectAgent(socketPath = defaultSocketPath(), options = {}) {
  const socket = createConnection({ path: socketPath });
  await new Promise((resolve, reject) => {
    const onError = (error) => {
      reject(new Error(`cannot connect to cloud-agent at ${socketPath}: ${error.message}`, { cause: error }));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve();
    });
  });
  const transport = {
    readable: socket,
    writable: socket,
    async closeInfo() {
      return { exitCode: null, signal: null };
    },
    async close() {
      socket.end();
      const timer = setTimeout(() => socket.destroy(), 2000);
      await new Promise((resolve) => (socket.closed ? resolve() : socket.once('close', resolve)));
      clearTimeout(timer);
    },
  };
  return initializeOrClose(new Agent(transport), options);
}
