// Resolving a save that conflicts with another editor's (docs/merge.md#in-the-editor), as pure
// functions over the three versions: base (what the editor loaded), live (what the other
// editor saved) and mine (the editor's form). Everything here is computed by the editor's own
// merge (merge.js): the conflicts, the changes merged on their own, the document a set of
// choices makes, and what an overwrite would undo. conflict.js shows them.
import { ABSENT, mergeDocuments, same } from "/admin/merge.js";
import { describeLoc, fromDocument, toDocument } from "/admin/model.js";
import { STATUS_VALUE_KO } from "/admin/messages.js";
/** @import { Json, JsonObject, MergeResult, Value } from "/admin/merge.js" */
/** @import { Loc, TestDocument } from "/admin/model.js" */

/**
 * The three versions a resolution works on, as content (no envelope).
 * @typedef {{ base: JsonObject, live: JsonObject, mine: JsonObject }} Versions
 */
/** Which side's value an editor chose for a conflicting path. @typedef {"live" | "mine"} Side */
/**
 * One changed path: its values in the three versions (ABSENT: the key is missing there).
 * @typedef {{ path: string, base: Value, live: Value, mine: Value }} Change
 */
/**
 * What the merge of the three makes of them: the conflicting paths, and the changes each side
 * made that merge on their own (`merged` null while conflicts remain).
 * @typedef {object} Comparison
 * @property {Change[]} conflicts
 * @property {Change[]} theirs the other editor's changes that merge on their own
 * @property {Change[]} ours this editor's changes that merge on their own
 * @property {JsonObject | null} merged the merged document, when nothing conflicts
 */
/** One step of a merge path: `name`, or `name[key]` (an item by id, or a map's key). @typedef {{name: string, key?: string}} Step */

// A document's fields that are the server's or the request's, never its content.
const ENVELOPE = ["id", "rev", "baseRev", "createdAt", "updatedAt"];

/**
 * A document's content, for a merge: without the envelope (id, rev, baseRev, timestamps),
 * which differs between any two versions and is not the editors' to merge.
 * @param {object} doc
 * @returns {JsonObject}
 */
export function contentOf(doc) {
  /** @type {Record<string, unknown>} */
  const rest = { ...doc };
  for (const key of ENVELOPE) delete rest[key];
  return /** @type {JsonObject} */ (rest);
}

/**
 * A document as the editor would send it (defaults filled in, scores as numbers), as content:
 * so that the versions compare on what the editor can change, never on how they were written.
 * @param {object} doc
 * @returns {JsonObject}
 */
export function editable(doc) {
  return contentOf(toDocument(fromDocument(/** @type {Partial<TestDocument>} */ (doc)), null));
}

/**
 * A merge path's steps: "questions[q1].options[a].text" → questions[q1], options[a], text.
 * @param {string} path
 * @returns {Step[]}
 */
export function pathSteps(path) {
  return path.split(".").filter(Boolean).map((part) => {
    const m = /^([^[]*)\[(.*)\]$/.exec(part);
    return m ? { name: m[1], key: m[2] } : { name: part };
  });
}

/**
 * @param {Value} value
 * @returns {value is JsonObject}
 */
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * @param {Value} value
 * @returns {value is JsonObject[]}
 */
function isItems(value) {
  return Array.isArray(value) && value.every((item) => isObject(item) && typeof item.id === "string");
}

/**
 * @param {Value} obj
 * @param {string} key
 * @returns {Value}
 */
function get(obj, key) {
  return isObject(obj) && Object.hasOwn(obj, key) ? obj[key] : ABSENT;
}

/**
 * One step down: a field, then (with a key) the item with that id, or the map's key.
 * @param {Value} value
 * @param {Step} step
 * @returns {Value}
 */
function down(value, step) {
  const here = get(value, step.name);
  if (step.key === undefined) return here;
  if (Array.isArray(here)) return here.find((item) => isObject(item) && item.id === step.key) ?? ABSENT;
  return get(here, step.key);
}

/**
 * The value at a merge path (ABSENT where the document has none).
 * @param {Json} doc
 * @param {string} path
 * @returns {Value}
 */
export function valueAt(doc, path) {
  return pathSteps(path).reduce((value, step) => down(value, step), /** @type {Value} */ (doc));
}

/**
 * @param {JsonObject[]} items
 * @returns {string[]}
 */
const idsOf = (items) => items.map((item) => String(item.id));

/**
 * Whether two values at a path are the same for an editor: a list of items by the order of the
 * items both have (an order is what a change of a list's path is about), anything else by JSON
 * equality.
 * @param {Value} a
 * @param {Value} b
 * @returns {boolean}
 */
function sameAt(a, b) {
  if (isItems(a) && isItems(b)) {
    const x = idsOf(a);
    const y = idsOf(b);
    return same(x.filter((id) => y.includes(id)), y.filter((id) => x.includes(id)));
  }
  return same(a, b);
}

/**
 * `items` with the ones `order` names in that order, in the places they held; the others stay.
 * @param {JsonObject[]} items
 * @param {string[]} order
 * @returns {JsonObject[]}
 */
function reorder(items, order) {
  const named = order.filter((id) => items.some((item) => item.id === id));
  const byId = new Map(items.map((item) => [String(item.id), item]));
  let next = 0;
  return items.map((item) => (named.includes(String(item.id)) ? byId.get(named[next++]) ?? item : item));
}

/**
 * Make `target`'s value at `path` the same as `source`'s (`target` is changed): a field or a
 * map's key is copied or removed, an item replaced, removed or inserted after the item before
 * it in `source`, a list of items put in `source`'s order.
 * @param {JsonObject} target
 * @param {JsonObject} source
 * @param {string} path
 */
export function take(target, source, path) {
  const steps = pathSteps(path);
  const last = steps.pop();
  if (!last) return;
  const into = steps.reduce((value, step) => down(value, step), /** @type {Value} */ (target));
  const from = steps.reduce((value, step) => down(value, step), /** @type {Value} */ (source));
  if (!isObject(into)) return; // the item holding it is gone: its own path is the conflict
  const wanted = down(from, last);
  const here = into[last.name];
  if (last.key === undefined) {
    if (wanted === ABSENT) delete into[last.name];
    else if (isItems(here) && isItems(wanted)) into[last.name] = reorder(here, idsOf(wanted));
    else into[last.name] = structuredClone(wanted);
  } else if (Array.isArray(here)) {
    into[last.name] = placeItem(here, get(from, last.name), last.key, wanted);
  } else if (isObject(here)) {
    if (wanted === ABSENT) delete here[last.key];
    else here[last.key] = structuredClone(wanted);
  }
}

/**
 * `list` with item `id` as `wanted` (ABSENT: without it); an item it did not have goes right
 * after the nearest item before it in `sourceList` that it has, or first.
 * @param {Json[]} list
 * @param {Value} sourceList
 * @param {string} id
 * @param {Value} wanted
 * @returns {Json[]}
 */
function placeItem(list, sourceList, id, wanted) {
  const at = list.findIndex((item) => isObject(item) && item.id === id);
  if (wanted === ABSENT) return list.filter((_, n) => n !== at);
  const item = structuredClone(wanted);
  if (at >= 0) return list.map((x, n) => (n === at ? item : x));
  const source = isItems(sourceList) ? idsOf(sourceList) : [];
  const before = source.slice(0, Math.max(0, source.indexOf(id))).reverse()
    .map((x) => list.findIndex((y) => isObject(y) && y.id === x)).find((n) => n >= 0);
  const out = [...list];
  out.splice(before === undefined ? 0 : before + 1, 0, item);
  return out;
}

/**
 * @param {Versions} v
 * @param {string} path
 * @returns {Change}
 */
function change(v, path) {
  return { path, base: valueAt(v.base, path), live: valueAt(v.live, path), mine: valueAt(v.mine, path) };
}

/**
 * Each side's changes from the base, in document order (a side's change: the paths merging it
 * alone with the base takes from it).
 * @param {JsonObject} base
 * @param {JsonObject} side
 * @returns {string[]}
 */
function changedPaths(base, side) {
  const { merged } = mergeDocuments(base, side, base);
  return merged ? merged.fromLive : [];
}

/**
 * What merging the three makes of them: the conflicts, and each side's changes that merge on
 * their own.
 * @param {Versions} v
 * @returns {Comparison}
 */
export function compare(v) {
  const result = mergeDocuments(v.base, v.live, v.mine);
  // A conflict at an item covers the changes inside it; one at a list's order only itself.
  const covering = result.conflicts.map((c) => c.path);
  const whole = covering.filter((p) => !isItems(valueAt(v.live, p)) && !isItems(valueAt(v.mine, p)));
  /** @param {string} path @returns {boolean} */
  const apart = (path) => !covering.includes(path)
    && !whole.some((c) => path.startsWith(`${c}.`) || path.startsWith(`${c}[`));
  /** @param {string} path @returns {boolean} */
  const alike = (path) => sameAt(valueAt(v.live, path), valueAt(v.mine, path));
  const theirs = changedPaths(v.base, v.live).filter((p) => apart(p) && !alike(p));
  const ours = changedPaths(v.base, v.mine).filter((p) => apart(p) && !alike(p));
  return {
    conflicts: result.conflicts.map((c) => change(v, c.path)),
    theirs: theirs.map((p) => change(v, p)),
    ours: ours.map((p) => change(v, p)),
    merged: result.merged ? result.merged.document : null,
  };
}

/**
 * The document a set of choices makes: at each conflicting path the chosen side's value, and
 * everything else merged as the pipeline merges it. The side not chosen is made to agree with
 * the chosen one there, and the three are merged again: what remains (if the choices do not
 * cover every conflict) is reported as conflicts.
 * @param {Versions} v
 * @param {Map<string, Side>} choices
 * @returns {MergeResult}
 */
export function resolveDocument(v, choices) {
  const live = structuredClone(v.live);
  const mine = structuredClone(v.mine);
  for (const [path, side] of choices) {
    if (side === "live") take(mine, v.live, path);
    else take(live, v.mine, path);
  }
  return mergeDocuments(v.base, live, mine);
}

/**
 * The other editor's changes (base → live) that saving `mine` over live would undo: every
 * path they changed where `mine` holds something else.
 * @param {Versions} v
 * @returns {Change[]}
 */
export function overwriteLosses(v) {
  return changedPaths(v.base, v.live)
    .filter((p) => !sameAt(valueAt(v.live, p), valueAt(v.mine, p)))
    .map((p) => change(v, p));
}

/**
 * A path as the editor names its field ("질문 2 › 선택지 1 › 내용", a score by its result's
 * title), counting positions in the first of `docs` that has each item; a list's own path is
 * its order ("질문 순서").
 * @param {string} path
 * @param {Json[]} docs
 * @returns {string}
 */
export function pathLabel(path, docs) {
  for (const doc of docs) {
    const loc = locIn(doc, path);
    if (!loc) continue;
    const label = describeLoc(loc, fromDocument(/** @type {Partial<TestDocument>} */ (doc)));
    return isItems(valueAt(doc, path)) ? `${label} 순서` : label;
  }
  return describeLoc(pathSteps(path).map((s) => s.name), null);
}

/**
 * The index location of a merge path in `doc` (null when an item it names is not there).
 * @param {Json} doc
 * @param {string} path
 * @returns {Loc | null}
 */
function locIn(doc, path) {
  /** @type {Loc} */
  const loc = [];
  /** @type {Value} */
  let value = doc;
  for (const step of pathSteps(path)) {
    const list = get(value, step.name);
    loc.push(step.name);
    if (step.key !== undefined && Array.isArray(list)) {
      const n = list.findIndex((item) => isObject(item) && item.id === step.key);
      if (n < 0) return null;
      loc.push(n);
    } else if (step.key !== undefined) {
      loc.push(step.key);
    }
    value = down(value, step);
  }
  return loc;
}

/**
 * A value as an editor reads it: a text as it is, a list of items as its ids in order, a
 * question or option by its text, a result by its title, a missing value as "(없음)".
 * @param {Value} value
 * @param {string} [path] where it is (the status reads 공개 / 초안)
 * @returns {string}
 */
export function valueText(value, path = "") {
  if (value === ABSENT || value === null) return "(없음)";
  if (path === "status" && typeof value === "string") return STATUS_VALUE_KO[value] ?? value;
  if (typeof value === "string") return value === "" ? "(비어 있음)" : value;
  if (typeof value !== "object") return String(value);
  if (isItems(value)) return idsOf(value).join(", ") || "(없음)";
  if (Array.isArray(value)) return value.map((x) => valueText(x)).join(", ") || "(없음)";
  const name = value.text ?? value.title;
  if (typeof name === "string") {
    const options = Array.isArray(value.options) ? ` (선택지 ${value.options.length}개)` : "";
    return `${name || "(비어 있음)"}${options}`;
  }
  return JSON.stringify(value);
}
