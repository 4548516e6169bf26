// Polling of save/delete jobs: GET {statusUrl} every ~300-500 ms, backing off to 2 s,
// until the job reaches a terminal status or we give up (the job keeps running server-side).
import { api, ApiError } from "/admin/api.js";

// The API's terminal statuses (quizhub.domain.jobs.TERMINAL). `delayed` is not one: a job past
// its retry budget still applies when its message is delivered; `expired` ends it unapplied.
export const TERMINAL = new Set(["succeeded", "failed", "superseded", "conflict", "expired"]);

export class PollGiveUp extends Error {
  constructor(lastJob) {
    super("job status polling gave up");
    this.lastJob = lastJob;
  }
}

const sleep = (ms, signal) => new Promise((resolve, reject) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener("abort", () => {
    clearTimeout(t);
    reject(new DOMException("aborted", "AbortError"));
  }, { once: true });
});

/** The job URL to poll: the server's statusUrl if it is same-origin, else the canonical path. */
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
 */
export async function pollJob(url, { onUpdate = () => {}, signal, timeoutMs = 90_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let delay = 300;
  let lastJob = null;
  let notFound = 0;
  for (;;) {
    try {
      const { data } = await api("GET", url, { signal });
      lastJob = data;
      onUpdate(data);
      if (data && TERMINAL.has(data.status)) return data;
    } catch (err) {
      if (err.name === "AbortError") throw err;
      if (!(err instanceof ApiError)) throw err;
      if (err.status === 401 || err.status === 403) throw err;
      if (err.status === 404 && ++notFound >= 5) throw err;
      // network error, 404 (job not visible yet), 429, 5xx: keep trying
    }
    if (Date.now() + delay > deadline) throw new PollGiveUp(lastJob);
    await sleep(delay, signal);
    delay = Math.min(2000, Math.round(delay * 1.25) + 50);
  }
}
