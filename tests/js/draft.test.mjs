// The draft preview's rules (public/assets/draft.js): what a draft lacks before it can be
// played, and where a play continues when the editor changes the draft mid-play.

import assert from "node:assert/strict";
import { test } from "node:test";

import { resumeAt, unplayable } from "../../public/assets/draft.js";

/** @param {string} id @param {string[]} options */
const q = (id, options = ["a", "b"]) => ({ id, text: id, options: options.map((o) => ({ id: o, text: o, scores: {} })) });
const doc = (/** @type {ReturnType<typeof q>[]} */ ...questions) => ({ questions, results: [{ id: "r1", title: "r1" }] });
const ANSWERED = { q1: "a", q2: "b", q3: "a" };

test("a draft needs a question, a result and options for every question to be played", () => {
  assert.match(unplayable({ questions: [], results: [{ id: "r1", title: "" }] }) ?? "", /질문을 하나 이상/);
  assert.match(unplayable({ questions: [q("q1")], results: [] }) ?? "", /결과를 하나 이상/);
  assert.match(unplayable(doc(q("q1"), q("q2", []))) ?? "", /^2번 질문에 선택지/);
  assert.equal(unplayable(doc(q("q1"))), null);
});

test("the intro stays the intro, and answers that still fit are kept", () => {
  const out = resumeAt(doc(q("q1"), q("q2", ["c"]), q("q3")), { view: "intro" }, ANSWERED);
  assert.deepEqual(out, { at: { view: "intro" }, answers: { q1: "a", q3: "a" } });
});

test("a question being answered is shown again after an edit", () => {
  const out = resumeAt(doc(q("q1"), q("q2"), q("q3")), { view: "question", index: 1 }, { q1: "a" });
  assert.deepEqual(out.at, { view: "question", index: 1 });
});

test("the player goes back to the first question whose answer no longer fits", () => {
  const out = resumeAt(doc(q("q1", ["x"]), q("q2"), q("q3")), { view: "question", index: 2 }, ANSWERED);
  assert.deepEqual(out, { at: { view: "question", index: 0 }, answers: { q2: "b", q3: "a" } });
});

test("a question removed under the player: the last one there is", () => {
  const out = resumeAt(doc(q("q1"), q("q2")), { view: "question", index: 2 }, { q1: "a", q2: "b" });
  assert.deepEqual(out.at, { view: "question", index: 1 });
});

test("a result stays a result while every question is still answered", () => {
  assert.deepEqual(resumeAt(doc(q("q1"), q("q2"), q("q3")), { view: "result" }, ANSWERED).at, { view: "result" });
  const added = resumeAt(doc(q("q1"), q("q2"), q("q3"), q("q4")), { view: "result" }, ANSWERED);
  assert.deepEqual(added.at, { view: "question", index: 3 });
});

test("every question removed: back to the intro", () => {
  assert.deepEqual(resumeAt({ questions: [] }, { view: "result" }, ANSWERED), { at: { view: "intro" }, answers: {} });
});

test("a question id that names an object property is answered only when it is", () => {
  const out = resumeAt(doc(q("q1"), q("constructor")), { view: "result" }, { q1: "a" });
  assert.deepEqual(out, { at: { view: "question", index: 1 }, answers: { q1: "a" } });
});
