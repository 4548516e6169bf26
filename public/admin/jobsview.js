// 작업 상태 (#/jobs): the save/delete jobs that need a person — failed, delayed (past the retry
// budget; they still apply when their message comes) and expired (the queue's retention ended) —
// with their reasons, newest first, and 다시 시도 for failed and expired ones.
import { h, replace } from "/assets/dom.js";
import { api, ApiError, describeError } from "/admin/api.js";
import { pollJob, jobUrl, PollGiveUp } from "/admin/jobs.js";
import { STATUS_KO, DELAYED_KO, timeText, jobErrorText } from "/admin/messages.js";
/** @import { ApiResult, Page } from "/admin/api.js" */
/** @import { Job, Accepted } from "/admin/jobs.js" */

const ATTENTION = ["failed", "delayed", "expired"];
const RETRYABLE = new Set(["failed", "expired"]);
const PAGE_SIZE = 20;

/**
 * Render the view into `root`; `hooks.listChanged()` runs after a job was re-submitted.
 * @param {HTMLElement} root
 * @param {{listChanged?: () => void}} [hooks]
 */
export function showJobs(root, hooks = {}) {
  /** @type {string | null} */
  let cursor = null;
  let seq = 0;
  const message = h("div", { id: "jobs-message" });
  const list = h("ul", { class: "jobs-list", id: "jobs-list", "aria-label": "확인이 필요한 작업" });
  const more = h("button", { type: "button", class: "btn btn-small", hidden: true,
    on: { click: () => load(false) } }, "더 보기");
  const refresh = h("button", { type: "button", class: "btn btn-small", id: "refresh-jobs",
    on: { click: () => load(true) } }, "새로고침");
  replace(root, h("section", { class: "jobs-view", "aria-labelledby": "jobs-title" },
    h("div", { class: "jobs-head" }, h("h2", { id: "jobs-title" }, "확인이 필요한 작업"), refresh),
    h("p", { class: "hint" }, "실패했거나, 재시도 예산을 넘겨 지연 중이거나, 큐 보관 기간이 끝나 만료된 "
      + "저장·삭제 작업입니다. 지연된 작업은 메시지가 전달되면 그대로 반영됩니다."),
    message, list, more));
  load(true);

  /** @param {boolean} reset */
  async function load(reset) {
    const mine = ++seq;
    const query = new URLSearchParams({ status: ATTENTION.join(","), limit: String(PAGE_SIZE) });
    if (!reset && cursor) query.set("cursor", cursor);
    refresh.disabled = true;
    more.disabled = true;
    if (reset) replace(message, h("p", { class: "loading" }, h("span", { class: "spinner", "aria-hidden": "true" }), "불러오는 중…"));
    try {
      const { data } = /** @type {ApiResult<Page<Job>>} */ (await api("GET", `/api/admin/jobs?${query}`));
      if (mine !== seq) return;
      const items = (data && data.items) || [];
      cursor = (data && data.nextCursor) || null;
      if (reset) list.replaceChildren();
      list.append(...items.map(card));
      message.replaceChildren();
      if (!list.children.length) {
        replace(message, h("p", { class: "notice notice-ok", role: "status" }, "확인이 필요한 작업이 없습니다."));
      }
      more.hidden = !cursor;
    } catch (err) {
      if (mine !== seq || (err instanceof ApiError && err.status === 401)) return;
      replace(message, h("p", { class: "notice notice-error", role: "alert" },
        `작업 목록을 불러오지 못했습니다: ${describeError(err)}`));
    } finally {
      if (mine === seq) {
        refresh.disabled = false;
        more.disabled = false;
      }
    }
  }

  /**
   * @param {Job} job
   * @returns {HTMLLIElement}
   */
  function card(job) {
    const note = h("span", { class: "job-note", role: "status", "aria-live": "polite" });
    const actions = h("div", { class: "job-card-actions" });
    const image = job.kind === "image";
    if (RETRYABLE.has(job.status) && (job.testId || image)) {
      const button = h("button", { type: "button", class: "btn btn-small btn-primary",
        on: { click: () => retry(job, button, note) } }, "다시 시도");
      actions.append(button);
    }
    actions.append(note);
    const subject = image
      ? h("span", {}, "이미지 ", h("span", { class: "mono" }, job.imageKey || "(저장된 원본 전부)"))
      : h("span", {}, "테스트 ", job.testId
        ? h("a", { href: `#/tests/${encodeURIComponent(job.testId)}`, class: "mono" }, job.testId)
        : h("span", { class: "mono" }, "(알 수 없음)"));
    const kind = image ? "이미지 처리" : job.kind === "delete" ? "삭제" : "저장";
    const reason = jobErrorText(job) || (job.status === "delayed" ? DELAYED_KO : "사유가 기록되지 않았습니다.");
    return h("li", { class: "job-card", dataset: { jobId: job.jobId, status: job.status } },
      h("div", { class: "job-card-head" },
        h("span", { class: `badge badge-job-${job.status}` }, STATUS_KO[job.status] || job.status),
        subject,
        h("span", { class: "job-kind" }, kind)),
      h("p", { class: "job-reason" }, reason),
      h("div", { class: "job-card-meta" },
        h("span", {}, "접수 ", h("time", { datetime: job.acceptedAt }, timeText(job.acceptedAt))),
        h("span", {}, "최근 변경 ", h("time", { datetime: job.updatedAt }, timeText(job.updatedAt))),
        job.attempts ? h("span", {}, `시도 ${job.attempts}회`) : null,
        job.author ? h("span", { class: "job-author", title: "Cloudflare Access 편집자" }, job.author) : null,
        h("span", { class: "mono", title: "작업 ID" }, job.jobId)),
      actions);
  }

  /**
   * @param {Job} job
   * @param {HTMLButtonElement} button
   * @param {HTMLElement} note
   */
  async function retry(job, button, note) {
    button.disabled = true;
    note.textContent = "다시 접수하는 중…";
    /** @type {Accepted} */
    let data;
    try {
      ({ data } = /** @type {ApiResult<Accepted>} */ (await api("POST", `/api/admin/jobs/${encodeURIComponent(job.jobId)}/retry`)));
    } catch (err) {
      button.disabled = false;
      note.textContent = `다시 시도하지 못했습니다: ${describeError(err)}`;
      return;
    }
    note.textContent = "다시 접수했습니다. 처리 상태를 확인하는 중…";
    hooks.listChanged?.();
    try {
      const done = await pollJob(jobUrl(data && data.statusUrl, data && data.jobId), {
        onUpdate: (j) => { note.textContent = `다시 시도한 작업: ${STATUS_KO[j.status] || j.status}`; },
      });
      note.textContent = done.status === "succeeded"
        ? "다시 시도한 작업이 완료되었습니다."
        : `다시 시도한 작업: ${STATUS_KO[done.status] || done.status}${jobErrorText(done) ? ` — ${jobErrorText(done)}` : ""}`;
      hooks.listChanged?.();
    } catch (err) {
      note.textContent = err instanceof PollGiveUp
        ? "다시 접수했습니다. 처리 상태는 잠시 후 새로고침해서 확인해 주세요."
        : `다시 접수했지만 상태를 확인하지 못했습니다: ${describeError(err)}`;
    }
  }
}
