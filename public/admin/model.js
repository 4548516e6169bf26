// The editor's model of a test document (docs/architecture.md#the-test-document) and its conversion to/from the wire JSON.
// Items carry a private `_k` key so that scores survive renaming a result id; the wire format
// keys scores by result id. New items get ids made here (newItemId), never from their text.
import { PART_KO } from "/admin/messages.js";

/**
 * A score on the wire: a number; the editor sends what it cannot read as a number as typed, so
 * that the server names the field.
 * @typedef {number | string} Score
 */

/** @typedef {{id: string, text: string, scores: Record<string, Score>}} WireOption */
/** @typedef {{id: string, text: string, image?: string | null, options: WireOption[]}} WireQuestion */
/** @typedef {{id: string, title: string, description?: string, image?: string | null}} WireResult */
/** @typedef {"draft" | "published"} TestStatus */

/**
 * The test document (docs/architecture.md#the-test-document) as GET /api/admin/tests/{id}
 * answers it (`id` and `rev` included) and PUT takes it (with `baseRev`, the rev it edits).
 * @typedef {object} TestDocument
 * @property {string} [id]
 * @property {string | null} [rev]
 * @property {string} title
 * @property {string} [description]
 * @property {string} [locale]
 * @property {string[]} [tags]
 * @property {TestStatus} [status]
 * @property {string | null} [thumbnail]
 * @property {WireQuestion[]} questions
 * @property {WireResult[]} results
 */

/** @typedef {TestDocument & {baseRev: string | null}} SaveBody */

/**
 * A test in a list (quizhub.store.tests): GET /api/tests (published only, no `status`) and
 * GET /api/admin/tests (every live test, with its latest job's state in `lastJob`).
 * @typedef {object} TestSummary
 * @property {string} id
 * @property {string} rev
 * @property {TestStatus} [status]
 * @property {string} title
 * @property {string} description
 * @property {string[]} tags
 * @property {string | null} thumbnail
 * @property {number} questionCount
 * @property {number} [participants] completed plays (public lists)
 * @property {string | null} [publishedAt] first publish (public lists)
 * @property {string} createdAt
 * @property {string} updatedAt
 * @property {Pick<import("/admin/jobs.js").Job, "jobId" | "rev" | "status" | "step" | "error"> | null} [lastJob]
 */

/**
 * The editor's items: `_k` is a key private to the editor (stable across renames); an option's
 * `scores` are keyed by its result's `_k` and hold what was typed; `orphans` are scores naming
 * no result, kept so that the server names the problem; a question's `_closed` is the editor's
 * (the question is folded to its summary line).
 * @typedef {{_k: string, id: string, title: string, description: string, image: string | null}} ModelResult
 * @typedef {{_k: string, id: string, text: string, scores: Record<string, string>, orphans: Record<string, Score>}} ModelOption
 * @typedef {{_k: string, id: string, text: string, image: string | null, options: ModelOption[], _closed?: boolean}} ModelQuestion
 */

/**
 * The editor's model of one test.
 * @typedef {object} Model
 * @property {string} title
 * @property {string} description
 * @property {string} locale
 * @property {string[]} tags
 * @property {TestStatus} status
 * @property {string | null} thumbnail
 * @property {ModelResult[]} results
 * @property {ModelQuestion[]} questions
 */

/**
 * A validation error's location without its leading "body": names and list indexes.
 * @typedef {(string | number)[]} Loc
 */

export const TEST_ID_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * A test id for a new test that is not in `taken` (the 새 테스트 dialog offers it; the editor
 * may change it before creating): "test-" and random letters and digits, within TEST_ID_RE.
 * @param {Iterable<string>} taken
 * @param {(n: number) => string} [random] the source of random characters
 * @returns {string}
 */
export function newTestId(taken, random = randomChars) {
  const used = new Set(taken);
  for (let i = 0; i < 100; i++) {
    const id = `test-${random(ID_RANDOM)}`;
    if (TEST_ID_RE.test(id) && !used.has(id)) return id;
  }
  throw new Error("no free test id");
}

let seq = 0;
const newKey = () => `k${++seq}`;

/**
 * Convert a document from GET /api/admin/tests/{id} into the editor model.
 * @param {Partial<TestDocument>} doc
 * @returns {Model}
 */
export function fromDocument(doc) {
  const results = (doc.results || []).map((r) => ({
    _k: newKey(), id: r.id ?? "", title: r.title ?? "", description: r.description ?? "", image: r.image ?? null,
  }));
  const keyOf = new Map(results.map((r) => [r.id, r._k]));
  const questions = (doc.questions || []).map((q) => ({
    _k: newKey(), id: q.id ?? "", text: q.text ?? "", image: q.image ?? null,
    options: (q.options || []).map((o) => {
      /** @type {Record<string, string>} */
      const scores = {};
      /** @type {Record<string, Score>} */
      const orphans = {};
      for (const [rid, value] of Object.entries(o.scores || {})) {
        const key = keyOf.get(rid);
        if (key !== undefined) scores[key] = String(value);
        else orphans[rid] = value; // kept so that the server names the problem
      }
      return { _k: newKey(), id: o.id ?? "", text: o.text ?? "", scores, orphans };
    }),
  }));
  return {
    title: doc.title ?? "",
    description: doc.description ?? "",
    locale: doc.locale || "ko",
    tags: [...(doc.tags || [])], // each tag whole: a tag may contain a comma
    status: doc.status === "published" ? "published" : "draft",
    thumbnail: doc.thumbnail ?? null,
    results,
    questions,
  };
}

/**
 * Add `text` to `tags` as one whole tag (trimmed; ignored when empty or already there).
 * @param {string[]} tags
 * @param {unknown} text
 * @returns {boolean} whether it was added
 */
export function addTag(tags, text) {
  const tag = String(text ?? "").trim();
  if (!tag || tags.some((t) => t.toLowerCase() === tag.toLowerCase())) return false;
  tags.push(tag);
  return true;
}

/**
 * @param {string | undefined} text
 * @returns {Score | undefined}
 */
function parseScore(text) {
  const s = String(text ?? "").trim();
  if (s === "") return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : s; // a non-number is sent as-is so the server names the field
}

/**
 * Convert the editor model into the PUT body (docs/architecture.md#the-test-document), with the given baseRev.
 * @param {Model} model
 * @param {string | null | undefined} baseRev
 * @returns {SaveBody & {locale: string, tags: string[], status: TestStatus, thumbnail: string | null}}
 */
export function toDocument(model, baseRev) {
  return {
    title: model.title,
    description: model.description,
    locale: model.locale || "ko",
    tags: [...model.tags],
    status: model.status,
    thumbnail: model.thumbnail || null,
    questions: model.questions.map((q) => ({
      id: q.id,
      text: q.text,
      image: q.image || null,
      options: q.options.map((o) => {
        /** @type {Record<string, Score>} */
        const scores = { ...o.orphans };
        for (const r of model.results) {
          const v = parseScore(o.scores[r._k]);
          if (v !== undefined) scores[r.id] = v;
        }
        return { id: o.id, text: o.text, scores };
      }),
    })),
    results: model.results.map((r) => ({
      id: r.id, title: r.title, description: r.description, image: r.image || null,
    })),
    baseRev: baseRev ?? null,
  };
}

/**
 * A stable string of the model's content (for the unsaved-changes check).
 * @param {Model} model
 * @returns {string}
 */
export function fingerprint(model) {
  return JSON.stringify(toDocument(model, null));
}

// An item id as the editor makes it: its kind's letter, a hyphen and random letters and digits
// (within the document's item id pattern, docs/architecture.md#ids). Made once, when the item
// is made, and never from its text: renaming an item leaves its id alone; a deleted item's id
// does not come back for another one (public result addresses /t/{id}/r/{resultId} and the
// per-result counts keep naming one result); and two editors adding items at the same time do
// not pick the same id (their saves merge item by item, docs/merge.md).
const ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";
const ID_RANDOM = 6;

/**
 * `n` random letters or digits.
 * @param {number} n
 * @returns {string}
 */
function randomChars(n) {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  return Array.from(bytes, (b) => ID_CHARS[b % ID_CHARS.length]).join("");
}

/**
 * A new item id of the kind `prefix` ("q", "o" or "r") that is not in `taken`.
 * @param {string} prefix
 * @param {Iterable<string>} taken
 * @param {(n: number) => string} [random] the source of random characters
 * @returns {string}
 */
export function newItemId(prefix, taken, random = randomChars) {
  const used = new Set(taken);
  for (let i = 0; i < 100; i++) {
    const id = `${prefix}-${random(ID_RANDOM)}`;
    if (!used.has(id)) return id;
  }
  throw new Error("no free item id");
}

/**
 * A blank result with an id of its own.
 * @param {Model} model
 * @returns {ModelResult}
 */
export function newResult(model) {
  return { _k: newKey(), id: newItemId("r", model.results.map((r) => r.id)), title: "", description: "", image: null };
}

/**
 * A blank option with an id of its own in `question`.
 * @param {ModelQuestion} question
 * @returns {ModelOption}
 */
export function newOption(question) {
  return { _k: newKey(), id: newItemId("o", question.options.map((o) => o.id)), text: "", scores: {}, orphans: {} };
}

/**
 * A blank question with an id of its own, with two blank options.
 * @param {Model} model
 * @returns {ModelQuestion}
 */
export function newQuestion(model) {
  /** @type {ModelQuestion} */
  const q = { _k: newKey(), id: newItemId("q", model.questions.map((x) => x.id)), text: "", image: null, options: [] };
  q.options.push(newOption(q));
  q.options.push(newOption(q));
  return q;
}

/**
 * Give each option of `question` a score of 1 for one result, in turn: option 1 → result 1,
 * option 2 → result 2, … (round the results again when there are more options). Every result
 * is then reached (an option gives it a positive score) once a question has as many options.
 * @param {Model} model
 * @param {ModelQuestion} question
 */
export function scoreInTurn(model, question) {
  if (!model.results.length) return;
  question.options.forEach((o, j) => {
    const r = model.results[j % model.results.length];
    if (r) o.scores[r._k] = "1";
  });
}

// The new test's shape: how many results and questions it starts with.
export const TEMPLATE = { results: 2, questions: 3 };

/**
 * The starting point for a new test: two results and three questions of two options, each
 * option already scoring one result (option 1 → result 1, option 2 → result 2), so that only
 * the texts are left to type. Nothing is filled in for the editor: the titles and texts are
 * theirs.
 * @returns {Model}
 */
export function blankModel() {
  const model = fromDocument({ title: "", description: "", tags: [], status: "draft", questions: [], results: [] });
  for (let i = 0; i < TEMPLATE.results; i++) model.results.push(newResult(model));
  for (let i = 0; i < TEMPLATE.questions; i++) {
    const q = newQuestion(model);
    scoreInTurn(model, q);
    model.questions.push(q);
  }
  return model;
}

/**
 * Copy question `i` (its text, image, options and their scores) right after it, with ids and
 * keys of its own; answers the copy's index.
 * @param {Model} model
 * @param {number} i
 * @returns {number}
 */
export function duplicateQuestion(model, i) {
  const source = model.questions[i];
  if (!source) return i;
  /** @type {ModelQuestion} */
  const copy = {
    _k: newKey(), id: newItemId("q", model.questions.map((q) => q.id)), text: source.text, image: source.image, options: [],
  };
  for (const o of source.options) {
    copy.options.push({ ...newOption(copy), text: o.text, scores: { ...o.scores }, orphans: {} });
  }
  model.questions.splice(i + 1, 0, copy);
  return i + 1;
}

/**
 * One row of the score table: an option of a question (both with their indexes).
 * @typedef {{question: ModelQuestion, qi: number, option: ModelOption, oi: number}} ScoreRow
 */

/**
 * The score table's rows: every option, question by question; its columns are `model.results`.
 * @param {Model} model
 * @returns {ScoreRow[]}
 */
export function scoreRows(model) {
  return model.questions.flatMap((question, qi) => question.options.map((option, oi) => ({ question, qi, option, oi })));
}

/**
 * What the table shows for `option` and `result`: the score as typed ("" for none, which
 * counts 0).
 * @param {ModelOption} option
 * @param {ModelResult} result
 * @returns {string}
 */
export function scoreOf(option, result) {
  return option.scores[result._k] ?? "";
}

/**
 * Set `option`'s score for `result` to what was typed (empty or blank: no score).
 * @param {ModelOption} option
 * @param {ModelResult} result
 * @param {string} text
 */
export function setScore(option, result, text) {
  if (String(text).trim() === "") delete option.scores[result._k];
  else option.scores[result._k] = String(text);
}

/**
 * Move list[i] by delta (−1 up, +1 down); returns the new index.
 * @template T
 * @param {T[]} list
 * @param {number} i
 * @param {number} delta
 * @returns {number}
 */
export function move(list, i, delta) {
  const j = i + delta;
  if (j < 0 || j >= list.length) return i;
  return moveTo(list, i, j);
}

/**
 * Move list[from] to index `to` (a drag and drop); returns where it landed.
 * @template T
 * @param {T[]} list
 * @param {number} from
 * @param {number} to
 * @returns {number}
 */
export function moveTo(list, from, to) {
  if (from < 0 || from >= list.length) return from;
  const j = Math.max(0, Math.min(list.length - 1, to));
  const [item] = list.splice(from, 1);
  list.splice(j, 0, /** @type {T} */ (item));
  return j;
}

// The Korean names of the document's fields live with the rest of the wording (messages.js).
const NAMES = PART_KO;

/**
 * Strip a leading "body" from a validation error location ("a.0.b" or ["body", "a", 0, "b"]).
 * @param {unknown} loc
 * @returns {Loc}
 */
export function normalizeLoc(loc) {
  const parts = Array.isArray(loc) ? [...loc] : String(loc ?? "").split(".");
  if (parts[0] === "body") parts.shift();
  return parts.map((p) => (typeof p === "number" || /^\d+$/.test(String(p)) ? Number(p) : String(p)));
}

/**
 * "questions.0.options.1.text" → "질문 1 › 선택지 2 › 내용" (a score names its result by title).
 * @param {Loc} parts
 * @param {Model | null} [model]
 * @returns {string}
 */
export function describeLoc(parts, model) {
  const out = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    const next = parts[i + 1];
    if (typeof next === "number" && (p === "questions" || p === "options" || p === "results")) {
      out.push(`${NAMES[p]} ${next + 1}`);
      i++;
    } else if (parts[i - 1] === "scores" && typeof p === "string") {
      const r = model?.results.find((x) => x.id === p);
      out.push(r && r.title ? `${r.title}(${p})` : p);
    } else if (p === "tags" && typeof next === "number") {
      out.push(`태그 ${next + 1}`);
      i++;
    } else {
      out.push(NAMES[p] || String(p));
    }
  }
  return out.join(" › ") || "문서";
}
