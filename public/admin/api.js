// Admin API client: bearer token from sessionStorage only (never in a URL), JSON bodies,
// the {"error": {code, message, details}} envelope turned into ApiError.

const TOKEN_KEY = "quizhub.adminToken";

export class ApiError extends Error {
  constructor(status, code, message, details = null) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

let onUnauthorized = () => {};

/** Register the handler called whenever the API answers 401. */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

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
 */
export async function api(method, path, { json, raw, contentType, signal } = {}) {
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
    if (err && err.name === "AbortError") throw err;
    throw new ApiError(0, "network", "서버에 연결하지 못했습니다. 네트워크 상태를 확인해 주세요.");
  }
  const data = await parseBody(res);
  if (res.ok) return { status: res.status, data };
  const e = (data && data.error) || {};
  const err = new ApiError(res.status, e.code || `http_${res.status}`, e.message || res.statusText, e.details ?? null);
  if (res.status === 401) onUnauthorized(err);
  throw err;
}

/** A short human message for an ApiError (Korean), used for banners. */
export function describeError(err) {
  if (!(err instanceof ApiError)) return String((err && err.message) || err);
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
