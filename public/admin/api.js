// Admin API client: bearer token from sessionStorage only (never in a URL), JSON bodies,
// the {"error": {code, message, details}} envelope turned into ApiError.

const TOKEN_KEY = "quizhub.adminToken";

/**
 * Every error answer's body (quizhub.errors.error_body): a machine-readable `code`, an English
 * `message` for tools, and `details` (for a 422, the field errors; else usually null).
 * @typedef {{error: {code: string, message: string, details: unknown}}} ErrorEnvelope
 */

/**
 * One item of a 422's `details` (pydantic's and the integrity rules'): where (`loc`, or
 * `path`), what (`type`, with pydantic's `ctx` when it has one) and the English `msg`.
 * @typedef {object} ValidationDetail
 * @property {unknown} [loc]
 * @property {unknown} [path]
 * @property {string} [msg]
 * @property {string} [message]
 * @property {string} [type]
 * @property {Record<string, unknown> | null} [ctx]
 */

/**
 * A 2xx answer: its status and its parsed JSON body (null when empty). `T` is what the route
 * documents; api() itself does not check it, so callers state it (`@type {ApiResult<Job>}`).
 * @template [T=unknown]
 * @typedef {{status: number, data: T}} ApiResult
 */

/**
 * One page of a list (tests, versions, jobs): `nextCursor` asks for the next one, null at the end.
 * @template T
 * @typedef {{items: T[], nextCursor: string | null}} Page
 */

/**
 * The options of api(): `json` is sent as JSON, `raw` as-is with `contentType`.
 * @typedef {{json?: unknown, raw?: Blob, contentType?: string, signal?: AbortSignal}} ApiOptions
 */

export class ApiError extends Error {
  /**
   * @param {number} status the HTTP status (0: the request never got an answer)
   * @param {string} code the envelope's code (`http_<status>` when the body had none)
   * @param {string} [message]
   * @param {unknown} [details]
   */
  constructor(status, code, message, details = null) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (/** @type {string} */ value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** @type {(err: ApiError) => void} */
let onUnauthorized = () => {};

/**
 * Register the handler called whenever the API answers 401.
 * @param {(err: ApiError) => void} fn
 */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

/**
 * The body as JSON; text that is not JSON as `{raw}`; null when empty.
 * @param {Response} res
 * @returns {Promise<unknown>}
 */
async function parseBody(res) {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { raw: text };
  }
}

/**
 * Call the API. `json` is sent as application/json; `raw` (a Blob/File) is sent as-is with
 * `contentType`. Resolves to {status, data} for 2xx; rejects with ApiError otherwise.
 * @param {string} method
 * @param {string} path
 * @param {ApiOptions} [options]
 * @returns {Promise<ApiResult>}
 */
export async function api(method, path, { json, raw, contentType, signal } = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: "application/json" };
  const t = token.get();
  if (t) headers.Authorization = `Bearer ${t}`;
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (raw !== undefined) {
    headers["Content-Type"] = contentType || raw.type || "application/octet-stream";
    body = raw;
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body, signal, cache: "no-store", credentials: "same-origin" });
  } catch (err) {
    if (err instanceof Object && "name" in err && err.name === "AbortError") throw err;
    throw new ApiError(0, "network", "서버에 연결하지 못했습니다. 네트워크 상태를 확인해 주세요.");
  }
  const data = await parseBody(res);
  if (res.ok) return { status: res.status, data };
  const e = envelope(data);
  const err = new ApiError(res.status, e.code || `http_${res.status}`, e.message || res.statusText, e.details ?? null);
  if (res.status === 401) onUnauthorized(err);
  throw err;
}

/**
 * The error object of an error answer's body, as far as it has one (`{}` when not an envelope).
 * @param {unknown} data
 * @returns {Partial<ErrorEnvelope["error"]>}
 */
function envelope(data) {
  if (!data || typeof data !== "object" || !("error" in data)) return {};
  const e = data.error;
  if (!e || typeof e !== "object") return {};
  return {
    code: "code" in e && typeof e.code === "string" ? e.code : undefined,
    message: "message" in e && typeof e.message === "string" ? e.message : undefined,
    details: "details" in e ? e.details : undefined,
  };
}

/**
 * A short human message for an ApiError (Korean), used for banners.
 * @param {unknown} err
 * @returns {string}
 */
export function describeError(err) {
  if (!(err instanceof ApiError)) return String((err instanceof Error && err.message) || err);
  switch (err.status) {
    case 0: return err.message;
    case 401: return "관리자 토큰이 올바르지 않거나 만료되었습니다. 다시 로그인해 주세요.";
    case 403: return "권한이 없습니다.";
    case 404: return "찾을 수 없습니다.";
    case 409: return `충돌: ${err.message}`;
    case 413: return "너무 큽니다. 내용을 줄이거나 더 작은 파일을 사용해 주세요.";
    case 415: return "지원하지 않는 형식입니다.";
    case 422: return `입력값을 확인해 주세요: ${err.message}`;
    case 429: return "요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.";
    default:
      if (err.status >= 500) return `서버 오류가 발생했습니다 (${err.status}). 잠시 후 다시 시도해 주세요.`;
      return `${err.message} (${err.status})`;
  }
}
