// 미리보기 of the unsaved draft (docs/admin.md#draft-preview): a phone-sized frame beside the
// form on wide screens (behind the 미리보기 toggle on narrower ones) in which the public page's
// own player (/admin/preview/draft/ runs assets/test.js) plays what the form holds now. Nothing
// is saved or sent to the server: the editor posts the draft to the frame, at most once per
// DELAY_MS while typing, and the player there can be clicked through to a result. Opened over
// the page (narrow screens), it closes with 닫기, Escape or a click beside it.
import { h } from "/assets/dom.js";
import { DRAFT_MESSAGE, DRAFT_PAGE, DRAFT_READY } from "/assets/draft.js";
/** @import { TestDocument } from "/admin/model.js" */

const DELAY_MS = 300;

/**
 * The draft as the player takes it: the document the form holds, with the test's id.
 * @typedef {TestDocument & {id: string}} Draft
 */

/**
 * The preview's parts: the toggle (for narrow screens), the panel with the frame, and `show`,
 * which hands it the latest draft.
 * @typedef {object} DraftPreview
 * @property {HTMLButtonElement} toggle
 * @property {HTMLElement} panel
 * @property {(draft: Draft) => void} show
 */

/**
 * A new preview (one per opened test; it lives as long as its frame is in the page).
 * @returns {DraftPreview}
 */
export function draftPreview() {
  const frame = h("iframe", { class: "draft-frame", id: "draft-frame", src: DRAFT_PAGE,
    title: "저장하지 않은 내용 미리보기 (휴대폰 화면 크기)" });
  const toggle = h("button", { type: "button", class: "btn draft-toggle", id: "draft-toggle",
    "aria-expanded": "false", "aria-controls": "draft-preview",
    title: "저장하지 않은 내용을 휴대폰 화면 크기로 풀어 봅니다.",
    on: { click: () => setOpen(toggle.getAttribute("aria-expanded") !== "true") } }, "미리보기");
  const close = h("button", { type: "button", class: "btn btn-small draft-close",
    on: { click: () => setOpen(false) } }, "닫기");
  const panel = h("aside", { class: "draft-preview", id: "draft-preview", "aria-labelledby": "draft-preview-title",
    dataset: { open: "false" }, on: { click: (event) => { if (event.target === panel) setOpen(false); } } },
    h("div", { class: "draft-head" },
      h("h3", { id: "draft-preview-title" }, "미리보기"),
      h("span", { class: "draft-note" }, "저장 전 내용 · 입력하면 바로 바뀝니다"),
      close),
    h("div", { class: "draft-device" }, frame));

  /** @type {Draft | null} */
  let latest = null;
  let ready = false; // the player in the frame asked for drafts (again after each reload)
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;

  const post = () => {
    timer = undefined;
    if (ready && latest && frame.contentWindow) {
      frame.contentWindow.postMessage({ type: DRAFT_MESSAGE, test: latest }, location.origin);
    }
  };
  /** @param {MessageEvent} event */
  const onMessage = (event) => {
    if (!frame.isConnected && !timer) {
      removeEventListener("message", onMessage); // this editor was closed
      return;
    }
    if (event.source !== frame.contentWindow || event.origin !== location.origin) return;
    if (event.data && event.data.type === DRAFT_READY) {
      ready = true;
      post();
    }
  };
  addEventListener("message", onMessage);
  /** @param {KeyboardEvent} event */
  const escape = (event) => {
    if (event.key === "Escape") setOpen(false);
  };

  /** @param {boolean} open */
  function setOpen(open) {
    toggle.setAttribute("aria-expanded", String(open));
    panel.dataset.open = String(open);
    if (open) {
      addEventListener("keydown", escape);
      close.focus();
    } else {
      removeEventListener("keydown", escape);
    }
  }

  return {
    toggle,
    panel,
    show(draft) {
      latest = draft;
      if (!ready) return; // sent as soon as the player is ready
      clearTimeout(timer);
      timer = setTimeout(post, DELAY_MS);
    },
  };
}
