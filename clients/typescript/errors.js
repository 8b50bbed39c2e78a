// Error base classes. The subclasses by error code are generated into methods.js.

/** Base class of every error the agent answers with. */
export class CloudAgentError extends Error {
  /** The JSON-RPC error code of the class (set on the generated subclasses). */
  static code = undefined;
  /** The name of the code in `x-error-codes` (set on the generated subclasses). */
  static errorName = undefined;

  /**
   * @param {string} message
   * @param {{code?: number, data?: unknown, method?: string, cause?: unknown}} [options]
   */
  constructor(message, { code, data, method, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = code ?? new.target.code;
    this.data = data;
    this.method = method;
  }

  /**
   * Builds the error of the class registered for `error.code` (see `ERROR_CLASSES`).
   * @param {{code: number, message: string, data?: unknown}} error a JSON-RPC error object
   * @param {{method?: string, cause?: unknown}} [options]
   */
  static fromErrorObject(error, { method, cause } = {}) {
    const Class = registry.get(error.code) ?? CloudAgentError;
    return new Class(String(error.message ?? `error ${error.code}`), {
      code: error.code,
      data: error.data,
      method,
      cause,
    });
  }
}

/** The connection to the agent ended before the request was answered (or before it was made). */
export class ConnectionClosedError extends Error {
  /**
   * @param {string} message
   * @param {{info?: {exitCode: number|null, signal: string|null}, stderrTail?: string, cause?: unknown}} [options]
   */
  constructor(message, { info, stderrTail, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ConnectionClosedError';
    this.info = info;
    this.stderrTail = stderrTail;
  }
}

const registry = new Map();

/** @internal Called by index.js with the generated `ERROR_CLASSES`. */
export function registerErrorClasses(classes) {
  for (const [code, Class] of classes) registry.set(code, Class);
}
