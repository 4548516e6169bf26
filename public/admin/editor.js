// The test editor form: builds the DOM for the model and writes edits back into it.
// Every input carries data-path (e.g. "questions.0.options.1.text") so validation errors from
// the API, and the editor's own checks as you type (rules.js), are shown next to the field they
// name. How many questions, options and results a test takes is the API's rule (rules.js).
import { h } from "/assets/dom.js";
import { imageUrl } from "/assets/dom.js";
import { addTag, duplicateQuestion, move, moveTo, newOption, newQuestion, newResult, scoreInTurn } from "/admin/model.js";
import { imageStepLabel, jobErrorText, jobStatusText } from "/admin/messages.js";
import { countLimits } from "/admin/rules.js";
import { dragHandle } from "/admin/drag.js";
import { relabel, scoreMatrix } from "/admin/matrix.js";
/** @import { Child } from "/assets/dom.js" */
/** @import { Job, JobStatus } from "/admin/jobs.js" */
/** @import { Loc, Model, ModelQuestion, ModelResult } from "/admin/model.js" */

/**
 * "(2–50개)" for a list's limits; "" when they are not known.
 * @param {{min: number, max: number}} limits
 * @returns {string}
 */
function countText({ min, max }) {
  return Number.isFinite(max) ? ` (${min}–${max}개)` : "";
}

/**
 * How an upload ended, as far as the form needs it: the finished job, or (`slow`) the last
 * known state of one still running.
 * @typedef {{status?: JobStatus, error?: string | null, errorCode?: string | null, errorParams?: Record<string, unknown> | null, slow?: boolean}} UploadOutcome
 */

/**
 * What the form asks of its owner (the workbench).
 * @typedef {object} FormUi
 * @property {() => void} change called after any edit
 * @property {(focusPath: string) => void} structure rebuild the form, then focus `focusPath`
 * @property {(err: unknown) => string} describe a Korean message for a failure
 * @property {(file: File, onAccepted: (key: string) => void, onJob: (job: Job) => void) => Promise<UploadOutcome>} upload
 * @property {(input: Input) => void} [check] show what is wrong with the field just edited
 * @property {boolean} [lockedIds] the test has been published: its question and result ids
 *   are read-only (public result addresses and the per-result counts use them)
 */

/**
 * A validation error to show: the field it names (`parts`) and its Korean message.
 * @typedef {{parts: Loc, msg: string}} FieldError
 */

/** An input the form made (text, textarea, select, file or score). */
/** @typedef {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} Input */

// Which files are images (and how large they may be) is the server's call: an upload it refuses
// comes back with the reason (quizhub.domain.images), shown under the field.
const PREVIEW_WIDTH = 320;

let uidSeq = 0;
const uid = (/** @type {string} */ p = "f") => `${p}${++uidSeq}`;

/**
 * Build the editor form. `ui` = {change(), structure(focusPath), describe(err),
 * upload(file, onAccepted(key), onJob(job)) → Promise<finished job>, check(input)}.
 * `change` is called after any edit; `structure` asks the caller to rebuild the form; `check`
 * shows what is wrong with the field just edited.
 * @param {Model} model
 * @param {FormUi} ui
 * @returns {HTMLFormElement}
 */
export function buildForm(model, ui) {
  const form = h("form", { class: "editor-form", novalidate: true, on: { submit: (e) => e.preventDefault() } });
  form.append(
    basicsSection(model, ui),
    resultsSection(model, ui),
    questionsSection(model, ui),
    scoreMatrix(model, (input) => edited(input, ui)),
  );
  return form;
}

/**
 * @param {Input} input
 * @param {FormUi} ui
 */
function edited(input, ui) {
  clearFieldError(input);
  ui.change();
  if (ui.check) ui.check(input);
}

/**
 * A labelled text input (or textarea) bound to `path`.
 * @param {object} field
 * @param {string} field.label
 * @param {string} field.path
 * @param {string | null | undefined} field.value
 * @param {(value: string, input: HTMLInputElement | HTMLTextAreaElement) => void} field.onInput
 * @param {boolean} [field.multiline]
 * @param {string} [field.hint]
 * @param {string} [field.cls]
 * @param {string} [field.aria]
 * @returns {HTMLDivElement}
 */
function textField({ label, path, value, onInput, multiline = false, hint, cls = "", aria }) {
  const id = uid();
  const input = multiline
    ? h("textarea", { id, rows: 3 })
    : h("input", { id, type: "text", autocomplete: "off" });
  input.value = value ?? "";
  input.dataset.path = path;
  if (aria) input.setAttribute("aria-label", aria);
  input.addEventListener("input", () => onInput(input.value, input));
  const hintEl = hint ? h("p", { class: "hint", id: uid("h") }, hint) : null;
  if (hintEl) input.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: `field ${cls}` }, h("label", { for: id }, label), input, hintEl);
}

/**
 * Tags as chips: Enter (or leaving the field) adds what was typed as ONE tag, commas included;
 * × or Backspace in the empty field removes one. Errors for "tags.N" land on this field.
 * @param {Model} m
 * @param {FormUi} ui
 * @returns {HTMLDivElement}
 */
function tagsField(m, ui) {
  const id = uid();
  const hintEl = h("p", { class: "hint", id: uid("h") }, "입력 후 Enter — 쉼표가 들어간 태그도 하나로 저장됩니다");
  const list = h("ul", { class: "chips", "aria-label": "태그 목록" });
  const input = h("input", { id, type: "text", autocomplete: "off", placeholder: "태그 추가" });
  input.dataset.path = "tags";
  input.setAttribute("aria-describedby", hintEl.id);
  const changed = () => { render(); edited(input, ui); };
  function render() {
    list.replaceChildren(...m.tags.map((tag, i) => h("li", { class: "chip" },
      h("span", { class: "chip-text" }, tag),
      h("button", {
        type: "button", class: "chip-remove", "aria-label": `태그 '${tag}' 삭제`, title: "삭제",
        on: { click: () => { m.tags.splice(i, 1); changed(); input.focus(); } },
      }, "×"))));
  }
  const commit = () => {
    if (addTag(m.tags, input.value)) changed();
    input.value = "";
  };
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.isComposing) {
      e.preventDefault();
      commit();
    } else if (e.key === "Backspace" && input.value === "" && m.tags.length) {
      m.tags.pop();
      changed();
    }
  });
  input.addEventListener("blur", commit);
  render();
  return h("div", { class: "field grow tags-field" }, h("label", { for: id }, "태그"), list, input, hintEl);
}

/**
 * @param {string} title
 * @param {HTMLButtonElement[]} buttons
 * @param {HTMLElement} [handle] the drag handle
 * @returns {HTMLDivElement}
 */
function blockHead(title, buttons, handle) {
  return h("div", { class: "block-head" }, handle, h("h3", {}, title), h("div", { class: "block-tools" }, buttons));
}

/**
 * @param {string} text
 * @param {string} aria
 * @param {() => void} onClick
 * @param {{disabled?: boolean, danger?: boolean, action?: string}} [options]
 * @returns {HTMLButtonElement}
 */
function toolButton(text, aria, onClick, { disabled = false, danger = false, action } = {}) {
  return h("button", {
    type: "button", class: `btn btn-small${danger ? " btn-danger" : ""}`, "aria-label": aria, title: aria,
    disabled, dataset: { action }, on: { click: onClick },
  }, text);
}

/**
 * Move/remove buttons for item i of `list` (path = the list's path).
 * @param {unknown[]} list
 * @param {number} i
 * @param {string} path
 * @param {string} name
 * @param {FormUi} ui
 * @param {number} min
 * @returns {HTMLButtonElement[]}
 */
function itemTools(list, i, path, name, ui, min) {
  return [
    toolButton("↑", `${name} 위로 이동`, () => ui.structure(`${path}.${move(list, i, -1)}.move-up`), { disabled: i === 0, action: "move-up" }),
    toolButton("↓", `${name} 아래로 이동`, () => ui.structure(`${path}.${move(list, i, +1)}.move-down`),
      { disabled: i === list.length - 1, action: "move-down" }),
    toolButton("삭제", `${name} 삭제`, () => {
      list.splice(i, 1);
      ui.structure(list.length ? `${path}.${Math.min(i, list.length - 1)}` : path);
    }, { disabled: list.length <= min, danger: true, action: "remove" }),
  ];
}

/**
 * @param {Model} m
 * @param {FormUi} ui
 * @returns {HTMLElement}
 */
function basicsSection(m, ui) {
  const statusId = uid();
  const status = h("select", { id: statusId },
    h("option", { value: "draft" }, "초안 (비공개)"),
    h("option", { value: "published" }, "공개"));
  status.value = m.status;
  status.dataset.path = "status";
  status.addEventListener("change", () => {
    m.status = status.value === "published" ? "published" : "draft";
    edited(status, ui);
  });
  return h("section", { class: "card-section", "aria-labelledby": "basics-title" },
    h("h2", { id: "basics-title" }, "기본 정보"),
    textField({ label: "제목", path: "title", value: m.title,
      onInput: (v, el) => { m.title = v; edited(el, ui); } }),
    textField({ label: "설명", path: "description", value: m.description, multiline: true,
      onInput: (v, el) => { m.description = v; edited(el, ui); } }),
    h("div", { class: "row" },
      tagsField(m, ui),
      h("div", { class: "field" }, h("label", { for: statusId }, "상태"), status)),
    imageField({ label: "대표 이미지", path: "thumbnail", value: m.thumbnail, ui,
      onSet: (key) => { m.thumbnail = key; } }));
}

/**
 * The 고급 part of an item (closed until opened): its technical ids. `locked`: they cannot be
 * changed, and the hint says why.
 * @param {Child[]} fields
 * @param {string} [lockedHint]
 * @returns {HTMLDetailsElement}
 */
function advanced(fields, lockedHint) {
  return h("details", { class: "advanced" },
    h("summary", {}, "고급"),
    lockedHint ? h("p", { class: "hint" }, lockedHint) : null,
    h("div", { class: "advanced-fields" }, fields));
}

const LOCKED_RESULT_IDS = "공개된 적이 있는 테스트라 결과 ID를 바꿀 수 없습니다. 공개 결과 주소(/t/…/r/결과 ID)와 결과별 통계가 이 ID를 씁니다.";
const LOCKED_QUESTION_IDS = "공개된 적이 있는 테스트라 질문 ID를 바꿀 수 없습니다. 문항별 통계가 이 ID를 씁니다.";

/**
 * An id field of the 고급 part; read-only when `locked`.
 * @param {{label: string, path: string, value: string, aria?: string, locked?: boolean, onInput: (value: string, input: HTMLInputElement | HTMLTextAreaElement) => void}} field
 * @returns {HTMLDivElement}
 */
function idField({ label, path, value, aria, locked = false, onInput }) {
  const field = textField({ label, path, value, aria, cls: "narrow id-field", onInput });
  const input = field.querySelector("input");
  if (input) {
    input.classList.add("mono");
    input.spellcheck = false;
    input.readOnly = locked;
    input.dataset.idField = "";
  }
  return field;
}

/**
 * Make every id field of `form` read-only (`locked`) or editable: a test that has been
 * published keeps its question and result ids (options' ids stay editable).
 * @param {ParentNode} form
 * @param {boolean} locked
 */
export function lockIds(form, locked) {
  for (const el of form.querySelectorAll("input[data-id-field]")) {
    if (!(el instanceof HTMLInputElement)) continue;
    if (/^(questions\.\d+|results\.\d+)\.id$/.test(el.dataset.path || "")) el.readOnly = locked;
  }
}

/**
 * Whether the question is shown whole (true) or only its summary line.
 * @param {ModelQuestion} q
 * @returns {boolean}
 */
const isOpen = (q) => !q._closed;

/**
 * @param {Model} m
 * @param {FormUi} ui
 * @returns {HTMLElement}
 */
function resultsSection(m, ui) {
  const limits = countLimits("results");
  const { min, max } = limits;
  const blocks = m.results.map((r, i) => {
    const name = `결과 ${i + 1}`;
    return h("div", { class: "block result", dataset: { path: `results.${i}`, key: r._k } },
      blockHead(name, itemTools(m.results, i, "results", name, ui, min), dragHandle({
        group: "results", index: i, name, item: ".block",
        onDrop: (from, to) => ui.structure(`results.${moveTo(m.results, from, to)}.title`),
      })),
      h("div", { class: "block-errors" }),
      textField({ label: "결과 이름", path: `results.${i}.title`, value: r.title, aria: `${name} 이름`,
        onInput: (v, el) => { r.title = v; relabel(formOf(el), r._k, v); edited(el, ui); } }),
      textField({ label: "결과 설명", path: `results.${i}.description`, value: r.description, multiline: true,
        aria: `${name} 설명`, onInput: (v, el) => { r.description = v; edited(el, ui); } }),
      imageField({ label: "결과 이미지", path: `results.${i}.image`, value: r.image, ui,
        onSet: (key) => { r.image = key; } }),
      advanced([idField({ label: "결과 ID", path: `results.${i}.id`, value: r.id, aria: `${name} ID`, locked: ui.lockedIds,
        onInput: (v, el) => { r.id = v; renameScores(r); edited(el, ui); } })], ui.lockedIds ? LOCKED_RESULT_IDS : undefined));
  });
  const add = h("button", {
    type: "button", class: "btn btn-add", disabled: m.results.length >= max,
    on: { click: () => { m.results.push(newResult(m)); ui.structure(`results.${m.results.length - 1}.title`); } },
  }, "+ 결과 추가");
  return h("section", { class: "card-section", "aria-labelledby": "results-title", dataset: { path: "results" } },
    h("h2", { id: "results-title" }, "결과 유형"),
    h("p", { class: "hint" }, `먼저 결과 유형을 정하고, 아래 점수표에서 선택지마다 결과별 점수를 매기세요${countText(limits)}.`),
    h("div", { class: "block-errors" }),
    blocks, add);
}

/**
 * @param {Model} m
 * @param {FormUi} ui
 * @returns {HTMLElement}
 */
function questionsSection(m, ui) {
  const { min, max } = countLimits("questions");
  const blocks = m.questions.map((q, i) => questionBlock(m, q, i, ui, min, max));
  const add = h("button", {
    type: "button", class: "btn btn-add", disabled: m.questions.length >= max,
    on: { click: () => {
      const q = newQuestion(m);
      scoreInTurn(m, q);
      m.questions.push(q);
      ui.structure(`questions.${m.questions.length - 1}.text`);
    } },
  }, "+ 질문 추가");
  const fold = (/** @type {boolean} */ closed) => () => {
    for (const q of m.questions) q._closed = closed;
    ui.structure("");
  };
  return h("section", { class: "card-section", "aria-labelledby": "questions-title", dataset: { path: "questions" } },
    h("div", { class: "section-head" },
      h("h2", { id: "questions-title" }, "질문"),
      h("div", { class: "block-tools" },
        h("button", { type: "button", class: "btn btn-small", on: { click: fold(true) } }, "모두 접기"),
        h("button", { type: "button", class: "btn btn-small", on: { click: fold(false) } }, "모두 펼치기"))),
    h("div", { class: "block-errors" }),
    blocks, add);
}

/**
 * One question: a head (drag handle, 접기/펼치기 with the question's text as its summary,
 * 복제, ↑, ↓, 삭제) and, while open, its text, image, options and 고급 ids.
 * @param {Model} m
 * @param {ModelQuestion} q
 * @param {number} i
 * @param {FormUi} ui
 * @param {number} min
 * @param {number} max
 * @returns {HTMLDivElement}
 */
function questionBlock(m, q, i, ui, min, max) {
  const name = `질문 ${i + 1}`;
  const open = isOpen(q);
  const bodyId = `question-body-${q._k}`;
  const mark = h("span", { class: "toggle-mark", "aria-hidden": "true" }, open ? "▾" : "▸");
  const toggle = h("button", {
    type: "button", class: "question-toggle", "aria-expanded": String(open), "aria-controls": bodyId,
    "aria-label": open ? `${name} 접기` : `${name} 펼치기`,
    dataset: { path: `questions.${i}.toggle` },
    on: { click: () => { q._closed = !body.hidden; ui.structure(`questions.${i}.toggle`); } },
  }, mark, h("span", { class: "question-name" }, name));
  const summary = h("span", { class: "question-summary", hidden: open },
    h("span", { class: "label-text", dataset: { labelKey: q._k, labelFallback: "(내용 없음)" } }, q.text.trim() || "(내용 없음)"),
    h("span", { class: "hint" }, ` · 선택지 ${q.options.length}개`));
  const duplicate = toolButton("복제", `${name} 복제`, () => {
    const j = duplicateQuestion(m, i);
    ui.structure(`questions.${j}.text`);
  }, { disabled: m.questions.length >= max, action: "duplicate" });
  const head = h("div", { class: "block-head question-head" },
    dragHandle({ group: "questions", index: i, name, item: ".block",
      onDrop: (from, to) => ui.structure(`questions.${moveTo(m.questions, from, to)}.toggle`) }),
    toggle, summary,
    h("div", { class: "block-tools" }, duplicate, itemTools(m.questions, i, "questions", name, ui, min)));
  const body = h("div", { class: "question-body", id: bodyId, hidden: !open },
    textField({ label: "질문 내용", path: `questions.${i}.text`, value: q.text,
      aria: `${name} 내용`, onInput: (v, el) => { q.text = v; relabel(formOf(el), q._k, v); edited(el, ui); } }),
    imageField({ label: "질문 이미지", path: `questions.${i}.image`, value: q.image, ui,
      onSet: (key) => { q.image = key; } }),
    optionsBlock(q, i, ui),
    advanced([
      idField({ label: "질문 ID", path: `questions.${i}.id`, value: q.id, aria: `${name} ID`, locked: ui.lockedIds,
        onInput: (v, el) => { q.id = v; edited(el, ui); } }),
      q.options.map((o, j) => idField({ label: `선택지 ${j + 1} ID`, path: `questions.${i}.options.${j}.id`, value: o.id,
        aria: `${name} 선택지 ${j + 1} ID`, onInput: (v, el) => { o.id = v; edited(el, ui); } })),
    ], ui.lockedIds ? LOCKED_QUESTION_IDS : undefined));
  const block = h("div", { class: `block question${open ? "" : " collapsed"}`, dataset: { path: `questions.${i}`, key: q._k } },
    head, h("div", { class: "block-errors" }), body);
  block.addEventListener("reveal", () => { // an error inside it is shown: unfold it
    q._closed = false;
    body.hidden = false;
    summary.hidden = true;
    block.classList.remove("collapsed");
    toggle.setAttribute("aria-expanded", "true");
    mark.textContent = "▾";
    toggle.setAttribute("aria-label", `${name} 접기`);
  });
  return block;
}

/**
 * The form element `el` is in (the whole document before it is attached).
 * @param {HTMLElement} el
 * @returns {ParentNode}
 */
function formOf(el) {
  return el.closest("form") || document;
}

/**
 * A question's options, one line each (drag handle, number, text, ↑ ↓ 삭제); their scores are
 * in the score table.
 * @param {ModelQuestion} q
 * @param {number} qi
 * @param {FormUi} ui
 * @returns {HTMLFieldSetElement}
 */
function optionsBlock(q, qi, ui) {
  const base = `questions.${qi}.options`;
  const limits = countLimits(base);
  const { min, max } = limits;
  const rows = q.options.map((o, j) => {
    const name = `질문 ${qi + 1} 선택지 ${j + 1}`;
    const path = `${base}.${j}`;
    return h("div", { class: "option-block", dataset: { path, key: o._k } },
      h("div", { class: "option-line" },
        dragHandle({ group: base, index: j, name, item: ".option-block",
          onDrop: (from, to) => ui.structure(`${base}.${moveTo(q.options, from, to)}.text`) }),
        h("span", { class: "option-badge", "aria-hidden": "true" }, String(j + 1)),
        textField({ label: "선택지 내용", path: `${path}.text`, value: o.text, cls: "grow option-text",
          aria: `${name} 내용`, onInput: (v, el) => { o.text = v; relabel(formOf(el), o._k, v); edited(el, ui); } }),
        h("div", { class: "block-tools" }, itemTools(q.options, j, base, name, ui, min))),
      h("div", { class: "block-errors" }));
  });
  const add = h("button", {
    type: "button", class: "btn btn-small btn-add", disabled: q.options.length >= max,
    on: { click: () => { q.options.push(newOption(q)); ui.structure(`${base}.${q.options.length - 1}.text`); } },
  }, "+ 선택지 추가");
  return h("fieldset", { class: "options-fieldset", dataset: { path: base } },
    h("legend", {}, `선택지${countText(limits)}`),
    h("div", { class: "block-errors" }),
    rows, add);
}

/**
 * A result id changed: keep the score inputs' data-path in step without rebuilding.
 * @param {ModelResult} r
 */
function renameScores(r) {
  for (const el of document.querySelectorAll(`[data-score-key="${CSS.escape(r._k)}"]`)) {
    if (!(el instanceof HTMLElement)) continue;
    el.dataset.path = `${el.dataset.optionPath}.scores.${r.id}`;
  }
}

/**
 * An image chooser bound to `path`: uploads the chosen file and calls `onSet(key)`.
 * @param {object} field
 * @param {string} field.label
 * @param {string} field.path
 * @param {string | null} field.value the image key
 * @param {FormUi} field.ui
 * @param {(key: string | null) => void} field.onSet
 * @returns {HTMLDivElement}
 */
function imageField({ label, path, value, ui, onSet }) {
  const id = uid();
  const statusEl = h("p", { class: "hint upload-status", "aria-live": "polite" });
  const preview = h("div", { class: "image-preview" });
  const input = h("input", { id, type: "file", class: "file-input visually-hidden", accept: "image/*" });
  input.dataset.path = path;
  const removeBtn = h("button", { type: "button", class: "btn btn-small btn-danger", "aria-label": `${label} 삭제` }, "삭제");
  let current = value;

  const showPreview = (/** @type {string | null} */ src) => {
    if (!src) {
      preview.replaceChildren(h("span", { class: "image-empty" }, "이미지 없음"));
    } else {
      preview.replaceChildren(h("img", { src, alt: `${label} 미리보기` }));
    }
    removeBtn.hidden = !current;
  };
  showPreview(current ? imageUrl(current, PREVIEW_WIDTH) : null);

  removeBtn.addEventListener("click", () => {
    current = null;
    onSet(null);
    showPreview(null);
    statusEl.textContent = "이미지를 뺐습니다. 저장하면 반영됩니다.";
    edited(input, ui);
  });

  // 업로드 중 (the bytes go up) → 처리 중 (the image job makes the variants; the key is already
  // in the document) → 완료, or the job's reason when it failed (the previous image comes back).
  const stage = (/** @type {string} */ name, /** @type {string} */ text) => {
    statusEl.dataset.stage = name;
    statusEl.textContent = text;
  };
  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    clearFieldError(input);
    const previous = current;
    const blobUrl = URL.createObjectURL(file);
    preview.replaceChildren(h("img", { src: blobUrl, alt: `${label} 미리보기` }));
    preview.classList.add("uploading");
    stage("uploading", "업로드 중…");
    try {
      const job = await ui.upload(
        file,
        (key) => {
          current = key;
          onSet(key);
          ui.change();
          removeBtn.hidden = false;
          stage("processing", "처리 중… 대기 중");
        },
        (progress) => stage("processing", `처리 중… ${imageStepLabel(progress)}`),
      );
      if (job.slow) {
        stage("processing", "처리가 오래 걸리고 있습니다. 이미지는 문서에 들어 있으며, 작업 상태에서 확인할 수 있습니다.");
        return;
      }
      if (job.status !== "succeeded") {
        current = previous;
        onSet(previous);
        ui.change();
        showPreview(current ? imageUrl(current, PREVIEW_WIDTH) : null);
        stage("failed", `처리하지 못했습니다: ${jobErrorText(job) || jobStatusText(job.status)}`);
        return;
      }
      showPreview(current ? imageUrl(current, PREVIEW_WIDTH) : null);
      stage("done", "완료 — 저장하면 반영됩니다.");
    } catch (err) {
      if (current !== previous) {
        current = previous;
        onSet(previous);
        ui.change();
      }
      showPreview(current ? imageUrl(current, PREVIEW_WIDTH) : null);
      stage("failed", `올리지 못했습니다: ${ui.describe(err)}`);
    } finally {
      preview.classList.remove("uploading");
      URL.revokeObjectURL(blobUrl);
    }
  });

  return h("div", { class: "field image-field" },
    h("span", { class: "label" }, label),
    h("div", { class: "image-row" },
      preview,
      h("div", { class: "image-actions" },
        input,
        h("label", { for: id, class: "btn btn-small file-label" }, `${label} 선택`),
        removeBtn,
        statusEl)));
}

// ---------- validation errors next to fields ----------

/**
 * Remove every field error shown in `root`.
 * @param {ParentNode} root
 */
export function clearErrors(root) {
  for (const el of root.querySelectorAll(".field-error[data-generated]")) el.remove();
  for (const el of root.querySelectorAll("[aria-invalid=true]")) {
    el.removeAttribute("aria-invalid");
    el.classList.remove("invalid");
  }
  for (const el of root.querySelectorAll(".block.has-error, .option-block.has-error, .card-section.has-error")) {
    el.classList.remove("has-error");
  }
}

/**
 * Remove the errors shown for one field (it was edited).
 * @param {HTMLElement} input
 */
export function clearFieldError(input) {
  if (input.getAttribute("aria-invalid") !== "true") return;
  input.removeAttribute("aria-invalid");
  const ids = (input.getAttribute("aria-describedby") || "").split(/\s+/);
  const keep = [];
  for (const id of ids) {
    const el = id && document.getElementById(id);
    if (el instanceof HTMLElement && el.dataset.generated !== undefined) el.remove();
    else if (id) keep.push(id);
  }
  if (keep.length) input.setAttribute("aria-describedby", keep.join(" "));
  else input.removeAttribute("aria-describedby");
}

/**
 * The element `parts` names, or the nearest enclosing one that has a data-path.
 * @param {ParentNode} root
 * @param {Loc} parts
 * @returns {{el: HTMLElement | null, exact: boolean}}
 */
function findTarget(root, parts) {
  for (let n = parts.length; n >= 1; n--) {
    const path = parts.slice(0, n).join(".");
    const el = root.querySelector(`[data-path="${CSS.escape(path)}"]`);
    if (!(el instanceof HTMLElement)) continue;
    if (el) return { el, exact: n === parts.length };
  }
  return { el: null, exact: false };
}

/**
 * Show `text` as the error of `el`: beside an input (aria-invalid, aria-describedby), or in a
 * block's error slot.
 * @param {HTMLElement} el
 * @param {string} text
 */
export function showFieldError(el, text) {
  reveal(el);
  const msg = h("p", { class: "field-error", id: uid("e"), dataset: { generated: "" } }, text);
  if (el.matches("input, select, textarea")) {
    el.setAttribute("aria-invalid", "true");
    el.setAttribute("aria-describedby", `${el.getAttribute("aria-describedby") || ""} ${msg.id}`.trim());
    const field = el.closest(".field, .score-cell");
    if (field) field.append(msg);
    else el.after(msg);
  } else {
    const slot = el.querySelector(":scope > .block-errors") || el;
    slot.append(msg);
    el.classList.add("has-error");
  }
}

/**
 * Show `el` where it is hidden: open the 고급 parts and the folded question it is in.
 * @param {HTMLElement} el
 */
export function reveal(el) {
  for (let node = el.parentElement; node; node = node.parentElement) {
    if (node instanceof HTMLDetailsElement) node.open = true;
    if (node.classList.contains("collapsed")) node.dispatchEvent(new Event("reveal"));
  }
}

/**
 * Show each error ({parts, msg}) next to the field its path names (or the nearest enclosing
 * block). Returns the elements found, in order, for the summary's "go to field" links.
 * @param {ParentNode} root
 * @param {FieldError[]} errors
 * @returns {(HTMLElement | null)[]}
 */
export function showErrors(root, errors) {
  clearErrors(root);
  return errors.map((err) => {
    const { el } = findTarget(root, err.parts);
    if (!el) return null;
    showFieldError(el, err.msg);
    return el;
  });
}

/**
 * Mark every field of `form` that must be filled in: `aria-required` on the input and a "*"
 * beside its label (not inside it: the label stays the field's name), with one line above the
 * form saying what the mark means.
 * @param {HTMLElement} form
 * @param {(path: string) => boolean} required
 */
export function markRequired(form, required) {
  let any = false;
  for (const el of form.querySelectorAll("input[data-path], textarea[data-path], select[data-path]")) {
    const input = /** @type {HTMLElement} */ (el);
    if (!required(input.dataset.path || "")) continue;
    any = true;
    input.setAttribute("aria-required", "true");
    const label = input.id ? form.querySelector(`label[for="${CSS.escape(input.id)}"]`) : null;
    if (label && !label.classList.contains("is-required")) {
      label.classList.add("is-required");
      label.after(h("span", { class: "required-mark", "aria-hidden": "true" }, "*"));
    }
  }
  if (any && !form.querySelector(".required-hint")) {
    form.prepend(h("p", { class: "hint required-hint" },
      h("span", { class: "required-mark", "aria-hidden": "true" }, "*"), " 표시는 꼭 입력해야 하는 항목입니다."));
  }
}
