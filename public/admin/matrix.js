// The score table (점수표): every question's options down the side, the results across the
// top, one number per option and result. A result's score is the sum of the chosen options'
// scores for it; the highest sum wins, a tie goes to the result listed first; an empty cell
// counts 0 (quizhub.domain.compute). Each result needs an option that gives it a positive
// score, or no one can get it (docs/architecture.md#integrity-rules). Each cell carries the
// data-path of its score ("questions.0.options.1.scores.{resultId}") so that errors land on it.
import { h } from "/assets/dom.js";
import { scoreOf, scoreRows, setScore } from "/admin/model.js";
import { valueRange } from "/admin/rules.js";
/** @import { Model, ModelResult } from "/admin/model.js" */

let uidSeq = 0;
const uid = () => `sm${++uidSeq}`;

/**
 * The name a result goes by in the table: its title, else "결과 N".
 * @param {ModelResult} r
 * @param {number} i
 * @returns {string}
 */
export function resultName(r, i) {
  return r.title.trim() || `결과 ${i + 1}`;
}

/**
 * Every label that shows the text of the item `key` (a question, an option or a result) in
 * `root`: it now reads `text` (the item's field was typed in), or its fallback when empty.
 * @param {ParentNode} root
 * @param {string} key
 * @param {string} text
 */
export function relabel(root, key, text) {
  for (const el of root.querySelectorAll(`[data-label-key="${CSS.escape(key)}"]`)) {
    if (el instanceof HTMLElement) el.textContent = text.trim() || el.dataset.labelFallback || "";
  }
  for (const el of root.querySelectorAll(`input[data-score-key="${CSS.escape(key)}"]`)) {
    if (el instanceof HTMLElement) el.setAttribute("aria-label", scoreLabel(el.dataset.rowName || "", text.trim() || el.dataset.resultFallback || ""));
  }
}

/**
 * A score cell's name: "질문 1 선택지 2 → 계획형 점수".
 * @param {string} row
 * @param {string} result
 * @returns {string}
 */
const scoreLabel = (row, result) => `${row} → ${result} 점수`;

/**
 * The score table section. `onEdit(input)` is called after a score is typed.
 * @param {Model} m
 * @param {(input: HTMLInputElement) => void} onEdit
 * @returns {HTMLElement}
 */
export function scoreMatrix(m, onEdit) {
  const head = h("tr", {},
    h("th", { scope: "col", class: "matrix-corner" }, "선택지"),
    m.results.map((r, i) => h("th", { scope: "col", class: "matrix-result" },
      h("span", { dataset: { labelKey: r._k, labelFallback: `결과 ${i + 1}` } }, resultName(r, i)))));
  const body = [];
  let lastQ = -1;
  for (const { question, qi, option, oi } of scoreRows(m)) {
    if (qi !== lastQ) {
      lastQ = qi;
      body.push(h("tr", { class: "matrix-question" },
        h("th", { scope: "colgroup", colspan: m.results.length + 1 }, `질문 ${qi + 1}`,
          h("span", { class: "label-text", dataset: { labelKey: question._k } }, question.text.trim()))));
    }
    const path = `questions.${qi}.options.${oi}`;
    const rowName = `질문 ${qi + 1} 선택지 ${oi + 1}`;
    body.push(h("tr", { class: "matrix-option", dataset: { path: `${path}.scores` } },
      h("th", { scope: "row", class: "matrix-option-name" },
        h("span", { class: "option-badge", "aria-hidden": "true" }, String(oi + 1)),
        h("span", { dataset: { labelKey: option._k, labelFallback: `선택지 ${oi + 1}` } }, option.text.trim() || `선택지 ${oi + 1}`)),
      m.results.map((r, ri) => {
        const scorePath = `${path}.scores.${r.id}`;
        const range = valueRange(scorePath);
        const input = h("input", {
          id: uid(), type: "number", step: 1, min: range.min, max: range.max, inputmode: "numeric",
          class: "score-input", placeholder: "0", "aria-label": scoreLabel(rowName, resultName(r, ri)),
        });
        input.dataset.rowName = rowName;
        input.dataset.resultFallback = `결과 ${ri + 1}`;
        input.value = scoreOf(option, r);
        input.dataset.path = scorePath;
        input.dataset.scoreKey = r._k;
        input.dataset.optionPath = path;
        input.addEventListener("input", () => {
          if (input.value === "" && input.validity.badInput) return; // mid-typing "-"
          setScore(option, r, input.value);
          onEdit(input);
        });
        return h("td", { class: "score-cell" }, input);
      })));
  }
  const { min, max } = valueRange("questions.0.options.0.scores.x");
  const range = min !== undefined && max !== undefined ? ` 점수는 ${min}–${max} 사이의 정수입니다.` : "";
  return h("section", { class: "card-section score-matrix", "aria-labelledby": "matrix-title", dataset: { path: "scores" } },
    h("h2", { id: "matrix-title" }, "점수표"),
    h("p", { class: "hint" },
      "응답자가 고른 선택지의 점수를 결과별로 더해 가장 높은 결과를 보여 줍니다 (같으면 먼저 나온 결과). "
      + `빈칸은 0점이며, 결과마다 양수 점수를 주는 선택지가 하나 이상 있어야 합니다.${range}`),
    h("div", { class: "matrix-scroll" },
      h("table", { class: "matrix-table" }, h("thead", {}, head), h("tbody", {}, body))));
}
