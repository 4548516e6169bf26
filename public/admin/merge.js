// Three-way merge of test documents: base (what the editor loaded), live (what is stored now)
// and incoming (the editor's own version), field by field (docs/merge.md). The editor uses it to
// rebase its unsaved form onto another editor's save.
//
// The same algorithm as the pipeline's quizhub.domain.merge (Python): both run every case in
// tests/fixtures/merge/ (tests/js/merge.test.mjs, tests/domain/test_merge.py), so they cannot
// drift. A change here is a change there.

/**
 * Any JSON value.
 * @typedef {null | boolean | number | string | JsonArray | JsonObject} Json
 */
/**
 * A JSON array.
 * @typedef {Json[]} JsonArray
 */
/**
 * A JSON object.
 * @typedef {{ [key: string]: Json }} JsonObject
 */
/**
 * A value one side may not have (ABSENT: the key is missing, which is not the same as null).
 * @typedef {Json | typeof ABSENT} Value
 */
/**
 * Both sides changed `path` differently (a missing value is null).
 * @typedef {{ path: string, base: Json, live: Json, incoming: Json }} Conflict
 */
/**
 * The merged document and the paths whose value came from each side.
 * @typedef {{ document: JsonObject, fromLive: string[], fromIncoming: string[] }} Merged
 */
/**
 * A merged document, or (merged null) the conflicts that prevent one.
 * @typedef {{ merged: Merged | null, conflicts: Conflict[] }} MergeResult
 */
/**
 * How a field merges: a set of values, a map merged key by key, or a list of items by id.
 * @typedef {"set" | "map" | Items} Rule
 */
/**
 * An object's known fields in their order, and how each merges (not named: a scalar).
 * @typedef {{ order: string[], rules: Record<string, Rule> }} Fields
 */
/**
 * A list of objects with unique string ids, merged item by item, and its order.
 * @typedef {{ item: Fields }} Items
 */

/** A key one side does not have. */
export const ABSENT = Symbol("absent");

// The document's fields in the order its models declare them; maps (scores) are walked in key
// order (a JavaScript object puts integer-like keys first, so insertion order cannot be it).
/** @type {Fields} */
const OPTION = { order: ["id", "text", "scores"], rules: { scores: "map" } };
/** @type {Fields} */
const QUESTION = { order: ["id", "text", "image", "options"], rules: { options: { item: OPTION } } };
/** @type {Fields} */
const RESULT = { order: ["id", "title", "description", "image"], rules: {} };
/** @type {Fields} */
const DOCUMENT = {
  order: ["title", "description", "locale", "tags", "status", "thumbnail", "questions", "results"],
  rules: { tags: "set", questions: { item: QUESTION }, results: { item: RESULT } },
};

/**
 * @param {Value} value
 * @returns {value is JsonObject}
 */
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * JSON equality: true is not 1, 2 is 2.0, key order does not count.
 * @param {Value} a
 * @param {Value} b
 * @returns {boolean}
 */
export function same(a, b) {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, n) => same(x, b[n]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length
      && keys.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
  }
  return a === b;
}

/**
 * @param {Value} obj
 * @param {string} key
 * @returns {Value}
 */
function get(obj, key) {
  return isObject(obj) && Object.hasOwn(obj, key) ? obj[key] : ABSENT;
}

/** @param {string} path @param {string} name @returns {string} */
const field = (path, name) => (path ? `${path}.${name}` : name);
/** @param {string} path @param {string} key @returns {string} */
const member = (path, key) => `${path}[${key}]`;

/**
 * Every key once: the first order's, then each next one's new ones.
 * @param {...string[]} orders
 * @returns {string[]}
 */
function union(...orders) {
  return [...new Set(orders.flat())];
}

/**
 * Code-point order, as Python sorts strings (not UTF-16 code units, as Array#sort does).
 * @param {string} a
 * @param {string} b
 * @returns {number}
 */
function byCodePoint(a, b) {
  const x = [...a];
  const y = [...b];
  for (let n = 0; n < Math.min(x.length, y.length); n += 1) {
    const d = (x[n].codePointAt(0) ?? 0) - (y[n].codePointAt(0) ?? 0);
    if (d) return d;
  }
  return x.length - y.length;
}

/** @param {Value} value @returns {string[]} */
const keysOf = (value) => (isObject(value) ? Object.keys(value) : []);

/**
 * The known fields first, in their order, then any others, sorted.
 * @param {Fields} fields
 * @param {...Value} objects
 * @returns {string[]}
 */
function fieldKeys(fields, ...objects) {
  const present = union(...objects.map(keysOf));
  const known = fields.order.filter((k) => present.includes(k));
  return [...known, ...present.filter((k) => !fields.order.includes(k)).sort(byCodePoint)];
}

/** @param {Value} value @returns {Json} */
const toJson = (value) => (value === ABSENT ? null : value);

/**
 * A list of objects with unique string ids.
 * @param {Value} value
 * @returns {value is JsonObject[]}
 */
function isItems(value) {
  if (!Array.isArray(value)) return false;
  if (!value.every((item) => isObject(item) && typeof item.id === "string")) return false;
  return new Set(value.map((item) => isObject(item) && item.id)).size === value.length;
}

/** @param {JsonObject[]} items @returns {string[]} */
const idsOf = (items) => items.map((item) => String(item.id));

/**
 * Whether `side` changed the relative order of the items it shares with `base`.
 * @param {string[]} base
 * @param {string[]} side
 * @returns {boolean}
 */
function reordered(base, side) {
  const shared = new Set(base.filter((x) => side.includes(x)));
  return !same(side.filter((x) => shared.has(x)), base.filter((x) => shared.has(x)));
}

/** One merge's walk: what it took from each side and where the sides collide. */
class Merger {
  constructor() {
    /** @type {Conflict[]} */
    this.conflicts = [];
    /** @type {string[]} */
    this.fromLive = [];
    /** @type {string[]} */
    this.fromIncoming = [];
  }

  /**
   * @param {string} path
   * @param {Value} base
   * @param {Value} live
   * @param {Value} inc
   */
  conflict(path, base, live, inc) {
    this.conflicts.push({ path, base: toJson(base), live: toJson(live), incoming: toJson(inc) });
  }

  /**
   * @param {string} path
   * @param {Fields} fields
   * @param {Value} base
   * @param {Value} live
   * @param {Value} inc
   * @returns {JsonObject}
   */
  object(path, fields, base, live, inc) {
    /** @type {JsonObject} */
    const out = {};
    for (const key of fieldKeys(fields, live, inc, base)) {
      const rule = Object.hasOwn(fields.rules, key) ? fields.rules[key] : null;
      const value = this.value(field(path, key), rule, get(base, key), get(live, key), get(inc, key));
      if (value !== ABSENT) out[key] = value;
    }
    return out;
  }

  /**
   * @param {string} path
   * @param {Rule | null} rule
   * @param {Value} base
   * @param {Value} live
   * @param {Value} inc
   * @returns {Value}
   */
  value(path, rule, base, live, inc) {
    if (typeof rule === "object" && rule !== null && isItems(base) && isItems(live) && isItems(inc)) {
      return this.items(path, rule, base, live, inc);
    }
    if (rule === "set" && Array.isArray(base) && Array.isArray(live) && Array.isArray(inc)) {
      return this.set(path, base, live, inc);
    }
    if (rule === "map" && isObject(base) && isObject(live) && isObject(inc)) {
      /** @type {JsonObject} */
      const out = {};
      for (const key of union(keysOf(live), keysOf(inc), keysOf(base)).sort(byCodePoint)) {
        const value = this.scalar(member(path, key), get(base, key), get(live, key), get(inc, key));
        if (value !== ABSENT) out[key] = value;
      }
      return out;
    }
    return this.scalar(path, base, live, inc);
  }

  /**
   * @param {string} path
   * @param {Value} base
   * @param {Value} live
   * @param {Value} inc
   * @returns {Value}
   */
  scalar(path, base, live, inc) {
    if (same(live, inc)) return live;
    if (same(base, live)) {
      this.fromIncoming.push(path);
      return inc;
    }
    if (same(base, inc)) {
      this.fromLive.push(path);
      return live;
    }
    this.conflict(path, base, live, inc);
    return live;
  }

  /**
   * @param {string} path
   * @param {Json[]} base
   * @param {Json[]} live
   * @param {Json[]} inc
   * @returns {Value}
   */
  set(path, base, live, inc) {
    if (same(live, inc) || same(base, live) || same(base, inc)) {
      return this.scalar(path, base, live, inc); // one side changed it (or both alike)
    }
    this.fromLive.push(path);
    this.fromIncoming.push(path);
    /** @param {Json[]} values @param {Json} v */
    const has = (values, v) => values.some((x) => same(x, v));
    const kept = live.filter((t) => has(inc, t) || !has(base, t)); // minus what incoming removed
    return [...kept, ...inc.filter((t) => !has(base, t) && !has(kept, t))];
  }

  /**
   * @param {string} path
   * @param {Items} rule
   * @param {JsonObject[]} base
   * @param {JsonObject[]} live
   * @param {JsonObject[]} inc
   * @returns {Json[]}
   */
  items(path, rule, base, live, inc) {
    const byId = [base, live, inc].map((side) => new Map(side.map((item) => [String(item.id), item])));
    /** @type {Map<string, JsonObject>} */
    const kept = new Map();
    for (const key of union(idsOf(live), idsOf(inc), idsOf(base))) {
      const here = member(path, key);
      const [bv, lv, iv] = byId.map((side) => side.get(key) ?? ABSENT);
      if (bv === ABSENT && lv !== ABSENT && iv !== ABSENT) { // added on both sides
        if (same(lv, iv)) kept.set(key, lv);
        else this.conflict(here, bv, lv, iv);
      } else if (bv === ABSENT) { // added on one side
        (lv !== ABSENT ? this.fromLive : this.fromIncoming).push(here);
        const added = lv !== ABSENT ? lv : iv;
        if (added !== ABSENT) kept.set(key, added);
      } else if (lv === ABSENT && iv === ABSENT) {
        // deleted on both sides
      } else if (lv === ABSENT || iv === ABSENT) { // deleted on one side: untouched on the other?
        const other = lv === ABSENT ? iv : lv;
        if (!same(bv, other)) this.conflict(here, bv, lv, iv);
        else (lv === ABSENT ? this.fromLive : this.fromIncoming).push(here);
      } else {
        kept.set(key, this.object(here, rule.item, bv, lv, iv));
      }
    }
    const order = this.order(path, idsOf(base), idsOf(live), idsOf(inc), kept);
    return order.map((key) => kept.get(key) ?? null);
  }

  /**
   * @param {string} path
   * @param {string[]} base
   * @param {string[]} live
   * @param {string[]} inc
   * @param {Map<string, JsonObject>} kept
   * @returns {string[]}
   */
  order(path, base, live, inc, kept) {
    const movedLive = reordered(base, live);
    const movedInc = reordered(base, inc);
    const common = new Set(base.filter((x) => live.includes(x) && inc.includes(x)));
    if (movedLive && movedInc
      && !same(live.filter((x) => common.has(x)), inc.filter((x) => common.has(x)))) {
      this.conflict(path, base, live, inc);
      return live.filter((x) => kept.has(x));
    }
    let winner = live;
    let other = inc;
    if (movedInc && !movedLive) {
      [winner, other] = [inc, live];
      this.fromIncoming.push(path);
    } else if (movedLive && !movedInc) {
      this.fromLive.push(path);
    }
    const out = winner.filter((x) => kept.has(x));
    other.forEach((x, n) => { // the other side's insertions, after their predecessor
      if (!kept.has(x) || out.includes(x)) return;
      const before = other.slice(0, n).reverse().find((y) => out.includes(y));
      out.splice(before === undefined ? 0 : out.indexOf(before) + 1, 0, x);
    });
    return out;
  }
}

/**
 * Merge `incoming` into `live`, both changed from `base` (docs/merge.md).
 * @param {Json} base
 * @param {Json} live
 * @param {Json} incoming
 * @returns {MergeResult}
 */
export function mergeDocuments(base, live, incoming) {
  const merger = new Merger();
  const document = merger.object("", DOCUMENT, base, live, incoming);
  if (merger.conflicts.length) return { merged: null, conflicts: merger.conflicts };
  return {
    merged: { document, fromLive: merger.fromLive, fromIncoming: merger.fromIncoming },
    conflicts: [],
  };
}
