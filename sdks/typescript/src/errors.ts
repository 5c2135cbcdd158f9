/**
 * The SDK's errors. Only programming errors reach user code, and they are thrown where the mistake
 * is made (log(), defineMetric(), alert(), init()); a network failure never is.
 *
 *   WanllmdbError
 *    ├── InvalidValue   a bad key or value given to log(), defineMetric(), summary: names it in `key`
 *    ├── UsageError     a call that cannot be made (log() after finish(), a bad init() option)
 *    └── ApiError       the server refused a request (a 4xx other than 429): init() of a run whose id
 *                       belongs to another, an API key without access; carries the server's error body
 *
 * `Transient` (a network error, a 5xx or a 429) is internal: the uploader retries it with backoff.
 */

export class WanllmdbError extends Error {
  override name = "WanllmdbError";
}

export class InvalidValue extends WanllmdbError {
  override name = "InvalidValue";
  constructor(
    message: string,
    /** The offending key (a metric name, or the argument: "data", "step", "summary"...). */
    readonly key: string,
  ) {
    super(message);
  }
}

export class UsageError extends WanllmdbError {
  override name = "UsageError";
}

export class ApiError extends WanllmdbError {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly field?: string,
  ) {
    super(`${status} ${code}: ${detail}`);
  }
}

/** A failure worth retrying: the network, a 5xx or a 429 (with the server's Retry-After, if any). */
export class Transient extends Error {
  override name = "Transient";
  constructor(
    message: string,
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}
