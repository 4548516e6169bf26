// The result for a set of answers, as the server computes it (quizhub.domain.compute,
// docs/architecture.md#computing-a-result): every question answered with one of its options;
// the chosen options' scores summed per result; the highest total wins, a tie goes to the result
// listed first. The admin's draft preview plays an unsaved document with it (the server only
// computes saved ones); tests/fixtures/compute/ holds the cases both must agree on.
/** @import { TestDocument, WireResult } from "/admin/model.js" */

/** The answers do not fit the document (a question unanswered or unknown, an unknown option). */
export class AnswersMismatch extends Error {}

/**
 * @param {Pick<TestDocument, "questions" | "results">} doc
 * @param {Record<string, string>} answers question id → option id
 * @returns {{result: WireResult, scores: Record<string, number>}}
 */
export function computeResult(doc, answers) {
  const questions = new Map(doc.questions.map((q) => [q.id, q]));
  const unknown = Object.keys(answers).filter((qid) => !questions.has(qid));
  if (unknown.length) throw new AnswersMismatch(`no such question: ${unknown.join(", ")}`);
  /** @type {Record<string, number>} */
  const scores = Object.fromEntries(doc.results.map((r) => [r.id, 0]));
  for (const q of doc.questions) {
    const option = q.options.find((o) => o.id === answers[q.id]);
    if (!option) throw new AnswersMismatch(`question ${q.id} is not answered with one of its options`);
    for (const [resultId, points] of Object.entries(option.scores || {})) {
      // A draft may still score a result it no longer has: that score counts for nothing.
      if (Object.hasOwn(scores, resultId)) scores[resultId] += Math.trunc(Number(points)) || 0;
    }
  }
  const [first, ...rest] = doc.results;
  if (!first) throw new AnswersMismatch("the test has no results");
  const result = rest.reduce((best, r) => (scores[r.id] > scores[best.id] ? r : best), first);
  return { result, scores };
}
