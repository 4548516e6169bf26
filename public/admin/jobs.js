// Polling of save/delete jobs: GET {statusUrl} every ~300-500 ms, backing off to 2 s,
// until the job reaches a terminal status or we give up (the job keeps running server-side).
import { api, ApiError } from "/admin/api.js";
/** @import { ApiResult } from "/admin/api.js" */

/**
 * A job's status (quizhub.domain.jobs.JobStatus).
 * @typedef {"queued" | "running" | "delayed" | "succeeded" | "failed" | "superseded" | "conflict" | "expired"} JobStatus
 */

/**
 * A job as GET /api/admin/jobs/{id} answers it and the live socket pushes it
 * (quizhub.domain.jobs.JobRow.to_json, docs/architecture.md#the-job-record).
 * @typedef {object} Job
 * @property {string} jobId
 * @property {string | null} testId
 * @property {string | null} rev
 * @property {"save" | "delete" | "reindex" | "image" | "unknown"} kind
 * @property {JobStatus} status
 * @property {string | null} step
 * @property {number} attempts
 * @property {string | null} error the English line, for tools and logs (never shown)
 * @property {string | null} errorCode what `error` says, as a code (docs/api.md#error-codes)
 * @property {Record<string, unknown> | null} errorParams that code's parameters
 * @property {string} acceptedAt
 * @property {string} updatedAt
 * @property {string | null} committedAt
 * @property {string | null} liveAt
 * @property {string | null} author
 * @property {string | null} imageKey
 * @property {boolean} [merged] a save merged with the saves committed since its baseRev
 * @property {{liveRev: string, fromLive: string[], fromIncoming: string[], truncated?: boolean} | null} [merge]
 * @property {{path: string, base: unknown, live: unknown, incoming: unknown}[]} [conflicts]
 * @property {number} [conflictCount]
 */

/**
 * What a request that starts a job answers: 202 `{jobId, statusUrl, …}` (`rev` for a save,
 * `key` and `url` for an image) while the job runs, or 200 with the finished job (and the same
 * extras) in sync mode.
 * @typedef {{jobId: string, statusUrl: string, rev?: string, key?: string, url?: string, status?: undefined}} Queued
 * @typedef {Queued | (Job & {statusUrl?: string, key?: string, url?: string})} Accepted
 */

// The API's terminal statuses (quizhub.domain.jobs.TERMINAL). `delayed` is not one: a job past
// its retry budget still applies when its message is delivered; `expired` ends it unapplied.
/** @type {ReadonlySet<string>} */
export const TERMINAL = new Set(["succeeded", "failed", "superseded", "conflict", "expired"]);

/**
 * Whether an accepted answer is already the finished job (sync mode).
 * @param {Accepted | null} data
 * @returns {data is Job & {statusUrl?: string, key?: string, url?: string}}
 */
export function finished(data) {
  return Boolean(data && data.status !== undefined && TERMINAL.has(data.status));
}

export class PollGiveUp extends Error {
  /** @param {Job | null} lastJob the last answer, if any */
  constructor(lastJob) {
    super("job status polling gave up");
    this.lastJob = lastJob;
  }
}

/** @type {(ms: number, signal?: AbortSignal) => Promise<void>} */
const sleep = (ms, signal) => new Promise((resolve, reject) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener("abort", () => {
    clearTimeout(t);
    reject(new DOMException("aborted", "AbortError"));
  }, { once: true });
});

/**
 * The job URL to poll: the server's statusUrl if it is same-origin, else the canonical path.
 * @param {string | null | undefined} statusUrl
 * @param {string} jobId
 * @returns {string}
 */
export function jobUrl(statusUrl, jobId) {
  if (statusUrl) {
    try {
      const u = new URL(statusUrl, window.location.origin);
      if (u.origin === window.location.origin) return u.pathname + u.search;
    } catch { /* fall through */ }
  }
  return `/api/admin/jobs/${encodeURIComponent(jobId)}`;
}

/**
 * Poll until terminal. `onUpdate(job)` is called with every answer. Transient errors
 * (network, 5xx, 429) are retried; 401/403 and 404 (after a few tries) are thrown.
 * @param {string} url
 * @param {{onUpdate?: (job: Job) => void, signal?: AbortSignal, timeoutMs?: number}} [options]
 * @returns {Promise<Job>}
 */
export async function pollJob(url, { onUpdate = () => {}, signal, timeoutMs = 90_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let delay = 300;
  /** @type {Job | null} */
  let lastJob = null;
  let notFound = 0;
  for (;;) {
    try {
      const { data } = /** @type {ApiResult<Job>} */ (await api("GET", url, { signal }));
      lastJob = data;
      onUpdate(data);
      if (data && TERMINAL.has(data.status)) return data;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err; // an abort (AbortError) too
      if (err.status === 401 || err.status === 403) throw err;
      if (err.status === 404 && ++notFound >= 5) throw err;
      // network error, 404 (job not visible yet), 429, 5xx: keep trying
    }
    if (Date.now() + delay > deadline) throw new PollGiveUp(lastJob);
    await sleep(delay, signal);
    delay = Math.min(2000, Math.round(delay * 1.25) + 50);
  }
}
