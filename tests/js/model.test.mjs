// The editor's model (public/admin/model.js): loading a document, sending it back, the ids it
// makes, the new test's template, duplicating, the score table, tags, moves and the Korean
// names of error locations.
import { test, describe } from "node:test";
import assert from "node:assert/strict";

import {
  TEMPLATE,
  TEST_ID_RE,
  addTag,
  blankModel,
  describeLoc,
  duplicateQuestion,
  fingerprint,
  fromDocument,
  move,
  moveTo,
  newItemId,
  newOption,
  newQuestion,
  newResult,
  newTestId,
  normalizeLoc,
  scoreInTurn,
  scoreOf,
  scoreRows,
  setScore,
  toDocument,
} from "../../public/admin/model.js";

/** A document as GET /api/admin/tests/{id} answers it (server fields included). */
function loaded() {
  return {
    id: "travel",
    rev: "01JCE0000000000000000000AA",
    title: "여행 스타일",
    description: "나는 어떤 여행자?",
    locale: "ko",
    tags: ["여행", "성향, 취향"],
    status: "published",
    thumbnail: "img/cover.png",
    questions: [
      {
        id: "q1",
        text: "휴가 첫날",
        image: null,
        options: [
          { id: "a", text: "계획대로", scores: { plan: 2, free: 0 } },
          { id: "b", text: "발길 닿는 대로", scores: { free: 2 } },
        ],
      },
    ],
    results: [
      { id: "plan", title: "계획형", description: "", image: null },
      { id: "free", title: "자유형", description: "바람처럼", image: "img/free.png" },
    ],
  };
}

describe("a loaded document", () => {
  test("is sent back as it came, with the rev it was loaded at as baseRev", () => {
    const doc = loaded();
    const sent = toDocument(fromDocument(doc), doc.rev);
    const { id, rev, ...content } = doc; // the server's fields are not sent
    assert.deepEqual(sent, { ...content, baseRev: doc.rev });
  });

  test("keeps a result's scores when the result is renamed", () => {
    const model = fromDocument(loaded());
    model.results[0].id = "planner";
    const sent = toDocument(model, null);
    assert.deepEqual(sent.questions[0].options[0].scores, { planner: 2, free: 0 });
    assert.deepEqual(sent.results.map((r) => r.id), ["planner", "free"]);
  });

  test("sends scores that name no result back unchanged, so the server names them", () => {
    const doc = loaded();
    doc.questions[0].options[1].scores = { free: 1, gone: 3 };
    const sent = toDocument(fromDocument(doc), null);
    assert.deepEqual(sent.questions[0].options[1].scores, { gone: 3, free: 1 });
  });

  test("gets defaults for what it leaves out", () => {
    const model = fromDocument({ title: "t", questions: [], results: [] });
    assert.equal(model.description, "");
    assert.equal(model.locale, "ko");
    assert.deepEqual(model.tags, []);
    assert.equal(model.status, "draft");
    assert.equal(model.thumbnail, null);
    assert.equal(toDocument(model, undefined).baseRev, null);
  });

  test("treats any status but published as a draft", () => {
    assert.equal(fromDocument({ ...loaded(), status: "archived" }).status, "draft");
  });

  test("copies its tags: editing the model leaves the document alone", () => {
    const doc = loaded();
    const model = fromDocument(doc);
    model.tags.push("새 태그");
    assert.deepEqual(doc.tags, ["여행", "성향, 취향"]);
  });
});

describe("typed scores", () => {
  /** The first option's scores as sent after typing `text` for the first result. */
  function sentAfterTyping(text) {
    const model = fromDocument(loaded());
    model.questions[0].options[0].scores[model.results[0]._k] = text;
    return toDocument(model, null).questions[0].options[0].scores;
  }

  test("are sent as numbers, spaces trimmed", () => {
    assert.deepEqual(sentAfterTyping(" -3 "), { plan: -3, free: 0 });
  });

  test("are left out when empty", () => {
    assert.deepEqual(sentAfterTyping("  "), { free: 0 });
  });

  test("that are not numbers are sent as typed, so the server names the field", () => {
    assert.deepEqual(sentAfterTyping("two"), { plan: "two", free: 0 });
  });
});

describe("fingerprint", () => {
  test("is the same for the same content whatever the rev", () => {
    const a = fromDocument(loaded());
    const b = fromDocument({ ...loaded(), rev: "01JCE0000000000000000000ZZ" });
    assert.equal(fingerprint(a), fingerprint(b));
  });

  test("changes with any edit", () => {
    const model = fromDocument(loaded());
    const before = fingerprint(model);
    model.questions[0].options[1].text = "즉흥적으로";
    assert.notEqual(fingerprint(model), before);
  });
});

describe("tags", () => {
  test("are added whole and trimmed, commas included", () => {
    const tags = ["여행"];
    assert.equal(addTag(tags, "  맛집, 카페 "), true);
    assert.deepEqual(tags, ["여행", "맛집, 카페"]);
  });

  test("are not added when empty or already there in any case", () => {
    const tags = ["Travel"];
    assert.equal(addTag(tags, "   "), false);
    assert.equal(addTag(tags, null), false);
    assert.equal(addTag(tags, "travel"), false);
    assert.deepEqual(tags, ["Travel"]);
  });
});

const ITEM_ID = /^[A-Za-z0-9_-]{1,32}$/; // quizhub.domain.ids.ITEM_ID_PATTERN

describe("new items", () => {
  test("get ids made for them, of their kind, within the document's id pattern", () => {
    const model = fromDocument(loaded());
    const r = newResult(model);
    const q = newQuestion(model);
    assert.match(r.id, /^r-[a-z0-9]{6}$/);
    assert.match(q.id, /^q-[a-z0-9]{6}$/);
    assert.ok([r.id, q.id, ...q.options.map((o) => o.id)].every((id) => ITEM_ID.test(id)));
    assert.match(newOption(model.questions[0]).id, /^o-[a-z0-9]{6}$/);
  });

  test("never take an id already in use", () => {
    const taken = ["q-aaaaaa", "q-bbbbbb"];
    const draws = ["aaaaaa", "bbbbbb", "cccccc"];
    assert.equal(newItemId("q", taken, () => /** @type {string} */ (draws.shift())), "q-cccccc");
  });

  test("keep their id when their text changes: the id is not made from it", () => {
    const model = blankModel();
    const before = toDocument(model, null);
    model.results[0].title = "계획형";
    model.questions[0].text = "휴가 첫날";
    model.questions[0].options[0].text = "계획대로";
    const after = toDocument(model, null);
    assert.deepEqual(after.results.map((r) => r.id), before.results.map((r) => r.id));
    assert.deepEqual(after.questions.map((q) => [q.id, ...q.options.map((o) => o.id)]),
      before.questions.map((q) => [q.id, ...q.options.map((o) => o.id)]));
  });

  test("do not get a deleted item's id back", () => {
    const model = blankModel();
    const gone = model.results.pop();
    const ids = new Set();
    for (let i = 0; i < 50; i++) ids.add(newResult(model).id);
    assert.ok(gone && !ids.has(gone.id));
  });

  test("start blank, a new question with two blank options", () => {
    const model = fromDocument(loaded());
    const q = newQuestion(model);
    assert.equal(q.text, "");
    assert.deepEqual(q.options.map((o) => [o.text, o.scores]), [["", {}], ["", {}]]);
    assert.notEqual(q.options[0].id, q.options[1].id);
  });

  test("get keys of their own, so that no two items share one", () => {
    const model = blankModel();
    const keys = [
      ...model.results.map((r) => r._k),
      ...model.questions.flatMap((q) => [q._k, ...q.options.map((o) => o._k)]),
    ];
    assert.equal(new Set(keys).size, keys.length);
  });
});

describe("a new test", () => {
  test("starts from the template: two results, three questions of two options, all blank", () => {
    const sent = toDocument(blankModel(), null);
    assert.equal(sent.results.length, TEMPLATE.results);
    assert.equal(sent.questions.length, TEMPLATE.questions);
    assert.deepEqual(sent.results.map((r) => r.title), ["", ""]);
    assert.ok(sent.questions.every((q) => q.text === "" && q.options.length === 2));
    assert.ok(sent.questions.every((q) => q.options.every((o) => o.text === "")));
    assert.equal(sent.status, "draft");
  });

  test("already scores option 1 for result 1 and option 2 for result 2 in every question", () => {
    const sent = toDocument(blankModel(), null);
    const [r1, r2] = sent.results.map((r) => r.id);
    for (const q of sent.questions) {
      assert.deepEqual(q.options.map((o) => o.scores), [{ [r1]: 1 }, { [r2]: 1 }]);
    }
  });

  test("has ids that are all different", () => {
    const sent = toDocument(blankModel(), null);
    const ids = [...sent.results.map((r) => r.id), ...sent.questions.map((q) => q.id)];
    assert.equal(new Set(ids).size, ids.length);
    for (const q of sent.questions) assert.equal(new Set(q.options.map((o) => o.id)).size, q.options.length);
  });

  test("gets a free test id within the test id rule", () => {
    const id = newTestId(["test-aaaaaa"]);
    assert.match(id, TEST_ID_RE);
    const draws = ["aaaaaa", "b2c3d4"];
    assert.equal(newTestId(["test-aaaaaa"], () => /** @type {string} */ (draws.shift())), "test-b2c3d4");
  });
});

describe("scoreInTurn", () => {
  test("gives each option 1 point for one result in turn, round the results again", () => {
    const model = blankModel();
    const q = newQuestion(model);
    q.options.push(newOption(q));
    scoreInTurn(model, q);
    const [a, b] = model.results.map((r) => r._k);
    assert.deepEqual(q.options.map((o) => o.scores), [{ [a]: "1" }, { [b]: "1" }, { [a]: "1" }]);
  });
});

describe("duplicating a question", () => {
  test("puts a copy with its texts and scores right after it, under new ids", () => {
    const model = fromDocument(loaded());
    model.questions.push(newQuestion(model));
    const at = duplicateQuestion(model, 0);
    assert.equal(at, 1);
    const [source, copy] = model.questions;
    assert.equal(model.questions.length, 3);
    assert.equal(copy.text, source.text);
    assert.deepEqual(copy.options.map((o) => o.text), source.options.map((o) => o.text));
    assert.notEqual(copy.id, source.id);
    assert.notEqual(copy._k, source._k);
    const sent = toDocument(model, null);
    assert.deepEqual(sent.questions[1].options.map((o) => o.scores), sent.questions[0].options.map((o) => o.scores));
    assert.equal(new Set(sent.questions.map((q) => q.id)).size, 3);
  });

  test("makes a copy whose scores change on their own", () => {
    const model = fromDocument(loaded());
    duplicateQuestion(model, 0);
    setScore(model.questions[1].options[0], model.results[0], "5");
    const sent = toDocument(model, null);
    assert.equal(sent.questions[0].options[0].scores.plan, 2);
    assert.equal(sent.questions[1].options[0].scores.plan, 5);
  });
});

describe("the score table", () => {
  test("has a row per option, question by question", () => {
    const model = blankModel();
    const rows = scoreRows(model);
    assert.equal(rows.length, 6);
    assert.deepEqual(rows.map((r) => [r.qi, r.oi]), [[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1]]);
    assert.equal(rows[3].option, model.questions[1].options[1]);
  });

  test("shows what the model holds and writes what is typed into it", () => {
    const model = fromDocument(loaded());
    const [plan, free] = model.results;
    const [a, b] = model.questions[0].options;
    assert.deepEqual([scoreOf(a, plan), scoreOf(a, free), scoreOf(b, plan), scoreOf(b, free)], ["2", "0", "", "2"]);
    setScore(b, plan, "-1");
    setScore(a, free, "");
    assert.deepEqual(toDocument(model, null).questions[0].options.map((o) => o.scores), [{ plan: 2 }, { free: 2, plan: -1 }]);
  });

  test("keeps a cell with its result when results are reordered or renamed", () => {
    const model = fromDocument(loaded());
    moveTo(model.results, 1, 0);
    model.results[1].id = "planner";
    const sent = toDocument(model, null);
    assert.deepEqual(sent.results.map((r) => r.id), ["free", "planner"]);
    assert.deepEqual(sent.questions[0].options[0].scores, { free: 0, planner: 2 });
  });

  test("drops a deleted result's column from what is sent", () => {
    const model = fromDocument(loaded());
    model.results.splice(0, 1);
    assert.deepEqual(toDocument(model, null).questions[0].options.map((o) => o.scores), [{ free: 0 }, { free: 2 }]);
  });
});

describe("moveTo", () => {
  test("moves an item to the place it was dropped on", () => {
    const list = ["a", "b", "c", "d"];
    assert.equal(moveTo(list, 3, 0), 0);
    assert.deepEqual(list, ["d", "a", "b", "c"]);
    assert.equal(moveTo(list, 0, 2), 2);
    assert.deepEqual(list, ["a", "b", "d", "c"]);
  });

  test("stays within the list", () => {
    const list = ["a", "b"];
    assert.equal(moveTo(list, 0, 9), 1);
    assert.deepEqual(list, ["b", "a"]);
    assert.equal(moveTo(list, 5, 0), 5);
    assert.deepEqual(list, ["b", "a"]);
  });
});

describe("move", () => {
  test("moves an item up or down and answers its new place", () => {
    const list = ["a", "b", "c"];
    assert.equal(move(list, 2, -1), 1);
    assert.deepEqual(list, ["a", "c", "b"]);
    assert.equal(move(list, 0, +1), 1);
    assert.deepEqual(list, ["c", "a", "b"]);
  });

  test("leaves the list alone past either end", () => {
    const list = ["a", "b"];
    assert.equal(move(list, 0, -1), 0);
    assert.equal(move(list, 1, +1), 1);
    assert.deepEqual(list, ["a", "b"]);
  });
});

describe("error locations", () => {
  test("lose their leading body and get numbers for indexes", () => {
    assert.deepEqual(normalizeLoc(["body", "questions", 0, "options", "1", "text"]),
      ["questions", 0, "options", 1, "text"]);
    assert.deepEqual(normalizeLoc("questions.2.id"), ["questions", 2, "id"]);
    assert.deepEqual(normalizeLoc(undefined), [""]);
  });

  test("read in Korean, counting from 1", () => {
    assert.equal(describeLoc(["questions", 0, "options", 1, "text"]), "질문 1 › 선택지 2 › 내용");
    assert.equal(describeLoc(["results", 2, "title"]), "결과 3 › 제목");
    assert.equal(describeLoc(["tags", 0]), "태그 1");
    assert.equal(describeLoc(["baseRev"]), "기준 리비전");
  });

  test("name a score's result by its title when the model has it", () => {
    const model = fromDocument(loaded());
    assert.equal(describeLoc(["questions", 0, "options", 0, "scores", "plan"], model),
      "질문 1 › 선택지 1 › 점수 › 계획형(plan)");
    assert.equal(describeLoc(["questions", 0, "options", 0, "scores", "gone"], model),
      "질문 1 › 선택지 1 › 점수 › gone");
  });

  test("that are empty are the document", () => {
    assert.equal(describeLoc([]), "문서");
  });

  test("keep names they do not know", () => {
    assert.equal(describeLoc(["extra"]), "extra");
  });
});

describe("test ids", () => {
  test("are lower-case letters, digits and hyphens, starting with a letter or digit, up to 63", () => {
    for (const ok of ["a", "travel-2026", "9lives", "a".repeat(63)]) assert.ok(TEST_ID_RE.test(ok), ok);
    for (const bad of ["", "-a", "Travel", "a_b", "a b", "여행", "a".repeat(64)]) {
      assert.ok(!TEST_ID_RE.test(bad), bad);
    }
  });
});
