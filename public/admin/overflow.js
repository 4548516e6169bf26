// 더보기: a bar's secondary actions, folded into a menu on phones (admin.css, "phone admin").
// On wider screens the same elements show inline and the toggle is hidden, so there is one set
// of buttons, never two. The menu closes when one of its items is used, on Escape, and on a
// click outside it.
import { h } from "/assets/dom.js";
/** @import { Child } from "/assets/dom.js" */

/**
 * The toggle and its menu, in one element (`.overflow`).
 * @param {string} id the menu's id
 * @param {Child[]} items buttons and links
 * @returns {HTMLDivElement}
 */
export function overflowMenu(id, items) {
  const menu = h("div", { class: "overflow-items", id, role: "group", "aria-label": "더보기 메뉴" }, items);
  const toggle = h("button", { type: "button", class: "btn overflow-toggle", "aria-expanded": "false",
    "aria-controls": id, title: "다른 작업 (버전 기록, 통계, 삭제 등)", on: { click: () => setOpen(!isOpen()) } }, "더보기");
  const box = h("div", { class: "overflow" }, toggle, menu);
  const isOpen = () => toggle.getAttribute("aria-expanded") === "true";
  /** @param {Event} event */
  const outside = (event) => {
    if (!(event.target instanceof Node) || !box.contains(event.target)) setOpen(false);
  };
  /** @param {KeyboardEvent} event */
  const escape = (event) => {
    if (event.key !== "Escape") return;
    setOpen(false);
    toggle.focus();
  };
  /** @param {boolean} open */
  function setOpen(open) {
    toggle.setAttribute("aria-expanded", String(open));
    if (open) {
      document.addEventListener("click", outside, true);
      document.addEventListener("keydown", escape);
    } else {
      document.removeEventListener("click", outside, true);
      document.removeEventListener("keydown", escape);
    }
  }
  menu.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest("button, a")) setOpen(false);
  });
  return box;
}
