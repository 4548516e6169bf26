// Tiny DOM helpers. All user-supplied text goes through text nodes / textContent,
// never through HTML parsing (no HTML-string sinks anywhere; enforced by tests/browser).

const PROPS = new Set(["value", "checked", "disabled", "selected", "hidden", "open", "multiple", "required"]);

/**
 * What h() and append() take as children: nodes, text (strings and numbers), nothing
 * (null/undefined/false, skipped) and arrays of these, at any depth.
 * @typedef {Node | string | number | false | null | undefined | readonly Child[]} Child
 */

/**
 * An element's attributes for h(): `on` = event listeners by type, `dataset` = data-*
 * values (null/undefined skipped), `text` = textContent, a property in PROPS is set as a
 * property; any other name is an attribute (true = present, null/undefined/false = absent).
 * @typedef {{
 *   on?: Record<string, (event: Event) => void>,
 *   dataset?: Record<string, string | number | boolean | null | undefined>,
 *   [name: string]: unknown,
 * }} Attrs
 */

/**
 * Create an element: h("button", {class: "btn", on: {click: fn}}, "text", child, ...).
 * Strings and numbers become text nodes; null/undefined/false children are skipped;
 * arrays are flattened.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs | null} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "on") {
      for (const [type, fn] of Object.entries(/** @type {NonNullable<Attrs["on"]>} */ (value))) el.addEventListener(type, fn);
    } else if (name === "dataset") {
      for (const [k, v] of Object.entries(/** @type {NonNullable<Attrs["dataset"]>} */ (value))) {
        if (v !== null && v !== undefined) el.dataset[k] = String(v);
      }
    } else if (name === "text") {
      el.textContent = String(value);
    } else if (PROPS.has(name)) {
      Reflect.set(el, name, value);
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

/**
 * Append children (strings become text nodes).
 * @template {ParentNode} P
 * @param {P} parent
 * @param {Child} children
 * @returns {P}
 */
export function append(parent, children) {
  for (const child of flatten(children)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/**
 * The children, nested arrays flattened, in order.
 * @param {Child} children
 * @returns {Generator<Exclude<Child, readonly Child[]>>}
 */
function* flatten(children) {
  if (!Array.isArray(children)) {
    yield /** @type {Exclude<Child, readonly Child[]>} */ (children);
    return;
  }
  for (const child of children) yield* flatten(child);
}

/**
 * Replace all children of `parent`.
 * @template {ParentNode} P
 * @param {P} parent
 * @param {...Child} children
 * @returns {P}
 */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/**
 * The page's element with this id, checked to be a `type` (HTMLElement when not given): a page
 * without it is broken, so this throws instead of answering null.
 * @template {HTMLElement} [E=HTMLElement]
 * @param {string} id
 * @param {new () => E} [type]
 * @returns {E}
 */
export function byId(id, type) {
  const el = document.getElementById(id);
  const want = type ?? HTMLElement;
  if (!(el instanceof want)) throw new Error(`#${id} is missing or not a ${want.name}`);
  return /** @type {E} */ (el);
}

/**
 * Read a query-string parameter of the current page.
 * @param {string} name
 * @returns {string | null}
 */
export function param(name) {
  return new URLSearchParams(window.location.search).get(name);
}

// The widths the server keeps of every image (quizhub.domain.images.VARIANT_WIDTHS; a test
// checks they agree). /api/images/{key}?w=N answers the narrowest variant at least N wide.
export const IMAGE_WIDTHS = [320, 640, 1280];

/**
 * URL of a stored image (keys come from the upload endpoint), `width` = the variant wanted.
 * @param {string} key
 * @param {number | null} [width]
 * @returns {string}
 */
export function imageUrl(key, width = null) {
  const path = `/api/images/${String(key).split("/").map(encodeURIComponent).join("/")}`;
  return width ? `${path}?w=${width}` : path;
}

/**
 * A responsive <img> of a stored image: `srcset` lists every variant width and `sizes` says how
 * wide it is drawn, so a phone downloads the small variant (in WebP: the server picks the format
 * by the browser's Accept header). `src` (the 640 variant) is for browsers without srcset.
 * @param {string} key
 * @param {string} sizes
 * @param {Attrs} [attrs]
 * @returns {HTMLImageElement}
 */
export function responsiveImg(key, sizes, attrs = {}) {
  return h("img", {
    ...attrs,
    src: imageUrl(key, 640),
    srcset: IMAGE_WIDTHS.map((w) => `${imageUrl(key, w)} ${w}w`).join(", "),
    sizes,
  });
}

/**
 * A stable hue 0..359 for a string (placeholder thumbnails).
 * @param {unknown} text
 * @returns {number}
 */
export function hue(text) {
  let x = 0;
  for (const ch of String(text)) x = (x * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return x % 360;
}
