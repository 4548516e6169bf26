// 버전 기록: the committed versions of a test (GET /api/admin/tests/{id}/versions, newest first),
// what each one changes compared with the current saved version, 미리보기 and 복원.
import { h, replace } from "/assets/dom.js";
import { api, ApiError, describeError } from "/admin/api.js";
import { timeText } from "/admin/messages.js";
/** @import { ApiResult, Page } from "/admin/api.js" */
/** @import { TestDocument, TestStatus, Score } from "/admin/model.js" */

/**
 * One committed version in the list (quizhub.store.versions.VersionRow.to_json).
 * @typedef {object} Version
 * @property {string} rev
 * @property {string} savedAt
 * @property {string | null} jobId
 * @property {string | null} title
 * @property {string | null} author
 * @property {TestStatus | null} status
 * @property {boolean} current
 */

const PAGE_SIZE = 10;

/** @type {(scores: Record<string, Score> | undefined) => Record<string, Score>} */
const sortedScores = (scores) => Object.fromEntries(Object.entries(scores || {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

// The parts of a document an editor compares, in the order the editor shows them.
/** @type {[key: string, label: string, pick: (doc: TestDocument) => unknown][]} */
export const DIFF_FIELDS = [
  ["title", "제목", (d) => d.title ?? ""],
  ["description", "설명", (d) => d.description ?? ""],
  ["tags", "태그", (d) => d.tags || []],
  ["status", "공개 상태", (d) => d.status ?? "draft"],
  ["thumbnail", "대표 이미지", (d) => d.thumbnail ?? null],
  ["questions", "질문", (d) => (d.questions || []).map((q) => [q.id, q.text, q.image ?? null])],
  ["options", "선택지", (d) => (d.questions || []).map((q) => (q.options || []).map((o) => [o.id, o.text, sortedScores(o.scores)]))],
  ["results", "결과", (d) => (d.results || []).map((r) => [r.id, r.title, r.description ?? "", r.image ?? null])],
];

/**
 * The fields in which document `a` differs from document `b`: [{key, label}].
 * @param {TestDocument} a
 * @param {TestDocument} b
 * @returns {{key: string, label: string}[]}
 */
export function changedFields(a, b) {
  return DIFF_FIELDS
    .filter(([, , pick]) => JSON.stringify(pick(a)) !== JSON.stringify(pick(b)))
    .map(([key, label]) => ({ key, label }));
}

/**
 * The URL of the admin's preview of a test (the public player's look; `rev` = a version).
 * @param {string} id
 * @param {string | null} [rev]
 * @returns {string}
 */
export function previewUrl(id, rev = null) {
  const q = new URLSearchParams({ id, preview: "1" });
  if (rev) q.set("rev", rev);
  return `/admin/preview/?${q}`;
}

/**
 * Open a preview in a new tab. window.open (not a target=_blank link, which implies noopener)
 * so the new tab starts with a copy of this tab's sessionStorage, where the admin token lives.
 * @param {string} id
 * @param {string | null} [rev]
 */
export function openPreview(id, rev = null) {
  const w = window.open(previewUrl(id, rev), "_blank");
  if (w) w.opener = null;
}

/**
 * Render the history panel of test `id` into `root`. `hooks.restore(version)` starts a restore
 * (the editor owns the status line and the save flow).
 * @param {HTMLElement} root
 * @param {string} id
 * @param {{restore: (version: Version) => void}} hooks
 * @returns {{reload: () => void}}
 */
export function showHistory(root, id, hooks) {
  /** @type {string | null} */
  let cursor = null;
  let seq = 0;
  /** @type {TestDocument | null} */
  let current = null; // the current saved document, compared with every version
  const message = h("div", { class: "history-message" });
  const list = h("ol", { class: "version-list", id: "version-list", "aria-label": "버전 목록 (최신순)" });
  const more = h("button", { type: "button", class: "btn btn-small", hidden: true,
    on: { click: () => load(false) } }, "더 보기");
  replace(root,
    h("div", { class: "history-head" },
      h("h3", { id: "history-title" }, "버전 기록"),
      h("button", { type: "button", class: "btn btn-small", on: { click: () => load(true) } }, "새로고침")),
    h("p", { class: "hint" }, "저장할 때마다 버전이 남습니다. 각 버전이 현재 버전과 어떻게 다른지 보고, "
      + "미리 보거나 그 내용으로 복원할 수 있습니다 (복원은 새 버전으로 저장됩니다)."),
    message, list, more);
  load(true);
  return { reload: () => load(true) };

  /** @param {boolean} reset */
  async function load(reset) {
    const mine = ++seq;
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (!reset && cursor) query.set("cursor", cursor);
    more.disabled = true;
    if (reset) replace(message, h("p", { class: "loading" }, h("span", { class: "spinner", "aria-hidden": "true" }), "불러오는 중…"));
    try {
      const base = `/api/admin/tests/${encodeURIComponent(id)}`;
      /** @type {(path: string) => Promise<TestDocument>} */
      const getDoc = (path) => api("GET", path).then((r) => /** @type {TestDocument} */ (r.data));
      const [{ data }, cur] = await Promise.all([
        /** @type {Promise<ApiResult<Page<Version>>>} */ (api("GET", `${base}/versions?${query}`)),
        reset || !current ? getDoc(base) : Promise.resolve(current),
      ]);
      current = cur;
      const items = (data && data.items) || [];
      const docs = await Promise.all(items.map((v) => (v.current ? Promise.resolve(current)
        : getDoc(`${base}/versions/${encodeURIComponent(v.rev)}`).catch(() => null))));
      if (mine !== seq) return;
      cursor = (data && data.nextCursor) || null;
      if (reset) list.replaceChildren();
      list.append(...items.map((v, i) => item(v, docs[i])));
      message.replaceChildren();
      if (!list.children.length) replace(message, h("p", { class: "hint" }, "아직 저장된 버전이 없습니다."));
      more.hidden = !cursor;
    } catch (err) {
      if (mine !== seq || (err instanceof ApiError && err.status === 401)) return;
      replace(message, h("p", { class: "notice notice-error", role: "alert" },
        `버전 기록을 불러오지 못했습니다: ${describeError(err)}`));
    } finally {
      if (mine === seq) more.disabled = false;
    }
  }

  /**
   * @param {Version} v
   * @param {TestDocument | null} doc the version's content (null: it could not be loaded)
   * @returns {HTMLLIElement}
   */
  function item(v, doc) {
    const changes = v.current || !current ? null : doc ? changedFields(doc, current) : undefined;
    let changeLine;
    if (v.current || changes === null) {
      changeLine = h("p", { class: "version-changes" }, "현재 버전입니다.");
    } else if (changes === undefined) {
      changeLine = h("p", { class: "version-changes" }, "이 버전의 내용을 불러오지 못했습니다.");
    } else if (!changes.length) {
      changeLine = h("p", { class: "version-changes" }, "현재 버전과 내용이 같습니다.");
    } else {
      changeLine = h("p", { class: "version-changes" }, "현재와 다른 항목: ",
        h("span", { class: "change-list" }, changes.map((c) => h("span", { class: "change", dataset: { field: c.key } }, c.label))));
    }
    const status = v.status === "published" ? "공개" : "초안";
    return h("li", { class: "version-item", dataset: { rev: v.rev, current: String(Boolean(v.current)) } },
      h("div", { class: "version-head" },
        h("span", { class: "version-title" }, v.title || "(제목 없음)"),
        v.current ? h("span", { class: "badge badge-current" }, "현재 버전") : null,
        h("span", { class: `badge badge-${v.status === "published" ? "published" : "draft"}` }, status)),
      h("div", { class: "version-meta" },
        h("span", {}, "저장 ", h("time", { datetime: v.savedAt }, timeText(v.savedAt))),
        h("span", { class: "mono", title: `rev ${v.rev}` }, `rev …${String(v.rev).slice(-8)}`),
        v.author ? h("span", {}, v.author) : null),
      changeLine,
      h("div", { class: "version-actions" },
        h("button", { type: "button", class: "btn btn-small", on: { click: () => openPreview(id, v.rev) },
          "aria-label": `${v.title || "버전"} 미리보기` }, "미리보기"),
        v.current ? null : h("button", { type: "button", class: "btn btn-small btn-primary",
          "aria-label": `${v.title || "버전"} 복원`, on: { click: () => hooks.restore(v) } }, "복원")));
  }
}
