// Home page: published tests in 인기순 (the default) or 최신순 (?sort=newest), a category per
// tag (?tag=), search (?q=) and "더 보기" pagination. Every choice is in the URL, so a view can be
// shared and Back returns to it. A search that finds nothing (X-Search-Mode: none) offers the
// popular tests instead of a dead end.
import { byId, h, replace, param, responsiveImg, hue } from "/assets/dom.js";
/** @import { Page } from "/admin/api.js" */
/** @import { TestSummary } from "/admin/model.js" */

const PAGE_SIZE = 12;
const CATEGORY_COUNT = 12;
const SORTS = [["popular", "인기순"], ["newest", "최신순"]];
const DEFAULT_SORT = "popular";

const listEl = byId("test-list");
const moreBtn = byId("more", HTMLButtonElement);
const statusEl = byId("list-status");
const errorEl = byId("list-error");
const filtersEl = byId("filters");
const sortEl = byId("sort");
const qInput = byId("q", HTMLInputElement);
const tagField = byId("tag-field", HTMLInputElement);

const sortParam = param("sort");
const query = {
  q: (param("q") || "").trim(),
  tag: (param("tag") || "").trim(),
  sort: sortParam && SORTS.some(([key]) => key === sortParam) ? sortParam : DEFAULT_SORT,
};
/** @type {string | null} */
let nextCursor = null;
let loading = false;
/** @type {{tag: string, tests: number}[]} */
let categories = [];
const COUNT = new Intl.NumberFormat("ko-KR");

/**
 * Link to the home page with the given choices (the default order is left out of the URL).
 * @param {{q?: string, tag?: string, sort?: string}} [choices]
 * @returns {string}
 */
function homeUrl({ q = query.q, tag = query.tag, sort = query.sort } = {}) {
  const p = new URLSearchParams();
  if (q) p.set("q", q);
  if (tag) p.set("tag", tag);
  if (!q && sort !== DEFAULT_SORT) p.set("sort", sort);
  const s = p.toString();
  return s ? `/?${s}` : "/";
}

/**
 * The syllable placeholder: only for a test whose card is not drawn (yet).
 * @param {TestSummary} item
 * @returns {HTMLElement}
 */
function placeholder(item) {
  const ph = h("div", { class: "thumb thumb-placeholder", "aria-hidden": "true" },
    Array.from(item.title || "?")[0] || "?");
  const a = hue(item.id);
  ph.style.background = `linear-gradient(135deg, hsl(${a} 75% 66%), hsl(${(a + 50) % 360} 80% 72%))`;
  return ph;
}

/**
 * @param {TestSummary} item
 * @returns {HTMLElement}
 */
function thumbnail(item) {
  if (item.thumbnail) {
    // Cards are one column on phones, ~320 px wide in the grid elsewhere.
    return responsiveImg(item.thumbnail, "(max-width: 560px) 92vw, 320px",
      { class: "thumb", alt: "", loading: "lazy", decoding: "async" });
  }
  // No thumbnail: the test's preview card (drawn by its save; docs/sharing.md#preview-cards).
  const img = h("img", {
    class: "thumb thumb-card", alt: "", loading: "lazy", decoding: "async",
    src: `/t/${encodeURIComponent(item.id)}/card.png`,
  });
  img.addEventListener("error", () => img.replaceWith(placeholder(item)), { once: true });
  return img;
}

/**
 * @param {TestSummary} item
 * @returns {HTMLLIElement}
 */
function card(item) {
  const tags = (item.tags || []).map((t) => h("a", { class: "tag", href: homeUrl({ q: "", tag: t }) }, `#${t}`));
  const meta = [];
  if (Number.isFinite(item.questionCount)) meta.push(h("span", {}, `${item.questionCount}문항`));
  const played = item.participants ?? 0;
  if (played > 0) {
    meta.push(h("span", { class: "participants" }, `${COUNT.format(played)}명 참여`));
  }
  return h("li", {},
    h("article", { class: "card" },
      h("a", { class: "card-link", href: `/t/${encodeURIComponent(item.id)}` },
        thumbnail(item),
        h("div", { class: "card-body" },
          h("h2", { class: "card-title" }, item.title),
          item.description ? h("p", { class: "card-desc" }, item.description) : null,
          meta.length ? h("div", { class: "card-meta" }, meta) : null)),
      tags.length ? h("div", { class: "card-tags" }, tags) : null));
}

/** 인기순 · 최신순: links, so the order is in the URL (not shown for a search: by relevance). */
function renderSort() {
  sortEl.hidden = Boolean(query.q);
  replace(sortEl, SORTS.map(([key, label]) => h("a", {
    class: "sort-link", href: homeUrl({ sort: key }), "aria-current": key === query.sort ? "page" : null,
  }, label)));
}

/** Categories: 전체 and the tags of published tests (most used first), the current one marked. */
function renderFilters() {
  const chips = [];
  if (query.q) {
    chips.push(h("span", { class: "filter-status" }, `“${query.q}” 검색 결과`));
  }
  const tags = categories.map((c) => c.tag);
  if (query.tag && !tags.includes(query.tag)) tags.unshift(query.tag);
  if (tags.length) {
    /** @type {(tag: string, label: string) => HTMLElement} */
    const chip = (tag, label) => h("a", {
      class: "tag", href: homeUrl({ q: "", tag }),
      "aria-current": tag === query.tag && !query.q ? "page" : null,
    }, label);
    chips.push(chip("", "전체"), ...tags.map((t) => chip(t, `#${t}`)));
  }
  if (query.q) chips.push(h("a", { class: "btn btn-small btn-ghost", href: homeUrl({ q: "", tag: "" }) }, "전체 보기"));
  replace(filtersEl, chips);
}

/**
 * One page of the list for `params`, with the search mode the API answered.
 * @param {URLSearchParams} params
 * @returns {Promise<{data: Page<TestSummary>, mode: string | null}>}
 */
async function getList(params) {
  const res = await fetch(`/api/tests?${params}`, { headers: { Accept: "application/json" }, cache: "no-cache" });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const data = /** @type {Page<TestSummary>} */ (await res.json());
  return { data, mode: res.headers.get("X-Search-Mode") };
}

/** Nothing matched the search: say so, and show the popular tests instead. */
async function showPopularInstead() {
  listEl.append(h("li", { class: "empty" }, `“${query.q}”에 맞는 테스트가 없어요. 인기 테스트는 어떠세요?`));
  const { data } = await getList(new URLSearchParams({ sort: "popular", limit: String(PAGE_SIZE) }));
  const items = data.items || [];
  if (!items.length) return;
  listEl.append(h("li", { class: "list-heading" }, h("h2", { id: "popular-title" }, "인기 테스트")));
  for (const item of items) listEl.append(card(item));
}

/**
 * Load the first page (or, `append`, the next one) of the list.
 * @param {{append?: boolean}} [options]
 */
async function load({ append = false } = {}) {
  if (loading) return;
  loading = true;
  moreBtn.disabled = true;
  errorEl.replaceChildren();
  if (!append) replace(listEl, [1, 2, 3].map(() => h("li", { class: "skeleton", "aria-hidden": "true" })));
  statusEl.textContent = "불러오는 중…";
  const p = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (query.q) p.set("q", query.q);
  else p.set("sort", query.sort);
  if (query.tag) p.set("tag", query.tag);
  if (append && nextCursor) p.set("cursor", nextCursor);
  try {
    const { data, mode } = await getList(p);
    const items = data.items || [];
    if (!append) listEl.replaceChildren();
    for (const item of items) listEl.append(card(item));
    nextCursor = data.nextCursor || null;
    moreBtn.hidden = !nextCursor;
    if (!append && items.length === 0) {
      if (query.q && mode === "none") {
        await showPopularInstead();
      } else {
        listEl.append(h("li", { class: "empty" },
          query.q || query.tag ? "조건에 맞는 테스트가 없습니다." : "아직 공개된 테스트가 없습니다."));
      }
    }
    const none = !append && items.length === 0 && query.q;
    statusEl.textContent = none ? "검색 결과가 없어요" : `테스트 ${listEl.querySelectorAll(".card").length}개`;
  } catch (err) {
    if (!append) listEl.replaceChildren();
    statusEl.textContent = "";
    replace(errorEl, h("div", { class: "notice notice-error", role: "alert" },
      "테스트 목록을 불러오지 못했습니다. ",
      h("button", { class: "btn btn-small", type: "button", on: { click: () => load({ append }) } }, "다시 시도")));
    console.error(err);
  } finally {
    loading = false;
    moreBtn.disabled = false;
  }
}

/** The categories (GET /api/tags): optional, the list works without them. */
function loadCategories() {
  fetch(`/api/tags?limit=${CATEGORY_COUNT}`, { headers: { Accept: "application/json" } })
    .then((res) => (res.ok ? res.json() : { items: [] }))
    .then((data) => { categories = data.items || []; renderFilters(); })
    .catch(() => {});
}

qInput.value = query.q;
if (query.tag) {
  tagField.disabled = false;
  tagField.value = query.tag;
}
moreBtn.addEventListener("click", () => load({ append: true }));
renderSort();
renderFilters();
loadCategories();
load();
