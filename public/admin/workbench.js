// The editor shell around the form: title bar, 저장하기 / 삭제 / 미리보기 / 버전 기록, the live
// save status ("저장 완료" at the commit, "공개 반영 완료" once the caches were purged), the
// conflict banner, the validation summary, the history panel, and the save/delete/restore flows.
// Job progress arrives over the test's live-status WebSocket (live.js) while it is open; polling
// (jobs.js) takes over when it cannot open, drops or goes quiet. Another editor's save of the
// open test is announced as it happens, with a button to load it.
import { h, replace } from "/assets/dom.js";
import { api, ApiError, describeError } from "/admin/api.js";
import { pollJob, jobUrl, PollGiveUp, TERMINAL } from "/admin/jobs.js";
import { fingerprint, toDocument, fromDocument, normalizeLoc, describeLoc } from "/admin/model.js";
import { buildForm, showErrors, clearErrors } from "/admin/editor.js";
import { validationMessage, stepLabel, pendingText, saveStages, savedText, timeText } from "/admin/messages.js";
import { showHistory, openPreview } from "/admin/history.js";
import { LiveStatus, LiveLost } from "/admin/live.js";

const root = document.getElementById("editor-root");

/** The test being edited: {id, isNew, rev, model, baseline}. */
let cur = null;
let pendingUploads = 0;
let last = null; // {doc, fp} of the last save attempt, for "다시 시도"
let els = {};
let history = null; // the open history panel ({reload}), or null
let hooks = { changed: () => {}, listChanged: () => {}, closed: () => {}, created: () => {} };
let live = null; // the open test's LiveStatus
const ownJobs = new Set(); // jobs this tab started: never announced as someone else's
const announced = new Set(); // other editors' jobs already announced
let accepting = 0; // requests in flight whose job id is not known yet
let held = []; // news of unknown jobs that arrived meanwhile (they may be ours)

const LIVE_TEXT = { live: "실시간 반영 중", connecting: "실시간 연결 중…", polling: "자동 확인 (폴링)", closed: "" };

export function setHooks(h2) {
  hooks = { ...hooks, ...h2 };
}

export const current = () => cur;
export const isDirty = () => Boolean(cur) && fingerprint(cur.model) !== cur.baseline;
export const isSaving = () => Boolean(cur && cur.saving);

/** Open a loaded document (from GET /api/admin/tests/{id}) or a new blank model. */
export function open({ id, isNew, rev, model }) {
  cur = { id, isNew, rev: rev ?? null, model, baseline: fingerprint(model) };
  last = null;
  renderShell();
  setStatus("idle", isNew ? "새 테스트 — 아직 저장되지 않았습니다." : "");
  subscribe(id);
}

export function close() {
  cur = null;
  last = null;
  history = null;
  subscribe(null);
  root.replaceChildren();
}

// ---------- live status ----------

/** Follow `id`'s live status (null: none); the same test keeps its socket across re-opens. */
function subscribe(id) {
  if (live && live.testId === id) {
    showLiveState(live.state);
    return;
  }
  if (live) live.stop();
  live = id ? new LiveStatus(id, { onJob: onLiveJob, onState: showLiveState }).start() : null;
}

function showLiveState(state) {
  if (!els.liveState) return;
  els.liveState.dataset.state = state;
  els.liveState.textContent = LIVE_TEXT[state] ?? "";
}

/** Any job of the open test, pushed: another editor's save is announced (ours never). */
function onLiveJob(job, phase) {
  if (!cur || job.testId !== cur.id || ownJobs.has(job.jobId)) return;
  if (accepting > 0) {
    held.push([job, phase]);
    return;
  }
  announce(job, phase);
}

/** A request that starts a job is in flight: news of unknown jobs waits until its id is known. */
function accepted(jobId) {
  if (jobId) ownJobs.add(jobId);
  accepting = Math.max(0, accepting - 1);
  if (accepting > 0) return;
  const news = held;
  held = [];
  for (const [job, phase] of news) onLiveJob(job, phase);
}

function announce(job, phase) {
  const saved = Boolean(job.committedAt) && ["committed", "live", "succeeded"].includes(phase);
  if (!saved || announced.has(job.jobId) || (job.rev && job.rev === cur.rev)) return;
  announced.add(job.jobId);
  const deleted = job.kind === "delete";
  const what = deleted ? "삭제했습니다" : "저장했습니다";
  const mine = isDirty() ? " 내 변경 사항은 아직 저장되지 않았습니다 — 지금 저장하면 충돌합니다." : "";
  replace(els.liveNotice,
    h("p", { class: "banner-text" },
      `다른 편집자가 이 테스트를 방금 ${what} (${timeText(job.committedAt)}, rev …${String(job.rev).slice(-8)}).${mine}`),
    h("div", { class: "banner-actions" },
      deleted ? null : actionButton("새 버전 불러오기", () => reload(), true),
      actionButton("닫기", () => { els.liveNotice.hidden = true; })));
  els.liveNotice.dataset.jobId = job.jobId;
  els.liveNotice.hidden = false;
  hooks.listChanged();
}

/**
 * Follow a job until it is terminal: over the live socket when it is open, else (or when it
 * drops or goes quiet) by polling. `onUpdate` sees every unfinished state.
 */
async function track(target, data, verb) {
  const jobId = data && data.jobId;
  const onUpdate = (j) => {
    if (cur === target && j && !TERMINAL.has(j.status)) showPending(verb, j);
  };
  if (jobId && live && live.testId === target.id && live.connected) {
    try {
      return await live.follow(jobId, { onUpdate });
    } catch (err) {
      if (!(err instanceof LiveLost)) throw err;
    }
  }
  return pollJob(jobUrl(data && data.statusUrl, jobId), { onUpdate });
}

/** `api(...)` for a request that starts a job of the open test (its job is ours). */
async function startJob(method, path, options) {
  accepting++;
  let jobId = null;
  try {
    const result = await api(method, path, options);
    jobId = result.data && result.data.jobId;
    return result;
  } finally {
    accepted(jobId);
  }
}

function renderShell() {
  const saveBtn = h("button", { type: "button", class: "btn btn-primary", id: "save-button",
    on: { click: () => save() } }, "저장하기");
  const deleteBtn = h("button", { type: "button", class: "btn btn-danger", id: "delete-button",
    on: { click: () => remove() } }, "삭제");
  const backBtn = h("button", { type: "button", class: "btn btn-small btn-ghost back-to-list",
    on: { click: () => hooks.closed() } }, "← 목록");
  els = {
    saveBtn, deleteBtn,
    heading: h("h2", { class: "editor-heading", id: "editor-heading" }),
    meta: h("p", { class: "editor-meta" }),
    status: h("div", { id: "save-status", class: "save-status", role: "status", "aria-live": "polite",
      "aria-atomic": "true", dataset: { state: "idle" } }),
    statusActions: h("div", { class: "status-actions" }),
    banner: h("div", { id: "conflict-banner", class: "notice notice-warn banner", role: "alert", hidden: true }),
    liveNotice: h("div", { id: "live-notice", class: "notice notice-info banner", role: "status", hidden: true }),
    liveState: h("span", { id: "live-state", class: "live-state", dataset: { state: "closed" } }),
    summary: h("div", { id: "error-summary", class: "notice notice-error", role: "alert", tabindex: "-1", hidden: true }),
    publicLink: h("a", { class: "btn", target: "_blank", rel: "noopener", href: `/t/${encodeURIComponent(cur.id)}` },
      "공개 페이지"),
    statsLink: h("a", { class: "btn", id: "stats-link", href: `#/stats/${encodeURIComponent(cur.id)}`,
      title: "이 테스트의 조회·시작·완료, 결과 분포, 문항별 이탈" }, "통계"),
    previewBtn: h("button", { type: "button", class: "btn", id: "preview-button",
      title: "저장된 내용(초안 포함)을 공개 페이지 모양으로 봅니다. 관리자에게만 보입니다.",
      on: { click: () => openPreview(cur.id) } }, "미리보기"),
    historyBtn: h("button", { type: "button", class: "btn", id: "history-button", "aria-expanded": "false",
      "aria-controls": "history-panel", on: { click: () => toggleHistory() } }, "버전 기록"),
    stages: h("ol", { class: "save-stages", id: "save-stages", "aria-label": "저장 단계", hidden: true }),
    history: h("section", { class: "history-panel", id: "history-panel", "aria-labelledby": "history-title", hidden: true }),
    formHost: h("div", { class: "form-host" }),
  };
  els.statusRow = h("div", { class: "status-row" }, els.status, els.stages, els.statusActions);
  replace(root,
    h("div", { class: "editor-bar" },
      h("div", { class: "editor-bar-row" },
        backBtn,
        h("div", { class: "editor-titles" }, els.heading, els.meta, els.liveState),
        h("div", { class: "editor-actions" }, els.historyBtn, els.previewBtn, els.statsLink, els.publicLink, deleteBtn, saveBtn)),
      els.statusRow),
    els.liveNotice, els.banner, els.summary, els.history, els.formHost);
  renderForm();
  updateMeta();
}

function renderForm(focusPath) {
  const y = window.scrollY;
  const form = buildForm(cur.model, {
    change: onChange,
    structure: (path) => {
      hideSummary();
      renderForm(path);
      onChange();
    },
    upload,
    describe: describeError,
  });
  els.form = form;
  els.formHost.replaceChildren(form);
  window.scrollTo({ top: y });
  if (focusPath) focusByPath(focusPath);
}

function focusByPath(path) {
  const m = /^(.*)\.(move-up|move-down)$/.exec(path);
  let el = null;
  if (m) {
    const block = els.form.querySelector(`[data-path="${CSS.escape(m[1])}"]`);
    el = block && (block.querySelector(`[data-action="${m[2]}"]:not([disabled])`) ||
      block.querySelector("[data-action]:not([disabled])"));
  } else {
    el = els.form.querySelector(`[data-path="${CSS.escape(path)}"]`);
    if (el && !el.matches("input, select, textarea, button")) el = el.querySelector("input, textarea, select");
  }
  if (el) {
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "nearest" });
  }
}

function onChange() {
  updateMeta();
  hooks.changed();
}

function updateMeta() {
  if (!cur) return;
  const title = cur.model.title.trim();
  els.heading.textContent = title || "(제목 없음)";
  const bits = [`ID ${cur.id}`, cur.isNew ? "새 테스트" : `rev ${cur.rev ?? "-"}`,
    cur.model.status === "published" ? "공개" : "초안"];
  if (isDirty()) bits.push("● 저장하지 않은 변경 사항");
  els.meta.textContent = bits.join(" · ");
  els.meta.classList.toggle("dirty", isDirty());
  els.publicLink.hidden = cur.isNew;
  els.previewBtn.hidden = cur.isNew;
  els.historyBtn.hidden = cur.isNew;
}

// ---------- history ----------

/** Show or hide the 버전 기록 panel (`open` forces a state; showing always reloads it). */
function toggleHistory(open = els.history.hidden) {
  els.history.hidden = !open;
  els.historyBtn.setAttribute("aria-expanded", String(open));
  history = open ? showHistory(els.history, cur.id, { restore: (v) => restore(v) }) : null;
  if (open) els.history.scrollIntoView({ block: "nearest" });
}

/**
 * Upload an image: POST (업로드 중; saving waits for it), then `onAccepted(key)` — the key is
 * usable in the document at once — and the image job is followed (`onJob(job)` on every
 * state) until it ends: over the open test's live socket (the upload names the test, so the
 * job's progress is pushed there), else by polling its statusUrl. Resolves to the finished job
 * (or, when polling gave up, the last answer with `slow: true`); rejects when the upload itself
 * was refused.
 */
async function upload(file, onAccepted, onJob) {
  const target = cur && !cur.isNew ? cur : null;
  const path = target ? `/api/admin/images?testId=${encodeURIComponent(target.id)}` : "/api/admin/images";
  let data;
  pendingUploads++;
  try {
    ({ data } = await api("POST", path, { raw: file, contentType: file.type || "application/octet-stream" }));
  } finally {
    pendingUploads--;
  }
  if (!data || !data.key) throw new Error("응답에 이미지 키가 없습니다.");
  onAccepted(data.key);
  if (TERMINAL.has(data.status)) return data; // sync mode: the job already finished
  if (target && live && live.testId === target.id && live.connected) {
    try {
      return await live.follow(data.jobId, { onUpdate: onJob });
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

function setStatus(state, text, actions = [], job = null) {
  els.status.dataset.state = state;
  const icon = state === "saving" || state === "delayed" || state === "committed" ? h("span", { class: "spinner", "aria-hidden": "true" })
    : state === "saved" ? h("span", { class: "status-icon", "aria-hidden": "true" }, "✓")
      : state === "failed" || state === "conflict" ? h("span", { class: "status-icon", "aria-hidden": "true" }, "!")
        : null;
  if (text) replace(els.status, icon, h("span", { class: "status-text" }, text));
  else els.status.replaceChildren();
  replace(els.statusActions, actions);
  els.statusRow.hidden = !text && !actions.length;
  showStages(state === "saving" || state === "committed" || state === "saved" ? job : null);
}

/** "저장 완료 <time>" · "공개 반영 완료 <time>" of a committed job, in that order. */
function showStages(job) {
  const stages = saveStages(job);
  els.stages.hidden = !stages.length;
  els.stages.dataset.jobId = stages.length ? job.jobId : "";
  replace(els.stages, stages.map((s) => h("li", { class: "save-stage", dataset: { stage: s.key, reached: String(Boolean(s.at)) } },
    h("span", { class: "status-icon", "aria-hidden": "true" }, s.at ? "✓" : "…"), ` ${s.label}`,
    s.at ? h("time", { datetime: s.at }, ` ${timeText(s.at)}`) : null)));
}

/** An unfinished job on the status line: its step, (delayed) the server's reason, or once it
 * committed "저장 완료 · 공개 반영 중…". */
function showPending(verb, job) {
  if (verb !== "삭제" && job && job.committedAt && job.status !== "delayed") {
    setStatus("committed", savedText(job), [], job);
    return;
  }
  setStatus(job && job.status === "delayed" ? "delayed" : "saving", pendingText(verb, job));
}

function actionButton(text, onClick, primary = false) {
  return h("button", { type: "button", class: `btn btn-small${primary ? " btn-primary" : ""}`, on: { click: onClick } }, text);
}

function setBusy(target, busy) {
  target.saving = busy;
  if (cur !== target) return;
  els.saveBtn.disabled = busy;
  els.deleteBtn.disabled = busy;
  els.saveBtn.setAttribute("aria-busy", String(busy));
}

// ---------- save ----------

/**
 * Save the editor's content (or re-send `retryDoc`) with baseRev = the loaded rev. Shows
 * "저장 중…" with the job's step while polling, then "저장 완료" or a failure with its reason.
 */
export async function save(retryDoc = null) {
  if (!cur || cur.saving) return;
  const target = cur;
  if (pendingUploads > 0) {
    setStatus("failed", "이미지를 올리는 중입니다. 업로드가 끝난 뒤 다시 저장해 주세요.");
    return;
  }
  const doc = retryDoc ?? toDocument(target.model, target.rev);
  const fp = retryDoc && last ? last.fp : fingerprint(target.model);
  last = { doc, fp };
  hideBanner();
  hideSummary();
  clearErrors(els.form);
  setBusy(target, true);
  setStatus("saving", "저장 중… 요청을 보내는 중");
  try {
    const { data } = await startJob("PUT", `/api/admin/tests/${encodeURIComponent(target.id)}`, { json: doc });
    let job = data;
    if (!(data && TERMINAL.has(data.status))) {
      target.pendingJob = data && data.jobId ? { jobId: data.jobId, status: "queued" } : null;
      setStatus("saving", "저장 중… 접수됨");
      job = await track(target, data, "저장");
    }
    if (cur === target) finishSave(target, job, data, fp);
    hooks.listChanged();
  } catch (err) {
    if (cur === target) saveFailed(err);
  } finally {
    setBusy(target, false);
  }
}

function finishSave(target, job, accepted, fp) {
  switch (job.status) {
    case "succeeded":
      target.rev = job.rev ?? (accepted && accepted.rev) ?? target.rev;
      if (target.isNew) hooks.created(target.id);
      target.isNew = false;
      target.baseline = fp;
      setStatus("saved", savedText(job), [], job);
      if (history) history.reload();
      break;
    case "conflict":
      setStatus("conflict", "저장되지 않음: 다른 편집자가 먼저 저장했습니다.");
      showBanner("다른 편집자가 이 테스트를 먼저 저장했습니다. 내 변경 사항은 저장되지 않았습니다. "
        + "최신 내용을 다시 불러오거나, 내 내용으로 덮어쓸 수 있습니다.", job);
      break;
    case "expired":
      setStatus("failed", `저장되지 않음 (만료): ${job.error || "큐 보관 기간 안에 전달되지 않았습니다."}`,
        [actionButton("다시 시도", () => save(last && last.doc), true)]);
      break;
    case "superseded":
      setStatus("conflict", "저장되지 않음: 더 최신 저장이 이미 반영되었습니다.");
      showBanner("이 저장보다 최신 저장이 먼저 반영되어 내 변경 사항은 적용되지 않았습니다. "
        + "최신 내용을 다시 불러오거나, 내 내용으로 덮어쓸 수 있습니다.", job);
      break;
    default:
      setStatus("failed", `저장 실패: ${job.error || "알 수 없는 오류로 작업이 실패했습니다."}`,
        [actionButton("다시 시도", () => save(last && last.doc), true)]);
  }
  updateMeta();
}

function saveFailed(err) {
  const retry = actionButton("다시 시도", () => save(last && last.doc), true);
  if (err instanceof PollGiveUp) {
    const j = err.lastJob || cur.pendingJob;
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
    const n = showValidation(err);
    setStatus("failed", `저장 실패: 입력값 오류 ${n}건 — 표시된 항목을 고쳐 주세요.`);
  } else if (err.status === 413) {
    setStatus("failed", "저장 실패: 문서가 너무 큽니다 (too large). 내용이나 질문 수를 줄여 주세요.");
  } else if (err.status === 409) {
    setStatus("conflict", "저장되지 않음: 다른 편집자가 먼저 저장했습니다.");
    showBanner(`다른 편집자가 이 테스트를 먼저 저장했습니다. ${err.message || ""}`.trim(), null);
  } else if (err.status === 401) {
    setStatus("failed", "저장 실패: 로그인이 필요합니다. 다시 로그인한 뒤 ‘다시 시도’를 눌러 주세요.", [retry]);
  } else {
    setStatus("failed", `저장 실패: ${describeError(err)}`, [retry]);
  }
}

/** Resume polling a job after giving up (the job id is in the last answer or the last accept). */
async function resume(lastJob) {
  if (!cur || cur.saving || !lastJob || !lastJob.jobId) return save(last && last.doc);
  const target = cur;
  setBusy(target, true);
  showPending("저장", lastJob);
  try {
    const job = await pollJob(jobUrl(null, lastJob.jobId), {
      onUpdate: (j) => { if (cur === target && !TERMINAL.has(j.status)) showPending("저장", j); },
    });
    if (cur === target) finishSave(target, job, null, last ? last.fp : target.baseline);
    hooks.listChanged();
  } catch (err) {
    if (cur === target) saveFailed(err);
  } finally {
    setBusy(target, false);
  }
}

// ---------- restore ----------

/**
 * Restore a version (from the history panel): its content is saved as a new rev on top of the
 * rev this editor loaded (a conflict if someone saved since). The editor then shows the result.
 */
async function restore(version) {
  if (!cur || cur.saving) return;
  const target = cur;
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
    let job = data;
    if (!(data && TERMINAL.has(data.status))) job = await track(target, data, "복원");
    hooks.listChanged();
    if (cur !== target) return;
    if (job.status !== "succeeded") {
      const moved = job.status === "conflict" || job.status === "superseded";
      setStatus(moved ? "conflict" : "failed", moved
        ? "복원되지 않음: 그 사이 다른 저장이 먼저 반영되었습니다. 최신 내용을 다시 불러온 뒤 복원해 주세요."
        : `복원 실패: ${job.error || job.status}`,
      moved ? [actionButton("다시 불러오기", () => reload())] : []);
      return;
    }
    const { data: doc } = await api("GET", base);
    if (cur !== target) return;
    target.saving = false;
    open({ id: target.id, isNew: false, rev: doc.rev, model: fromDocument(doc) });
    setStatus("saved", `복원 완료: ${savedText(job)}`, [], job);
    toggleHistory(true);
    hooks.changed();
  } catch (err) {
    if (cur === target) {
      setStatus("failed", err instanceof PollGiveUp
        ? "복원 상태를 확인하지 못했습니다. 작업은 서버에서 계속 진행 중일 수 있습니다."
        : `복원 실패: ${describeError(err)}`);
    }
  } finally {
    setBusy(target, false);
  }
}

// ---------- 422 ----------

function showValidation(err) {
  const details = Array.isArray(err.details) ? err.details : [];
  const errors = details.map((d) => ({
    parts: normalizeLoc(d.loc ?? d.path ?? []),
    msg: validationMessage(d),
  }));
  if (!errors.length) errors.push({ parts: [], msg: err.message || "입력값이 올바르지 않습니다." });
  const targets = showErrors(els.form, errors);
  replace(els.summary,
    h("strong", {}, `저장하지 못했습니다 — 입력값 오류 ${errors.length}건`),
    h("ul", { class: "summary-list" }, errors.map((e, i) => {
      const label = e.parts.length ? describeLoc(e.parts, cur.model) : "문서";
      const target = targets[i];
      return h("li", {},
        target ? h("button", {
          type: "button", class: "linklike",
          on: { click: () => { target.scrollIntoView({ block: "center" }); (target.matches("input,select,textarea") ? target : target.querySelector("input,textarea,select"))?.focus({ preventScroll: true }); } },
        }, `${label}: ${e.msg}`) : `${label}: ${e.msg}`);
    })));
  els.summary.hidden = false;
  els.summary.scrollIntoView({ block: "nearest" });
  return errors.length;
}

function hideSummary() {
  if (els.summary) {
    els.summary.hidden = true;
    els.summary.replaceChildren();
  }
}

// ---------- conflict banner ----------

function showBanner(text, job) {
  replace(els.banner,
    h("p", { class: "banner-text" }, text),
    job && job.error ? h("p", { class: "hint" }, `서버 메시지: ${job.error}`) : null,
    h("div", { class: "banner-actions" },
      actionButton("다시 불러오기", () => reload()),
      actionButton("덮어쓰기", () => overwrite(), true)));
  els.banner.hidden = false;
}

function hideBanner() {
  els.banner.hidden = true;
  els.banner.replaceChildren();
}

/** Discard local changes and load the latest saved version. */
async function reload() {
  if (!cur || cur.saving) return;
  const id = cur.id;
  try {
    const { data } = await api("GET", `/api/admin/tests/${encodeURIComponent(id)}`);
    open({ id, isNew: false, rev: data.rev, model: fromDocument(data) });
    setStatus("idle", "최신 내용을 다시 불러왔습니다.");
    hooks.changed();
  } catch (err) {
    setStatus("failed", `다시 불러오지 못했습니다: ${describeError(err)}`);
  }
}

/** Fetch the latest rev, then save the editor's current content on top of it. */
async function overwrite() {
  if (!cur || cur.saving) return;
  const target = cur;
  try {
    const { data } = await api("GET", `/api/admin/tests/${encodeURIComponent(target.id)}`);
    target.rev = data.rev ?? null;
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) {
      setStatus("failed", `최신 리비전을 확인하지 못했습니다: ${describeError(err)}`);
      return;
    }
    target.rev = null; // deleted meanwhile: save as new
  }
  if (cur === target) await save();
}

// ---------- delete ----------

async function remove() {
  if (!cur || cur.saving) return;
  const target = cur;
  const name = target.model.title.trim() || target.id;
  if (target.isNew) {
    if (window.confirm(`아직 저장하지 않은 새 테스트 “${name}”을(를) 버릴까요?`)) {
      target.baseline = fingerprint(target.model);
      hooks.closed({ deleted: true, force: true });
    }
    return;
  }
  if (!window.confirm(`“${name}” 테스트를 삭제할까요? 공개 사이트에서도 사라집니다.`)) return;
  setBusy(target, true);
  setStatus("saving", "삭제 중…");
  try {
    const { data } = await startJob("DELETE", `/api/admin/tests/${encodeURIComponent(target.id)}`);
    let job = data;
    if (!(data && TERMINAL.has(data.status))) job = await track(target, data, "삭제");
    hooks.listChanged();
    if (job.status === "succeeded") {
      if (cur === target) {
        target.baseline = fingerprint(target.model);
        setBusy(target, false);
        hooks.closed({ deleted: true, force: true, message: `“${name}” 테스트를 삭제했습니다.` });
      }
      return;
    }
    if (cur === target) setStatus("failed", `삭제 실패: ${job.error || job.status}`);
  } catch (err) {
    if (cur === target) {
      setStatus("failed", err instanceof PollGiveUp
        ? "삭제 상태를 확인하지 못했습니다. 잠시 후 목록을 새로고침해 주세요."
        : `삭제 실패: ${describeError(err)}`);
    }
  } finally {
    setBusy(target, false);
  }
}
