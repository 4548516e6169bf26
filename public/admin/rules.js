// The test document's field rules as the API publishes them: the JSON Schema of the save body
// (PUT /api/admin/tests/{id}) in /api/openapi.json, which the server's own model writes. The
// editor checks against it what a browser can check as you type — required fields, lengths,
// counts, score ranges, id patterns — and names a broken rule with the server's error types
// and parameters, so one wording (messages.js) serves both. Cross-field rules (unique ids,
// results every option can reach) stay the server's. Without the schema (it could not be
// loaded) nothing is checked here and no limit is assumed: the server still checks all.

/**
 * @typedef {object} Schema
 * @property {string} [$ref]
 * @property {string} [type]
 * @property {Schema[]} [anyOf]
 * @property {unknown[]} [enum]
 * @property {number} [minLength]
 * @property {number} [maxLength]
 * @property {string} [pattern]
 * @property {number} [minItems]
 * @property {number} [maxItems]
 * @property {number} [minimum]
 * @property {number} [maximum]
 * @property {Schema} [items]
 * @property {Record<string, Schema>} [properties]
 * @property {Record<string, Schema>} [patternProperties]
 * @property {Schema | boolean} [additionalProperties]
 * @property {string[]} [required]
 */
/** @typedef {(string | number)[]} Loc */
/** @typedef {{loc: Loc, type: string, ctx: Record<string, unknown>}} Problem */

export const OPENAPI_URL = "/api/openapi.json";
const SAVE_ROUTE = "/api/admin/tests/{test_id}";
const REF_PREFIX = "#/components/schemas/";

/** @type {{root: Schema, components: Record<string, Schema>} | null} */
let published = null;

/**
 * Take the rules from an OpenAPI document (the save route's request body); false when the
 * document has none.
 * @param {any} openapi
 * @returns {boolean}
 */
export function useOpenApi(openapi) {
  const body = openapi?.paths?.[SAVE_ROUTE]?.put?.requestBody?.content?.["application/json"]?.schema;
  const components = openapi?.components?.schemas;
  if (!body || !components) return false;
  published = { root: body, components };
  return true;
}

/**
 * Load the rules once (the API's OpenAPI document); resolves to whether they are in use. It
 * never rejects: without them the editor simply leaves every check to the server.
 * @param {typeof fetch} [fetcher]
 * @returns {Promise<boolean>}
 */
export async function loadRules(fetcher = fetch) {
  try {
    const res = await fetcher(OPENAPI_URL, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    return res.ok && useOpenApi(await res.json());
  } catch {
    return false;
  }
}

/**
 * A schema with its reference followed and, for "X or null", the X.
 * @param {Schema | undefined} node
 * @returns {Schema | undefined}
 */
function resolve(node) {
  let current = node;
  for (let i = 0; current && i < 10; i++) {
    if (current.$ref && published) {
      current = published.components[current.$ref.slice(REF_PREFIX.length)];
    } else if (current.anyOf) {
      current = current.anyOf.find((branch) => branch.type !== "null");
    } else {
      return current;
    }
  }
  return current;
}

/**
 * @param {Schema | undefined} node
 * @returns {boolean}
 */
function nullable(node) {
  return Boolean(node?.anyOf?.some((branch) => branch.type === "null"));
}

/**
 * The schema of one part below `node` (a property, a list item, a map value).
 * @param {Schema | undefined} node
 * @param {string | number} part
 * @returns {Schema | undefined}
 */
function child(node, part) {
  const n = resolve(node);
  if (!n) return undefined;
  if (typeof part === "number" || /^\d+$/.test(String(part))) {
    if (n.items) return n.items;
  }
  const key = String(part);
  if (n.properties && key in n.properties) return n.properties[key];
  const patterned = Object.values(n.patternProperties ?? {});
  if (patterned.length) return patterned[0];
  return typeof n.additionalProperties === "object" ? n.additionalProperties : undefined;
}

/**
 * The schema at a dotted path ("questions.0.options"), unresolved; undefined without rules.
 * @param {string} path
 * @returns {Schema | undefined}
 */
function schemaAt(path) {
  if (!published) return undefined;
  /** @type {Schema | undefined} */
  let node = published.root;
  for (const part of path.split(".").filter(Boolean)) node = child(node, part);
  return node;
}

/**
 * Whether the field at `path` must be filled in: its object requires it and it cannot be null
 * or empty (false without rules).
 * @param {string} path
 * @returns {boolean}
 */
export function isRequired(path) {
  const parts = path.split(".");
  const name = parts.pop();
  if (!published || name === undefined) return false;
  const parent = resolve(schemaAt(parts.join(".")));
  const node = schemaAt(path);
  if (!parent?.required?.includes(name) || nullable(node)) return false;
  const n = resolve(node);
  return Boolean(n && ((n.minLength ?? 0) >= 1 || n.pattern || (n.minItems ?? 0) >= 1));
}

/**
 * How many items the list at `path` takes: {min, max} (0 and Infinity without rules).
 * @param {string} path
 * @returns {{min: number, max: number}}
 */
export function countLimits(path) {
  const n = resolve(schemaAt(path));
  return { min: n?.minItems ?? 0, max: n?.maxItems ?? Infinity };
}

/**
 * The range of the number at `path`: {min, max}, each undefined when not known.
 * @param {string} path
 * @returns {{min: number | undefined, max: number | undefined}}
 */
export function valueRange(path) {
  const n = resolve(schemaAt(path));
  return { min: n?.minimum, max: n?.maximum };
}

/**
 * Characters as the server counts them: code points of the NFC text.
 * @param {string} text
 * @returns {number}
 */
function length(text) {
  return [...text.normalize("NFC")].length;
}

/**
 * @param {string} pattern
 * @returns {RegExp | null}
 */
function regex(pattern) {
  try {
    return new RegExp(pattern, "u");
  } catch {
    return null; // a pattern JavaScript cannot read: the server checks it
  }
}

/**
 * Every rule `value` breaks below `loc`, appended to `out`.
 * @param {Schema | undefined} schema
 * @param {unknown} value
 * @param {Loc} loc
 * @param {Problem[]} out
 */
function check(schema, value, loc, out) {
  if (value === null && nullable(schema)) return;
  const node = resolve(schema);
  if (!node) return;
  /** @param {string} type @param {Record<string, unknown>} [ctx] */
  const problem = (type, ctx = {}) => {
    out.push({ loc, type, ctx });
  };
  if (node.enum && !node.enum.includes(value)) {
    problem("literal_error", { expected: node.enum });
    return;
  }
  switch (node.type) {
    case "string": {
      if (typeof value !== "string") return problem("string_type");
      const n = length(value);
      if (node.minLength !== undefined && n < node.minLength) {
        return problem("string_too_short", { min_length: node.minLength, actual_length: n });
      }
      if (node.maxLength !== undefined && n > node.maxLength) {
        return problem("string_too_long", { max_length: node.maxLength, actual_length: n });
      }
      const re = node.pattern ? regex(node.pattern) : null;
      if (re && !re.test(value)) problem("string_pattern_mismatch", { pattern: node.pattern });
      return;
    }
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) return problem("int_type");
      if (node.minimum !== undefined && value < node.minimum) return problem("greater_than_equal", { ge: node.minimum });
      if (node.maximum !== undefined && value > node.maximum) problem("less_than_equal", { le: node.maximum });
      return;
    case "array": {
      if (!Array.isArray(value)) return problem("list_type");
      const n = value.length;
      if (node.minItems !== undefined && n < node.minItems) {
        problem("too_short", { field_type: "List", min_length: node.minItems, actual_length: n });
      } else if (node.maxItems !== undefined && n > node.maxItems) {
        problem("too_long", { field_type: "List", max_length: node.maxItems, actual_length: n });
      }
      value.forEach((item, i) => check(node.items, item, [...loc, i], out));
      return;
    }
    case "object": {
      if (!value || typeof value !== "object" || Array.isArray(value)) return problem("dict_type");
      const fields = /** @type {Record<string, unknown>} */ (value);
      for (const name of node.required ?? []) {
        if (!(name in fields)) out.push({ loc: [...loc, name], type: "missing", ctx: {} });
      }
      for (const [name, item] of Object.entries(fields)) {
        const below = child(node, name);
        if (below) check(below, item, [...loc, name], out);
        else if (node.additionalProperties === false) out.push({ loc: [...loc, name], type: "extra_forbidden", ctx: {} });
      }
      return;
    }
    default:
  }
}

/**
 * Every rule a save body breaks, as the server would name it ({loc, type, ctx}); [] without
 * rules.
 * @param {unknown} doc
 * @returns {Problem[]}
 */
export function checkDocument(doc) {
  /** @type {Problem[]} */
  const out = [];
  if (published) check(published.root, doc, [], out);
  return out;
}

/**
 * The problems that belong to the field at `path` (its own, and for a list field such as the
 * tags its items').
 * @param {Problem[]} problems
 * @param {string} path
 * @returns {Problem[]}
 */
export function problemsAt(problems, path) {
  return problems.filter((p) => {
    const at = p.loc.join(".");
    return at === path || at.startsWith(`${path}.`);
  });
}
