// Resolving a conflicting save in the editor (public/admin/resolve.js): the document a set of
// 내 것 / 상대 것 choices makes, the changes that merge on their own, what 덮어쓰기 undoes, and
// the names and values an editor reads — on the shared merge cases of tests/fixtures/merge/.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { ABSENT, mergeDocuments, same } from "../../public/admin/merge.js";
import {
  compare,
  editable,
  overwriteLosses,
  pathLabel,
  resolveDocument,
  take,
  valueAt,
  valueText,
} from "../../public/admin/resolve.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "merge");
const cases = readdirSync(FIXTURES).filter((f) => f.endsWith(".json")).sort()
  .map((file) => ({ file, ...JSON.parse(readFileSync(join(FIXTURES, file), "utf8")) }));
const conflicting = cases.filter((c) => c.expected.conflicts);
const merging = cases.filter((c) => !c.expected.conflicts);

/** The versions of a case as the editor names them. */
const versionsOf = (c) => ({ base: c.base, live: c.live, mine: c.incoming });

/** The ids of a list of items, or the value itself. */
const shape = (value) => (Array.isArray(value) && value.every((x) => x && typeof x === "object" && "id" in x)
  ? value.map((x) => x.id) : value);

/** Whether `value` has the items of `order` in that relative order (and no other shared ones). */
function inOrder(value, order) {
  const ids = shape(value);
  return same(ids.filter((x) => order.includes(x)), order.filter((x) => ids.includes(x)));
}

const choiceSets = {
  "every 상대 것": () => "live",
  "every 내 것": () => "mine",
  "alternating": (n) => (n % 2 ? "live" : "mine"),
};

test("the conflicting shared cases are there", () => {
  assert.ok(conflicting.length >= 6, `only ${conflicting.length} conflicting cases`);
});

for (const c of conflicting) {
  for (const [name, pick] of Object.entries(choiceSets)) {
    test(`${c.file}: ${name} resolves every conflict to the side chosen and keeps the rest`, () => {
      const v = versionsOf(c);
      const before = structuredClone(v);
      const found = compare(v);
      assert.deepEqual(found.conflicts.map((x) => x.path), mergeDocuments(v.base, v.live, v.mine).conflicts.map((x) => x.path));
      const choices = new Map(found.conflicts.map((x, n) => [x.path, pick(n)]));
      const result = resolveDocument(v, choices);
      assert.deepEqual(result.conflicts, []);
      assert.ok(result.merged);
      const doc = result.merged.document;
      for (const [path, side] of choices) {
        const want = valueAt(side === "live" ? v.live : v.mine, path);
        const got = valueAt(doc, path);
        if (Array.isArray(shape(want)) && typeof shape(want)[0] === "string" && want !== ABSENT && shape(want) !== want) {
          assert.ok(inOrder(got, shape(want)), `${path}: ${JSON.stringify(shape(got))} is not in ${side}'s order`);
        } else {
          assert.deepEqual(got, want, `${path} is not ${side}'s`);
        }
      }
      for (const change of found.theirs) assert.deepEqual(valueAt(doc, change.path), change.live, `their ${change.path} was lost`);
      for (const change of found.ours) assert.deepEqual(valueAt(doc, change.path), change.mine, `my ${change.path} was lost`);
      assert.deepEqual(v, before, "the versions are never changed");
    });
  }
}

for (const c of merging) {
  test(`${c.file}: with nothing to choose, the resolution is the merge`, () => {
    const v = versionsOf(c);
    const result = resolveDocument(v, new Map());
    assert.ok(result.merged);
    assert.deepEqual(result.merged.document, c.expected.merged);
    assert.deepEqual(compare(v).merged, c.expected.merged);
  });
}

test("a mix of choices: my title, their question, and both sides' other changes", () => {
  const c = cases.find((x) => x.file.startsWith("25-"));
  const v = versionsOf(c);
  const found = compare(v);
  assert.deepEqual(found.conflicts.map((x) => [x.path, x.live, x.mine]), [
    ["title", "A의 제목", "B의 제목"],
    ["questions[q1].text", "A의 질문", "B의 질문"],
  ]);
  assert.deepEqual(found.ours.map((x) => [x.path, x.base, x.mine]),
    [["description", "몇 가지 질문으로 알아보는 여행 스타일", "B의 설명"]]);
  assert.deepEqual(found.theirs, []);
  const { merged } = resolveDocument(v, new Map([["title", "mine"], ["questions[q1].text", "live"]]));
  assert.ok(merged);
  assert.equal(merged.document.title, "B의 제목");
  assert.equal(merged.document.questions[0].text, "A의 질문");
  assert.equal(merged.document.description, "B의 설명");
});

test("choices that leave a conflict open report it", () => {
  const v = versionsOf(cases.find((x) => x.file.startsWith("25-")));
  const result = resolveDocument(v, new Map([["title", "live"]]));
  assert.equal(result.merged, null);
  assert.deepEqual(result.conflicts.map((x) => x.path), ["questions[q1].text"]);
});

test("keeping a question the other side deleted puts it back where it was", () => {
  const v = versionsOf(cases.find((x) => x.file.startsWith("19-"))); // live edited q2, mine deleted it
  const kept = resolveDocument(v, new Map([["questions[q2]", "live"]])).merged;
  assert.deepEqual(kept.document.questions.map((q) => q.id), ["q1", "q2", "q3"]);
  assert.deepEqual(kept.document.questions[1], v.live.questions[1]);
  const dropped = resolveDocument(v, new Map([["questions[q2]", "mine"]])).merged;
  assert.deepEqual(dropped.document.questions.map((q) => q.id), ["q1", "q3"]);
});

test("an order both sides changed takes the chosen side's order", () => {
  const v = versionsOf(cases.find((x) => x.file.startsWith("17-")));
  assert.deepEqual(resolveDocument(v, new Map([["questions", "live"]])).merged.document.questions.map((q) => q.id), ["q3", "q1", "q2"]);
  assert.deepEqual(resolveDocument(v, new Map([["questions", "mine"]])).merged.document.questions.map((q) => q.id), ["q2", "q1", "q3"]);
});

test("taking a missing score removes it; taking one back adds it", () => {
  const doc = { questions: [{ id: "q", options: [{ id: "a", scores: { x: 1, y: 2 } }] }] };
  const without = { questions: [{ id: "q", options: [{ id: "a", scores: { x: 1 } }] }] };
  const target = structuredClone(doc);
  take(target, without, "questions[q].options[a].scores[y]");
  assert.deepEqual(target, without);
  take(target, doc, "questions[q].options[a].scores[y]");
  assert.deepEqual(target, doc);
});

test("덮어쓰기 undoes the other editor's changes my form does not hold", () => {
  const disjoint = versionsOf(cases.find((x) => x.file.startsWith("04-"))); // live: title, mine: description
  assert.deepEqual(overwriteLosses(disjoint).map((x) => [x.path, x.live, x.mine]),
    [["title", disjoint.live.title, disjoint.base.title]]);
  const several = versionsOf(cases.find((x) => x.file.startsWith("25-")));
  assert.deepEqual(overwriteLosses(several).map((x) => [x.path, x.live, x.mine]), [
    ["title", "A의 제목", "B의 제목"],
    ["questions[q1].text", "A의 질문", "B의 질문"],
  ]);
  const added = versionsOf(cases.find((x) => x.file.startsWith("13-"))); // live added q4
  const [lost] = overwriteLosses(added);
  assert.equal(lost.path, "questions[q4]");
  assert.equal(lost.mine, ABSENT);
  assert.deepEqual(overwriteLosses(versionsOf(cases.find((x) => x.file.startsWith("05-")))), [],
    "the same change on both sides is not undone");
  const reordered = versionsOf(cases.find((x) => x.file.startsWith("17-")));
  assert.deepEqual(overwriteLosses(reordered).map((x) => x.path), ["questions"]);
  for (const c of cases) {
    const v = versionsOf(c);
    assert.deepEqual(overwriteLosses({ ...v, mine: v.live }), [], `${c.file}: saving live undoes nothing`);
  }
});

test("changes are named as the editor names fields, never as paths", () => {
  const doc = cases[0].base;
  assert.equal(pathLabel("title", [doc]), "제목");
  assert.equal(pathLabel("questions[q2].text", [doc]), "질문 2 › 내용");
  assert.equal(pathLabel("questions[q1].options[a].scores[planner]", [doc]), "질문 1 › 선택지 1 › 점수 › 계획형(planner)");
  assert.equal(pathLabel("questions", [doc]), "질문 순서");
  assert.equal(pathLabel("results[relax]", [doc]), "결과 3");
  const live = cases.find((x) => x.file.startsWith("13-")).live;
  assert.equal(pathLabel("questions[q4]", [doc, live]), "질문 4", "an item only one side has is found there");
});

test("values read as text: a missing one, a status, an item, an order", () => {
  const doc = cases[0].base;
  assert.equal(valueText(ABSENT), "(없음)");
  assert.equal(valueText(null), "(없음)");
  assert.equal(valueText(""), "(비어 있음)");
  assert.equal(valueText("published", "status"), "공개");
  assert.equal(valueText(2), "2");
  assert.equal(valueText(["여행", "성격"]), "여행, 성격");
  assert.equal(valueText(doc.questions[0]), `${doc.questions[0].text} (선택지 ${doc.questions[0].options.length}개)`);
  assert.equal(valueText(doc.results[0]), doc.results[0].title);
  assert.equal(valueText(doc.questions), "q1, q2, q3");
});

test("the versions compare on what the editor can change", () => {
  const sent = { id: "t", rev: "r1", baseRev: "r0", title: "제목", questions: [], results: [] };
  assert.deepEqual(editable(sent), {
    title: "제목", description: "", locale: "ko", tags: [], status: "draft", thumbnail: null, questions: [], results: [],
  });
});
