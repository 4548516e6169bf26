// 통계: play analytics from GET /api/admin/stats/… — the overview (#/stats: every test played
// in the window, most played first, then the searches that found nothing, 찾지 못한 검색어) and
// one test (#/stats/{id}: totals, completion rate, a daily
// chart, the result distribution, the per-question drop-off and the events not counted, by
// reason). Charts are inline SVG built with DOM calls (CSP script-src 'self', no inline styles,
// no CDN); every chart has the same numbers as text next to it.
import { h, replace } from "/assets/dom.js";
import { api, ApiError, describeError } from "/admin/api.js";
/** @import { Child } from "/assets/dom.js" */

/**
 * Play counts (quizhub.analytics.stats; `share` counts are always there, 0 or more).
 * @typedef {{views: number, starts: number, completions: number, shares: number}} Totals
 * @typedef {Totals & {date: string}} Day
 */

/**
 * GET /api/admin/stats/tests/{id}: one test over the last `days` Korean days. Rates are null
 * where nothing was started (or reached).
 * @typedef {object} TestStats
 * @property {string} testId
 * @property {string | null} title
 * @property {number} days
 * @property {string} from
 * @property {string} to
 * @property {Totals} totals
 * @property {number | null} completionRate
 * @property {{resultId: string, title: string | null, completions: number, share: number | null}[]} results
 * @property {{questionId: string, text: string | null, answers: number, dropOff: number, dropOffRate: number | null}[]} questions
 * @property {Day[]} daily
 * @property {Record<string, number>} [rejected] events not counted, by reason
 */

/**
 * GET /api/admin/stats/overview: every test with plays in the window, most played first.
 * @typedef {object} StatsOverview
 * @property {number} days
 * @property {string} from
 * @property {string} to
 * @property {{testId: string, title: string | null, totals: Totals, completionRate: number | null}[]} items
 * @property {Record<string, number>} [rejected] events not counted, by reason
 */

/** @typedef {{label: string, value: number, note: string}} Bar */

const SVG_NS = "http://www.w3.org/2000/svg";
const WINDOWS = [7, 30, 90];
/** @type {[keyof Totals, string][]} */
const TOTALS_KO = [
  ["views", "조회"],
  ["starts", "시작"],
  ["completions", "완료"],
  ["shares", "공유"],
];

// Why an event was not counted (quizhub.analytics.plausible.REJECT_REASONS; the API lists
// every reason, and an unknown one is shown by its code).
/** @type {Record<string, string>} */
const REJECTED_KO = {
  unknown_test: "없는 테스트",
  draft: "비공개(초안)",
  unknown_rev: "없는 버전",
  unknown_question: "없는 문항",
  unknown_option: "없는 선택지",
  unknown_result: "없는 결과",
  session_cap: "한 세션의 한도 초과",
  no_start: "시작 없는 완료(대기 중)",
};

/**
 * An SVG element (attributes set as given; children as in h()).
 * @param {string} tag
 * @param {Record<string, string | number>} [attrs]
 * @param {...(Node | string | number | null | undefined | (Node | string | number | null | undefined)[])} children
 * @returns {SVGElement}
 */
function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** @type {(rate: number | null | undefined) => string} */
const pct = (rate) => (rate === null || rate === undefined ? "–" : `${(rate * 100).toFixed(1)}%`);
/** @type {(n: number | null | undefined) => string} */
const num = (n) => Number(n || 0).toLocaleString("ko-KR");

/**
 * @param {number} days
 * @param {(days: number) => void} onPick
 * @returns {HTMLDivElement}
 */
function windowPicker(days, onPick) {
  return h("div", { class: "stats-window", role: "group", "aria-label": "기간" },
    WINDOWS.map((d) => h("button", {
      type: "button", class: `btn btn-small${d === days ? " btn-primary" : ""}`,
      "aria-pressed": String(d === days), dataset: { days: d }, on: { click: () => onPick(d) },
    }, `${d}일`)));
}

/**
 * Fetch `path` and render its answer into `root` under `title` (or say why not).
 * @template T
 * @param {HTMLElement} root
 * @param {string} path
 * @param {(data: T) => Child} render
 * @param {HTMLElement} title
 * @returns {Promise<void>}
 */
async function load(root, path, render, title) {
  const body = h("div", { class: "stats-body" },
    h("p", { class: "loading" }, h("span", { class: "spinner", "aria-hidden": "true" }), "불러오는 중…"));
  replace(root, h("section", { class: "stats-view", "aria-labelledby": "stats-title" }, title, body));
  try {
    const { data } = await api("GET", path);
    replace(body, render(/** @type {T} */ (data)));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    const msg = err instanceof ApiError && err.status === 404
      ? "이 테스트는 없고 기록된 플레이도 없습니다."
      : err instanceof ApiError && err.status === 503
        ? "통계 저장소(Postgres)에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요."
        : `통계를 불러오지 못했습니다: ${describeError(err)}`;
    replace(body, h("p", { class: "notice notice-error", role: "alert" }, msg));
  }
}

/**
 * @param {Totals} totals
 * @param {number | null} rate
 * @returns {HTMLDListElement}
 */
function totalsBlock(totals, rate) {
  return h("dl", { class: "stats-totals", id: "stats-totals" },
    TOTALS_KO.map(([key, label]) => h("div", { class: "stats-total", dataset: { key } },
      h("dt", {}, label), h("dd", {}, num(totals[key])))),
    h("div", { class: "stats-total", dataset: { key: "rate" } }, h("dt", {}, "완료율"), h("dd", {}, pct(rate))));
}

/**
 * The events not counted in the window, by reason (only the reasons that occurred).
 * @param {Record<string, number> | undefined} rejected
 * @returns {HTMLElement}
 */
function rejectedBlock(rejected) {
  const found = Object.entries(rejected || {}).filter(([, n]) => n > 0);
  if (!found.length) return h("p", { class: "hint", id: "stats-rejected" }, "집계에서 제외된 이벤트가 없습니다.");
  return h("dl", { class: "stats-totals", id: "stats-rejected" },
    found.map(([reason, n]) => h("div", { class: "stats-total", dataset: { key: reason } },
      h("dt", {}, REJECTED_KO[reason] || reason), h("dd", {}, num(n)))));
}

/**
 * A chart drawn at its real width: one SVG unit is one CSS pixel, so its 12 px labels are 12 px
 * on a phone too (a fixed viewBox would scale them down with the chart). `draw(width)` makes its
 * content for a width; it is drawn again when the width changes.
 * @param {Record<string, string>} attrs the svg's attributes (class, role, aria-label)
 * @param {(width: number) => {height: number, content: SVGElement[]}} draw
 * @returns {SVGElement}
 */
function fitted(attrs, draw) {
  const chart = svg("svg", attrs);
  let drawnAt = 0;
  new ResizeObserver((entries) => {
    const width = Math.floor(entries[entries.length - 1].contentRect.width);
    if (width <= 0 || width === drawnAt) return;
    drawnAt = width;
    const { height, content } = draw(width);
    chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
    chart.replaceChildren(...content);
  }).observe(chart);
  return chart;
}

/**
 * A label cut to `max` characters (with …).
 * @param {string} text
 * @param {number} max
 * @returns {string}
 */
const cut = (text, max) => (Array.from(text).length > max ? `${Array.from(text).slice(0, max - 1).join("")}…` : text);

/**
 * Daily series: one polyline per count, with day ticks at both ends.
 * @param {Day[]} daily
 * @returns {HTMLElement}
 */
function dailyChart(daily) {
  const H = 180, PAD = 28;
  /** @type {[keyof Totals, string][]} */
  const series = [["views", "조회"], ["starts", "시작"], ["completions", "완료"]];
  const max = Math.max(1, ...daily.flatMap((d) => series.map(([k]) => d[k])));
  const summary = series.map(([k, label]) => `${label} ${num(daily.reduce((s, d) => s + d[k], 0))}`).join(", ");
  const chart = fitted({ class: "chart chart-daily", role: "img",
    "aria-label": `일별 추이 (${daily[0].date} ~ ${daily[daily.length - 1].date}): ${summary}` }, (W) => {
    const x = (/** @type {number} */ i) => PAD + (daily.length < 2 ? 0 : (i * (W - 2 * PAD)) / (daily.length - 1));
    const y = (/** @type {number} */ v) => H - PAD - (v * (H - 2 * PAD)) / max;
    return { height: H, content: [
      svg("line", { x1: PAD, y1: H - PAD, x2: W - PAD, y2: H - PAD, class: "chart-axis" }),
      svg("text", { x: PAD, y: 14, class: "chart-label" }, `최대 ${num(max)}`),
      svg("text", { x: PAD, y: H - 8, class: "chart-label" }, daily[0].date),
      svg("text", { x: W - PAD, y: H - 8, class: "chart-label", "text-anchor": "end" }, daily[daily.length - 1].date),
      ...series.map(([k]) => svg("polyline", { class: `chart-line chart-${k}`, fill: "none",
        points: daily.map((d, i) => `${x(i).toFixed(1)},${y(d[k]).toFixed(1)}`).join(" ") })),
    ] };
  });
  return h("figure", { class: "stats-figure" }, chart,
    h("figcaption", { class: "chart-legend" },
      series.map(([k, label]) => h("span", { class: `legend legend-${k}` }, label))));
}

// Bar charts: one row per bar (label | bar | note) from WIDE px; narrower, each row is two lines
// (the label, then the bar with its note at the end).
const WIDE = 560, LABEL_W = 224, NOTE_W = 170, LABEL_CHARS = 18;

/**
 * Horizontal bars: rows of {label, value, note}.
 * @param {Bar[]} rows
 * @param {{label: string, id: string}} options
 * @returns {HTMLElement}
 */
function barChart(rows, { label, id }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  const chart = fitted({ class: "chart chart-bars", role: "img",
    "aria-label": `${label}: ${rows.map((r) => `${r.label} ${num(r.value)}`).join(", ")}` }, (W) => {
    const wide = W >= WIDE;
    const row = wide ? 26 : 44;
    const barX = wide ? LABEL_W : 0;
    const span = Math.max(0, W - barX - NOTE_W);
    const content = rows.map((r, i) => {
      const top = i * row;
      const barY = wide ? top + 5 : top + 22;
      return svg("g", {},
        svg("text", { x: 0, y: top + 17, class: "chart-label" }, cut(r.label, LABEL_CHARS)),
        svg("rect", { x: barX, y: barY, height: 16, rx: 3, class: "chart-bar", width: (span * r.value) / max }),
        svg("text", { x: W, y: wide ? top + 17 : top + 35, class: "chart-label", "text-anchor": "end" }, r.note));
    });
    return { height: Math.max(row, rows.length * row), content };
  });
  return h("figure", { class: "stats-figure", id }, chart);
}

/**
 * @param {TestStats} data
 * @returns {Child[]}
 */
function testStats(data) {
  const results = data.results.map((r) => ({
    label: r.title || r.resultId, value: r.completions, note: `${num(r.completions)} (${pct(r.share)})`,
  }));
  const questions = data.questions.map((q, i) => ({
    label: `${i + 1}. ${q.text || q.questionId}`, value: q.answers,
    note: `${num(q.answers)} · 이탈 ${num(q.dropOff)}${q.dropOffRate ? ` (${pct(q.dropOffRate)})` : ""}`,
  }));
  return [
    h("p", { class: "hint" }, `${data.from} ~ ${data.to} (한국 시간 기준 ${data.days}일)`),
    totalsBlock(data.totals, data.completionRate),
    h("h3", {}, "일별 추이"), dailyChart(data.daily),
    h("h3", {}, "결과 분포"),
    results.length ? barChart(results, { label: "결과 분포", id: "stats-results" }) : h("p", { class: "hint" }, "결과가 없습니다."),
    h("h3", {}, "문항별 응답과 이탈"),
    questions.length ? barChart(questions, { label: "문항별 응답 수", id: "stats-questions" }) : h("p", { class: "hint" }, "문항이 없습니다."),
    h("h3", {}, "집계에서 제외된 이벤트"), rejectedBlock(data.rejected),
  ];
}

/**
 * One test's stats into `root` (#/stats/{id}).
 * @param {HTMLElement} root
 * @param {string} testId
 * @param {number} [days]
 * @returns {Promise<void>}
 */
export function showTestStats(root, testId, days = 30) {
  const heading = h("h2", { id: "stats-title" }, `통계 · ${testId}`);
  const title = h("div", { class: "jobs-head" },
    heading,
    h("div", { class: "list-actions" },
      windowPicker(days, (d) => showTestStats(root, testId, d)),
      h("a", { class: "btn btn-small", href: "#/stats" }, "전체 통계"),
      h("a", { class: "btn btn-small", href: `#/tests/${encodeURIComponent(testId)}` }, "편집")));
  return load(root, `/api/admin/stats/tests/${encodeURIComponent(testId)}?days=${days}`, (/** @type {TestStats} */ data) => {
    if (data.title) heading.textContent = `통계 · ${data.title}`;
    return testStats(data);
  }, title);
}

/**
 * GET /api/admin/stats/missed-searches: the searches that found nothing most often.
 * @typedef {object} MissedSearches
 * @property {number} days
 * @property {{query: string, misses: number}[]} items
 */

/**
 * 찾지 못한 검색어: the searches that found nothing most often in the window. They come from D1,
 * not Postgres, so they show even when play analytics are unavailable.
 * @param {number} days
 * @returns {HTMLElement}
 */
function missedSearches(days) {
  const body = h("div", { class: "stats-body" },
    h("p", { class: "loading" }, h("span", { class: "spinner", "aria-hidden": "true" }), "불러오는 중…"));
  const box = h("section", { class: "stats-missed", id: "stats-missed", "aria-labelledby": "stats-missed-title" },
    h("h3", { id: "stats-missed-title" }, "찾지 못한 검색어"), body);
  api("GET", `/api/admin/stats/missed-searches?days=${days}`).then(({ data }) => {
    const missed = /** @type {MissedSearches} */ (data);
    replace(body, missed.items.length
      ? [
        h("p", { class: "hint" }, `최근 ${missed.days}일 동안 결과가 하나도 없었던 검색어, 많이 찾은 순 (누가 찾았는지는 저장하지 않습니다)`),
        h("div", { class: "table-scroll" }, h("table", { class: "stats-table" },
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "검색어"), h("th", { scope: "col" }, "횟수"))),
          h("tbody", {}, missed.items.map((it) => h("tr", {},
            h("th", { scope: "row" }, it.query), h("td", {}, num(it.misses))))))),
      ]
      : h("p", { class: "notice notice-ok", role: "status" }, `최근 ${missed.days}일 동안 찾지 못한 검색어가 없습니다.`));
  }, (/** @type {unknown} */ err) => {
    if (err instanceof ApiError && err.status === 401) return;
    replace(body, h("p", { class: "notice notice-error", role: "alert" },
      `찾지 못한 검색어를 불러오지 못했습니다: ${describeError(err)}`));
  });
  return box;
}

/**
 * The overview into `root` (#/stats), then the searches that found nothing.
 * @param {HTMLElement} root
 * @param {number} [days]
 * @returns {Promise<void>}
 */
export async function showStatsOverview(root, days = 30) {
  const title = h("div", { class: "jobs-head" },
    h("h2", { id: "stats-title" }, "전체 통계"),
    windowPicker(days, (d) => showStatsOverview(root, d)));
  await load(root, `/api/admin/stats/overview?days=${days}`, (/** @type {StatsOverview} */ data) => {
    if (!data.items.length) {
      return h("p", { class: "notice notice-ok", role: "status" }, `최근 ${data.days}일 동안 기록된 플레이가 없습니다.`);
    }
    const rows = data.items.map((it) => ({
      label: it.title || it.testId, value: it.totals.starts,
      note: `시작 ${num(it.totals.starts)} · 완료 ${pct(it.completionRate)}`,
    }));
    return [
      h("p", { class: "hint" }, `${data.from} ~ ${data.to} · 많이 플레이된 순`),
      barChart(rows, { label: "테스트별 시작 수", id: "stats-overview-chart" }),
      h("div", { class: "table-scroll" }, h("table", { class: "stats-table", id: "stats-overview" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "테스트"),
          TOTALS_KO.map(([, label]) => h("th", { scope: "col" }, label)), h("th", { scope: "col" }, "완료율"))),
        h("tbody", {}, data.items.map((it) => h("tr", { dataset: { testId: it.testId } },
          h("th", { scope: "row" }, h("a", { href: `#/stats/${encodeURIComponent(it.testId)}`, class: it.title ? "" : "stats-id" },
            it.title || it.testId)),
          TOTALS_KO.map(([key]) => h("td", {}, num(it.totals[key]))),
          h("td", {}, pct(it.completionRate))))))),
      h("h3", {}, "집계에서 제외된 이벤트"), rejectedBlock(data.rejected),
    ];
  }, title);
  root.querySelector(".stats-view")?.append(missedSearches(days));
}
