// A rev as editors see it: its last eight characters (a rev is a ULID, whose end is its
// random part), with a button that copies the whole rev (for a support request or the API).
import { h } from "/assets/dom.js";

const SHOWN = 8;
const FEEDBACK_MS = 2000;

/**
 * "…1a2b3c4d" for a long rev (the rev itself when short; "-" for none).
 * @param {string | null | undefined} rev
 * @returns {string}
 */
export function shortRev(rev) {
  if (!rev) return "-";
  const s = String(rev);
  return s.length > SHOWN + 4 ? `…${s.slice(-SHOWN)}` : s;
}

/**
 * "rev …1a2b3c4d [복사]": the short rev (the whole one in its tooltip) and a copy button that
 * says when it copied.
 * @param {string} rev
 * @returns {HTMLSpanElement}
 */
export function revCopy(rev) {
  const label = "전체 rev 복사";
  const button = h("button", {
    type: "button", class: "btn btn-small btn-ghost rev-copy", title: label, "aria-label": label,
    dataset: { rev },
  }, "복사");
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(rev);
      button.textContent = "복사했습니다";
    } catch {
      button.textContent = "복사하지 못했습니다";
    }
    button.dataset.copied = "";
    setTimeout(() => {
      button.textContent = "복사";
      delete button.dataset.copied;
    }, FEEDBACK_MS);
  });
  return h("span", { class: "rev-chip" }, h("span", { class: "mono", title: rev }, `rev ${shortRev(rev)}`), " ", button);
}
