// The editor shell around the form: title bar, 저장하기 and (folded into 더보기 on a phone)
// 미리보기 / 버전 기록 / 저장본 미리보기 / 통계 / 삭제, the draft preview beside the form, the live
// save status ("저장 완료" at the commit, "공개 반영 완료" once the caches were purged), the
// conflict banner (and under it the choice between the two editors' changes: conflict.js), the
// validation summary, the history panel, and the save/delete/restore flows.
// Job progress arrives over the test's live-status WebSocket (live.js) while it is open; polling
// (jobs.js) takes over when it cannot open, drops or goes quiet. Another editor's save of the
// open test is announced as it happens, with a button to load it.
import { byId, h, replace } from "/assets/dom.js";
import { api, ApiError, describeError } from "/admin/api.js";
import { pollJob, jobUrl, PollGiveUp, TERMINAL, finished } from "/admin/jobs.js";
import { fingerprint, toDocument, fromDocument, normalizeLoc, describeLoc } from "/admin/model.js";
import { buildForm, showErrors, clearErrors, showFieldError, markRequired, lockIds } from "/admin/editor.js";
import { revCopy } from "/admin/revcopy.js";
import { validationMessage, stepLabel, pendingText, saveStages, savedText, timeText, jobErrorText, CONFLICT_KO } from "/admin/messages.js";
import { checkDocument, problemsAt, isRequired } from "/admin/rules.js";
import { showHistory, openPreview } from "/admin/history.js";
import { LiveStatus, LiveLost } from "/admin/live.js";
import { mergeDocuments } from "/admin/merge.js";
import { contentOf as content, editable } from "/admin/resolve.js";
import { confirmOverwrite, loadVersions, showDeleted, showLoading, showResolution, showUnavailable, versionsOf } from "/admin/conflict.js";
import { overflowMenu } from "/admin/overflow.js";
import { draftPreview } from "/admin/draftpreview.js";
/** @import { ApiOptions, ApiResult, ValidationDetail } from "/admin/api.js" */
/** @import { Accepted, Job } from "/admin/jobs.js" */
/** @import { Model, SaveBody, TestDocument } from "/admin/model.js" */
/** @import { FieldError, UploadOutcome } from "/admin/editor.js" */
/** @import { Version } from "/admin/history.js" */
/** @import { LiveState, Phase } from "/admin/live.js" */
/** @import { DraftPreview } from "/admin/draftpreview.js" */

/**
 * The test being edited. `baseline` is the fingerprint of what was loaded or last saved (the
 * unsaved-changes check); `pendingJob` is the save in flight as the accept answered it.
 * @typedef {object} Editing
 * @property {string} id
 * @property {boolean} isNew
 * @property {string | null} rev
 * @property {Model} model
 * @property {string} baseline
 * @property {SaveBody | null} saved the document as loaded or last saved: the base the form's
 *   changes are merged from when another editor's save arrives (docs/merge.md#in-the-editor)
 * @property {boolean} [saving]
 * @property {Partial<Job> | null} [pendingJob]
 * @property {boolean} [published] it has been published (the list's publishedAt)
 */

/**
 * What the app is told (app.js): the content changed, the list may have, the editor asks to be
 * closed (`force`: without asking about unsaved changes), a new test was created.
 * @typedef {object} Hooks
 * @property {() => void} changed
 * @property {() => void} listChanged
 * @property {(how?: {deleted?: boolean, force?: boolean, message?: string}) => void} closed
 * @property {(id: string) => void} created
 */

/**
 * The open editor's elements (renderShell makes them; renderForm replaces `form`).
 * @typedef {object} Els
 * @property {HTMLButtonElement} saveBtn
 * @property {HTMLButtonElement} deleteBtn
 * @property {HTMLHeadingElement} heading
 * @property {HTMLParagraphElement} meta
 * @property {HTMLDivElement} status
 * @property {HTMLDivElement} statusActions
 * @property {HTMLDivElement} statusRow
 * @property {HTMLDivElement} banner
 * @property {HTMLElement} resolution the conflict's resolution (conflict.js), under the banner
 * @property {HTMLDivElement} liveNotice
 * @property {HTMLSpanElement} liveState
 * @property {HTMLSpanElement} presence
 * @property {HTMLDivElement} summary
 * @property {HTMLAnchorElement} publicLink
 * @property {HTMLAnchorElement} statsLink
 * @property {HTMLButtonElement} previewBtn
 * @property {HTMLButtonElement} historyBtn
 * @property {HTMLOListElement} stages
 * @property {HTMLElement} history
 * @property {HTMLDivElement} formHost
 * @property {HTMLFormElement} form
 * @property {DraftPreview} draft the unsaved draft in a phone-sized frame (draftpreview.js)
 */

/**
 * Everything the workbench keeps between events, in one place (this module owns it).
 * @type {{
 *   cur: Editing | null,
 *   els: Els | null,
 *   pendingUploads: number,
 *   last: {doc: SaveBody, fp: string} | null,
 *   history: {reload: () => void} | null,
 *   hooks: Hooks,
 *   live: LiveStatus | null,
 *   ownJobs: Set<string>,
 *   announced: Set<string>,
 *   accepting: number,
 *   held: [Job, Phase][],
 * }}
 */
const state = {
  cur: null, // the test being edited
  els: null, // its elements (null before the first open)
  pendingUploads: 0, // uploads in flight: saving waits for them
  last: null, // {doc, fp} of the last save attempt, for "다시 시도"
  history: null, // the open history panel ({reload}), or null
  hooks: { changed: () => {}, listChanged: () => {}, closed: () => {}, created: () => {} },
  live: null, // the open test's LiveStatus
  ownJobs: new Set(), // jobs this tab started: never announced as someone else's
  announced: new Set(), // other editors' jobs already announced
  accepting: 0, // requests in flight whose job id is not known yet
  held: [], // news of unknown jobs that arrived meanwhile (they may be ours)
};

/**
 * The open editor's elements.
 * @returns {Els}
 */
function view() {
  if (!state.els) throw new Error("the editor has not been opened");
  return state.els;
}

const root = byId("editor-root");

/** @type {Record<LiveState, string>} */
const LIVE_TEXT = { live: "실시간 반영 중", connecting: "실시간 연결 중…", polling: "자동 확인 (폴링)", closed: "" };

/**
 * Tell the app (app.js) what happens: the hooks given replace the ones set before.
 * @param {Partial<Hooks>} h2
 */
export function setHooks(h2) {
  state.hooks = { ...state.hooks, ...h2 };
}

export const current = () => state.cur;
export const isDirty = () => state.cur !== null && fingerprint(state.cur.model) !== state.cur.baseline;
export const isSaving = () => Boolean(state.cur && state.cur.saving);

/**
 * Open a loaded document (from GET /api/admin/tests/{id}) or a new blank model; `published`:
 * the test has been published before (its status now may be either).
 * @param {{id: string, isNew: boolean, rev?: string | null, model: Model, published?: boolean}} test
 */
export function open({ id, isNew, rev, model, published = false }) {
  const saved = isNew ? null : toDocument(model, rev ?? null);
  const cur = { id, isNew, rev: rev ?? null, model, baseline: fingerprint(model), saved,
    published: published || state.cur?.id === id && Boolean(state.cur.published) };
  state.cur = cur;
  state.last = null;
  renderShell(cur);
  setStatus("idle", isNew ? "새 테스트 — 아직 저장되지 않았습니다." : "");
  subscribe(id);
}

export function close() {
  state.cur = null;
  state.last = null;
  state.history = null;
  subscribe(null);
  root.replaceChildren();
}

// ---------- live status ----------

/**
 * Follow `id`'s live status (null: none); the same test keeps its socket across re-opens.
 * @param {string | null} id
 */
function subscribe(id) {
  if (state.live && state.live.testId === id) {
    showLiveState(state.live.state);
    return;
  }
  if (state.live) state.live.stop();
  showPresence(1);
  state.live = id
    ? new LiveStatus(id, { onJob: onLiveJob, onState: showLiveState, onPresence: showPresence }).start()
    : null;
}

/**
 * "다른 편집자가 편집 중" while another socket has the test open.
 * @param {number} editors sockets open on the test, this one included
 */
function showPresence(editors) {
  const els = state.els;
  if (!els) return;
  const others = Math.max(0, editors - 1);
  els.presence.hidden = others === 0;
  els.presence.textContent = others === 1 ? "다른 편집자가 편집 중" : `다른 편집자 ${others}명이 편집 중`;
}

/** @param {LiveState} liveState */
function showLiveState(liveState) {
  const els = state.els;
  if (!els) return;
  els.liveState.dataset.state = liveState;
  els.liveState.textContent = LIVE_TEXT[liveState] ?? "";
}

/**
 * Any job of the open test, pushed: another editor's save is announced (ours never).
 * @param {Job} job
 * @param {Phase} phase
 */
function onLiveJob(job, phase) {
  if (!state.cur || job.testId !== state.cur.id || state.ownJobs.has(job.jobId)) return;
  if (state.accepting > 0) {
    state.held.push([job, phase]);
    return;
  }
  announce(job, phase);
}

/**
 * A request that starts a job is in flight: news of unknown jobs waits until its id is known.
 * @param {string | null} jobId the job it started (null: it failed)
 */
function accepted(jobId) {
  if (jobId) state.ownJobs.add(jobId);
  state.accepting = Math.max(0, state.accepting - 1);
  if (state.accepting > 0) return;
  const news = state.held;
  state.held = [];
  for (const [job, phase] of news) onLiveJob(job, phase);
}

/**
 * Another editor's save or delete of the open test: say so, with a button to load it.
 * @param {Job} job
 * @param {Phase} phase
 */
function announce(job, phase) {
  const els = view();
  const saved = Boolean(job.committedAt) && ["committed", "live", "succeeded"].includes(phase);
  if (!saved || state.announced.has(job.jobId) || (job.rev && job.rev === state.cur?.rev)) return;
  state.announced.add(job.jobId);
  const deleted = job.kind === "delete";
  if (!deleted && state.cur && !state.cur.saving) {
    rebase(state.cur, job).catch(() => tellOtherSave(job, deleted, els));
    return;
  }
  tellOtherSave(job, deleted, els);
}

/**
 * Another editor's save arrived: the form takes their changes, and keeps this editor's unsaved
 * ones, when the two do not overlap (the same three-way merge as the pipeline's, on the same
 * shared cases: docs/merge.md). Otherwise the announcement offers the new version.
 * @param {Editing} target
 * @param {Job} job
 */
async function rebase(target, job) {
  const { data } = /** @type {ApiResult<TestDocument>} */ (await api("GET", `/api/admin/tests/${encodeURIComponent(target.id)}`));
  if (state.cur !== target || target.saving || !target.saved || data.rev === target.rev) return;
  const mine = toDocument(target.model, target.rev);
  const { merged } = mergeDocuments(content(target.saved), content(data), content(mine));
  if (!merged) {
    tellOtherSave(job, false, view());
    return;
  }
  const dirty = isDirty();
  adopt(target, data, merged.document);
  if (!dirty) {
    setStatus("idle", "다른 편집자가 저장한 최신 내용을 불러왔습니다.");
    return;
  }
  setStatus("idle", `다른 편집자의 변경을 반영했습니다 (${timeText(job.committedAt)}). 내 변경 사항은 그대로 있습니다.`);
}

/**
 * Make the saved version `data` the form's base, showing `document` (it, or it with this
 * editor's unsaved changes merged in).
 * @param {Editing} target
 * @param {TestDocument} data the version now saved
 * @param {unknown} document what the form shows
 */
function adopt(target, data, document) {
  const saved = fromDocument(data);
  target.rev = data.rev ?? target.rev;
  target.saved = toDocument(saved, target.rev);
  target.baseline = fingerprint(saved);
  target.model = fromDocument(/** @type {TestDocument} */ (document));
  renderForm();
  updateMeta();
  state.hooks.changed();
}

/**
 * Say that another editor saved or deleted the test, with a button to load the new version.
 * @param {Job} job
 * @param {boolean} deleted
 * @param {Els} els
 */
function tellOtherSave(job, deleted, els) {
  const what = deleted ? "삭제했습니다" : "저장했습니다";
  const mine = isDirty() ? " 내 변경 사항과 겹치는 부분이 있어 자동으로 합치지 못했습니다 — 지금 저장하면 겹친 항목이 충돌합니다." : "";
  replace(els.liveNotice,
    h("p", { class: "banner-text" },
      `다른 편집자가 이 테스트를 방금 ${what} (${timeText(job.committedAt)}, rev …${String(job.rev).slice(-8)}).${mine}`),
    h("div", { class: "banner-actions" },
      deleted ? null : actionButton("새 버전 불러오기", () => reload(), true),
      actionButton("닫기", () => { els.liveNotice.hidden = true; })));
  els.liveNotice.dataset.jobId = job.jobId;
  els.liveNotice.hidden = false;
  state.hooks.listChanged();
}

/**
 * Follow a job until it is terminal: over the live socket when it is open, else (or when it
 * drops or goes quiet) by polling. `onUpdate` sees every unfinished state.
 * @param {Editing} target
 * @param {Accepted} data what the request that started the job answered
 * @param {string} verb 저장, 삭제 or 복원
 * @returns {Promise<Job>}
 */
async function track(target, data, verb) {
  const jobId = data && data.jobId;
  const onUpdate = (/** @type {Job} */ j) => {
    if (state.cur === target && j && !TERMINAL.has(j.status)) showPending(verb, j);
  };
  if (jobId && state.live && state.live.testId === target.id && state.live.connected) {
    try {
      return await state.live.follow(jobId, { onUpdate });
    } catch (err) {
      if (!(err instanceof LiveLost)) throw err;
    }
  }
  return pollJob(jobUrl(data && data.statusUrl, jobId), { onUpdate });
}

/**
 * `api(...)` for a request that starts a job of the open test (its job is ours).
 * @param {string} method
 * @param {string} path
 * @param {ApiOptions} [options]
 * @returns {Promise<ApiResult<Accepted>>}
 */
async function startJob(method, path, options) {
  state.accepting++;
  /** @type {string | null} */
  let jobId = null;
  try {
    const result = /** @type {ApiResult<Accepted>} */ (await api(method, path, options));
    jobId = result.data && result.data.jobId;
    return result;
  } finally {
    accepted(jobId);
  }
}

/**
 * Build the editor for `test` (the bar, the notices, the panels and the form) into the root.
 * @param {Editing} test
 */
function renderShell(test) {
  const saveBtn = h("button", { type: "button", class: "btn btn-primary", id: "save-button",
    on: { click: () => save() } }, "저장하기");
  const deleteBtn = h("button", { type: "button", class: "btn btn-danger", id: "delete-button",
    on: { click: () => remove() } }, "삭제");
  const backBtn = h("button", { type: "button", class: "btn btn-small btn-ghost back-to-list",
    on: { click: () => state.hooks.closed() } }, "← 목록");
  const status = h("div", { id: "save-status", class: "save-status", role: "status", "aria-live": "polite",
    "aria-atomic": "true", dataset: { state: "idle" } });
  const stages = h("ol", { class: "save-stages", id: "save-stages", "aria-label": "저장 단계", hidden: true });
  const statusActions = h("div", { class: "status-actions" });
  /** @type {Els} */
  const els = {
    saveBtn, deleteBtn, status, stages, statusActions,
    heading: h("h2", { class: "editor-heading", id: "editor-heading" }),
    meta: h("p", { class: "editor-meta" }),
    statusRow: h("div", { class: "status-row" }, status, stages, statusActions),
    banner: h("div", { id: "conflict-banner", class: "notice notice-warn banner", role: "alert", hidden: true }),
    resolution: h("section", { id: "conflict-resolution", class: "resolution", "aria-labelledby": "resolution-title", hidden: true }),
    liveNotice: h("div", { id: "live-notice", class: "notice notice-info banner", role: "status", hidden: true }),
    liveState: h("span", { id: "live-state", class: "live-state", dataset: { state: "closed" } }),
    presence: h("span", { id: "presence", class: "presence", role: "status", hidden: true }),
    summary: h("div", { id: "error-summary", class: "notice notice-error", role: "alert", tabindex: "-1", hidden: true }),
    publicLink: h("a", { class: "btn", target: "_blank", rel: "noopener", href: `/t/${encodeURIComponent(test.id)}` },
      "공개 페이지"),
    statsLink: h("a", { class: "btn", id: "stats-link", href: `#/stats/${encodeURIComponent(test.id)}`,
      title: "이 테스트의 조회·시작·완료, 결과 분포, 문항별 이탈" }, "통계"),
    previewBtn: h("button", { type: "button", class: "btn", id: "preview-button",
      title: "저장된 내용(초안 포함)을 새 탭에서 공개 페이지 모양으로 봅니다. 관리자에게만 보입니다.",
      on: { click: () => openPreview(test.id) } }, "저장본 미리보기"),
    historyBtn: h("button", { type: "button", class: "btn", id: "history-button", "aria-expanded": "false",
      "aria-controls": "history-panel", on: { click: () => toggleHistory() } }, "버전 기록"),
    history: h("section", { class: "history-panel", id: "history-panel", "aria-labelledby": "history-title", hidden: true }),
    formHost: h("div", { class: "form-host" }),
    form: h("form"), // replaced by renderForm below
    draft: draftPreview(),
  };
  state.els = els;
  replace(root,
    h("div", { class: "editor-bar" },
      h("div", { class: "editor-bar-row" },
        backBtn,
        h("div", { class: "editor-titles" }, els.heading, els.meta, els.liveState, els.presence),
        h("div", { class: "editor-actions" },
          overflowMenu("editor-more", [els.draft.toggle, els.historyBtn, els.previewBtn, els.statsLink, els.publicLink, deleteBtn]), saveBtn)),
      els.statusRow),
    els.liveNotice, els.banner, els.resolution, els.summary, els.history,
    h("div", { class: "editor-body" }, els.formHost, els.draft.panel));
  renderForm();
  updateMeta();
}

/**
 * (Re)build the form of the open test, keeping the scroll position; then focus `focusPath`.
 * @param {string} [focusPath]
 */
function renderForm(focusPath) {
  const els = view();
  if (!state.cur) return;
  const y = window.scrollY;
  const form = buildForm(state.cur.model, {
    change: onChange,
    structure: (path) => {
      hideSummary();
      renderForm(path);
      onChange();
    },
    upload,
    describe: describeError,
    check: checkField,
    lockedIds: idsLocked(state.cur),
  });
  markRequired(form, isRequired);
  els.form = form;
  els.formHost.replaceChildren(form);
  window.scrollTo({ top: y });
  if (focusPath) focusByPath(focusPath);
  showDraft();
}

/**
 * Focus the field `path` names ("….move-up"/"….move-down": that button of the block, or its
 * first enabled one).
 * @param {string} path
 */
function focusByPath(path) {
  const els = view();
  const m = /^(.*)\.(move-up|move-down)$/.exec(path);
  /** @type {Element | null} */
  let el;
  if (m) {
    const block = els.form.querySelector(`[data-path="${CSS.escape(m[1])}"]`);
    el = block && (block.querySelector(`[data-action="${m[2]}"]:not([disabled])`) ||
      block.querySelector("[data-action]:not([disabled])"));
  } else {
    el = els.form.querySelector(`[data-path="${CSS.escape(path)}"]`);
    if (el && !el.matches("input, select, textarea, button")) el = el.querySelector("input, textarea, select");
  }
  if (el instanceof HTMLElement) {
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "nearest" });
  }
}

/**
 * Whether the test's question and result ids are fixed: it has been published (public result
 * addresses and the per-result counts use them).
 * @param {Editing} test
 * @returns {boolean}
 */
function idsLocked(test) {
  return Boolean(test.published || test.saved?.status === "published");
}

function onChange() {
  updateMeta();
  showDraft();
  state.hooks.changed();
}

/** The form's content, unsaved, to the draft preview. */
function showDraft() {
  const cur = state.cur;
  if (cur) view().draft.show({ ...toDocument(cur.model, cur.rev), id: cur.id });
}

/**
 * As you type: the API's rules for the field just edited (rules.js), its first broken one
 * shown beside it in Korean. The server checks again on save; cross-field rules are its own.
 * @param {HTMLElement} input
 */
function checkField(input) {
  const path = input.dataset.path;
  const cur = state.cur;
  if (!cur || !path) return;
  const [first] = problemsAt(checkDocument(toDocument(cur.model, cur.rev)), path);
  if (first) showFieldError(input, validationMessage(first));
}

function updateMeta() {
  if (!state.cur) return;
  const els = view();
  const title = state.cur.model.title.trim();
  els.heading.textContent = title || "(제목 없음)";
  const rev = state.cur.isNew || !state.cur.rev ? null : state.cur.rev;
  const bits = [state.cur.model.status === "published" ? "공개" : "초안"];
  if (isDirty()) bits.push("● 저장하지 않은 변경 사항");
  els.meta.replaceChildren(`ID ${state.cur.id} · `, rev ? revCopy(rev) : "새 테스트", ` · ${bits.join(" · ")}`);
  els.meta.classList.toggle("dirty", isDirty());
  els.publicLink.hidden = state.cur.isNew;
  els.previewBtn.hidden = state.cur.isNew;
  els.historyBtn.hidden = state.cur.isNew;
}

// ---------- history ----------

/**
 * Show or hide the 버전 기록 panel (`show` forces a state; showing always reloads it).
 * @param {boolean} [show] (default: the opposite of now)
 */
function toggleHistory(show) {
  const els = view();
  if (!state.cur) return;
  if (show === undefined) show = Boolean(els.history.hidden);
  els.history.hidden = !show;
  els.historyBtn.setAttribute("aria-expanded", String(show));
  state.history = show ? showHistory(els.history, state.cur.id, { restore: (v) => restore(v) }) : null;
  if (show) els.history.scrollIntoView({ block: "nearest" });
}

/**
 * Upload an image: POST (업로드 중; saving waits for it), then `onAccepted(key)` — the key is
 * usable in the document at once — and the image job is followed (`onJob(job)` on every
 * state) until it ends: over the open test's live socket (the upload names the test, so the
 * job's progress is pushed there), else by polling its statusUrl. Resolves to the finished job
 * (or, when polling gave up, the last answer with `slow: true`); rejects when the upload itself
 * was refused.
 * @param {File} file
 * @param {(key: string) => void} onAccepted
 * @param {(job: Job) => void} onJob
 * @returns {Promise<UploadOutcome>}
 */
async function upload(file, onAccepted, onJob) {
  const target = state.cur && !state.cur.isNew ? state.cur : null;
  const path = target ? `/api/admin/images?testId=${encodeURIComponent(target.id)}` : "/api/admin/images";
  /** @type {Accepted | null} */
  let data;
  state.pendingUploads++;
  try {
    ({ data } = /** @type {ApiResult<Accepted | null>} */ (
      await api("POST", path, { raw: file, contentType: file.type || "application/octet-stream" })));
  } finally {
    state.pendingUploads--;
  }
  if (!data || !data.key) throw new Error("응답에 이미지 키가 없습니다.");
  onAccepted(data.key);
  if (finished(data)) return data; // sync mode: the job already finished
  if (target && state.live && state.live.testId === target.id && state.live.connected) {
    try {
      return await state.live.follow(data.jobId, { onUpdate: onJob });
    } catch (err) {
      if (!(err instanceof LiveLost)) throw err; // the socket dropped or went quiet: poll
    }
  }
  try {
    return await pollJob(jobUrl(data.statusUrl, data.jobId), { onUpdate: onJob, timeoutMs: 180_000 });
  } catch (err) {
    // Still running server-side: the key stays in the document, the job in 작업 상태.
    if (err instanceof PollGiveUp) return { ...(err.lastJob || data), slow: true };
    throw err;
  }
}

// ---------- status line ----------

/**
 * The status line: its state (idle, saving, delayed, committed, saved, failed, conflict,
 * unknown), text, action buttons and (saving, committed, saved) the job's stages.
 * @param {string} mode
 * @param {string} text
 * @param {HTMLButtonElement[]} [actions]
 * @param {Partial<Job> | null} [job]
 */
function setStatus(mode, text, actions = [], job = null) {
  const els = view();
  els.status.dataset.state = mode;
  const icon = mode === "saving" || mode === "delayed" || mode === "committed" ? h("span", { class: "spinner", "aria-hidden": "true" })
    : mode === "saved" ? h("span", { class: "status-icon", "aria-hidden": "true" }, "✓")
      : mode === "failed" || mode === "conflict" ? h("span", { class: "status-icon", "aria-hidden": "true" }, "!")
        : null;
  if (text) replace(els.status, icon, h("span", { class: "status-text", title: text }, text));
  else els.status.replaceChildren();
  replace(els.statusActions, actions);
  els.statusRow.hidden = !text && !actions.length;
  showStages(mode === "saving" || mode === "committed" || mode === "saved" ? job : null);
}

/**
 * "저장 완료 <time>" · "공개 반영 완료 <time>" of a committed job, in that order.
 * @param {Partial<Job> | null} job
 */
function showStages(job) {
  const els = view();
  const stages = saveStages(job);
  els.stages.hidden = !stages.length;
  els.stages.dataset.jobId = (stages.length && job?.jobId) || "";
  replace(els.stages, stages.map((s) => h("li", { class: "save-stage", dataset: { stage: s.key, reached: String(Boolean(s.at)) } },
    h("span", { class: "status-icon", "aria-hidden": "true" }, s.at ? "✓" : "…"), ` ${s.label}`,
    s.at ? h("time", { datetime: s.at }, ` ${timeText(s.at)}`) : null)));
}

/**
 * An unfinished job on the status line: its step, (delayed) the server's reason, or once it
 * committed "저장 완료 · 공개 반영 중…".
 * @param {string} verb
 * @param {Partial<Job> | null | undefined} job
 */
function showPending(verb, job) {
  if (verb !== "삭제" && job && job.committedAt && job.status !== "delayed") {
    setStatus("committed", savedText(job), [], job);
    return;
  }
  setStatus(job && job.status === "delayed" ? "delayed" : "saving", pendingText(verb, job));
}

/**
 * @param {string} text
 * @param {() => void} onClick
 * @param {boolean} [primary]
 * @returns {HTMLButtonElement}
 */
function actionButton(text, onClick, primary = false) {
  return h("button", { type: "button", class: `btn btn-small${primary ? " btn-primary" : ""}`, on: { click: onClick } }, text);
}

/**
 * @param {Editing} target
 * @param {boolean} busy
 */
function setBusy(target, busy) {
  target.saving = busy;
  if (state.cur !== target) return;
  const els = view();
  els.saveBtn.disabled = busy;
  els.deleteBtn.disabled = busy;
  els.saveBtn.setAttribute("aria-busy", String(busy));
}

// ---------- save ----------

/**
 * Save the editor's content (or re-send `retryDoc`) with baseRev = the loaded rev. Shows
 * "저장 중…" with the job's step while polling, then "저장 완료" or a failure with its reason.
 * @param {SaveBody | null} [retryDoc]
 */
export async function save(retryDoc = null) {
  if (!state.cur || state.cur.saving) return;
  const target = state.cur;
  if (state.pendingUploads > 0) {
    setStatus("failed", "이미지를 올리는 중입니다. 업로드가 끝난 뒤 다시 저장해 주세요.");
    return;
  }
  const doc = retryDoc ?? toDocument(target.model, target.rev);
  const fp = retryDoc && state.last ? state.last.fp : fingerprint(target.model);
  state.last = { doc, fp };
  hideBanner();
  hideSummary();
  clearErrors(view().form);
  const problems = checkDocument(doc);
  if (problems.length) { // the API's own rules, checked here first: nothing is sent
    const n = showValidation(problems, "");
    setStatus("failed", `저장 실패: 입력값 오류 ${n}건 — 표시된 항목을 고쳐 주세요.`);
    return;
  }
  setBusy(target, true);
  setStatus("saving", "저장 중… 요청을 보내는 중");
  try {
    const { data } = await startJob("PUT", `/api/admin/tests/${encodeURIComponent(target.id)}`, { json: doc });
    /** @type {Job} */
    let job;
    if (finished(data)) {
      job = data;
    } else {
      target.pendingJob = data && data.jobId ? { jobId: data.jobId, status: "queued" } : null;
      setStatus("saving", "저장 중… 접수됨");
      job = await track(target, data, "저장");
    }
    if (state.cur === target) finishSave(target, job, data, fp);
    state.hooks.listChanged();
  } catch (err) {
    if (state.cur === target) saveFailed(err);
  } finally {
    setBusy(target, false);
  }
}

/**
 * Show how a save ended (the job's status), and on success make its content the baseline.
 * @param {Editing} target
 * @param {Job} job
 * @param {Accepted | null} answer what the save request answered (null: resumed)
 * @param {string} fp the saved content's fingerprint
 */
function finishSave(target, job, answer, fp) {
  switch (job.status) {
    case "succeeded":
      target.rev = job.rev ?? (answer && answer.rev) ?? target.rev;
      if (target.isNew) state.hooks.created(target.id);
      target.isNew = false;
      target.baseline = fp;
      if (state.last) target.saved = { ...state.last.doc, baseRev: target.rev };
      if (target.saved?.status === "published") target.published = true;
      lockIds(view().form, idsLocked(target));
      setStatus("saved", savedText(job), [], job);
      if (job.merged) takeMerged(target, job);
      if (state.history) state.history.reload();
      break;
    case "conflict":
      setStatus("conflict", job.errorCode === "test_exists"
        ? "저장되지 않음: 같은 ID의 테스트가 이미 있습니다."
        : "저장되지 않음: 다른 편집자가 먼저 저장했습니다.");
      showBanner(`내 변경 사항은 저장되지 않았습니다. ${jobErrorText(job)
        || "다른 편집자가 먼저 저장했습니다. 최신 내용을 다시 불러오거나, 내 내용으로 덮어쓸 수 있습니다."}`, job);
      break;
    case "expired":
      setStatus("failed", `저장되지 않음 (만료): ${jobErrorText(job) || "큐 보관 기간 안에 전달되지 않았습니다."}`,
        [actionButton("다시 시도", () => save(state.last && state.last.doc), true)]);
      break;
    case "superseded":
      setStatus("conflict", "저장되지 않음: 더 최신 저장이 이미 반영되었습니다.");
      showBanner("이 저장보다 최신 저장이 먼저 반영되어 내 변경 사항은 적용되지 않았습니다. "
        + "아래에서 최신 저장과 비교해 합쳐 저장하거나, 최신 내용을 다시 불러오거나, 내 내용으로 덮어쓸 수 있습니다.", job);
      break;
    default:
      setStatus("failed", `저장 실패: ${jobErrorText(job) || "알 수 없는 오류로 작업이 실패했습니다. 다시 시도해 주세요."}`,
        [actionButton("다시 시도", () => save(state.last && state.last.doc), true)]);
  }
  updateMeta();
}

/**
 * A save merged with another editor's (`merged: true`): the version saved holds their changes
 * too, so the form takes them now — a save based on this rev from the form as it was would
 * change them back. What the editor typed since pressing 저장하기 stays when it does not
 * overlap theirs; when it does, the saved version is shown and the editor is told.
 * @param {Editing} target
 * @param {Job} job
 */
async function takeMerged(target, job) {
  const sent = target.saved;
  try {
    const { data } = /** @type {ApiResult<TestDocument>} */ (await api("GET", `/api/admin/tests/${encodeURIComponent(target.id)}`));
    if (state.cur !== target || !sent) return;
    const mine = toDocument(target.model, target.rev);
    const { merged } = mergeDocuments(content(sent), content(data), content(mine));
    adopt(target, data, merged ? merged.document : data);
    const theirs = job.merge ? job.merge.fromLive.length : 0;
    const lost = merged ? "" : " 저장 후 입력한 내용 중 다른 편집자의 변경과 겹치는 부분은 반영하지 못했습니다.";
    setStatus("saved", `${savedText(job)} — 다른 편집자의 변경 ${theirs}곳과 합쳐 저장했습니다.${lost}`, [], job);
  } catch (err) {
    setStatus("failed", `저장은 되었지만 합쳐진 내용을 불러오지 못했습니다: ${describeError(err)} — ‘새 버전 불러오기’ 전에는 다시 저장하지 마세요.`,
      [actionButton("새 버전 불러오기", () => reload(), true)]);
  }
}

/**
 * Show why a save failed (a refusal, a network failure, or polling that gave up).
 * @param {unknown} err
 */
function saveFailed(err) {
  const retry = actionButton("다시 시도", () => save(state.last && state.last.doc), true);
  if (err instanceof PollGiveUp) {
    const j = err.lastJob || state.cur?.pendingJob;
    const check = actionButton("상태 다시 확인", () => resume(j), true);
    if (j && j.status === "delayed") {
      setStatus("delayed", pendingText("저장", j), [check]);
      return;
    }
    setStatus("unknown", "저장 상태를 확인하지 못했습니다. 작업은 서버에서 계속 진행 중일 수 있습니다."
      + (j && j.step ? ` (마지막 단계: ${stepLabel(j)})` : ""),
    [check, retry]);
    return;
  }
  if (!(err instanceof ApiError)) {
    setStatus("failed", `저장 실패: ${describeError(err)}`, [retry]);
    return;
  }
  if (err.status === 422) {
    const n = showValidation(Array.isArray(err.details) ? err.details : [], describeError(err));
    setStatus("failed", `저장 실패: 입력값 오류 ${n}건 — 표시된 항목을 고쳐 주세요.`);
  } else if (err.status === 413) {
    setStatus("failed", `저장 실패: ${describeError(err)}`);
  } else if (err.status === 409) {
    setStatus("conflict", "저장되지 않음: 다른 변경과 충돌했습니다.");
    showBanner(describeError(err), null);
  } else if (err.status === 401) {
    setStatus("failed", "저장 실패: 로그인이 필요합니다. 다시 로그인한 뒤 ‘다시 시도’를 눌러 주세요.", [retry]);
  } else {
    setStatus("failed", `저장 실패: ${describeError(err)}`, [retry]);
  }
}

/**
 * Resume polling a job after giving up (the job id is in the last answer or the last accept).
 * @param {Partial<Job> | null | undefined} lastJob
 */
async function resume(lastJob) {
  if (!state.cur || state.cur.saving || !lastJob || !lastJob.jobId) return save(state.last && state.last.doc);
  const target = state.cur;
  setBusy(target, true);
  showPending("저장", lastJob);
  try {
    const job = await pollJob(jobUrl(null, lastJob.jobId), {
      onUpdate: (j) => { if (state.cur === target && !TERMINAL.has(j.status)) showPending("저장", j); },
    });
    if (state.cur === target) finishSave(target, job, null, state.last ? state.last.fp : target.baseline);
    state.hooks.listChanged();
  } catch (err) {
    if (state.cur === target) saveFailed(err);
  } finally {
    setBusy(target, false);
  }
}

// ---------- restore ----------

/**
 * Restore a version (from the history panel): its content is saved as a new rev on top of the
 * rev this editor loaded (a conflict if someone saved since). The editor then shows the result.
 * @param {Version} version
 */
async function restore(version) {
  if (!state.cur || state.cur.saving) return;
  const target = state.cur;
  const name = version.title || version.rev;
  const lose = isDirty() ? "\n편집 중인 저장하지 않은 변경 사항은 사라집니다." : "";
  if (!window.confirm(`“${name}” 버전(${timeText(version.savedAt)})의 내용으로 복원할까요? `
    + `새 버전으로 저장되어 공개 페이지에도 반영됩니다.${lose}`)) return;
  hideBanner();
  hideSummary();
  setBusy(target, true);
  setStatus("saving", "복원 중… 요청을 보내는 중");
  const base = `/api/admin/tests/${encodeURIComponent(target.id)}`;
  try {
    const { data } = await startJob("POST", `${base}/versions/${encodeURIComponent(version.rev)}/restore`,
      { json: { baseRev: target.rev } });
    const job = finished(data) ? data : await track(target, data, "복원");
    state.hooks.listChanged();
    if (state.cur !== target) return;
    if (job.status !== "succeeded") {
      const moved = job.status === "conflict" || job.status === "superseded";
      setStatus(moved ? "conflict" : "failed", moved
        ? "복원되지 않음: 그 사이 다른 저장이 먼저 반영되었습니다. 최신 내용을 다시 불러온 뒤 복원해 주세요."
        : `복원 실패: ${jobErrorText(job) || "작업이 실패했습니다. 다시 시도해 주세요."}`,
      moved ? [actionButton("다시 불러오기", () => reload())] : []);
      return;
    }
    const { data: doc } = /** @type {ApiResult<TestDocument>} */ (await api("GET", base));
    if (state.cur !== target) return;
    target.saving = false;
    open({ id: target.id, isNew: false, rev: doc.rev, model: fromDocument(doc) });
    setStatus("saved", `복원 완료: ${savedText(job)}`, [], job);
    toggleHistory(true);
    state.hooks.changed();
  } catch (err) {
    if (state.cur === target) {
      setStatus("failed", err instanceof PollGiveUp
        ? "복원 상태를 확인하지 못했습니다. 작업은 서버에서 계속 진행 중일 수 있습니다."
        : `복원 실패: ${describeError(err)}`);
    }
  } finally {
    setBusy(target, false);
  }
}

// ---------- 422 ----------

/**
 * Field errors ({loc, type, ctx}: a 422's details, or the editor's own checks) beside their
 * fields and in the summary, each summary line a link to its field. `general` is the line
 * shown when no field is named.
 * @param {ValidationDetail[]} details
 * @param {string} general
 * @returns {number} how many errors
 */
function showValidation(details, general) {
  const els = view();
  /** @type {FieldError[]} */
  const errors = details.map((d) => ({
    parts: normalizeLoc(d.loc ?? d.path ?? []),
    msg: validationMessage(d),
  }));
  if (!errors.length) errors.push({ parts: [], msg: general || "입력값이 올바르지 않습니다. 고친 뒤 다시 시도해 주세요." });
  const targets = showErrors(els.form, errors);
  replace(els.summary,
    h("strong", {}, `저장하지 못했습니다 — 입력값 오류 ${errors.length}건`),
    h("ul", { class: "summary-list" }, errors.map((e, i) => {
      const label = e.parts.length ? describeLoc(e.parts, state.cur?.model) : "문서";
      const target = targets[i];
      return h("li", {},
        target ? h("button", {
          type: "button", class: "linklike",
          on: { click: () => goTo(target) },
        }, `${label}: ${e.msg}`) : `${label}: ${e.msg}`);
    })));
  els.summary.hidden = false;
  els.summary.scrollIntoView({ block: "nearest" });
  return errors.length;
}

/**
 * Scroll to a field (or block) the summary names and focus its input.
 * @param {HTMLElement} target
 */
function goTo(target) {
  target.scrollIntoView({ block: "center" });
  const field = target.matches("input,select,textarea") ? target : target.querySelector("input,textarea,select");
  if (field instanceof HTMLElement) field.focus({ preventScroll: true });
}

function hideSummary() {
  if (state.els) {
    state.els.summary.hidden = true;
    state.els.summary.replaceChildren();
  }
}

// ---------- conflict banner ----------

/**
 * The conflict banner: what happened, the server's words (if a job has them), and the way out.
 * @param {string} text
 * @param {Partial<Job> | null} job
 */
function showBanner(text, job) {
  const els = view();
  replace(els.banner,
    h("p", { class: "banner-text" }, text),

    h("div", { class: "banner-actions" },
      actionButton("다시 불러오기", () => reload()),
      actionButton("덮어쓰기", () => overwrite(), true)));
  els.banner.dataset.code = (job && job.errorCode) || "";
  els.banner.hidden = false;
  if (job && job.errorCode !== "test_exists" && state.cur && !state.cur.isNew) resolveConflict(state.cur);
}

function hideBanner() {
  const els = view();
  els.banner.hidden = true;
  els.banner.replaceChildren();
  els.resolution.hidden = true;
  els.resolution.replaceChildren();
}

/**
 * Under the banner of a save that conflicted: the other editor's changes next to this editor's,
 * a choice for each field both changed, and saving the chosen document on top of the live rev
 * (conflict.js); for a test deleted meanwhile, making it again or dropping the changes.
 * @param {Editing} target
 */
async function resolveConflict(target) {
  const host = view().resolution;
  const baseRev = target.rev;
  const seq = String(Number(host.dataset.seq ?? 0) + 1); // a later conflict's view wins
  host.dataset.seq = seq;
  showLoading(host);
  try {
    const loaded = await loadVersions(target.id, baseRev, target.saved, toDocument(target.model, baseRev));
    if (state.cur !== target || target.saving || host.hidden || host.dataset.seq !== seq) return;
    const live = loaded.live;
    if (!live) {
      showDeleted(host, { recreate: () => recreate(target), discard: () => discard(target) });
      return;
    }
    showResolution(host, versionsOf(loaded, live), live, {
      mine: () => editable(toDocument(target.model, null)),
      save: (document, doc) => {
        if (state.cur !== target || target.saving) return;
        if (target.rev !== baseRev) { // the form took another save meanwhile: compare again
          resolveConflict(target);
          return;
        }
        adopt(target, doc, document);
        save();
      },
    });
  } catch (err) {
    if (state.cur === target && !host.hidden && host.dataset.seq === seq) showUnavailable(host, describeError(err), () => resolveConflict(target));
  }
}

/**
 * The test was deleted since it was loaded: save the form as a new test of the same id.
 * @param {Editing} target
 */
function recreate(target) {
  if (state.cur !== target || target.saving) return;
  target.rev = null;
  save();
}

/**
 * The test was deleted since it was loaded: close it, dropping this editor's changes.
 * @param {Editing} target
 */
function discard(target) {
  if (state.cur !== target || target.saving) return;
  target.baseline = fingerprint(target.model);
  state.hooks.closed({ deleted: true, force: true, message: CONFLICT_KO.discarded });
}

/** Discard local changes and load the latest saved version. */
async function reload() {
  if (!state.cur || state.cur.saving) return;
  const id = state.cur.id;
  try {
    const { data } = /** @type {ApiResult<TestDocument>} */ (await api("GET", `/api/admin/tests/${encodeURIComponent(id)}`));
    open({ id, isNew: false, rev: data.rev, model: fromDocument(data) });
    setStatus("idle", "최신 내용을 다시 불러왔습니다.");
    state.hooks.changed();
  } catch (err) {
    setStatus("failed", `다시 불러오지 못했습니다: ${describeError(err)}`);
  }
}

/**
 * Fetch the latest rev, say which of the other editor's changes overwriting undoes (and ask),
 * then save the editor's current content on top of it.
 */
async function overwrite() {
  if (!state.cur || state.cur.saving) return;
  const target = state.cur;
  const baseRev = target.rev;
  let loaded;
  try {
    loaded = await loadVersions(target.id, baseRev, target.saved, toDocument(target.model, baseRev));
  } catch (err) {
    setStatus("failed", `최신 리비전을 확인하지 못했습니다: ${describeError(err)}`);
    return;
  }
  const live = loaded.live;
  if (state.cur !== target || target.saving || target.rev !== baseRev) return;
  if (!(await confirmOverwrite(live ? versionsOf(loaded, live) : null))) return;
  if (state.cur !== target || target.saving || target.rev !== baseRev) return;
  target.rev = live ? live.rev ?? null : null; // deleted meanwhile: save as new
  await save();
}

// ---------- delete ----------

async function remove() {
  if (!state.cur || state.cur.saving) return;
  const target = state.cur;
  const name = target.model.title.trim() || target.id;
  if (target.isNew) {
    if (window.confirm(`아직 저장하지 않은 새 테스트 “${name}”을(를) 버릴까요?`)) {
      target.baseline = fingerprint(target.model);
      state.hooks.closed({ deleted: true, force: true });
    }
    return;
  }
  if (!window.confirm(`“${name}” 테스트를 삭제할까요? 공개 사이트에서도 사라집니다.`)) return;
  setBusy(target, true);
  setStatus("saving", "삭제 중…");
  try {
    const { data } = await startJob("DELETE", `/api/admin/tests/${encodeURIComponent(target.id)}`);
    const job = finished(data) ? data : await track(target, data, "삭제");
    state.hooks.listChanged();
    if (job.status === "succeeded") {
      if (state.cur === target) {
        target.baseline = fingerprint(target.model);
        setBusy(target, false);
        state.hooks.closed({ deleted: true, force: true, message: `“${name}” 테스트를 삭제했습니다.` });
      }
      return;
    }
    if (state.cur === target) setStatus("failed", `삭제 실패: ${jobErrorText(job) || "작업이 실패했습니다. 다시 시도해 주세요."}`);
  } catch (err) {
    if (state.cur === target) {
      setStatus("failed", err instanceof PollGiveUp
        ? "삭제 상태를 확인하지 못했습니다. 잠시 후 목록을 새로고침해 주세요."
        : `삭제 실패: ${describeError(err)}`);
    }
  } finally {
    setBusy(target, false);
  }
}
