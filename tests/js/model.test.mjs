// The editor's model (public/admin/model.js): loading a document, sending it back, the ids it
// makes, tags, moves and the Korean names of error locations.
import { test, describe } from "node:test";
import assert from "node:assert/strict";

import {
  TEST_ID_RE,
  addTag,
  blankModel,
  describeLoc,
  fingerprint,
  fromDocument,
  move,
  newOption,
  newQuestion,
  newResult,
  normalizeLoc,
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

describe("new items", () => {
  test("take the first free id of their kind", () => {
    const model = fromDocument(loaded());
    model.results.push({ ...newResult(model), id: "r1" });
    assert.equal(newResult(model).id, "r2");
    assert.equal(newQuestion(model).id, "q2");
    const question = model.questions[0];
    assert.equal(newOption(question).id, "c");
  });

  test("start blank, a new question with two blank options", () => {
    const model = fromDocument(loaded());
    const q = newQuestion(model);
    assert.equal(q.text, "");
    assert.deepEqual(q.options.map((o) => [o.id, o.text, o.scores]), [["a", "", {}], ["b", "", {}]]);
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
  test("starts with two results and one question whose options each reach one result", () => {
    const sent = toDocument(blankModel(), null);
    assert.deepEqual(sent.results.map((r) => r.id), ["r1", "r2"]);
    assert.equal(sent.questions.length, 1);
    assert.deepEqual(sent.questions[0].options.map((o) => o.scores), [{ r1: 1 }, { r2: 1 }]);
    assert.equal(sent.status, "draft");
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
