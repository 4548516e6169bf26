// The editor's merge (public/admin/merge.js) on every shared case in tests/fixtures/merge/: the
// same files the pipeline's merge (quizhub.domain.merge) runs in tests/domain/test_merge.py.
// Run: node_modules/.bin/node --test tests/js/

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { ABSENT, mergeDocuments, same } from "../../public/admin/merge.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "merge");
const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".json")).sort();

test("the shared cases are there", () => {
  assert.ok(files.length >= 25, `only ${files.length} cases in ${FIXTURES}`);
});

for (const file of files) {
  const fixture = JSON.parse(readFileSync(join(FIXTURES, file), "utf8"));
  test(`shared merge case ${file}: ${fixture.about}`, () => {
    const before = structuredClone(fixture);
    const result = mergeDocuments(fixture.base, fixture.live, fixture.incoming);
    const expected = fixture.expected;
    if (expected.conflicts) {
      assert.equal(result.merged, null);
      const paths = expected.conflicts.map((e) => (typeof e === "string" ? e : e.path));
      assert.deepEqual(result.conflicts.map((c) => c.path), paths);
      expected.conflicts.forEach((want, n) => {
        if (typeof want !== "string") assert.deepEqual(result.conflicts[n], want);
      });
    } else {
      assert.deepEqual(result.conflicts, []);
      assert.ok(result.merged);
      assert.deepEqual(result.merged.document, expected.merged);
      assert.deepEqual(result.merged.fromLive, expected.fromLive);
      assert.deepEqual(result.merged.fromIncoming, expected.fromIncoming);
    }
    assert.deepEqual(fixture, before, "the inputs are never changed");
  });
}

test("either side alone comes through unchanged", () => {
  for (const file of files) {
    const fixture = JSON.parse(readFileSync(join(FIXTURES, file), "utf8"));
    for (const doc of [fixture.live, fixture.incoming]) {
      for (const result of [
        mergeDocuments(fixture.base, fixture.base, doc),
        mergeDocuments(fixture.base, doc, fixture.base),
      ]) {
        assert.ok(result.merged, file);
        assert.deepEqual(result.merged.document, doc, file);
      }
    }
  }
});

test("JSON equality is strict about types, not about key order", () => {
  assert.equal(same(true, 1), false);
  assert.equal(same(0, false), false);
  assert.equal(same(2, 2.0), true);
  assert.equal(same({ a: 1, b: [1, "x"] }, { b: [1, "x"], a: 1 }), true);
  assert.equal(same(null, ABSENT), false);
  assert.equal(same([1], [1, 1]), false);
});

test("integer-like score keys are walked in the same order as the pipeline walks them", () => {
  // A JavaScript object lists "10" and "2" before "b"; the merge walks keys sorted, as Python does.
  const option = (scores) => ({ id: "a", text: "t", scores });
  const doc = (scores) => ({
    title: "t",
    questions: [{ id: "q", text: "q", options: [option(scores)] }],
  });
  const result = mergeDocuments(doc({ b: 1, 10: 1, 2: 1 }), doc({ b: 2, 10: 2, 2: 1 }), doc({ b: 1, 10: 1, 2: 3 }));
  assert.ok(result.merged);
  assert.deepEqual(result.merged.fromLive, ["questions[q].options[a].scores[10]", "questions[q].options[a].scores[b]"]);
  assert.deepEqual(result.merged.fromIncoming, ["questions[q].options[a].scores[2]"]);
});
