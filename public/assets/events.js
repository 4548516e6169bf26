// Play events for the admin's stats: view, start, answer, complete, share → POST /api/events.
// Anonymous by construction: a random id per event and per tab (sessionStorage, gone with the
// tab), no cookies, nothing about the person. Events wait in memory and go out 20 at a time
// (the API's limit, quizhub.analytics.events.MAX_EVENTS_PER_REQUEST; tests check they agree),
// a moment after the last one, or when the page is hidden/closed (sendBeacon, which cannot be
// lost to navigation). A failed send is dropped: stats never get in the way of a play.

export const MAX_EVENTS = 20;
export const EVENT_TYPES = ["view", "start", "answer", "complete", "share"];
const ENDPOINT = "/api/events";
const SESSION_KEY = "quizhub.playSession";
const FLUSH_AFTER_MS = 1500;

/**
 * One play event as POST /api/events takes it (quizhub.analytics.events).
 * @typedef {{id: string, type: string, testId: string, at: number, session: string, [extra: string]: unknown}} PlayEvent
 */

/** @type {PlayEvent[]} */
let pending = [];
/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer;

function randomId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function session() {
  try {
    let id = sessionStorage.getItem(SESSION_KEY);
    if (!id) {
      id = randomId();
      sessionStorage.setItem(SESSION_KEY, id);
    }
    return id;
  } catch {
    return randomId(); // storage off: one id per page
  }
}

/**
 * Record one event: track("answer", testId, {questionId, optionId}).
 * @param {string} type one of EVENT_TYPES
 * @param {string} testId
 * @param {Record<string, unknown>} [extra]
 */
export function track(type, testId, extra = {}) {
  if (!EVENT_TYPES.includes(type)) throw new Error(`unknown play event ${type}`);
  pending.push({ id: randomId(), type, testId, at: Date.now(), session: session(), ...extra });
  if (pending.length >= MAX_EVENTS) {
    flush();
  } else {
    clearTimeout(timer);
    timer = setTimeout(() => flush(), FLUSH_AFTER_MS);
  }
}

/**
 * Send what is waiting now (beacon = the page is going away).
 * @param {{beacon?: boolean}} [options]
 */
export function flush({ beacon = false } = {}) {
  clearTimeout(timer);
  timer = undefined;
  while (pending.length) {
    const body = JSON.stringify({ events: pending.slice(0, MAX_EVENTS) });
    pending = pending.slice(MAX_EVENTS);
    // A string beacon goes as text/plain (no CORS preflight); the API takes both.
    if (beacon && navigator.sendBeacon && navigator.sendBeacon(ENDPOINT, body)) continue;
    fetch(ENDPOINT, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
      keepalive: true,
      credentials: "omit",
    }).catch(() => {});
  }
}

addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") flush({ beacon: true });
});
addEventListener("pagehide", () => flush({ beacon: true }));
