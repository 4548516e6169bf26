// A save that conflicts with another editor's, resolved in the editor (docs/merge.md#in-the-editor):
// the three versions are loaded (the base the save was made from, the live document, and the
// form), each conflicting field shows the other editor's change next to this editor's with a
// 내 것 / 상대 것 choice, the changes that merge on their own are listed, and the chosen
// document is handed back to be saved on top of the live rev. Also the confirmation of 덮어쓰기,
// listing the other editor's changes it would undo. The computing is resolve.js's.
import { h, replace } from "/assets/dom.js";
import { api, ApiError } from "/admin/api.js";
import { CONFLICT_KO } from "/admin/messages.js";
import { compare, editable, overwriteLosses, pathLabel, resolveDocument, valueText } from "/admin/resolve.js";
/** @import { ApiResult } from "/admin/api.js" */
/** @import { JsonObject } from "/admin/merge.js" */
/** @import { TestDocument } from "/admin/model.js" */
/** @import { Change, Comparison, Side, Versions } from "/admin/resolve.js" */

/**
 * The versions of a conflict as loaded: `live` null when the test was deleted meanwhile.
 * @typedef {object} Loaded
 * @property {JsonObject} base
 * @property {JsonObject} mine
 * @property {TestDocument | null} live the live document as GET answered it (its rev included)
 */

/**
 * What the resolution view asks of the editor: the form's content now, and saving a document.
 * @typedef {object} ResolveHooks
 * @property {() => JsonObject} mine
 * @property {(document: JsonObject, live: TestDocument) => void} save
 */

/**
 * Load the versions of a conflict: the base version `baseRev` (`fallback`, the document the
 * editor loaded, when the server has no such version) and the live document; `mine` is the
 * form's content.
 * @param {string} id
 * @param {string | null} baseRev
 * @param {object | null} fallback
 * @param {object} mine
 * @returns {Promise<Loaded>}
 */
export async function loadVersions(id, baseRev, fallback, mine) {
  const path = `/api/admin/tests/${encodeURIComponent(id)}`;
  const [live, base] = await Promise.all([
    getDocument(path),
    baseRev ? getDocument(`${path}/versions/${encodeURIComponent(baseRev)}`) : Promise.resolve(null),
  ]);
  return { base: editable(base ?? fallback ?? {}), mine: editable(mine), live };
}

/**
 * A document, or null when there is none (404).
 * @param {string} path
 * @returns {Promise<TestDocument | null>}
 */
async function getDocument(path) {
  try {
    const { data } = /** @type {ApiResult<TestDocument>} */ (await api("GET", path));
    return data;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

/**
 * The three versions of a loaded conflict whose test still exists.
 * @param {Loaded} loaded
 * @param {TestDocument} live
 * @returns {Versions}
 */
export function versionsOf(loaded, live) {
  return { base: loaded.base, live: editable(live), mine: loaded.mine };
}

/**
 * "불러오는 중…" in the view.
 * @param {HTMLElement} host
 */
export function showLoading(host) {
  replace(host, h("p", { class: "loading" }, h("span", { class: "spinner", "aria-hidden": "true" }), CONFLICT_KO.loading));
  host.hidden = false;
}

/**
 * The versions could not be loaded: why, and 다시 시도.
 * @param {HTMLElement} host
 * @param {string} why
 * @param {() => void} retry
 */
export function showUnavailable(host, why, retry) {
  replace(host,
    h("p", { class: "notice notice-error", role: "alert" }, CONFLICT_KO.unavailable(why)),
    h("div", { class: "banner-actions" }, button(CONFLICT_KO.retry, retry)));
  host.hidden = false;
}

/**
 * The test was deleted since it was loaded: make it again from the form, or drop the changes.
 * @param {HTMLElement} host
 * @param {{recreate: () => void, discard: () => void}} hooks
 */
export function showDeleted(host, hooks) {
  replace(host,
    h("h3", { id: "resolution-title", class: "resolution-title" }, CONFLICT_KO.deletedTitle),
    h("p", {}, CONFLICT_KO.deleted),
    h("div", { class: "banner-actions" },
      button(CONFLICT_KO.recreate, hooks.recreate, true),
      button(CONFLICT_KO.discard, hooks.discard)));
  host.dataset.state = "deleted";
  host.hidden = false;
}

/**
 * The resolution view: each conflict with its two values and a choice, the changes merged on
 * their own, and the button that saves the chosen document.
 * @param {HTMLElement} host
 * @param {Versions} versions
 * @param {TestDocument} live
 * @param {ResolveHooks} hooks
 * @param {string} [notice] a line above the list (the comparison was made again)
 */
export function showResolution(host, versions, live, hooks, notice = "") {
  const found = compare(versions);
  const docs = [versions.live, versions.mine, versions.base];
  const error = h("p", { class: "field-error resolution-error", role: "alert" });
  const groups = found.conflicts.map((c, n) => conflictGroup(c, n, docs));
  const save = button(found.conflicts.length ? CONFLICT_KO.saveChosen : CONFLICT_KO.saveMerged, () => {
    const fresh = { ...versions, mine: hooks.mine() };
    const now = compare(fresh).conflicts.map((c) => c.path);
    if (!same(now, found.conflicts.map((c) => c.path))) {
      showResolution(host, fresh, live, hooks, CONFLICT_KO.changedMeanwhile);
      return;
    }
    const choices = chosen(host);
    const missing = found.conflicts.filter((c) => !choices.has(c.path));
    if (missing.length) {
      error.textContent = CONFLICT_KO.missing(missing.map((c) => pathLabel(c.path, docs)));
      focusGroup(host, missing[0].path);
      return;
    }
    const { merged, conflicts } = resolveDocument(fresh, choices);
    if (!merged) {
      error.textContent = CONFLICT_KO.stillOverlapping(conflicts.map((c) => pathLabel(c.path, docs)));
      return;
    }
    hooks.save(merged.document, live);
  }, true);
  save.id = "resolve-save";
  replace(host,
    h("h3", { id: "resolution-title", class: "resolution-title" }, CONFLICT_KO.title),
    notice ? h("p", { class: "notice notice-info" }, notice) : null,
    h("p", { class: "hint" }, found.conflicts.length ? CONFLICT_KO.intro(live.rev) : CONFLICT_KO.noOverlap(live.rev)),
    found.conflicts.length ? h("ol", { class: "resolution-list" }, groups) : null,
    autoMerged(found, docs),
    error,
    h("div", { class: "banner-actions" }, save));
  host.dataset.state = "conflict";
  host.hidden = false;
}

/**
 * One conflict: its field, the original value, and the two values as a radio group.
 * @param {Change} c
 * @param {number} n
 * @param {JsonObject[]} docs
 * @returns {HTMLLIElement}
 */
function conflictGroup(c, n, docs) {
  const label = pathLabel(c.path, docs);
  /** @param {Side} side @param {string} name @param {Change["mine"]} value */
  const choice = (side, name, value) => h("label", { class: "resolution-side", dataset: { side } },
    h("input", { type: "radio", name: `resolution-${n}`, value: side }),
    h("span", { class: "side-name" }, name), " ",
    h("span", { class: "side-value" }, valueText(value, c.path)));
  return h("li", { class: "resolution-item", dataset: { path: c.path } },
    h("fieldset", { class: "resolution-choice" },
      h("legend", {}, label),
      h("p", { class: "resolution-base" }, h("span", { class: "side-name" }, CONFLICT_KO.original),
        h("span", { class: "side-value" }, valueText(c.base, c.path))),
      h("div", { class: "resolution-sides" },
        choice("mine", CONFLICT_KO.mine, c.mine),
        choice("live", CONFLICT_KO.theirs, c.live))));
}

/**
 * "자동으로 합쳐진 변경": who changed what, from what to what (nothing when there is none).
 * @param {Comparison} found
 * @param {JsonObject[]} docs
 * @returns {HTMLDetailsElement | null}
 */
function autoMerged(found, docs) {
  const count = found.theirs.length + found.ours.length;
  if (!count) return null;
  /** @param {Change} c @param {string} who @param {"live" | "mine"} side */
  const line = (c, who, side) => h("li", { dataset: { path: c.path, side } },
    h("strong", {}, `${who} · ${pathLabel(c.path, docs)}: `),
    h("span", { class: "side-value" }, valueText(c.base, c.path)), " → ",
    h("span", { class: "side-value" }, valueText(c[side], c.path)));
  return h("details", { class: "resolution-auto", open: true },
    h("summary", {}, CONFLICT_KO.auto(count)),
    h("ul", {},
      found.theirs.map((c) => line(c, CONFLICT_KO.byThem, "live")),
      found.ours.map((c) => line(c, CONFLICT_KO.byMe, "mine"))));
}

/**
 * The choices made in the view: path → side.
 * @param {HTMLElement} host
 * @returns {Map<string, Side>}
 */
function chosen(host) {
  /** @type {Map<string, Side>} */
  const out = new Map();
  for (const item of host.querySelectorAll(".resolution-item")) {
    const picked = item.querySelector("input[type=radio]:checked");
    const path = item instanceof HTMLElement ? item.dataset.path : undefined;
    if (path !== undefined && picked instanceof HTMLInputElement) out.set(path, picked.value === "live" ? "live" : "mine");
  }
  return out;
}

/**
 * Focus the first choice of the conflict at `path`.
 * @param {HTMLElement} host
 * @param {string} path
 */
function focusGroup(host, path) {
  const input = host.querySelector(`.resolution-item[data-path="${CSS.escape(path)}"] input`);
  if (input instanceof HTMLElement) input.focus();
}

/**
 * @param {string[]} a
 * @param {string[]} b
 * @returns {boolean}
 */
function same(a, b) {
  return a.length === b.length && a.every((x, n) => x === b[n]);
}

/**
 * Ask, in the page, whether to overwrite: the other editor's changes it would undo (their
 * value, and what it becomes), or that it makes a deleted test again. Resolves true to go on;
 * nothing to undo resolves true at once.
 * @param {Versions | null} versions null: the test was deleted since it was loaded
 * @returns {Promise<boolean>}
 */
export function confirmOverwrite(versions) {
  const losses = versions ? overwriteLosses(versions) : [];
  if (versions && !losses.length) return Promise.resolve(true);
  const docs = versions ? [versions.live, versions.base] : [];
  const cancel = button(CONFLICT_KO.cancel, () => dialog.close("cancel"));
  const go = h("button", { type: "button", class: "btn btn-danger", id: "overwrite-confirm",
    on: { click: () => dialog.close("overwrite") } }, CONFLICT_KO.overwrite);
  const dialog = h("dialog", { id: "overwrite-dialog", class: "overwrite-dialog", "aria-labelledby": "overwrite-title" },
    h("h2", { id: "overwrite-title" }, CONFLICT_KO.overwriteTitle),
    h("p", {}, versions ? CONFLICT_KO.overwriteIntro(losses.length) : CONFLICT_KO.overwriteDeleted),
    losses.length ? h("ul", { class: "overwrite-losses" }, losses.map((c) => h("li", { dataset: { path: c.path } },
      h("strong", {}, pathLabel(c.path, docs)),
      h("div", { class: "loss-values" },
        h("span", { class: "side-name" }, CONFLICT_KO.theirValue), h("span", { class: "side-value" }, valueText(c.live, c.path)),
        h("span", { class: "side-name" }, CONFLICT_KO.afterOverwrite), h("span", { class: "side-value" }, valueText(c.mine, c.path)))))) : null,
    h("div", { class: "dialog-actions" }, cancel, go));
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "overwrite");
      dialog.remove();
    });
    dialog.showModal();
    cancel.focus();
  });
}

/**
 * @param {string} text
 * @param {() => void} onClick
 * @param {boolean} [primary]
 * @returns {HTMLButtonElement}
 */
function button(text, onClick, primary = false) {
  return h("button", { type: "button", class: `btn btn-small${primary ? " btn-primary" : ""}`, on: { click: onClick } }, text);
}
