// Admin app: sign-in (token in sessionStorage only), the list of tests, routing by hash
// (#/tests/{id}, #/new/{id}, #/jobs = 작업 상태), and the unsaved-changes guards.
import { byId, h, replace } from "/assets/dom.js";
import { api, token, setUnauthorizedHandler, describeError, ApiError } from "/admin/api.js";
import { fromDocument, blankModel, newTestId, TEST_ID_RE } from "/admin/model.js";
import { shortRev } from "/admin/revcopy.js";
import { STATUS_KO, stepLabel, jobErrorText } from "/admin/messages.js";
import { loadRules } from "/admin/rules.js";
import * as wb from "/admin/workbench.js";
import { showJobs } from "/admin/jobsview.js";
import { showStatsOverview, showTestStats } from "/admin/statsview.js";
/** @import { ApiResult, Page } from "/admin/api.js" */
/** @import { TestDocument, TestSummary } from "/admin/model.js" */

/**
 * What a hash addresses: the list, 작업 상태, 통계 (all, or one test's), or a test to edit.
 * @typedef {{kind: "list"} | {kind: "jobs"} | {kind: "stats", id: string | null} | {kind: "tests" | "new", id: string}} Route
 */

const signInView = byId("sign-in-view");
const appView = byId("app-view");
const listEl = byId("test-list");
const listMessage = byId("list-message");
const editorRoot = byId("editor-root");
const editorEmpty = byId("editor-empty");

/** @type {TestSummary[]} */
let tests = [];
/** @type {string | null} */
let shownHash = null; // the route currently on screen
let loadSeq = 0;
// The API's field rules (rules.js), loaded once; the editor opens once they are in (or failed).
const rulesReady = loadRules();

const LEAVE_MSG = "저장하지 않은 변경 사항이 있습니다. 이동하면 변경 내용이 사라집니다. 계속할까요?";

// ---------- sign-in ----------

/** @param {string} [message] */
function showSignIn(message) {
  appView.hidden = true;
  byId("sign-out").hidden = true;
  signInView.hidden = false;
  replace(byId("sign-in-message"), message ? h("p", { class: "notice notice-error" }, message) : null);
  byId("admin-token", HTMLInputElement).focus();
}

function showApp() {
  signInView.hidden = true;
  appView.hidden = false;
  byId("sign-out").hidden = false;
}

setUnauthorizedHandler(() => {
  token.clear();
  showSignIn("관리자 토큰이 올바르지 않거나 만료되었습니다. 다시 로그인해 주세요."
    + (wb.isDirty() ? " 편집 중이던 내용은 그대로 남아 있습니다." : ""));
});

byId("sign-in-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const input = byId("admin-token", HTMLInputElement);
  const value = input.value.trim();
  if (!value) {
    replace(byId("sign-in-message"), h("p", { class: "notice notice-error" }, "관리자 토큰을 입력해 주세요."));
    input.focus();
    return;
  }
  const btn = byId("sign-in-button", HTMLButtonElement);
  btn.disabled = true;
  token.set(value);
  try {
    await loadList();
    input.value = "";
    showApp();
    if (!wb.current()) route();
  } catch (err) {
    token.clear();
    showSignIn(err instanceof ApiError && err.status === 401
      ? "관리자 토큰이 올바르지 않습니다." : `로그인하지 못했습니다: ${describeError(err)}`);
  } finally {
    btn.disabled = false;
  }
});

byId("sign-out").addEventListener("click", () => {
  if (wb.isDirty() && !window.confirm(LEAVE_MSG)) return;
  token.clear();
  wb.close();
  shownHash = null;
  history.replaceState(null, "", "#/");
  showEditorEmpty();
  listEl.replaceChildren();
  showSignIn("로그아웃했습니다.");
});

// ---------- list ----------

/**
 * @param {TestSummary["lastJob"]} job
 * @returns {string}
 */
function jobText(job) {
  if (!job) return "작업 기록 없음";
  const s = STATUS_KO[job.status] || job.status;
  if (job.status === "queued" || job.status === "running") return `최근 작업: ${s} ${stepLabel(job)}`.trim();
  const why = jobErrorText(job);
  return `최근 작업: ${s}${why ? ` — ${why}` : ""}`;
}

function renderList() {
  const currentId = wb.current()?.id;
  if (!tests.length) {
    replace(listEl, h("li", { class: "list-empty" }, "아직 테스트가 없습니다. ‘새 테스트’로 만들어 보세요."));
    return;
  }
  replace(listEl, tests.map((t) => {
    const job = t.lastJob;
    const jobCls = job ? `job job-${job.status}` : "job";
    return h("li", {},
      h("a", {
        class: "test-item", href: `#/tests/${encodeURIComponent(t.id)}`,
        "aria-current": t.id === currentId ? "page" : null, dataset: { testId: t.id },
      },
      h("span", { class: "test-item-title" }, t.title || "(제목 없음)"),
      h("span", { class: "test-item-meta" },
        h("span", { class: `badge badge-${t.status}` }, t.status === "published" ? "공개" : "초안"),
        h("span", { class: "mono" }, t.id),
        h("span", { class: "mono", title: `rev ${t.rev ?? "-"}` }, `rev ${shortRev(t.rev)}`)),
      h("span", { class: jobCls, title: jobText(job) }, jobText(job))));
  }));
}

async function loadList() {
  const { data } = /** @type {ApiResult<Page<TestSummary> | null>} */ (await api("GET", "/api/admin/tests"));
  tests = (data && data.items) || [];
  listMessage.replaceChildren();
  renderList();
}

async function refreshList() {
  try {
    await loadList();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    replace(listMessage, h("p", { class: "notice notice-error" }, `목록을 불러오지 못했습니다: ${describeError(err)}`));
  }
}

byId("refresh-list").addEventListener("click", () => refreshList());
byId("open-jobs").addEventListener("click", (e) => {
  e.preventDefault();
  navigate("#/jobs");
});
byId("open-stats").addEventListener("click", (e) => {
  e.preventDefault();
  navigate("#/stats");
});

// ---------- new test dialog ----------

// The dialog offers a free test id, made here (model.js newTestId): 만들기 takes it as it is;
// the editor may type another (the public address /t/{id} uses it, for good).
const dialog = byId("new-dialog", HTMLDialogElement);
byId("new-test").addEventListener("click", () => {
  const input = byId("new-id", HTMLInputElement);
  input.value = newTestId(tests.map((t) => t.id));
  byId("new-id-error").textContent = "";
  input.removeAttribute("aria-invalid");
  dialog.showModal();
  input.focus();
  input.select();
});
byId("new-cancel").addEventListener("click", () => dialog.close());
byId("new-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = byId("new-id", HTMLInputElement);
  const id = input.value.trim();
  let problem = null;
  if (!TEST_ID_RE.test(id)) problem = "영문 소문자 또는 숫자로 시작하고, 소문자·숫자·하이픈만 쓸 수 있습니다 (최대 63자).";
  else if (tests.some((t) => t.id === id)) problem = "이미 있는 ID입니다. 다른 ID를 입력해 주세요.";
  if (problem) {
    byId("new-id-error").textContent = problem;
    input.setAttribute("aria-invalid", "true");
    input.focus();
    return;
  }
  dialog.close();
  navigate(`#/new/${id}`);
});

// ---------- routing ----------

/**
 * @param {string} hash
 * @returns {Route}
 */
function parseHash(hash) {
  if (hash === "#/jobs") return { kind: "jobs" };
  if (hash === "#/stats") return { kind: "stats", id: null };
  const m = /^#\/(tests|new|stats)\/([^/]+)$/.exec(hash || "");
  if (!m) return { kind: "list" };
  const id = decodeURIComponent(m[2]);
  return TEST_ID_RE.test(id) ? { kind: /** @type {"tests" | "new" | "stats"} */ (m[1]), id } : { kind: "list" };
}

/**
 * Whether two hashes show the same thing (the same test, or 작업 상태).
 * @param {string} a
 * @param {string} b
 * @returns {boolean}
 */
function sameTarget(a, b) {
  const x = parseHash(a);
  const y = parseHash(b);
  /**
   * @param {Route} t
   * @returns {t is {kind: "tests" | "new", id: string}}
   */
  const editing = (t) => t.kind === "tests" || t.kind === "new";
  return (editing(x) && editing(y) && x.id === y.id) || (x.kind === y.kind && x.kind === "jobs");
}

/**
 * Go to a route, asking first when the editor has unsaved changes.
 * @param {string} hash
 * @param {{force?: boolean}} [options]
 */
function navigate(hash, { force = false } = {}) {
  if (hash === location.hash) {
    route({ force });
    return;
  }
  if (!force && shownHash !== null && !sameTarget(hash, shownHash) && wb.isDirty() && !window.confirm(LEAVE_MSG)) return;
  shownHash = null; // confirmed (or nothing to lose): let route() proceed without asking again
  location.hash = hash;
}

window.addEventListener("hashchange", () => route());

listEl.addEventListener("click", (e) => {
  const a = e.target instanceof Element ? e.target.closest("a.test-item") : null;
  const href = a && a.getAttribute("href");
  if (!href) return;
  e.preventDefault();
  navigate(href);
});

/** @param {string} [message] */
function showEditorEmpty(message) {
  wb.close();
  editorRoot.hidden = true;
  editorEmpty.hidden = false;
  appView.classList.remove("editing");
  replace(editorEmpty, message ? h("p", { class: "notice notice-ok", role: "status" }, message) : null,
    h("p", {}, "목록에서 테스트를 선택하거나 ", h("strong", {}, "새 테스트"), "를 만들어 보세요."));
  renderList();
}

/**
 * Show what the location's hash addresses (asking first when leaving unsaved changes).
 * @param {{force?: boolean}} [options]
 */
async function route({ force = false } = {}) {
  const hash = location.hash;
  const target = parseHash(hash);
  if (!force && shownHash !== null && hash !== shownHash && !sameTarget(hash, shownHash)
      && wb.isDirty() && !window.confirm(LEAVE_MSG)) {
    history.replaceState(null, "", shownHash); // stay
    return;
  }
  shownHash = hash;
  if (target.kind === "list") {
    showEditorEmpty();
    return;
  }
  if (target.kind === "jobs") {
    wb.close();
    editorEmpty.hidden = true;
    editorRoot.hidden = false;
    appView.classList.add("editing");
    renderList();
    showJobs(editorRoot, { listChanged: () => refreshList() });
    return;
  }
  if (target.kind === "stats") {
    wb.close();
    editorEmpty.hidden = true;
    editorRoot.hidden = false;
    appView.classList.add("editing");
    renderList();
    if (target.id) showTestStats(editorRoot, target.id);
    else showStatsOverview(editorRoot);
    return;
  }
  if (wb.current()?.id === target.id && !force) return; // already open
  editorEmpty.hidden = true;
  editorRoot.hidden = false;
  appView.classList.add("editing");
  const seq = ++loadSeq;
  replace(editorRoot, h("div", { class: "loading" }, h("span", { class: "spinner", "aria-hidden": "true" }), "불러오는 중…"));
  await rulesReady;
  if (seq !== loadSeq) return;
  if (target.kind === "new" && !tests.some((t) => t.id === target.id)) {
    wb.open({ id: target.id, isNew: true, rev: null, model: blankModel() });
    renderList();
    const title = editorRoot.querySelector("[data-path='title']");
    if (title instanceof HTMLElement) title.focus();
    return;
  }
  try {
    const { data } = /** @type {ApiResult<TestDocument>} */ (await api("GET", `/api/admin/tests/${encodeURIComponent(target.id)}`));
    if (seq !== loadSeq) return;
    const published = Boolean(tests.find((t) => t.id === target.id)?.publishedAt);
    wb.open({ id: target.id, isNew: false, rev: data.rev, model: fromDocument(data), published });
    renderList();
  } catch (err) {
    if (seq !== loadSeq) return;
    wb.close();
    replace(editorRoot, h("div", { class: "notice notice-error", role: "alert" },
      err instanceof ApiError && err.status === 404 ? `테스트 “${target.id}”을(를) 찾을 수 없습니다.`
        : `테스트를 불러오지 못했습니다: ${describeError(err)}`,
      " ", h("button", { type: "button", class: "btn btn-small", on: { click: () => route({ force: true }) } }, "다시 시도")));
  }
}

wb.setHooks({
  changed: () => {},
  listChanged: () => refreshList(),
  created: (id) => {
    // The new test now exists: address it like any other (#/tests/{id}) without reloading.
    shownHash = `#/tests/${encodeURIComponent(id)}`;
    history.replaceState(null, "", shownHash);
  },
  closed: ({ force = false, message } = {}) => {
    if (!force && wb.isDirty() && !window.confirm(LEAVE_MSG)) return;
    wb.close();
    shownHash = "#/";
    history.pushState(null, "", "#/");
    showEditorEmpty(message);
  },
});

// ---------- guards ----------

window.addEventListener("beforeunload", (e) => {
  if (wb.isDirty() || wb.isSaving()) {
    e.preventDefault();
    e.returnValue = "";
  }
});

document.addEventListener("keydown", (e) => {
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s" && wb.current() && !appView.hidden) {
    e.preventDefault();
    // a field that commits on blur (tags) keeps what was typed
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
    wb.save();
  }
});

// ---------- start ----------

(async function start() {
  if (!token.get()) {
    showSignIn();
    return;
  }
  try {
    await loadList();
    showApp();
    route();
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) {
      showApp();
      replace(listMessage, h("p", { class: "notice notice-error" }, `목록을 불러오지 못했습니다: ${describeError(err)}`));
      route();
    }
  }
})();
