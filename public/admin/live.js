// Live save status over a WebSocket (quizhub.push): an authenticated POST …/ws-ticket gives a
// short-lived ticket for this test (the admin token never goes in a URL), then the socket
// /api/live/tests/{id}?ticket=… receives {"type": "job", phase, job} for every transition of
// every job of the test — `job` exactly as GET /api/admin/jobs/{id} answers it. When the socket
// cannot open, drops, or goes quiet on a job, the caller falls back to polling (jobs.js).
import { api, ApiError } from "/admin/api.js";
/** @import { ApiResult } from "/admin/api.js" */
import { TERMINAL } from "/admin/jobs.js";
/** @import { Job } from "/admin/jobs.js" */

/**
 * A transition of a job as the socket announces it.
 * @typedef {"queued" | "running" | "delayed" | "committed" | "live" | "succeeded" | "failed" | "superseded" | "conflict" | "expired"} Phase
 */
/** @typedef {"connecting" | "live" | "polling" | "closed"} LiveState */

/**
 * Someone following one job over the socket (LiveStatus.follow).
 * @typedef {object} Follower
 * @property {(job: Job) => void} onUpdate
 * @property {(job: Job) => void} resolve
 * @property {(err: LiveLost) => void} reject
 * @property {ReturnType<typeof setTimeout> | undefined} quiet the timer that gives up on a quiet job
 */

const PING_MS = 25_000; // keep-alive ("ping" → "pong", answered without waking the object)
const QUIET_MS = 8_000; // a followed job with no news for this long: poll it instead
const RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000]; // reconnect backoff

/** Thrown to a follower when the socket can no longer be trusted for its job: poll instead. */
export class LiveLost extends Error {
  /** @param {string} reason */
  constructor(reason) {
    super(`live status lost: ${reason}`);
    this.reason = reason;
  }
}

// A job's messages may overtake each other: keep the furthest one.
/** @type {Record<string, number>} */
const RANK = { queued: 0, running: 1, delayed: 1, committed: 2, live: 3 };
/** @type {(phase: string, job: Job) => number} */
const rank = (phase, job) => (TERMINAL.has(job.status) ? 4 : RANK[phase] ?? 1);

/**
 * One test's live status. `onJob(job, phase)` sees every job message of the test (own saves and
 * other editors'); `onState(state)` sees "connecting" | "live" | "polling" | "closed";
 * `onPresence(editors)` how many sockets have the test open, this one included.
 */
export class LiveStatus {
  /**
   * @param {string} testId
   * @param {{onJob?: (job: Job, phase: Phase) => void, onState?: (state: LiveState) => void, onPresence?: (editors: number) => void}} [handlers]
   */
  constructor(testId, { onJob = () => {}, onState = () => {}, onPresence = () => {} } = {}) {
    this.testId = testId;
    this.onJob = onJob;
    this.onState = onState;
    this.onPresence = onPresence;
    /** @type {WebSocket | null} */
    this.socket = null;
    /** @type {LiveState} */
    this.state = "closed";
    this.stopped = false;
    this.failures = 0;
    /** @type {Map<string, {job: Job, rank: number}>} */
    this.jobs = new Map();
    /** @type {Map<string, Follower>} */
    this.followers = new Map();
    /** @type {Set<ReturnType<typeof setTimeout>>} */
    this.timers = new Set();
  }

  get connected() {
    return this.state === "live";
  }

  start() {
    this.stopped = false;
    this.connect();
    return this;
  }

  stop() {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.dropFollowers("closed");
    if (this.socket) this.socket.close(1000, "editor closed");
    this.socket = null;
    this.setState("closed");
  }

  /** @param {LiveState} state */
  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.onState(state);
  }

  /**
   * Run `fn` after `ms` unless stopped first.
   * @param {() => void} fn
   * @param {number} ms
   * @returns {ReturnType<typeof setTimeout>}
   */
  later(fn, ms) {
    const t = setTimeout(() => { this.timers.delete(t); fn(); }, ms);
    this.timers.add(t);
    return t;
  }

  async connect() {
    if (this.stopped) return;
    this.setState("connecting");
    let url;
    try {
      const { data } = /** @type {ApiResult<{url: string}>} */ (
        await api("POST", `/api/admin/tests/${encodeURIComponent(this.testId)}/ws-ticket`));
      url = data.url;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 401 || err.status === 403)) {
        this.setState("polling"); // not bound here (or signed out): polling only
        return;
      }
      this.retry();
      return;
    }
    if (this.stopped) return;
    let socket;
    try {
      const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
      socket = new WebSocket(`${scheme}//${window.location.host}${url}`);
    } catch {
      this.retry();
      return;
    }
    this.socket = socket;
    /** @type {ReturnType<typeof setInterval> | undefined} */
    let ping;
    socket.addEventListener("open", () => {
      this.failures = 0;
      this.setState("live");
      ping = setInterval(() => socket.readyState === WebSocket.OPEN && socket.send("ping"), PING_MS);
    });
    socket.addEventListener("message", (e) => this.receive(e.data));
    socket.addEventListener("close", () => {
      clearInterval(ping);
      if (this.socket !== socket) return;
      this.socket = null;
      this.dropFollowers("socket closed");
      this.retry();
    });
  }

  retry() {
    if (this.stopped) return;
    this.setState("polling");
    const wait = RETRY_MS[Math.min(this.failures, RETRY_MS.length - 1)];
    this.failures++;
    this.later(() => this.connect(), wait);
  }

  /** @param {unknown} text a message of the socket */
  receive(text) {
    /** @type {{type?: unknown, phase: Phase, job?: Job, editors?: unknown} | null} */
    let msg;
    try {
      msg = JSON.parse(String(text));
    } catch {
      return; // "pong"
    }
    if (msg && msg.type === "presence" && typeof msg.editors === "number") {
      this.onPresence(msg.editors);
      return;
    }
    if (!msg || msg.type !== "job" || !msg.job || !msg.job.jobId) return;
    const { job, phase } = msg;
    const r = rank(phase, job);
    const known = this.jobs.get(job.jobId);
    if (known && known.rank > r) return; // overtaken by a later message
    this.jobs.set(job.jobId, { job, rank: r });
    this.onJob(job, phase);
    const f = this.followers.get(job.jobId);
    if (f) this.deliver(job.jobId, f, job);
  }

  /**
   * @param {string} jobId
   * @param {Follower} f
   * @param {Job} job
   */
  deliver(jobId, f, job) {
    clearTimeout(f.quiet);
    f.onUpdate(job);
    if (TERMINAL.has(job.status)) {
      this.followers.delete(jobId);
      f.resolve(job);
      return;
    }
    f.quiet = this.later(() => {
      this.followers.delete(jobId);
      f.reject(new LiveLost("no news"));
    }, QUIET_MS);
  }

  /** @param {string} reason */
  dropFollowers(reason) {
    for (const [jobId, f] of this.followers) {
      clearTimeout(f.quiet);
      f.reject(new LiveLost(reason));
      this.followers.delete(jobId);
    }
  }

  /**
   * Follow `jobId` over the socket until it is terminal: resolves with the final job; rejects
   * with LiveLost when the socket is not open, drops, or stays quiet — then poll instead.
   * @param {string} jobId
   * @param {{onUpdate?: (job: Job) => void}} [options]
   * @returns {Promise<Job>}
   */
  follow(jobId, { onUpdate = () => {} } = {}) {
    return new Promise((resolve, reject) => {
      if (!this.connected) {
        reject(new LiveLost("not connected"));
        return;
      }
      /** @type {Follower} */
      const f = { onUpdate, resolve, reject, quiet: undefined };
      this.followers.set(jobId, f);
      const known = this.jobs.get(jobId);
      if (known) this.deliver(jobId, f, known.job);
      else f.quiet = this.later(() => {
        this.followers.delete(jobId);
        reject(new LiveLost("no news"));
      }, QUIET_MS);
    });
  }
}
