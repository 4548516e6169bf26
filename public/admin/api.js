// Admin API client: bearer token from sessionStorage only (never in a URL), JSON bodies,
// the {"error": {code, message, params, details}} envelope turned into ApiError, and every
// failure worded in Korean from its code (messages.js), never from the English message.
import { CODE_KO, codeText } from "/admin/messages.js";

const TOKEN_KEY = "quizhub.adminToken";

/**
 * Every error answer's body (quizhub.errors.error_body): a machine-readable `code` with its
 * `params` (docs/api.md#error-codes), an English `message` for tools, and `details` (for a 422,
 * the field errors; else usually null).
 * @typedef {{error: {code: string, message: string, params: Record<string, unknown>, details: unknown}}} ErrorEnvelope
 */

/**
 * One item of a 422's `details` (pydantic's and the project's field codes), or one of the
 * editor's own checks (rules.js): where (`loc`, or `path`), what (`type`, with the parameters
 * in `ctx`) and the English `msg`.
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

/** A failed API call: `status` 0 when the server was not reached at all. */
export class ApiError extends Error {
  /**
   * @param {number} status the HTTP status (0: the request never got an answer)
   * @param {string} code the envelope's code (`http_<status>` when the body had none; `network`
   *   or `offline` when there was no answer)
   * @param {string} [message] the server's English line (for logs), or ours
   * @param {unknown} [details]
   * @param {Record<string, unknown>} [params] the code's parameters
   */
  constructor(status, code, message, details = null, params = {}) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.details = details;
    this.params = params;
  }
}

export const token = {
  /** @returns {string | null} */
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

// Codes of failures that happen before any answer (not the API's).
export const NETWORK = "network";
export const OFFLINE = "offline";

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
  /** @type {BodyInit | undefined} */
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
    if (err instanceof Error && err.name === "AbortError") throw err;
    const offline = typeof navigator !== "undefined" && navigator.onLine === false;
    throw new ApiError(0, offline ? OFFLINE : NETWORK, "the request did not reach the server");
  }
  const data = await parseBody(res);
  if (res.ok) return { status: res.status, data };
  const e = envelope(data);
  const params = e.params ?? {};
  const retryAfter = Number(res.headers.get("Retry-After"));
  if (res.status === 429 && Number.isFinite(retryAfter) && retryAfter > 0 && params.period === undefined) {
    params.period = retryAfter; // a limit answered by something else than our front door
  }
  const err = new ApiError(res.status, e.code || `http_${res.status}`, e.message || res.statusText, e.details ?? null, params);
  if (res.status === 401) onUnauthorized(err);
  throw err;
}

/** @type {Record<number, string>} */
const STATUS_KO = {
  400: "요청 형식이 올바르지 않습니다. 페이지를 새로고침한 뒤 다시 시도해 주세요.",
  401: "로그인이 필요합니다. 관리자 토큰이 올바르지 않거나 만료되었으니 다시 로그인해 주세요.",
  403: "이 작업을 할 권한이 없습니다. 관리자에게 권한을 요청해 주세요.",
  404: "찾을 수 없습니다. 목록을 새로고침해 주세요.",
  408: "요청이 너무 오래 걸려 중단되었습니다. 다시 시도해 주세요.",
  409: "다른 변경과 충돌했습니다. 최신 내용을 다시 불러와 주세요.",
  413: "보내는 내용이 너무 큽니다. 내용을 줄이거나 더 작은 파일을 사용해 주세요.",
  415: "지원하지 않는 형식입니다. 다른 파일을 선택해 주세요.",
  422: "입력값이 올바르지 않습니다. 표시된 항목을 고친 뒤 다시 시도해 주세요.",
  429: "요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.",
};

/**
 * The error object of an error answer's body, as far as it has one (`{}` when not an envelope).
 * @param {unknown} data
 * @returns {Partial<ErrorEnvelope["error"]>}
 */
function envelope(data) {
  if (!data || typeof data !== "object" || !("error" in data)) return {};
  const e = data.error;
  if (!e || typeof e !== "object") return {};
  const params = "params" in e && e.params && typeof e.params === "object" ? e.params : {};
  return {
    code: "code" in e && typeof e.code === "string" ? e.code : undefined,
    message: "message" in e && typeof e.message === "string" ? e.message : undefined,
    params: { .../** @type {Record<string, unknown>} */ (params) },
    details: "details" in e ? e.details : undefined,
  };
}

/**
 * The Korean sentence for a failure: the API's code with its parameters, else (an answer
 * from something in front of the API, an old server) its HTTP status; a network failure says
 * so; any other error gets a general sentence (its own text only when it is ours, in Korean).
 * @param {unknown} err
 * @returns {string}
 */
export function describeError(err) {
  if (!(err instanceof ApiError)) {
    const text = err instanceof Error ? err.message : String(err ?? "");
    return /[가-힣]/.test(text) ? text : "예기치 않은 오류가 발생했습니다. 페이지를 새로고침한 뒤 다시 시도해 주세요.";
  }
  if (err.code === OFFLINE) return "인터넷에 연결되어 있지 않습니다. 연결되면 다시 시도해 주세요.";
  if (err.code === NETWORK) return "서버에 연결하지 못했습니다. 네트워크 상태를 확인한 뒤 다시 시도해 주세요.";
  if (Object.prototype.hasOwnProperty.call(CODE_KO, err.code)) return codeText(err.code, err.params);
  if (err.status === 429 && typeof err.params.period === "number") {
    return `요청이 너무 많습니다. ${err.params.period}초 뒤에 다시 시도해 주세요.`;
  }
  if (STATUS_KO[err.status]) return STATUS_KO[err.status];
  if (err.status >= 500) return `서버 오류가 발생했습니다 (HTTP ${err.status}). 잠시 후 다시 시도해 주세요.`;
  return `요청을 처리하지 못했습니다 (HTTP ${err.status}). 잠시 후 다시 시도해 주세요.`;
}
