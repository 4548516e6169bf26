// The draft preview's protocol and rules (docs/admin.md#draft-preview). The admin's editor
// (admin/draftpreview.js) frames /admin/preview/draft/ and posts it the unsaved document; the
// player there (assets/test.js, which loads this module only on that page) plays it, and when a
// new draft arrives mid-play it stays where it was as far as the new draft allows.
/** @import { TestDocument } from "/admin/model.js" */

/** The page the editor frames. */
export const DRAFT_PAGE = "/admin/preview/draft/";
/** editor → frame: `{type, test}`, the unsaved document with its id. */
export const DRAFT_MESSAGE = "quizhub:draft";
/** frame → editor: `{type}`, the player is ready for the draft (sent once it has loaded). */
export const DRAFT_READY = "quizhub:draft-ready";

/**
 * Where a play is: the intro, a question (its index), or the result.
 * @typedef {{view: "intro"} | {view: "question", index: number} | {view: "result"}} Place
 */

/**
 * Why a draft cannot be played yet (Korean, for the editor), or null when it can.
 * @param {Pick<TestDocument, "questions" | "results">} doc
 * @returns {string | null}
 */
export function unplayable(doc) {
  if (!doc.questions.length) return "질문을 하나 이상 추가하면 여기서 풀어 볼 수 있어요.";
  if (!doc.results.length) return "결과를 하나 이상 추가하면 여기서 풀어 볼 수 있어요.";
  const empty = doc.questions.findIndex((q) => !q.options.length);
  if (empty >= 0) return `${empty + 1}번 질문에 선택지를 추가하면 여기서 풀어 볼 수 있어요.`;
  return null;
}

/**
 * A play continued on a changed draft: the answers whose question and option are still there
 * are kept, and the player goes back no further than the first question now unanswered (a
 * result needs every question answered).
 * @param {Pick<TestDocument, "questions">} doc the new draft
 * @param {Place} at where the play was
 * @param {Record<string, string>} answers question id → option id
 * @returns {{at: Place, answers: Record<string, string>}}
 */
export function resumeAt(doc, at, answers) {
  /** @type {Record<string, string>} */
  const kept = {};
  for (const q of doc.questions) {
    if (Object.hasOwn(answers, q.id) && q.options.some((o) => o.id === answers[q.id])) kept[q.id] = answers[q.id];
  }
  if (at.view === "intro" || !doc.questions.length) return { at: { view: "intro" }, answers: kept };
  const open = doc.questions.findIndex((q) => !Object.hasOwn(kept, q.id));
  const last = doc.questions.length - 1;
  if (at.view === "result") {
    return { at: open < 0 ? { view: "result" } : { view: "question", index: open }, answers: kept };
  }
  const index = Math.min(at.index, last, open < 0 ? last : open);
  return { at: { view: "question", index }, answers: kept };
}
