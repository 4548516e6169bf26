// Test player: intro → one question at a time (progress "3 / 10" + bar) → compute → result.
// Preview mode (?preview=1[&rev=R], opened from the admin): the saved document — drafts
// included — or version R, fetched through the admin API with the token this tab's
// sessionStorage holds (never cached), under a 미리보기 banner. Without the token: nothing.
import { byId, h, replace, param, responsiveImg, hue } from "/assets/dom.js";

// The test panel is at most 640 px wide and nearly the whole screen on phones.
const PANEL_SIZES = "(max-width: 680px) 92vw, 600px";
import { api, token, ApiError } from "/admin/api.js";
import { track } from "/assets/events.js";
/** @import { ApiResult } from "/admin/api.js" */
/** @import { Child } from "/assets/dom.js" */
/** @import { TestDocument, TestStatus, WireResult } from "/admin/model.js" */

/**
 * The test being played: the public document (or, in a preview, the admin's), with its id.
 * @typedef {TestDocument & {id: string, status?: TestStatus}} PlayedTest
 */

/** A similar test (GET /api/tests/{id}/similar). */
/** @typedef {{id: string, title: string, description?: string}} SimilarTest */

const ID_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const REV_RE = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const view = byId("view");
const PREVIEW = param("preview") === "1";
const PREVIEW_REV = PREVIEW ? param("rev") : null;

/**
 * The play: the test, the question shown, the answers so far (question id → option id), and
 * the similar tests once loaded.
 * @type {{test: PlayedTest | null, index: number, answers: Record<string, string>, similar: SimilarTest[] | null}}
 */
const state = { test: null, index: 0, answers: {}, similar: null };

/**
 * The loaded test (every step after loading has one).
 * @returns {PlayedTest}
 */
function loaded() {
  if (!state.test) throw new Error("no test is loaded");
  return state.test;
}

/**
 * A play event for the admin's stats (never from a preview).
 * @param {string} type
 * @param {Record<string, unknown>} [extra]
 */
function played(type, extra) {
  if (!PREVIEW) track(type, loaded().id, extra);
}
const SIMILAR_COUNT = 4;

/** @param {...Child} children */
function show(...children) {
  replace(view, children);
  view.focus({ preventScroll: true });
  window.scrollTo({ top: 0 });
}

/**
 * @param {string} message
 * @param {{retry?: () => void}} [options]
 */
function problem(message, { retry } = {}) {
  show(h("section", { class: "panel" },
    h("h1", {}, "앗, 문제가 생겼어요"),
    h("p", { class: "lead", role: "alert" }, message),
    h("div", { class: "actions" },
      retry ? h("button", { class: "btn btn-primary", type: "button", on: { click: retry } }, "다시 시도") : null,
      h("a", { class: "btn", href: "/" }, "다른 테스트 보기"))));
}

function intro() {
  const t = loaded();
  played("view");
  document.title = `${PREVIEW ? "[미리보기] " : ""}${t.title} · quizhub`;
  show(h("section", { class: "panel", "aria-labelledby": "test-title" },
    t.thumbnail ? responsiveImg(t.thumbnail, PANEL_SIZES, { class: "cover", alt: "" }) : null,
    h("h1", { id: "test-title" }, t.title),
    t.description ? h("p", { class: "lead" }, t.description) : null,
    h("p", { class: "hint" }, `총 ${t.questions.length}문항`),
    h("div", { class: "actions" },
      h("button", { class: "btn btn-primary", type: "button", on: { click: () => start() } }, "테스트 시작하기"))),
    similarSection());
}

/** "비슷한 테스트": the nearest published tests (GET /api/tests/{id}/similar), loaded once. */
function similarSection() {
  if (PREVIEW) return null; // a preview shows the document only
  const list = h("ul", { class: "similar-list", "aria-label": "비슷한 테스트 목록" });
  const section = h("section", { class: "similar", "aria-labelledby": "similar-title", hidden: true },
    h("h2", { id: "similar-title" }, "비슷한 테스트"), list);
  const fill = (/** @type {SimilarTest[]} */ items) => {
    replace(list, items.map((item) => h("li", {},
      h("a", { class: "similar-link", href: `/test/?id=${encodeURIComponent(item.id)}` },
        h("span", { class: "similar-title" }, item.title),
        item.description ? h("span", { class: "similar-desc" }, item.description) : null))));
    section.hidden = items.length === 0;
  };
  if (state.similar) {
    fill(state.similar);
  } else {
    const url = `/api/tests/${encodeURIComponent(loaded().id)}/similar?limit=${SIMILAR_COUNT}`;
    fetch(url, { headers: { Accept: "application/json" } })
      .then((res) => (res.ok ? res.json() : { items: [] }))
      .then((/** @type {{items?: SimilarTest[]}} */ data) => {
        const items = data.items || [];
        state.similar = items;
        fill(items);
      })
      .catch(() => { section.hidden = true; }); // optional: the test works without it
  }
  return section;
}

function start() {
  state.index = 0;
  state.answers = {};
  played("start");
  question();
}

/**
 * @param {number} i
 * @param {number} total
 * @returns {HTMLDivElement}
 */
function progress(i, total) {
  const bar = h("div", { class: "progress-bar" });
  bar.style.width = `${Math.round(((i + 1) / total) * 100)}%`;
  return h("div", { class: "progress" },
    h("div", { class: "progress-head" },
      h("span", {}, loaded().title),
      h("span", { class: "progress-count", "aria-hidden": "true" }, `${i + 1} / ${total}`)),
    h("div", {
      class: "progress-track", role: "progressbar", "aria-label": "진행률",
      "aria-valuemin": 0, "aria-valuemax": total, "aria-valuenow": i + 1,
      "aria-valuetext": `${total}문항 중 ${i + 1}번째`,
    }, bar));
}

function question() {
  const qs = loaded().questions;
  const i = state.index;
  const q = qs[i];
  const chosen = state.answers[q.id];
  show(h("section", { class: "panel", "aria-labelledby": "question-text" },
    progress(i, qs.length),
    q.image ? responsiveImg(q.image, PANEL_SIZES, { class: "question-image", alt: "" }) : null,
    h("h1", { class: "question-text", id: "question-text" }, q.text),
    h("ul", { class: "options", "aria-labelledby": "question-text" },
      q.options.map((o) => h("li", {},
        h("button", {
          class: "btn option", type: "button", "aria-pressed": String(chosen === o.id),
          on: { click: () => choose(q.id, o.id) },
        }, o.text)))),
    i > 0 ? h("div", { class: "nav-row" },
      h("button", { class: "btn btn-small btn-ghost", type: "button", on: { click: back } }, "← 이전 문항")) : null));
}

function back() {
  if (state.index > 0) state.index -= 1;
  question();
}

/**
 * @param {string} qid
 * @param {string} oid
 */
function choose(qid, oid) {
  state.answers[qid] = oid;
  played("answer", { questionId: qid, optionId: oid });
  if (state.index < loaded().questions.length - 1) {
    state.index += 1;
    question();
  } else {
    compute();
  }
}

async function compute() {
  show(h("div", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }),
    "결과를 계산하고 있어요…"));
  if (PREVIEW) return previewCompute();
  try {
    const res = await fetch(`/api/tests/${encodeURIComponent(loaded().id)}/compute`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ answers: state.answers }),
    });
    if (res.status === 404) return problem("이 테스트는 더 이상 공개되어 있지 않아요.");
    if (res.status === 422) {
      return problem("답변이 테스트와 맞지 않아요. 테스트가 방금 수정되었을 수 있어요. 처음부터 다시 해 주세요.",
        { retry: () => load() });
    }
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const data = /** @type {{result: WireResult}} */ (await res.json());
    result(data.result);
  } catch (err) {
    console.error(err);
    problem("결과를 불러오지 못했어요. 네트워크 상태를 확인해 주세요.", { retry: () => compute() });
  }
}

/**
 * @param {WireResult} r
 * @returns {HTMLDivElement}
 */
function resultBadge(r) {
  const badge = h("div", { class: "result-badge", "aria-hidden": "true" }, Array.from(r.title || "?")[0]);
  const a = hue(r.id || r.title);
  badge.style.background = `linear-gradient(135deg, hsl(${a} 80% 66%), hsl(${(a + 60) % 360} 85% 72%))`;
  return badge;
}

/** @param {WireResult} r */
async function share(r) {
  const url = `${location.origin}/test/?id=${encodeURIComponent(loaded().id)}`;
  const text = `${loaded().title} · 나의 결과: ${r.title}`;
  try {
    if (navigator.share) {
      await navigator.share({ title: loaded().title, text, url });
    } else {
      await navigator.clipboard.writeText(`${text} ${url}`);
      const note = document.getElementById("share-note");
      if (note) note.textContent = "링크를 복사했어요.";
    }
    played("share");
  } catch {
    // the player closed the share sheet: nothing was shared
  }
}

/** @param {WireResult} r */
function result(r) {
  played("complete", { resultId: r.id });
  document.title = `${PREVIEW ? "[미리보기] " : ""}${r.title} · ${loaded().title} · quizhub`;
  show(h("section", { class: "panel result", "aria-labelledby": "result-title" },
    h("p", { class: "result-kicker" }, `${loaded().title} · 나의 결과`),
    r.image ? responsiveImg(r.image, PANEL_SIZES, { class: "result-image", alt: r.title }) : resultBadge(r),
    h("h1", { id: "result-title", class: "result-title" }, r.title),
    r.description ? h("p", { class: "result-desc" }, r.description) : null,
    h("div", { class: "actions" },
      h("button", { class: "btn btn-primary", type: "button", on: { click: () => start() } }, "다시 하기"),
      PREVIEW ? null : h("button", { class: "btn", type: "button", id: "share-button", on: { click: () => share(r) } }, "공유하기"),
      h("a", { class: "btn", href: "/" }, "다른 테스트 보기")),
    h("p", { class: "hint", id: "share-note", role: "status" })),
    similarSection());
}

// ---------- preview (admin only) ----------

const ADMIN_ONLY = "미리보기는 관리자만 볼 수 있어요. 관리자 화면에 로그인한 뒤 ‘미리보기’를 눌러 주세요.";

/**
 * @param {unknown} err
 * @param {() => void} retry
 */
function previewProblem(err, retry) {
  if (err instanceof ApiError && err.status === 401) return problem(ADMIN_ONLY);
  if (err instanceof ApiError && err.status === 404) return problem("미리 볼 테스트나 버전을 찾을 수 없어요.");
  if (err instanceof ApiError && err.status === 422) return problem("답변이 테스트와 맞지 않아요. 처음부터 다시 해 주세요.", { retry: () => start() });
  console.error(err);
  return problem("미리보기를 불러오지 못했어요.", { retry });
}

/** @param {PlayedTest} test */
function showPreviewBanner(test) {
  const banner = byId("preview-banner");
  const what = PREVIEW_REV ? `이전 버전 (rev …${PREVIEW_REV.slice(-8)})` : "현재 저장된 내용";
  replace(banner,
    h("strong", {}, "미리보기"),
    ` — 관리자에게만 보이는 화면입니다. ${what} · ${test.status === "published" ? "공개" : "초안 (공개되지 않음)"}`);
  banner.hidden = false;
}

/** @param {string} id */
async function loadPreview(id) {
  if (!token.get()) return problem(ADMIN_ONLY);
  if (PREVIEW_REV !== null && !REV_RE.test(PREVIEW_REV)) return problem("미리 볼 버전 주소가 올바르지 않아요.");
  const base = `/api/admin/tests/${encodeURIComponent(id)}`;
  try {
    const { data } = /** @type {ApiResult<PlayedTest>} */ (
      await api("GET", PREVIEW_REV ? `${base}/versions/${encodeURIComponent(PREVIEW_REV)}` : base));
    state.test = { ...data, id: data.id || id };
    showPreviewBanner(state.test);
    intro();
  } catch (err) {
    previewProblem(err, () => load());
  }
}

async function previewCompute() {
  const q = PREVIEW_REV ? `?rev=${encodeURIComponent(PREVIEW_REV)}` : "";
  try {
    const { data } = /** @type {ApiResult<{result: WireResult}>} */ (await api("POST",
      `/api/admin/tests/${encodeURIComponent(loaded().id)}/compute${q}`, { json: { answers: state.answers } }));
    result(data.result);
  } catch (err) {
    previewProblem(err, () => previewCompute());
  }
}

async function load() {
  const id = param("id") || "";
  if (!ID_RE.test(id)) return problem("테스트 주소가 올바르지 않아요.");
  if (PREVIEW) return loadPreview(id);
  try {
    const res = await fetch(`/api/tests/${encodeURIComponent(id)}`, { headers: { Accept: "application/json" }, cache: "no-cache" });
    if (res.status === 404) return problem("테스트를 찾을 수 없어요. 삭제되었거나 아직 공개되지 않았을 수 있어요.");
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const test = /** @type {PlayedTest} */ (await res.json());
    state.test = { ...test, id: test.id || id };
    intro();
  } catch (err) {
    console.error(err);
    problem("테스트를 불러오지 못했어요. 네트워크 상태를 확인해 주세요.", { retry: () => load() });
  }
}

load();
