// The draft preview's compute (public/assets/compute.js) on every shared case in
// tests/fixtures/compute/cases.json: the same cases the server's compute
// (quizhub.domain.compute) runs in tests/domain/test_compute.py.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { AnswersMismatch, computeResult } from "../../public/assets/compute.js";

const SHARED = JSON.parse(readFileSync(new URL("../fixtures/compute/cases.json", import.meta.url), "utf8"));

test("the shared cases are there", () => {
  assert.ok(SHARED.cases.length >= 8);
  assert.ok(SHARED.cases.some((c) => c.expected.invalid) && SHARED.cases.some((c) => c.expected.result));
});

for (const c of SHARED.cases) {
  test(`shared compute case: ${c.about}`, () => {
    const before = structuredClone(SHARED.document);
    if (c.expected.invalid) {
      assert.throws(() => computeResult(SHARED.document, c.answers), AnswersMismatch);
    } else {
      const out = computeResult(SHARED.document, c.answers);
      assert.equal(out.result.id, c.expected.result);
      assert.deepEqual(out.scores, c.expected.scores);
    }
    assert.deepEqual(SHARED.document, before, "the document is never changed");
  });
}

test("a draft's score for a result it no longer has counts for nothing", () => {
  const doc = structuredClone(SHARED.document);
  doc.results = doc.results.filter((r) => r.id !== "foodie");
  const out = computeResult(doc, { q1: "c", q2: "c", q3: "c" });
  assert.deepEqual(out.scores, { planner: -1, free: -2 });
  assert.equal(out.result.id, "planner");
});

test("a draft without results has no result to show", () => {
  assert.throws(() => computeResult({ questions: [], results: [] }, {}), AnswersMismatch);
});
