// Home page: published tests with search (?q=), tag filter (?tag=) and "더 보기" pagination.
import { h, replace, param, responsiveImg, hue } from "/assets/dom.js";

const PAGE_SIZE = 12;

const listEl = document.getElementById("test-list");
const moreBtn = document.getElementById("more");
const statusEl = document.getElementById("list-status");
const errorEl = document.getElementById("list-error");
const filtersEl = document.getElementById("filters");
const qInput = document.getElementById("q");
const tagField = document.getElementById("tag-field");

const query = { q: (param("q") || "").trim(), tag: (param("tag") || "").trim() };
let nextCursor = null;
let loading = false;
const seenTags = new Set();

/** Link to the home page with the given filters. */
function homeUrl({ q = query.q, tag = query.tag } = {}) {
  const p = new URLSearchParams();
  if (q) p.set("q", q);
  if (tag) p.set("tag", tag);
  const s = p.toString();
  return s ? `/?${s}` : "/";
}

/** The syllable placeholder: only for a test whose card is not drawn (yet). */
function placeholder(item) {
  const ph = h("div", { class: "thumb thumb-placeholder", "aria-hidden": "true" },
    Array.from(item.title || "?")[0] || "?");
  const a = hue(item.id);
  ph.style.background = `linear-gradient(135deg, hsl(${a} 75% 66%), hsl(${(a + 50) % 360} 80% 72%))`;
  return ph;
}

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

function card(item) {
  const tags = (item.tags || []).map((t) => {
    seenTags.add(t);
    return h("a", { class: "tag", href: homeUrl({ q: "", tag: t }) }, `#${t}`);
  });
  const meta = [];
  if (Number.isFinite(item.questionCount)) meta.push(h("span", {}, `${item.questionCount}문항`));
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

function renderFilters() {
  const chips = [];
  if (query.q) {
    chips.push(h("span", { class: "filter-status" }, `“${query.q}” 검색 결과`));
  }
  if (query.tag) {
    chips.push(h("a", { class: "tag", href: homeUrl({ tag: "" }), "aria-current": "true", "aria-pressed": "true",
      title: "태그 필터 해제" }, `#${query.tag} ✕`));
  }
  for (const t of [...seenTags].slice(0, 12)) {
    if (t === query.tag) continue;
    chips.push(h("a", { class: "tag", href: homeUrl({ q: "", tag: t }) }, `#${t}`));
  }
  if (query.q || query.tag) chips.push(h("a", { class: "btn btn-small btn-ghost", href: "/" }, "전체 보기"));
  replace(filtersEl, chips);
}

async function load({ append = false } = {}) {
  if (loading) return;
  loading = true;
  moreBtn.disabled = true;
  errorEl.replaceChildren();
  if (!append) replace(listEl, [1, 2, 3].map(() => h("li", { class: "skeleton", "aria-hidden": "true" })));
  statusEl.textContent = "불러오는 중…";
  const p = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (query.q) p.set("q", query.q);
  if (query.tag) p.set("tag", query.tag);
  if (append && nextCursor) p.set("cursor", nextCursor);
  try {
    const res = await fetch(`/api/tests?${p}`, { headers: { Accept: "application/json" }, cache: "no-cache" });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const data = await res.json();
    const items = data.items || [];
    if (!append) listEl.replaceChildren();
    for (const item of items) listEl.append(card(item));
    nextCursor = data.nextCursor || null;
    moreBtn.hidden = !nextCursor;
    if (!append && items.length === 0) {
      listEl.append(h("li", { class: "empty" },
        query.q || query.tag ? "조건에 맞는 테스트가 없습니다." : "아직 공개된 테스트가 없습니다."));
    }
    statusEl.textContent = `테스트 ${listEl.querySelectorAll(".card").length}개`;
    renderFilters();
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

qInput.value = query.q;
if (query.tag) {
  tagField.disabled = false;
  tagField.value = query.tag;
}
moreBtn.addEventListener("click", () => load({ append: true }));
renderFilters();
load();
