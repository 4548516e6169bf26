// The admin's Korean wording (public/admin/messages.js): job statuses and steps, the save's
// stages, times, validation errors and the job codes (tests/admin/test_messages.py checks
// every code of the registry has a sentence).
import { test, describe } from "node:test";
import assert from "node:assert/strict";

import {
  DELAYED_KO,
  codeText,
  jobErrorText,
  STATUS_KO,
  imageStepLabel,
  jobStatusText,
  pendingText,
  saveStages,
  savedText,
  stepLabel,
  timeText,
  validationMessage,
} from "../../public/admin/messages.js";
import { TERMINAL } from "../../public/admin/jobs.js";

// quizhub.domain.jobs.JobStatus, in its order.
const JOB_STATUSES = ["queued", "running", "delayed", "succeeded", "failed", "superseded", "conflict", "expired"];

/** A job as GET /api/admin/jobs/{id} answers it, with `fields` over a running save. */
function job(fields = {}) {
  return {
    jobId: "j1", testId: "travel", rev: "01JCE0000000000000000000AA", kind: "save", status: "running",
    step: null, attempts: 1, error: null, errorCode: null, errorParams: null, acceptedAt: "2026-11-18T09:46:40.000Z",
    updatedAt: "2026-11-18T09:46:41.000Z", committedAt: null, liveAt: null, author: null, imageKey: null,
    ...fields,
  };
}

const HANGUL = /[가-힣]/;

// A delayed job's code: its budget, and the last error it ran into as its cause.
const DELAYED = {
  error: "delayed: not finished within its retry budget (480 s)",
  errorCode: "delayed",
  errorParams: { budgetSeconds: 480, cause: { code: "fetch_failed", params: {} } },
};

describe("job statuses", () => {
  test("every status the API has reads in Korean", () => {
    assert.deepEqual(Object.keys(STATUS_KO).sort(), [...JOB_STATUSES].sort());
    for (const status of JOB_STATUSES) assert.match(jobStatusText(status), HANGUL, status);
  });

  test("every terminal status is one of them", () => {
    for (const status of TERMINAL) assert.ok(JOB_STATUSES.includes(status), status);
  });

  test("a status the admin does not know is shown as it came", () => {
    assert.equal(jobStatusText("paused"), "paused");
    assert.equal(jobStatusText(null), "");
  });
});

describe("a save's step", () => {
  test("is counted among the pipeline's steps, the step's own name kept", () => {
    assert.equal(stepLabel(job({ step: "commit" })), "4/6 반영 (commit)");
    assert.equal(stepLabel(job({ step: "put_object" })), "3/6 본문 저장 (put_object)");
  });

  test("a queued job that has not started waits", () => {
    assert.equal(stepLabel(job({ status: "queued", step: null })), "대기 중");
    assert.equal(stepLabel(job({ status: "queued", step: "queued" })), "대기 중");
  });

  test("an unknown step is named by what it touches, or as it came", () => {
    assert.equal(stepLabel(job({ step: "vector-upsert" })), "검색 색인 (vector-upsert)");
    assert.equal(stepLabel(job({ step: "tidy" })), "tidy");
  });

  test("without a step, the status is shown", () => {
    assert.equal(stepLabel(job({ status: "running", step: null })), "처리 중");
  });

  test("says which attempt it is after the first", () => {
    assert.equal(stepLabel(job({ step: "commit", attempts: 3 })), "4/6 반영 (commit) · 3번째 시도");
  });

  test("of no job is empty", () => {
    assert.equal(stepLabel(null), "");
  });
});

describe("an unfinished save", () => {
  test("shows its verb and its step", () => {
    assert.equal(pendingText("저장", job({ step: "validate" })), "저장 중… 2/6 검증 (validate)");
  });

  test("that is delayed says so, with its last error in Korean", () => {
    assert.equal(pendingText("삭제", job({ status: "delayed", ...DELAYED })),
      "삭제 지연: 재시도 예산(8분)을 넘겨 지연되고 있습니다. 메시지가 전달되면 그대로 반영됩니다."
      + " 마지막 오류: 외부 서비스에 연결하지 못했습니다.");
    assert.equal(pendingText("저장", job({ status: "delayed" })), `저장 지연: ${DELAYED_KO}`);
  });

  test("never shows the server's English line", () => {
    assert.equal(pendingText("삭제", job({ status: "delayed", error: "queue backlog" })), `삭제 지연: ${DELAYED_KO}`);
  });
});

describe("an image job's progress", () => {
  test("is counted among the image steps", () => {
    assert.equal(imageStepLabel(job({ kind: "image", step: "variants" })), "3/6 크기별 이미지 만들기");
    assert.equal(imageStepLabel(job({ kind: "image", step: "purge", attempts: 2 })), "5/6 캐시 갱신 · 2번째 시도");
  });

  test("before it starts is its status", () => {
    assert.equal(imageStepLabel(job({ kind: "image", status: "queued" })), "대기 중");
    assert.equal(imageStepLabel(job({ kind: "image", status: "delayed", error: "busy" })), `지연됨 — ${DELAYED_KO}`);
    assert.match(imageStepLabel(job({ kind: "image", status: "delayed", ...DELAYED })), /^지연됨 — 재시도 예산\(8분\)/);
  });
});

describe("a committed save", () => {
  test("has no stages before its commit", () => {
    assert.deepEqual(saveStages(job()), []);
    assert.deepEqual(saveStages(null), []);
    assert.equal(savedText(null), "저장 완료");
  });

  test("is saved, then live once the caches were purged", () => {
    const committed = job({ committedAt: "2026-11-18T09:46:42.000Z" });
    assert.deepEqual(saveStages(committed), [
      { key: "committed", label: "저장 완료", at: "2026-11-18T09:46:42.000Z" },
      { key: "live", label: "공개 반영 중…", at: null },
    ]);
    assert.equal(savedText(committed), "저장 완료 · 공개 반영 중…");
    const live = job({ ...committed, status: "succeeded", liveAt: "2026-11-18T09:46:43.000Z" });
    assert.equal(savedText(live), "저장 완료 · 공개 반영 완료");
  });

  test("that succeeded without a live time says that was not confirmed", () => {
    const done = job({ status: "succeeded", committedAt: "2026-11-18T09:46:42.000Z" });
    assert.equal(savedText(done), "저장 완료 · 공개 반영 확인 안 됨");
  });
});

describe("times", () => {
  test("read in Korean", () => {
    assert.match(timeText("2026-11-18T09:46:40.000Z"), /^2026\. 11\. 1[7-9]\. (오전|오후) \d{1,2}:\d{2}:\d{2}$/);
  });

  test("that are missing are a dash; unreadable ones are shown as they came", () => {
    assert.equal(timeText(null), "-");
    assert.equal(timeText(""), "-");
    assert.equal(timeText("yesterday"), "yesterday");
  });
});

describe("validation errors", () => {
  test("say what to do, with pydantic's limits", () => {
    assert.equal(validationMessage({ type: "missing", loc: ["body", "title"], msg: "Field required" }),
      "필수 항목입니다. 값을 입력해 주세요.");
    assert.equal(validationMessage({ type: "string_too_short", ctx: { min_length: 1 } }), "비워 둘 수 없습니다. 내용을 입력해 주세요.");
    assert.equal(validationMessage({ type: "string_too_short", ctx: { min_length: 3 } }), "최소 3자 이상 입력해 주세요.");
    assert.equal(validationMessage({ type: "string_too_long", ctx: { max_length: 200 } }), "최대 200자까지 입력할 수 있습니다. 줄여 주세요.");
    assert.equal(validationMessage({ type: "too_short", ctx: { field_type: "List", min_length: 2 } }), "최소 2개가 필요합니다. 더 추가해 주세요.");
    assert.equal(validationMessage({ type: "too_long", ctx: { field_type: "List", max_length: 10 } }), "최대 10개까지 넣을 수 있습니다. 줄여 주세요.");
    assert.equal(validationMessage({ type: "greater_than_equal", ctx: { ge: -100 } }), "-100 이상이어야 합니다.");
    assert.equal(validationMessage({ type: "less_than_equal", ctx: { le: 100 } }), "100 이하여야 합니다.");
  });

  test("of the same kind read the same whatever the server's English", () => {
    for (const type of ["int_type", "int_parsing"]) {
      assert.equal(validationMessage({ type, msg: "Input should be a valid integer" }), "정수를 입력해 주세요.");
    }
    assert.equal(validationMessage({ type: "int_from_float", msg: "Input should be a valid integer, got a number with a fractional part" }),
      "소수점 없는 정수를 입력해 주세요.");
    assert.equal(validationMessage({ type: "duplicate_tag", msg: "tag '여행' is listed twice", ctx: { tag: "여행" } }),
      "태그 “여행”가 겹칩니다 (대소문자는 구별하지 않습니다). 하나를 지워 주세요.");
    assert.equal(validationMessage({ type: "enum" }), "허용되지 않는 값입니다. 목록에서 골라 주세요.");
  });
});

describe("a merge's conflicts", () => {
  const LIVE = "01JCE0000000000000000000BB";

  test("name the paths both sides changed, in Korean, and how many more", () => {
    const params = { baseRev: "01JCE0000000000000000000AA", liveRev: LIVE, paths: ["title", "questions[q1].options[a].scores[relax]"], count: 4 };
    assert.equal(jobErrorText(job({ status: "conflict", error: "conflict: …", errorCode: "merge_conflict", errorParams: params })),
      "다른 편집자의 저장(…000000BB)과 같은 곳을 서로 다르게 고쳐 합치지 못했습니다: 제목, 질문 q1 › 선택지 a › 점수 relax 외 2곳."
      + " 아래에서 곳마다 내 것과 상대 것 중 하나를 골라 저장하거나, 최신 내용을 다시 불러오거나, 내 내용으로 덮어쓸 수 있습니다.");
  });

  test("say which rule the merged test would break, and where", () => {
    assert.equal(codeText("merge_broke_rules", { liveRev: LIVE, path: "questions.2.options", rule: "too_short", count: 1 }),
      "다른 편집자의 저장(…000000BB)과 합치면 테스트가 규칙을 어기게 되어 반영하지 않았습니다: 질문 3 › 선택지 — 항목 수가 최소보다 적음."
      + " 최신 내용을 다시 불러와 고치거나, 내 내용으로 덮어쓸 수 있습니다.");
    assert.match(codeText("merge_broke_rules", { liveRev: LIVE, path: "", rule: "document_too_large", count: 3 }),
      /: 문서 전체 — 문서가 너무 커짐 외 2건\./);
  });

  test("a delete since the editor loaded the test is its own sentence", () => {
    assert.equal(codeText("deleted_since_loaded", { baseRev: "01JCE0000000000000000000AA", liveRev: LIVE }),
      "불러온 뒤(…000000AA) 다른 편집자가 이 테스트를 삭제했습니다 (…000000BB). 내 내용으로 다시 만들려면 덮어쓰기를 눌러 주세요.");
  });
});
