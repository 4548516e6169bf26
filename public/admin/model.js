// The editor's model of a test document (docs/architecture.md#the-test-document) and its conversion to/from the wire JSON.
// Items carry a private `_k` key so that scores survive renaming a result id; the wire format
// keys scores by result id.
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
 * no result, kept so that the server names the problem.
 * @typedef {{_k: string, id: string, title: string, description: string, image: string | null}} ModelResult
 * @typedef {{_k: string, id: string, text: string, scores: Record<string, string>, orphans: Record<string, Score>}} ModelOption
 * @typedef {{_k: string, id: string, text: string, image: string | null, options: ModelOption[]}} ModelQuestion
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

/**
 * The first id of the series ("r1", "r2", … or, with `letters`, "a" … "z" then "o27", …) not in `taken`.
 * @param {string} prefix
 * @param {string[]} taken
 * @param {boolean} [letters]
 * @returns {string}
 */
function freeId(prefix, taken, letters = false) {
  const used = new Set(taken);
  for (let i = 0; i < 1000; i++) {
    const id = letters && i < 26 ? String.fromCharCode(97 + i) : `${prefix}${i + 1}`;
    if (!used.has(id)) return id;
  }
  return `${prefix}${Date.now()}`;
}

/**
 * A blank result whose id is free in `model`.
 * @param {Model} model
 * @returns {ModelResult}
 */
export function newResult(model) {
  return { _k: newKey(), id: freeId("r", model.results.map((r) => r.id)), title: "", description: "", image: null };
}

/**
 * A blank option whose id is free in `question`.
 * @param {ModelQuestion} question
 * @returns {ModelOption}
 */
export function newOption(question) {
  return { _k: newKey(), id: freeId("o", question.options.map((o) => o.id), true), text: "", scores: {}, orphans: {} };
}

/**
 * A blank question whose id is free in `model`, with two blank options.
 * @param {Model} model
 * @returns {ModelQuestion}
 */
export function newQuestion(model) {
  /** @type {ModelQuestion} */
  const q = { _k: newKey(), id: freeId("q", model.questions.map((x) => x.id)), text: "", image: null, options: [] };
  q.options.push(newOption(q));
  q.options.push(newOption(q));
  return q;
}

/**
 * The starting point for a new test: two results, one question with two options.
 * @returns {Model}
 */
export function blankModel() {
  const model = fromDocument({ title: "", description: "", tags: [], status: "draft", questions: [], results: [] });
  model.results.push(newResult(model));
  model.results.push(newResult(model));
  const q = newQuestion(model);
  q.options[0].scores[model.results[0]._k] = "1";
  q.options[1].scores[model.results[1]._k] = "1";
  model.questions.push(q);
  return model;
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
  const [item] = list.splice(i, 1);
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
