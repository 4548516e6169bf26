// Korean wording for job steps/statuses and for validation errors (pydantic/FastAPI style).
/** @import { Job } from "/admin/jobs.js" */
/** @import { ValidationDetail } from "/admin/api.js" */

/**
 * A job as far as it is known: a whole one, or what the accept answered.
 * @typedef {Partial<Job> | null | undefined} SomeJob
 */

/** @type {Record<string, string>} */
export const STATUS_KO = {
  queued: "대기 중", running: "처리 중", delayed: "지연됨", succeeded: "완료", failed: "실패",
  superseded: "대체됨", conflict: "충돌", expired: "만료됨",
};

/** Why a job waiting past its retry budget is not lost (shown with the server's reason). */
export const DELAYED_KO = "재시도 예산을 넘겨 지연되고 있습니다. 메시지가 전달되면 그대로 반영됩니다.";

/**
 * The status line of an unfinished job: "저장 중… 3/6 반영 (commit)", or for a delayed job
 * "저장 지연: … — 사유: <server reason>" (`verb` is 저장 or 삭제).
 * @param {string} verb
 * @param {SomeJob} job
 * @returns {string}
 */
export function pendingText(verb, job) {
  if (job && job.status === "delayed") {
    return `${verb} 지연: ${DELAYED_KO}${job.error ? ` 사유: ${job.error}` : ""}`;
  }
  return `${verb} 중… ${stepLabel(job)}`;
}

/**
 * A job time (ISO 8601) in the reader's locale, e.g. "2026. 11. 18. 오후 6:46:40".
 * @param {string | null | undefined} iso
 * @returns {string}
 */
export function timeText(iso) {
  if (!iso) return "-";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString("ko-KR");
}

// The pipeline's step names (queue consumer and Workflow), in order, with their Korean labels.
/** @type {[string[], string][]} */
const KNOWN_STEPS = [
  [["accepted", "queued"], "접수됨"],
  [["validate", "begin"], "검증"],
  [["put-r2", "put_object"], "본문 저장"],
  [["commit"], "반영"],
  [["invalidate"], "캐시 갱신"],
  [["done", "finish"], "마무리"],
];

/** @type {[RegExp, string][]} */
const FUZZY = [
  [/r2|object|store/i, "본문 저장"],
  [/d1|commit/i, "반영"],
  [/kv|cache|purge|invalidat/i, "캐시 갱신"],
  [/vector|embed|index/i, "검색 색인"],
];

/**
 * "3/6 반영 (commit)" for a job's step; the raw step is kept so nothing is hidden.
 * @param {SomeJob} job
 * @returns {string}
 */
export function stepLabel(job) {
  if (!job) return "";
  if (job.status === "queued" && (!job.step || job.step === "queued")) return "대기 중";
  const step = job.step ? String(job.step) : "";
  let text;
  const i = KNOWN_STEPS.findIndex(([names]) => names.includes(step));
  if (i >= 0) {
    text = `${i + 1}/${KNOWN_STEPS.length} ${KNOWN_STEPS[i][1]} (${step})`;
  } else if (step) {
    const hit = FUZZY.find(([re]) => re.test(step));
    text = hit ? `${hit[1]} (${step})` : step;
  } else {
    text = (job.status && STATUS_KO[job.status]) || job.status || "";
  }
  if (job.attempts && job.attempts > 1) text += ` · ${job.attempts}번째 시도`;
  return text;
}

// An image job's steps (quizhub.pipeline.images.IMAGE_STEPS between begin and finish).
/** @type {[string[], string][]} */
const IMAGE_STEPS = [
  [["validate", "begin"], "확인"],
  [["decode"], "원본 읽기"],
  [["variants"], "크기별 이미지 만들기"],
  [["record"], "기록"],
  [["purge"], "캐시 갱신"],
  [["done", "finish"], "마무리"],
];

/**
 * The progress of an image job: "3/6 크기별 이미지 만들기", or its status before it starts.
 * @param {SomeJob} job
 * @returns {string}
 */
export function imageStepLabel(job) {
  if (!job) return "";
  if (job.status === "queued") return STATUS_KO.queued;
  if (job.status === "delayed") return `${STATUS_KO.delayed}${job.error ? ` — ${job.error}` : ""}`;
  const i = IMAGE_STEPS.findIndex(([names]) => names.includes(String(job.step || "")));
  const text = i >= 0 ? `${i + 1}/${IMAGE_STEPS.length} ${IMAGE_STEPS[i][1]}` : STATUS_KO[job.status ?? ""] || "";
  return job.attempts && job.attempts > 1 ? `${text} · ${job.attempts}번째 시도` : text;
}

/**
 * A job status in Korean (the status itself when unknown).
 * @param {string | null | undefined} status
 * @returns {string}
 */
export function jobStatusText(status) {
  return STATUS_KO[status ?? ""] || String(status || "");
}

/**
 * A Korean message for one 422 detail item ({loc, msg, type, ctx}); falls back to the server's msg.
 * @param {ValidationDetail} d
 * @returns {string}
 */
export function validationMessage(d) {
  const ctx = d.ctx || {};
  const has = (/** @type {string} */ k) => ctx[k] !== undefined && ctx[k] !== null;
  const fallback = String(d.msg || d.message || "값이 올바르지 않습니다.");
  switch (d.type) {
    case "missing": return "필수 항목입니다.";
    case "string_too_short":
      if (!has("min_length") && /at least 1 character/.test(fallback)) return "비워 둘 수 없습니다.";
      if (!has("min_length")) return `${fallback} (너무 짧습니다)`;
      return ctx.min_length === 1 ? "비워 둘 수 없습니다." : `최소 ${ctx.min_length}자 이상 입력해 주세요.`;
    case "string_too_long":
      return has("max_length") ? `최대 ${ctx.max_length}자까지 입력할 수 있습니다.` : `너무 깁니다 — ${fallback}`;
    case "too_short":
      return has("min_length") ? `최소 ${ctx.min_length}개가 필요합니다.` : `개수가 부족합니다 — ${fallback}`;
    case "too_long":
      return has("max_length") ? `최대 ${ctx.max_length}개까지 가능합니다.` : `개수가 너무 많습니다 — ${fallback}`;
    case "string_pattern_mismatch": return "형식이 올바르지 않습니다 (영문, 숫자, _ , - 만 사용).";
    case "extra_forbidden": return "허용되지 않는 항목입니다.";
    case "int_type":
    case "int_parsing":
    case "int_from_float": return "정수를 입력해 주세요.";
    case "greater_than_equal": return has("ge") ? `${ctx.ge} 이상이어야 합니다.` : `너무 작습니다 — ${fallback}`;
    case "less_than_equal": return has("le") ? `${ctx.le} 이하여야 합니다.` : `너무 큽니다 — ${fallback}`;
    case "duplicate_id": return `중복된 ID입니다 — ${fallback}`;
    case "unknown_result": return `없는 결과를 가리킵니다 — ${fallback}`;
    case "unreachable_result": return `어떤 선택지도 이 결과에 양수 점수를 주지 않습니다 — ${fallback}`;
    case "duplicate_tag": return "태그가 중복되었습니다.";
    case "literal_error":
    case "enum": return "허용되지 않는 값입니다.";
    default: return fallback;
  }
}

/**
 * The two moments of a save (the job's `committedAt` and `liveAt`): "저장 완료" once D1 committed
 * it, "공개 반영 완료" once the KV copy was deleted and the caches purged
 * (docs/pipeline.md#live-and-its-staleness-bound). [{key, label, at}] in that order; `at` null
 * while not reached.
 * @param {SomeJob} job
 * @returns {{key: "committed" | "live", label: string, at: string | null}[]}
 */
export function saveStages(job) {
  if (!job || !job.committedAt) return [];
  return [
    { key: "committed", label: "저장 완료", at: job.committedAt },
    { key: "live", label: job.liveAt ? "공개 반영 완료" : (job.status === "succeeded" ? "공개 반영 확인 안 됨" : "공개 반영 중…"), at: job.liveAt || null },
  ];
}

/**
 * The status line of a committed job: "저장 완료 · 공개 반영 중…" / "… · 공개 반영 완료".
 * @param {SomeJob} job
 * @returns {string}
 */
export function savedText(job) {
  return saveStages(job).map((s) => s.label).join(" · ") || "저장 완료";
}
