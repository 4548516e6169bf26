// Tiny DOM helpers. All user-supplied text goes through text nodes / textContent,
// never through HTML parsing (no HTML-string sinks anywhere; enforced by tests/browser).

const PROPS = new Set(["value", "checked", "disabled", "selected", "hidden", "open", "multiple", "required"]);

/**
 * Create an element: h("button", {class: "btn", on: {click: fn}}, "text", child, ...).
 * Strings and numbers become text nodes; null/undefined/false children are skipped;
 * arrays are flattened.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "on") {
      for (const [type, fn] of Object.entries(value)) el.addEventListener(type, fn);
    } else if (name === "dataset") {
      for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) el.dataset[k] = String(v);
    } else if (name === "text") {
      el.textContent = String(value);
    } else if (PROPS.has(name)) {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Append children (strings become text nodes). */
export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replace all children of `parent`. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** Read a query-string parameter of the current page. */
export function param(name) {
  return new URLSearchParams(window.location.search).get(name);
}

// The widths the server keeps of every image (quizhub.domain.images.VARIANT_WIDTHS; a test
// checks they agree). /api/images/{key}?w=N answers the narrowest variant at least N wide.
export const IMAGE_WIDTHS = [320, 640, 1280];

/** URL of a stored image (keys come from the upload endpoint), `width` = the variant wanted. */
export function imageUrl(key, width = null) {
  const path = `/api/images/${String(key).split("/").map(encodeURIComponent).join("/")}`;
  return width ? `${path}?w=${width}` : path;
}

/**
 * A responsive <img> of a stored image: `srcset` lists every variant width and `sizes` says how
 * wide it is drawn, so a phone downloads the small variant (in WebP: the server picks the format
 * by the browser's Accept header). `src` (the 640 variant) is for browsers without srcset.
 */
export function responsiveImg(key, sizes, attrs = {}) {
  return h("img", {
    ...attrs,
    src: imageUrl(key, 640),
    srcset: IMAGE_WIDTHS.map((w) => `${imageUrl(key, w)} ${w}w`).join(", "),
    sizes,
  });
}

/** A stable hue 0..359 for a string (placeholder thumbnails). */
export function hue(text) {
  let x = 0;
  for (const ch of String(text)) x = (x * 31 + ch.codePointAt(0)) >>> 0;
  return x % 360;
}
