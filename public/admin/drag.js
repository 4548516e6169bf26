// Drag to reorder: the items of one list (questions, a question's options, results) move by
// HTML drag and drop, picked up by their handle (a grip beside the item's name: the fields'
// text stays selectable with the mouse); the ↑/↓ buttons stay for keyboards. An item dropped
// on another takes its place.
import { h } from "/assets/dom.js";

/**
 * A drag handle for item `index` of the list `group`; `onDrop(from, to)` moves the item.
 * Dragging starts only from the handle, so that text in the item's fields can still be
 * selected with the mouse; the whole item (`item`, found from the handle) is what moves.
 * @param {object} spec
 * @param {string} spec.group the list's path ("questions", "questions.0.options", "results")
 * @param {number} spec.index
 * @param {string} spec.name the item's name, for the handle's label ("질문 1")
 * @param {string} spec.item the selector of the element that moves (closest to the handle)
 * @param {(from: number, to: number) => void} spec.onDrop
 * @returns {HTMLSpanElement}
 */
export function dragHandle({ group, index, name, item, onDrop }) {
  const handle = h("span", {
    class: "drag-handle", title: `끌어서 ${name}의 순서를 바꾸세요`, "aria-hidden": "true", draggable: "true",
  }, "⠿");
  // The item is found once it holds the handle (the handle is built first).
  queueMicrotask(() => {
    const el = handle.closest(item);
    if (el instanceof HTMLElement) dropTarget(el, handle, group, index, onDrop);
  });
  return handle;
}

/**
 * The drag data's type for a list: a drag is offered only to its own list's items (an option
 * dragged over another question's options, or a question over options, is not theirs).
 * @param {string} group
 * @returns {string}
 */
const mime = (group) => `application/x-quizhub-${group.toLowerCase()}`;

/**
 * Make `el` (item `index` of `group`) draggable from its handle and a place to drop its
 * siblings on.
 * @param {HTMLElement} el
 * @param {HTMLElement} handle
 * @param {string} group
 * @param {number} index
 * @param {(from: number, to: number) => void} onDrop
 */
function dropTarget(el, handle, group, index, onDrop) {
  const type = mime(group);
  handle.addEventListener("dragstart", (e) => {
    if (!e.dataTransfer) return;
    e.stopPropagation();
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData(type, String(index));
    e.dataTransfer.setDragImage(el, 16, 16);
    el.classList.add("dragging");
    // Which item is on the move is kept on the list itself too: a drag's data can be read
    // back only on drop, and not by every platform's drag and drop.
    if (el.parentElement) el.parentElement.dataset.dragFrom = String(index);
  });
  handle.addEventListener("dragend", () => {
    el.classList.remove("dragging");
    if (el.parentElement) delete el.parentElement.dataset.dragFrom;
  });
  const ours = (/** @type {DragEvent} */ e) => Boolean(e.dataTransfer && e.dataTransfer.types.includes(type));
  el.addEventListener("dragover", (e) => {
    if (!ours(e)) return;
    e.preventDefault();
    e.stopPropagation();
    if (e.dataTransfer) e.dataTransfer.dropEffect = "move";
    el.classList.add("drop-over");
  });
  el.addEventListener("dragleave", (e) => {
    if (!(e.relatedTarget instanceof Node) || !el.contains(e.relatedTarget)) el.classList.remove("drop-over");
  });
  el.addEventListener("drop", (e) => {
    el.classList.remove("drop-over");
    if (!ours(e) || !e.dataTransfer) return;
    e.stopPropagation();
    const from = Number(el.parentElement?.dataset.dragFrom ?? e.dataTransfer.getData(type));
    if (!Number.isInteger(from)) return;
    e.preventDefault();
    if (from !== index) onDrop(from, index);
  });
}
