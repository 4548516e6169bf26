// Test player: intro → one question at a time (progress "3 / 10" + bar) → compute → result.
// Addresses (docs/sharing.md): the page /t/{id} (the server rendered its first view and the
// page data below), each question a history entry (/t/{id}#q3: Back returns to the previous
// question, a reload resumes from the answers this tab keeps in sessionStorage), and the
// result's own address /t/{id}/r/{resultId}, which is what 공유하기 shares: opened by anyone, it
// shows that result with 나도 해보기.
// Preview mode (/admin/preview/?id=…[&rev=R], opened from the admin): the saved document —
// drafts included — or version R, fetched through the admin API with the token this tab's
// sessionStorage holds (never cached), under a 미리보기 banner. Without the token: nothing.
// Draft mode (/admin/preview/draft/, framed by the admin's editor: docs/admin.md#draft-preview):
// the unsaved document the editor posts, played with the server's rule run here
// (assets/compute.js); nothing is fetched, and a new draft mid-play keeps the player's place.
import { byId, h, replace, param, responsiveImg, hue } from "/assets/dom.js";
import { api, token, ApiError } from "/admin/api.js";
import { track } from "/assets/events.js";
/** @import { ApiResult } from "/admin/api.js" */
/** @import { Child } from "/assets/dom.js" */
/** @import { TestDocument, TestStatus, WireResult } from "/admin/model.js" */
/** @import { Place } from "/assets/draft.js" */

/**
 * The test being played: the public document (or, in a preview, the admin's), with its id.
 * @typedef {TestDocument & {id: string, rev?: string, status?: TestStatus}} PlayedTest
 * @typedef {{participants: number, results: {resultId: string, share: number}[]}} Participation
 */

/** A similar test (GET /api/tests/{id}/similar). */
/** @typedef {{id: string, title: string, description?: string}} SimilarTest */

// The test panel is at most 640 px wide and nearly the whole screen on phones.
const PANEL_SIZES = "(max-width: 680px) 92vw, 600px";
const ID_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const REV_RE = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const SIMILAR_COUNT = 4;
const view = byId("view");

/**
 * What the server put in the page for the player (quizhub.api.page_html): absent in previews.
 * @typedef {{testId: string, resultId: string | null, rev: string,
 *   cards: {test: string | null, results: Record<string, string>}, kakaoKey: string | null}} PageData
 */

/** @returns {PageData | null} */
function readPageData() {
  const el = document.getElementById("page-data");
  if (!el) return null;
  try {
    return JSON.parse(el.textContent || "");
  } catch {
    return null;
  }
}

const PAGE = readPageData();
// Without page data this is the admin's preview shell (/admin/preview/).
const PREVIEW = PAGE === null;
const PREVIEW_REV = PREVIEW ? param("rev") : null;
const DRAFT = PREVIEW && document.body.dataset.preview === "draft";

/**
 * The play: the test, the question shown, the answers so far (question id → option id), the
 * similar tests once loaded, and where the play is (what a new draft resumes from).
 * @type {{test: PlayedTest | null, index: number, answers: Record<string, string>, similar: SimilarTest[] | null, at: Place}}
 */
const state = { test: null, index: 0, answers: {}, similar: null, at: { view: "intro" } };

/**
 * The loaded test (every step after loading has one).
 * @returns {PlayedTest}
 */
function loaded() {
  if (!state.test) throw new Error("no test is loaded");
  return state.test;
}

/**
 * A play event for the stats and the public counts (never from a preview): it names the
 * revision being played, so an edit mid-play never voids it.
 * @param {string} type
 * @param {Record<string, unknown>} [extra]
 */
function played(type, extra) {
  if (PREVIEW) return;
  const t = loaded();
  track(type, t.id, { rev: t.rev, ...extra });
}

/**
 * The test's public counts (GET /api/tests/{id}/stats), or null: optional, the page works
 * without them. Previews show none.
 * @returns {Promise<Participation | null>}
 */
function participation() {
  if (PREVIEW) return Promise.resolve(null);
  return fetch(`/api/tests/${encodeURIComponent(loaded().id)}/stats`, { headers: { Accept: "application/json" } })
    .then((res) => (res.ok ? /** @type {Promise<Participation>} */ (res.json()) : null))
    .catch(() => null);
}

const COUNT = new Intl.NumberFormat("ko-KR");

/**
 * "전체의 N%가 이 결과": this result's share of all completed plays, once known.
 * @param {WireResult} r
 * @param {HTMLElement} line
 */
function shareOf(r, line) {
  participation().then((c) => {
    const found = c && c.participants > 0 && (c.results || []).find((x) => x.resultId === r.id);
    if (!found) return;
    const pct = found.share * 100;
    line.textContent = pct < 1 ? "전체의 1% 미만이 이 결과" : `전체의 ${Math.round(pct)}%가 이 결과`;
  });
}

/** @param {...Child} children */
function show(...children) {
  replace(view, children);
  if (DRAFT && !document.hasFocus()) return; // a draft redrawn as the editor types: no focus taken
  view.focus({ preventScroll: true });
  window.scrollTo({ top: 0 });
}

// ---------- addresses and history ----------

/** @param {string} id */
function testPath(id) {
  return `/t/${encodeURIComponent(id)}`;
}

/** @param {string} id @param {string} resultId */
function resultPath(id, resultId) {
  return `${testPath(id)}/r/${encodeURIComponent(resultId)}`;
}

/** @param {number} index */
function questionPath(index) {
  return `${testPath(loaded().id)}#q${index + 1}`;
}

/**
 * Where the address says the player is.
 * @returns {{view: "intro"} | {view: "question", index: number} | {view: "result", resultId: string}}
 */
function locate() {
  if (PREVIEW) return { view: "intro" }; // a preview has no addresses of its own
  const atResult = location.pathname.match(/^\/t\/[^/]+\/r\/([^/]+)$/);
  if (atResult) return { view: "result", resultId: decodeURIComponent(atResult[1]) };
  const atQuestion = location.hash.match(/^#q(\d{1,3})$/);
  if (atQuestion) return { view: "question", index: Number(atQuestion[1]) - 1 };
  return { view: "intro" };
}

/** Add (or replace) a history entry; previews stay on one entry. @param {string} url */
function go(url, { replaceEntry = false } = {}) {
  if (PREVIEW) return;
  if (replaceEntry) history.replaceState({ quizhub: true }, "", url);
  else history.pushState({ quizhub: true }, "", url);
}

/**
 * This tab's play of the test (sessionStorage: gone with the tab): the answers so far, and the
 * result once computed.
 * @typedef {{rev: string, answers: Record<string, string>, result: string | null}} Progress
 */
const progressKey = () => `quizhub.play.${loaded().id}`;

/** @returns {Progress | null} */
function loadProgress() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(progressKey()) || "null");
    return saved && saved.rev === loaded().rev ? saved : null; // another revision: start over
  } catch {
    return null;
  }
}

/** @param {string | null} resultId */
function saveProgress(resultId = null) {
  if (PREVIEW) return;
  try {
    const kept = { rev: loaded().rev, answers: state.answers, result: resultId };
    sessionStorage.setItem(progressKey(), JSON.stringify(kept));
  } catch {
    // storage off: a reload starts over
  }
}

/** Show what the address says (the first load, a reload, Back and Forward). */
function route() {
  const at = locate();
  const kept = loadProgress();
  if (at.view === "result") {
    const r = loaded().results.find((x) => x.id === at.resultId);
    if (!r) return problem("이 결과를 찾을 수 없어요. 테스트가 수정되었을 수 있어요.");
    return result(r, { own: kept !== null && kept.result === r.id });
  }
  if (at.view === "question") {
    const qs = loaded().questions;
    const answers = kept ? kept.answers : {};
    const resumable = at.index >= 0 && at.index < qs.length
      && qs.slice(0, at.index).every((q) => q.id in answers);
    if (resumable) {
      state.answers = { ...answers };
      state.index = at.index;
      return question();
    }
    go(testPath(loaded().id), { replaceEntry: true }); // nothing to resume: the start
  }
  return intro();
}

addEventListener("popstate", () => {
  if (state.test) route();
});

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
      DRAFT ? null : h("a", { class: "btn", href: "/" }, "다른 테스트 보기"))));
}

function intro() {
  const t = loaded();
  const participants = h("span", { id: "participants" });
  state.at = { view: "intro" };
  document.title = `${PREVIEW ? "[미리보기] " : ""}${t.title} · quizhub`;
  show(h("section", { class: "panel", "aria-labelledby": "test-title" },
    t.thumbnail ? responsiveImg(t.thumbnail, PANEL_SIZES, { class: "cover", alt: "" }) : null,
    h("h1", { id: "test-title" }, t.title),
    t.description ? h("p", { class: "lead" }, t.description) : null,
    h("p", { class: "hint" }, `총 ${t.questions.length}문항`, participants),
    h("div", { class: "actions" },
      h("button", { class: "btn btn-primary", type: "button", on: { click: () => start() } }, "테스트 시작하기"))),
    similarSection());
  // "N명 참여" joins the line above when the counts arrive (same line: nothing moves).
  participation().then((c) => {
    if (c && c.participants > 0) participants.textContent = ` · ${COUNT.format(c.participants)}명 참여`;
  });
}

/**
 * "비슷한 테스트": the nearest published tests (GET /api/tests/{id}/similar), loaded once. Its
 * box has the height of SIMILAR_COUNT items from the start (placeholders until they arrive),
 * so nothing below it moves when they do (CLS 0; the server's first view has the same box).
 */
function similarSection() {
  if (PREVIEW) return null; // a preview shows the document only
  const placeholders = Array.from({ length: SIMILAR_COUNT },
    () => h("li", { class: "similar-placeholder", "aria-hidden": "true" }));
  const list = h("ul", { class: "similar-list", "aria-label": "비슷한 테스트 목록", "aria-busy": "true" },
    placeholders);
  const section = h("section", { class: "similar", "aria-labelledby": "similar-title" },
    h("h2", { id: "similar-title" }, "비슷한 테스트"), list);
  /** @param {Array<{id: string, title: string, description?: string}>} items */
  const fill = (items) => {
    list.removeAttribute("aria-busy");
    if (items.length === 0) {
      replace(list, h("li", { class: "similar-empty" }, "아직 비슷한 테스트가 없어요."));
      return;
    }
    replace(list, items.slice(0, SIMILAR_COUNT).map((item) => h("li", {},
      h("a", { class: "similar-link", href: testPath(item.id) },
        h("span", { class: "similar-title" }, item.title),
        h("span", { class: "similar-desc" }, item.description || " ")))));
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
      .catch(() => fill([])); // optional: the test works without it
  }
  return section;
}

function start() {
  state.index = 0;
  state.answers = {};
  saveProgress();
  played("start");
  go(questionPath(0));
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
  state.at = { view: "question", index: i };
  document.title = `${i + 1}/${qs.length} · ${loaded().title} · quizhub`;
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

/** The previous question: the browser's Back (each question is a history entry). */
function back() {
  if (!PREVIEW) {
    history.back();
    return;
  }
  if (state.index > 0) state.index -= 1;
  question();
}

/**
 * @param {string} qid
 * @param {string} oid
 */
function choose(qid, oid) {
  state.answers[qid] = oid;
  saveProgress();
  played("answer", { questionId: qid, optionId: oid });
  if (state.index < loaded().questions.length - 1) {
    state.index += 1;
    go(questionPath(state.index));
    question();
  } else {
    compute();
  }
}

async function compute() {
  show(h("div", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }),
    "결과를 계산하고 있어요…"));
  if (DRAFT) return draftCompute();
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
    const data = await res.json();
    finished(data.result);
  } catch (err) {
    console.error(err);
    problem("결과를 불러오지 못했어요. 네트워크 상태를 확인해 주세요.", { retry: () => compute() });
  }
}

/**
 * The play ended in result `r`: counted once, kept for a reload, shown at its address.
 * @param {WireResult} r
 */
function finished(r) {
  played("complete", { resultId: r.id });
  saveProgress(r.id);
  go(resultPath(loaded().id, r.id));
  result(r, { own: true });
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

// ---------- sharing ----------

/** The result's address, absolute: what every way of sharing shares. @param {string} resultId */
function shareUrl(resultId) {
  return `${location.origin}${resultPath(loaded().id, resultId)}`;
}

/** The result's card (absolute URL), if the save drew it. @param {string} resultId */
function cardUrl(resultId) {
  return (PAGE && PAGE.cards && PAGE.cards.results[resultId]) || null;
}

/** @param {string} text */
function note(text) {
  const el = document.getElementById("share-note");
  if (el) el.textContent = text;
}

/**
 * Web Share where the browser has it (phones), else copy the link.
 * @param {WireResult} r
 */
async function share(r) {
  const url = shareUrl(r.id);
  const text = `${loaded().title} · 나의 결과: ${r.title}`;
  if (navigator.share) {
    try {
      await navigator.share({ title: loaded().title, text, url });
      played("share");
    } catch {
      // the player closed the share sheet: nothing was shared
    }
    return;
  }
  try {
    await navigator.clipboard.writeText(url);
    note("링크를 복사했어요.");
    played("share");
  } catch {
    note(`이 주소를 복사해 공유하세요: ${url}`); // no clipboard access: the link, to copy by hand
  }
}

/** KakaoTalk, when the site has a Kakao key and the SDK loaded (docs/sharing.md#kakaotalk). */
function kakao() {
  const sdk = /** @type {any} */ (window).Kakao;
  if (!PAGE || !PAGE.kakaoKey || !sdk) return null;
  if (!sdk.isInitialized()) sdk.init(PAGE.kakaoKey);
  return sdk;
}

/** @param {WireResult} r */
function kakaoShare(r) {
  const sdk = kakao();
  if (!sdk) return;
  const url = shareUrl(r.id);
  const again = `${location.origin}${testPath(loaded().id)}`;
  sdk.Share.sendDefault({
    objectType: "feed",
    content: {
      title: `${r.title} · ${loaded().title}`,
      description: (r.description || "").slice(0, 100),
      imageUrl: cardUrl(r.id) || (PAGE && PAGE.cards.test) || `${location.origin}/assets/og-default.png`,
      imageWidth: 1200,
      imageHeight: 630,
      link: { mobileWebUrl: url, webUrl: url },
    },
    buttons: [
      { title: "결과 보기", link: { mobileWebUrl: url, webUrl: url } },
      { title: "나도 해보기", link: { mobileWebUrl: again, webUrl: again } },
    ],
  });
  played("share");
}

/**
 * "결과 이미지 저장": the result's card, downloaded (same origin, so `download` names it).
 * @param {WireResult} r
 */
function saveImageLink(r) {
  const card = cardUrl(r.id);
  if (!card) return null;
  return h("a", {
    class: "btn", id: "save-image", href: new URL(card).pathname,
    download: `${loaded().id}-${r.id}.png`,
  }, "결과 이미지 저장");
}

/**
 * A result: the player's own (다시 하기) or one opened from its address (나도 해보기).
 * @param {{id: string, title: string, description?: string, image?: string | null}} r
 */
function result(r, { own = false } = {}) {
  document.title = `${PREVIEW ? "[미리보기] " : ""}${r.title} · ${loaded().title} · quizhub`;
  const again = own ? "다시 하기" : "나도 해보기";
  state.at = { view: "result" };
  const shareLine = h("p", { class: "result-share", id: "result-share" }); // its line is reserved
  shareOf(r, shareLine);
  show(h("section", { class: "panel result", "aria-labelledby": "result-title" },
    h("p", { class: "result-kicker" }, `${loaded().title} · ${own ? "나의 결과" : "결과"}`),
    r.image ? responsiveImg(r.image, PANEL_SIZES, { class: "result-image", alt: r.title }) : resultBadge(r),
    h("h1", { id: "result-title", class: "result-title" }, r.title),
    r.description ? h("p", { class: "result-desc" }, r.description) : null,
    shareLine,
    h("div", { class: "actions" },
      h("button", { class: "btn btn-primary", type: "button", on: { click: () => start() } }, again),
      PREVIEW ? null : h("button", { class: "btn", type: "button", id: "share-button", on: { click: () => share(r) } }, "공유하기"),
      PREVIEW || !kakao() ? null : h("button", { class: "btn btn-kakao", type: "button", id: "kakao-button",
        on: { click: () => kakaoShare(r) } }, "카카오톡 공유"),
      PREVIEW ? null : saveImageLink(r),
      DRAFT ? null : h("a", { class: "btn", href: "/" }, "다른 테스트 보기")),
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
    result(data.result, { own: true });
  } catch (err) {
    previewProblem(err, () => previewCompute());
  }
}

// ---------- draft (the admin's editor frames this page) ----------

/** Listen for the editor's drafts, then tell it the player is ready for them. */
async function followDrafts() {
  const draft = await import("/assets/draft.js");
  addEventListener("message", (event) => {
    if (event.origin !== location.origin || event.source !== parent) return;
    const data = event.data;
    if (data && data.type === draft.DRAFT_MESSAGE && data.test) showDraft(draft, data.test);
  });
  parent.postMessage({ type: draft.DRAFT_READY }, location.origin);
}

/**
 * Show a draft where the play was (as far as the draft allows), or what it still lacks.
 * @param {typeof import("/assets/draft.js")} draft
 * @param {PlayedTest} test
 */
function showDraft(draft, test) {
  state.test = test;
  const lacking = draft.unplayable(test);
  if (lacking) {
    show(h("section", { class: "panel", "aria-labelledby": "test-title" },
      h("h1", { id: "test-title" }, test.title || "(제목 없음)"),
      h("p", { class: "lead", role: "status" }, lacking)));
    return;
  }
  const { at, answers } = draft.resumeAt(test, state.at, state.answers);
  state.answers = answers;
  if (at.view === "question") {
    state.index = at.index;
    question();
  } else if (at.view === "result") {
    compute();
  } else {
    intro();
  }
}

async function draftCompute() {
  const { computeResult } = await import("/assets/compute.js");
  try {
    result(computeResult(loaded(), state.answers).result, { own: true });
  } catch {
    problem("답변이 지금 편집 중인 내용과 맞지 않아요. 처음부터 다시 해 주세요.", { retry: () => start() });
  }
}

let viewed = false;

async function load() {
  if (DRAFT) return followDrafts();
  const id = PAGE ? PAGE.testId : param("id") || "";
  if (!ID_RE.test(id)) return problem("테스트 주소가 올바르지 않아요.");
  if (PREVIEW) return loadPreview(id);
  try {
    const res = await fetch(`/api/tests/${encodeURIComponent(id)}`, { headers: { Accept: "application/json" }, cache: "no-cache" });
    if (res.status === 404) return problem("테스트를 찾을 수 없어요. 삭제되었거나 아직 공개되지 않았을 수 있어요.");
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const test = /** @type {PlayedTest} */ (await res.json());
    state.test = { ...test, id: test.id || id };
    if (!viewed) played("view"); // once per page, however often Back and Forward show the intro
    viewed = true;
    route();
  } catch (err) {
    console.error(err);
    problem("테스트를 불러오지 못했어요. 네트워크 상태를 확인해 주세요.", { retry: () => load() });
  }
}

load();
