// Korean wording of everything the API and the pipeline say: job steps and statuses, and one
// sentence per machine code (quizhub.errors.codes, listed in docs/api.md#error-codes) and per
// field-error type of a 422 (pydantic's and the project's), built from the code's parameters
// and saying what to do. The API's English `message` is for tools and never shown.
// tests/admin/test_messages.py checks that every code and every field-error type the document
// model can produce has a sentence here.
/** @import { Job } from "/admin/jobs.js" */
/** @import { ValidationDetail } from "/admin/api.js" */

/** @typedef {Record<string, unknown>} Params */
/** @typedef {(p: Params) => string} Wording */
/** @typedef {{code: string, params?: Params | null}} Cause */
/**
 * A job as far as it is known: a whole one, or what the accept answered.
 * @typedef {Partial<Job> | null | undefined} SomeJob
 */

/** @type {Record<string, string>} */
export const STATUS_KO = {
  queued: "대기 중", running: "처리 중", delayed: "지연됨", succeeded: "완료", failed: "실패",
  superseded: "대체됨", conflict: "충돌", expired: "만료됨",
};

/** Why a job waiting past its retry budget is not lost (when the job names no reason). */
export const DELAYED_KO = "재시도 예산을 넘겨 지연되고 있습니다. 메시지가 전달되면 그대로 반영됩니다.";

// ---------- parameters as text ----------

/**
 * A number in Korean digits grouping ("1,048,576"); anything else as its text.
 * @param {unknown} value
 * @returns {string}
 */
function num(value) {
  return typeof value === "number" ? value.toLocaleString("ko-KR") : String(value ?? "");
}

/**
 * A byte count a person reads: "5 MB", "1 MB", "16 KB".
 * @param {unknown} value
 * @returns {string}
 */
function bytes(value) {
  if (typeof value !== "number") return String(value ?? "");
  if (value >= 1024 * 1024) return `${Number((value / (1024 * 1024)).toFixed(1))} MB`;
  if (value >= 1024) return `${Number((value / 1024).toFixed(1))} KB`;
  return `${num(value)}바이트`;
}

/**
 * A duration in seconds as minutes and seconds ("8분 2초", "45초", "1일").
 * @param {unknown} value
 * @returns {string}
 */
function seconds(value) {
  if (typeof value !== "number") return String(value ?? "");
  if (value >= 86_400 && value % 3600 === 0) {
    const hours = value / 3600;
    return hours % 24 === 0 ? `${hours / 24}일` : `${hours}시간`;
  }
  const m = Math.floor(value / 60);
  const s = value % 60;
  return m ? `${m}분${s ? ` ${s}초` : ""}` : `${s}초`;
}

/**
 * " (최대 5 MB)" for a limit that is known; "" for one that is not (an answer from an older
 * server, or from something in front of the API).
 * @param {unknown} limit
 * @returns {string}
 */
function atMost(limit) {
  return typeof limit === "number" ? ` (최대 ${bytes(limit)})` : "";
}

/**
 * The end of a rev or job id, as the editor shows it ("…01ABCDEF").
 * @param {unknown} rev
 * @returns {string}
 */
function shortRev(rev) {
  const s = String(rev ?? "");
  return s.length > 12 ? `…${s.slice(-8)}` : s;
}

/**
 * A list of names ("PNG, JPEG, GIF, WebP").
 * @param {unknown} value
 * @returns {string}
 */
function list(value) {
  return Array.isArray(value) ? value.map(String).join(", ") : String(value ?? "");
}

/**
 * The Korean of a `cause` parameter ({code, params}); "" without one.
 * @param {unknown} cause
 * @param {number} depth
 * @returns {string}
 */
function causeText(cause, depth) {
  if (!cause || typeof cause !== "object" || depth > 4) return "";
  const { code, params } = /** @type {Cause} */ (cause);
  return typeof code === "string" ? codeText(code, params ?? {}, depth + 1) : "";
}

/**
 * " 원인: …" after a sentence, when the code carries a cause.
 * @param {Params} p
 * @param {number} depth
 * @param {string} [label]
 * @returns {string}
 */
function because(p, depth, label = "원인") {
  const text = causeText(p.cause, depth);
  return text ? ` ${label}: ${text}` : "";
}

// ---------- the codes ----------

/** @type {Record<string, string>} */
const ACCESS_REASON_KO = {
  not_jwt: "토큰 형식이 아님", malformed: "토큰이 손상됨", algorithm: "지원하지 않는 서명 방식",
  unknown_key: "알 수 없는 서명 키", signature: "서명이 맞지 않음", audience: "다른 애플리케이션용 토큰",
  issuer: "다른 팀이 발급한 토큰", expired: "로그인 시간이 지남", not_yet_valid: "아직 유효하지 않은 토큰",
  no_email: "이메일 정보가 없음",
};

/** @type {Record<string, string>} */
const SCOPE_KO = { result: "결과", question: "질문", option: "선택지" };

/**
 * The Korean names of the test document's fields (a field error's location, a merge's paths).
 * @type {Record<string, string>}
 */
export const PART_KO = {
  title: "제목", description: "설명", tags: "태그", status: "상태", thumbnail: "대표 이미지", locale: "언어",
  questions: "질문", options: "선택지", results: "결과", text: "내용", id: "ID", image: "이미지",
  scores: "점수", baseRev: "기준 리비전",
};

/**
 * A document path in Korean: a merge's id path ("questions[q1].options[a].scores[relax]" →
 * "질문 q1 › 선택지 a › 점수 relax", docs/merge.md) or a field error's index path
 * ("questions.2.options" → "질문 3 › 선택지"); "" is the whole document.
 * @param {unknown} path
 * @returns {string}
 */
function pathText(path) {
  const parts = String(path ?? "").split(".").filter(Boolean);
  /** @type {string[]} */
  const out = [];
  for (let i = 0; i < parts.length; i++) {
    const [, name, id] = /^([^[]*)(?:\[(.*)\])?$/.exec(parts[i]) ?? [];
    const label = PART_KO[String(name)] ?? String(name);
    const next = parts[i + 1];
    if (id !== undefined) out.push(`${label} ${id}`);
    else if (next !== undefined && /^\d+$/.test(next)) {
      out.push(`${label} ${Number(next) + 1}`);
      i++;
    } else out.push(label);
  }
  return out.join(" › ") || "문서 전체";
}

/**
 * The paths a merge found changed on both sides: "제목, 질문 q2 외 3곳".
 * @param {unknown} paths
 * @param {unknown} count
 * @returns {string}
 */
function pathsText(paths, count) {
  const named = Array.isArray(paths) ? paths.map(pathText) : [];
  const more = typeof count === "number" ? count - named.length : 0;
  return `${named.join(", ")}${more > 0 ? ` 외 ${num(more)}곳` : ""}`;
}

/**
 * What a rule a merged document breaks is about (a field error's type, or
 * `document_too_large`), without its numbers: the job's conflicts show the values.
 * @type {Record<string, string>}
 */
const RULE_KO = {
  too_short: "항목 수가 최소보다 적음", too_long: "항목 수가 최대보다 많음",
  duplicate_id: "ID가 겹침", duplicate_tag: "태그가 겹침", unknown_result: "없는 결과에 점수를 줌",
  unreachable_result: "나올 수 없는 결과가 생김", document_too_large: "문서가 너무 커짐",
};

const RELOAD = "페이지를 새로고침한 뒤 다시 시도해 주세요.";
const SAVE_AGAIN = "편집기에서 다시 저장해 주세요.";
const LIVE_FALLBACK = "저장 상태는 자동 확인으로 계속 표시됩니다.";

/**
 * One Korean sentence per code: what happened, then what to do. `depth` bounds causes of causes.
 * @type {Record<string, (p: Params, depth: number) => string>}
 */
export const CODE_KO = {
  // the front door
  token_missing: () => "로그인이 필요합니다. 관리자 토큰으로 로그인해 주세요.",
  token_invalid: () => "관리자 토큰이 올바르지 않습니다. 토큰을 확인하고 다시 로그인해 주세요.",
  token_disabled: () => "관리자 토큰 로그인이 꺼져 있습니다. 회사 계정(Cloudflare Access)으로 로그인해 주세요.",
  access_denied: (p) => (p.reason === "expired"
    ? "로그인 시간이 지났습니다. 페이지를 새로고침해 다시 로그인해 주세요."
    : `로그인 정보를 확인하지 못했습니다 (${ACCESS_REASON_KO[String(p.reason)] ?? "알 수 없는 이유"}). 페이지를 새로고침해 다시 로그인해 주세요.`),
  access_unavailable: () => "로그인 서비스에 잠시 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.",
  bad_content_length: () => `요청 형식이 올바르지 않습니다. ${RELOAD}`,
  too_large: (p) => `보내는 내용이 너무 큽니다${atMost(p.limit)}. 내용을 줄이거나 더 작은 파일을 사용해 주세요.`,
  rate_limited: (p) => (typeof p.period === "number" && typeof p.limit === "number"
    ? `요청이 너무 많습니다 (${seconds(p.period)}에 ${num(p.limit)}번까지). ${seconds(p.period)} 뒤에 다시 시도해 주세요.`
    : "요청이 너무 많습니다. 잠시 후 다시 시도해 주세요."),
  timeout: () => "요청이 너무 오래 걸려 중단되었습니다. 네트워크 상태를 확인한 뒤 다시 시도해 주세요.",
  upgrade_required: () => `실시간 연결을 열지 못했습니다. ${LIVE_FALLBACK}`,
  ticket_invalid: () => `실시간 연결의 입장권이 만료되었습니다. ${LIVE_FALLBACK}`,
  ticket_spent: () => `이미 사용한 실시간 연결 입장권입니다. ${LIVE_FALLBACK}`,
  origin_forbidden: () => `이 주소에서는 실시간 연결을 열 수 없습니다. ${LIVE_FALLBACK}`,
  live_not_bound: () => `이 환경에서는 실시간 상태를 쓸 수 없습니다. ${LIVE_FALLBACK}`,
  not_a_live_path: () => `실시간 연결 주소가 올바르지 않습니다. ${LIVE_FALLBACK}`,
  bad_notice: () => "실시간 알림 형식이 올바르지 않아 보내지 않았습니다.",
  // the API
  invalid: () => "입력값이 올바르지 않습니다. 표시된 항목을 고친 뒤 다시 시도해 주세요.",
  no_such_endpoint: () => `요청한 기능을 찾을 수 없습니다. ${RELOAD}`,
  method_not_allowed: () => `이 기능은 그런 방식으로 쓸 수 없습니다. ${RELOAD}`,
  http_error: (p) => `요청을 처리하지 못했습니다 (HTTP ${num(p.status)}). 잠시 후 다시 시도해 주세요.`,
  internal: () => "서버에서 예기치 않은 오류가 발생했습니다. 잠시 후 다시 시도하고, 계속되면 관리자에게 알려 주세요.",
  test_not_found: (p) => `테스트 “${String(p.testId)}”을(를) 찾을 수 없습니다. 목록을 새로고침해 주세요.`,
  version_not_found: (p) => `이 테스트에 그 버전(${shortRev(p.rev)})이 없습니다. 버전 기록을 새로고침해 주세요.`,
  job_not_found: () => "작업을 찾을 수 없습니다. 작업 상태를 새로고침해 주세요.",
  image_not_found: () => "이미지를 찾을 수 없습니다. 이미지를 다시 올려 주세요.",
  result_not_found: () => "이 테스트에는 그런 결과가 없습니다. 주소를 확인해 주세요.",
  page_not_found: () => "이 주소의 페이지는 없습니다. 주소를 확인해 주세요.",
  card_not_found: () => "미리보기 카드가 아직 없습니다. 공개된 테스트를 저장하면 그려집니다.",
  image_variant_lost: (p) => `이미지의 ${num(p.width)}px 크기 파일이 사라졌습니다. 이미지를 다시 올려 주세요.`,
  live_status_unavailable: () => `이 환경에서는 실시간 상태를 쓸 수 없습니다. ${LIVE_FALLBACK}`,
  not_retryable: (p) => `${STATUS_KO[String(p.status)] ?? "진행 중"} 상태의 작업은 다시 시도할 수 없습니다. 실패·충돌·만료된 작업만 다시 시도할 수 있습니다.`,
  body_unavailable: () => `이 작업의 문서가 저장되지 않아 다시 시도할 수 없습니다. ${SAVE_AGAIN}`,
  original_unavailable: () => "이미지 원본이 남아 있지 않아 다시 시도할 수 없습니다. 이미지를 다시 올려 주세요.",
  document_too_large: (p) => `문서가 너무 큽니다${typeof p.size === "number" ? ` (${bytes(p.size)})` : ""}${atMost(p.limit)}. 글을 줄이거나 테스트를 둘로 나눠 주세요.`,
  image_too_large: (p) => `이미지 파일이 너무 큽니다${atMost(p.limit)}. 더 작은 이미지를 올려 주세요.`,
  no_file: () => "올릴 파일이 없습니다. 이미지를 선택해 주세요.",
  empty_upload: () => "빈 파일입니다. 다른 이미지를 선택해 주세요.",
  unsupported_image: (p) => `지원하지 않는 이미지입니다. ${list(p.formats)} 이미지만 올릴 수 있습니다 (파일 이름이 아니라 내용으로 확인합니다).`,
  unsupported_media_type: () => `지원하지 않는 형식으로 보냈습니다. ${RELOAD}`,
  invalid_cursor: () => "목록의 위치 정보가 올바르지 않습니다. 목록을 새로고침해 주세요.",
  queue_unavailable: () => "작업을 접수하지 못했습니다. 잠시 후 다시 시도해 주세요.",
  analytics_unavailable: () => "이 환경에는 통계 저장소가 연결되어 있지 않습니다.",
  analytics_db_unavailable: () => "통계 저장소에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.",
  // field errors of the project (a 422's details)
  body_decode: () => `보낸 내용을 읽을 수 없습니다. ${RELOAD}`,
  duplicate_id: (p) => (p.scope === "option"
    ? `이 질문 안에서 선택지 ID “${String(p.id)}”가 겹칩니다. 다른 ID를 입력해 주세요.`
    : `${SCOPE_KO[String(p.scope)] ?? ""} ID “${String(p.id)}”가 겹칩니다. 다른 ID를 입력해 주세요.`),
  unknown_result: (p) => `없는 결과 “${String(p.resultId)}”에 점수를 주고 있습니다. 점수를 지우거나 그 결과를 추가해 주세요.`,
  unreachable_result: () => "어떤 선택지도 이 결과에 점수를 주지 않아 이 결과가 나올 수 없습니다. 선택지 하나 이상에 이 결과의 점수를 1 이상 입력해 주세요.",
  duplicate_tag: (p) => `태그 “${String(p.tag)}”가 겹칩니다 (대소문자는 구별하지 않습니다). 하나를 지워 주세요.`,
  not_a_rev: () => "기준 버전 정보가 올바르지 않습니다. 테스트를 다시 불러와 주세요.",
  null_rev: () => "복원하려면 지금 보고 있는 버전이 필요합니다. 테스트를 다시 불러온 뒤 복원해 주세요.",
  id_mismatch: (p) => `문서의 ID가 주소의 ID “${String(p.expected)}”와 다릅니다. 테스트를 다시 불러와 주세요.`,
  rev_required: () => "시간 정보는 버전 정보와 함께 보내야 합니다. 테스트를 다시 불러와 주세요.",
  time_mismatch: (p) => `시간 정보가 버전 ${shortRev(p.rev)}와 맞지 않습니다. 테스트를 다시 불러와 주세요.`,
  rev_disagrees: () => "기준 버전과 문서의 버전이 다릅니다. 테스트를 다시 불러와 주세요.",
  invalid_option: (p) => `이 질문의 선택지가 아닙니다. ${list(p.options)} 중에서 골라 주세요.`,
  unknown_question: (p) => `없는 질문 ${num(p.count)}개에 답했습니다. 페이지를 새로고침해 주세요.`,
  malformed_cursor: () => "목록의 위치 정보가 올바르지 않습니다. 목록을 새로고침해 주세요.",
  sort_with_search: () => "검색 결과는 관련도순입니다. 정렬 없이 검색하거나 검색어 없이 정렬해 주세요.",
  one_play: () => "한 요청에는 한 번의 플레이 기록만 보낼 수 있습니다.",
  out_of_range: (p) => `${num(p.ge)}부터 ${num(p.le)}까지의 정수여야 합니다.`,
  // job outcomes and warnings
  superseded: (p) => `더 최신 저장(${shortRev(p.liveRev)})이 이미 반영되어 이 저장은 적용되지 않았습니다. 최신 내용을 다시 불러와 확인해 주세요.`,
  test_exists: (p) => `같은 ID의 테스트가 이미 있습니다 (${shortRev(p.liveRev)}). 그 테스트를 불러와 편집하거나 다른 ID로 새로 만들어 주세요.`,
  changed_since_loaded: (p) => (p.liveRev
    ? `불러온 뒤 다른 편집자가 먼저 저장했습니다 (불러온 버전 ${shortRev(p.baseRev)}, 지금 버전 ${shortRev(p.liveRev)}). 최신 내용을 다시 불러오거나 내 내용으로 덮어쓸 수 있습니다.`
    : `불러온 뒤(${shortRev(p.baseRev)}) 이 테스트가 삭제되었습니다. 내 내용으로 다시 만들려면 덮어쓰기를 눌러 주세요.`),
  deleted_since_loaded: (p) => `불러온 뒤(${shortRev(p.baseRev)}) 다른 편집자가 이 테스트를 삭제했습니다 (${shortRev(p.liveRev)}). 내 내용으로 다시 만들려면 덮어쓰기를 눌러 주세요.`,
  merge_conflict: (p) => `다른 편집자의 저장(${shortRev(p.liveRev)})과 같은 곳을 서로 다르게 고쳐 합치지 못했습니다: ${pathsText(p.paths, p.count)}. 아래에서 곳마다 내 것과 상대 것 중 하나를 골라 저장하거나, 최신 내용을 다시 불러오거나, 내 내용으로 덮어쓸 수 있습니다.`,
  merge_broke_rules: (p) => `다른 편집자의 저장(${shortRev(p.liveRev)})과 합치면 테스트가 규칙을 어기게 되어 반영하지 않았습니다: ${pathText(p.path)} — ${RULE_KO[String(p.rule)] ?? "규칙 위반"}${typeof p.count === "number" && p.count > 1 ? ` 외 ${num(p.count - 1)}건` : ""}. 최신 내용을 다시 불러와 고치거나, 내 내용으로 덮어쓸 수 있습니다.`,
  attempt_failed: (p, d) => (d > 0
    ? `${num(p.attempt)}번째 시도 — ${causeText(p.cause, d) || "실패했습니다."}`
    : `${num(p.attempt)}번째 시도가 실패해 다시 시도하는 중입니다.${because(p, d)}`),
  delayed: (p, d) => `재시도 예산(${seconds(p.budgetSeconds)})을 넘겨 지연되고 있습니다. 메시지가 전달되면 그대로 반영됩니다.${because(p, d, "마지막 오류")}`,
  expired: (p, d) => `큐 보관 기간(${seconds(p.retentionSeconds)}) 안에 전달되지 않아 반영되지 않았습니다. 다시 시도해 주세요.${because(p, d, "마지막 오류")}`,
  gave_up: (p, d) => `${num(p.attempts)}번 시도했지만 끝내지 못했습니다. 다시 시도해 주세요.${because(p, d, "마지막 오류")}`,
  over_budget: (p, d) => `재시도 예산(${seconds(p.budgetSeconds)}) 안에 끝나지 않았습니다.${because(p, d, "마지막 오류")}`,
  purge_incomplete: (p, d) => (p.owed
    ? "저장되어 공개되었지만 캐시 갱신을 마치지 못했습니다. 갱신이 끝날 때까지 공개 페이지는 캐시 없이 최신 내용을 보여 줍니다."
    : "저장되어 공개되었지만 캐시 갱신을 마치지 못했습니다. 캐시된 사본은 곧 저절로 만료됩니다.") + because(p, d),
  unprocessable_message: (p, d) => `작업 메시지를 처리할 수 없어 실패했습니다. ${SAVE_AGAIN}${because(p, d)}`,
  uncoded: () => "작업 중 문제가 있었습니다. 작업 상태에서 확인한 뒤 필요하면 다시 시도해 주세요.",
  index_not_updated: () => "저장되어 공개되었지만 검색 색인은 갱신하지 못했습니다. 다음 저장이나 색인 재구성 때 반영됩니다.",
  cards_not_drawn: () => "저장되어 공개되었지만 미리보기 카드를 모두 그리지는 못했습니다. 다음 저장 때 다시 그립니다.",
  nothing_to_index: () => "색인할 테스트가 없습니다.",
  nothing_to_reprocess: () => "다시 처리할 예전 이미지가 없습니다.",
  images_not_processed: (p) => `저장된 이미지 ${num(p.total)}개 중 ${num(p.failed)}개를 처리하지 못했습니다. 그 이미지들을 다시 올려 주세요.`,
  // failures
  malformed_message: () => `작업 메시지가 올바르지 않아 처리하지 못했습니다. ${SAVE_AGAIN}`,
  signature_mismatch: () => `작업 내용의 서명이 맞지 않아 처리하지 않았습니다. ${SAVE_AGAIN}`,
  claim_check_missing: () => `임시로 맡겨 둔 문서가 사라져 저장하지 못했습니다. ${SAVE_AGAIN}`,
  claim_check_corrupt: () => `임시로 맡겨 둔 문서가 손상되어 저장하지 못했습니다. ${SAVE_AGAIN}`,
  document_not_object: () => `문서 형식이 올바르지 않아 저장하지 못했습니다. ${SAVE_AGAIN}`,
  storage_damaged: () => "저장소의 데이터가 없거나 손상되었습니다. 관리자에게 알려 주세요.",
  object_vanished: () => "읽는 도중에 저장소의 파일이 지워졌습니다. 다시 시도해 주세요.",
  binding_error: () => "저장소나 큐가 잠시 응답하지 않았습니다.",
  merge_kept_moving: () => "합치는 동안 다른 저장이 계속 반영되어 잠시 뒤 다시 합칩니다.",
  fetch_failed: () => "외부 서비스에 연결하지 못했습니다.",
  access_keys_unavailable: (p) => `로그인 서비스의 키를 가져오지 못했습니다 (HTTP ${num(p.status)}).`,
  purge_failed: (p) => `캐시 삭제 요청이 실패했습니다 (HTTP ${num(p.status)}).`,
  purge_rate_limited: () => "캐시 삭제 요청이 한도를 넘었습니다.",
  purge_rejected: (p) => `캐시 삭제 요청이 거부되었습니다 (HTTP ${num(p.status)}). 관리자에게 캐시 삭제 설정을 확인해 달라고 알려 주세요.`,
  live_publish_failed: (p) => `실시간 알림을 보내지 못했습니다 (HTTP ${num(p.status)}).`,
  images_unbound: () => "이 환경에서는 이미지를 처리할 수 없습니다. 관리자에게 알려 주세요.",
  image_job_without_image: () => "처리할 이미지가 지정되지 않은 작업입니다.",
  original_missing: () => "올린 이미지 원본을 찾을 수 없습니다. 이미지를 다시 올려 주세요.",
  image_format_mismatch: (p) => `이미지 내용이 파일 형식(${String(p.expected).toUpperCase()})과 다릅니다. 이미지를 다시 저장해 올려 주세요.`,
  image_empty: () => "이미지에 픽셀이 없습니다. 다른 이미지를 올려 주세요.",
  image_too_many_pixels: (p) => `이미지가 너무 큽니다 (${num(p.width)}×${num(p.height)}, 최대 ${num(p.limit)}화소). 크기를 줄여 다시 올려 주세요.`,
  image_undecodable: () => "이미지를 읽을 수 없습니다. 파일이 손상되었을 수 있으니 다른 이미지를 올려 주세요.",
  variant_keeps_metadata: () => "크기별 이미지에서 촬영 정보를 지우지 못해 저장하지 않았습니다. 다시 시도해 주세요.",
  invalid_events_message: () => "플레이 기록 메시지가 올바르지 않아 버렸습니다.",
  cards_unavailable: () => "이 환경에서는 미리보기 카드를 그릴 수 없습니다. 배포 설정(Pillow, 글꼴)을 확인해 주세요.",
  mixed_plays: () => "한 요청에 여러 플레이의 기록이 섞여 있습니다. 플레이마다 따로 보내 주세요.",
};

/**
 * The Korean sentence of a code with its parameters (a general one for a code this page does
 * not know yet, e.g. right after a deploy).
 * @param {string} code
 * @param {Params | null | undefined} [params]
 * @param {number} [depth]
 * @returns {string}
 */
export function codeText(code, params, depth = 0) {
  const wording = CODE_KO[code];
  return wording ? wording(params ?? {}, depth) : "요청을 처리하지 못했습니다. 잠시 후 다시 시도해 주세요.";
}

/** @type {Record<string, string>} */
const JOB_FALLBACK_KO = {
  failed: "작업이 실패했습니다. 다시 시도해 주세요.",
  conflict: "다른 저장과 충돌해 반영되지 않았습니다. 최신 내용을 다시 불러와 주세요.",
  superseded: "더 최신 저장이 먼저 반영되어 이 저장은 적용되지 않았습니다.",
  expired: "큐 보관 기간 안에 전달되지 않아 반영되지 않았습니다. 다시 시도해 주세요.",
  delayed: DELAYED_KO,
  succeeded: "작업은 끝났지만 확인할 내용이 있습니다. 작업 상태를 확인해 주세요.",
};

/**
 * What a job ran into, in Korean: its code's sentence, or for a job recorded before codes
 * existed a sentence for its status. "" when the job has nothing to say.
 * @param {SomeJob} job
 * @returns {string}
 */
export function jobErrorText(job) {
  if (!job) return "";
  if (job.errorCode) return codeText(job.errorCode, job.errorParams);
  if (!job.error) return "";
  return JOB_FALLBACK_KO[String(job.status)] ?? JOB_FALLBACK_KO.failed;
}

// ---------- field errors (a 422's details, and the editor's own checks) ----------

/**
 * "영문, 숫자, _, - 만 쓸 수 있습니다 (1–32자)" for an id pattern; the general sentence else.
 * @param {unknown} pattern
 * @returns {string}
 */
function patternText(pattern) {
  const text = String(pattern ?? "");
  const sizes = /^\^\[[^\]]+\]\{(\d+),(\d+)\}\$$/.exec(text); // one class, n to m times
  const length = sizes ? ` (${sizes[1]}–${sizes[2]}자)` : "";
  if (text.includes("A-Za-z0-9_-")) return `영문, 숫자, 밑줄(_), 하이픈(-)만 쓸 수 있습니다${length}.`;
  if (text.includes("a-z0-9")) return `영문 소문자, 숫자, 하이픈(-)만 쓸 수 있습니다${length}.`;
  if (text.includes("png|jpg")) return "이미지 정보가 올바르지 않습니다. 이미지를 다시 올려 주세요.";
  return "형식이 올바르지 않습니다. 다시 불러온 뒤 시도해 주세요.";
}

/**
 * "최소 2개가 필요합니다" / "비워 둘 수 없습니다": pydantic says "Value" for a text whose length
 * it checked after its own step (NFC), "List" for a list.
 * @param {Params} c
 * @returns {string}
 */
function tooShort(c) {
  const n = Number(c.min_length);
  if (c.field_type === "List") return `최소 ${num(n)}개가 필요합니다. 더 추가해 주세요.`;
  return n <= 1 ? "비워 둘 수 없습니다. 내용을 입력해 주세요." : `최소 ${num(n)}자 이상 입력해 주세요.`;
}

/**
 * @param {Params} c
 * @returns {string}
 */
function tooLong(c) {
  const n = num(c.max_length);
  if (c.field_type === "List") return `최대 ${n}개까지 넣을 수 있습니다. 줄여 주세요.`;
  return `최대 ${n}자까지 입력할 수 있습니다${typeof c.actual_length === "number" ? ` (지금 ${num(c.actual_length)}자)` : ""}. 줄여 주세요.`;
}

/**
 * A Korean sentence per field-error type: pydantic's own types and the project's field codes
 * (CODE_KO). `ctx` holds the rule's parameters.
 * @type {Record<string, Wording>}
 */
export const FIELD_KO = {
  missing: () => "필수 항목입니다. 값을 입력해 주세요.",
  string_type: () => "글자를 입력해 주세요.",
  string_too_short: (c) => tooShort({ ...c, field_type: "Value" }),
  string_too_long: (c) => tooLong({ ...c, field_type: "Value" }),
  string_pattern_mismatch: (c) => patternText(c.pattern),
  too_short: tooShort,
  too_long: tooLong,
  list_type: () => "목록 형식이어야 합니다. 다시 불러온 뒤 시도해 주세요.",
  dict_type: () => "형식이 올바르지 않습니다. 다시 불러온 뒤 시도해 주세요.",
  model_type: () => "형식이 올바르지 않습니다. 다시 불러온 뒤 시도해 주세요.",
  model_attributes_type: () => "형식이 올바르지 않습니다. 다시 불러온 뒤 시도해 주세요.",
  int_type: () => "정수를 입력해 주세요.",
  int_parsing: () => "정수를 입력해 주세요.",
  int_from_float: () => "소수점 없는 정수를 입력해 주세요.",
  greater_than_equal: (c) => `${num(c.ge)} 이상이어야 합니다.`,
  less_than_equal: (c) => `${num(c.le)} 이하여야 합니다.`,
  literal_error: () => "허용되지 않는 값입니다. 목록에서 골라 주세요.",
  enum: () => "허용되지 않는 값입니다. 목록에서 골라 주세요.",
  extra_forbidden: () => `알 수 없는 항목이 들어 있습니다. ${RELOAD}`,
  json_invalid: () => `보낸 내용이 올바른 형식이 아닙니다. ${RELOAD}`,
  value_error: () => "값이 올바르지 않습니다. 고친 뒤 다시 시도해 주세요.",
};

/**
 * A Korean message for one field error ({loc, type, ctx}, from a 422 or the editor's checks);
 * the server's English `msg` is never shown.
 * @param {ValidationDetail} d
 * @returns {string}
 */
export function validationMessage(d) {
  const type = String(d.type ?? "");
  const ctx = d.ctx ?? {};
  const wording = FIELD_KO[type];
  if (wording) return wording(ctx);
  if (CODE_KO[type]) return codeText(type, ctx);
  return "값이 올바르지 않습니다. 고친 뒤 다시 시도해 주세요.";
}

// ---------- job progress ----------

/**
 * The status line of an unfinished job: "저장 중… 3/6 반영 (commit)", or for a delayed job
 * "저장 지연: <why, in Korean>" (`verb` is 저장 or 삭제).
 * @param {string} verb
 * @param {SomeJob} job
 * @returns {string}
 */
export function pendingText(verb, job) {
  if (job && job.status === "delayed") return `${verb} 지연: ${jobErrorText(job) || DELAYED_KO}`;
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
    text = STATUS_KO[String(job.status)] || String(job.status ?? "");
  }
  if ((job.attempts ?? 0) > 1) text += ` · ${job.attempts}번째 시도`;
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
  if (job.status === "delayed") return `${STATUS_KO.delayed} — ${jobErrorText(job) || DELAYED_KO}`;
  const i = IMAGE_STEPS.findIndex(([names]) => names.includes(String(job.step || "")));
  const text = i >= 0 ? `${i + 1}/${IMAGE_STEPS.length} ${IMAGE_STEPS[i][1]}` : STATUS_KO[String(job.status)] || "";
  return (job.attempts ?? 0) > 1 ? `${text} · ${job.attempts}번째 시도` : text;
}

/**
 * A job status in Korean (the status itself when unknown).
 * @param {string | null | undefined} status
 * @returns {string}
 */
export function jobStatusText(status) {
  return STATUS_KO[String(status)] || String(status || "");
}

/**
 * The two moments of a save (the job's `committedAt` and `liveAt`): "저장 완료" once D1 committed
 * it, "공개 반영 완료" once the KV copy was deleted and the caches purged
 * (docs/pipeline.md#live-and-its-staleness-bound). [{key, label, at}] in that order; `at` null
 * while not reached.
 * @param {SomeJob} job
 * @returns {{key: string, label: string, at: string | null}[]}
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

// ---------- resolving a conflict (conflict.js) ----------

/**
 * A test's status as the editor reads it.
 * @type {Record<string, string>}
 */
export const STATUS_VALUE_KO = { published: "공개", draft: "초안" };

/**
 * What the conflict view says: choosing between this editor's change and the other editor's,
 * the changes merged on their own, a test deleted meanwhile, and what an overwrite undoes.
 */
export const CONFLICT_KO = {
  title: "겹친 변경 고르기",
  intro: (/** @type {unknown} */ rev) => `다른 편집자의 저장(${shortRev(rev)})과 내가 같은 곳을 서로 다르게 고쳤습니다. `
    + "항목마다 남길 내용을 고른 뒤 ‘선택한 내용으로 저장’을 눌러 주세요. 겹치지 않은 변경은 양쪽 모두 그대로 합쳐집니다.",
  noOverlap: (/** @type {unknown} */ rev) => `지금 최신 버전(${shortRev(rev)})과는 겹치는 곳이 없습니다. `
    + "‘합친 내용으로 저장’을 누르면 양쪽 변경을 모두 담아 저장합니다. 규칙에 맞지 않는 곳이 있으면 표시되니 고친 뒤 다시 저장해 주세요.",
  mine: "내 것",
  theirs: "상대 것",
  original: "원래 내용",
  auto: (/** @type {number} */ n) => `자동으로 합쳐진 변경 (${num(n)}곳)`,
  byThem: "상대 편집자",
  byMe: "나",
  saveChosen: "선택한 내용으로 저장",
  saveMerged: "합친 내용으로 저장",
  missing: (/** @type {string[]} */ labels) => `고르지 않은 항목이 ${num(labels.length)}곳 있습니다: ${labels.join(", ")}. 항목마다 ‘내 것’이나 ‘상대 것’을 골라 주세요.`,
  changedMeanwhile: "고르는 동안 편집한 내용이 겹치는 항목을 바꾸어 다시 비교했습니다. 항목을 다시 확인하고 골라 주세요.",
  stillOverlapping: (/** @type {string[]} */ labels) => `선택을 적용해도 아직 겹치는 곳이 있습니다: ${labels.join(", ")}. 최신 내용을 다시 불러와 고쳐 주세요.`,
  loading: "상대 편집자의 변경을 불러오는 중…",
  unavailable: (/** @type {string} */ why) => `상대 편집자의 변경을 불러오지 못했습니다: ${why}`,
  retry: "다시 시도",
  deletedTitle: "이 테스트는 삭제되었습니다",
  deleted: "불러온 뒤 다른 편집자가 이 테스트를 삭제했습니다. 내 내용으로 테스트를 다시 만들거나, 내 변경을 버리고 목록으로 돌아갈 수 있습니다.",
  recreate: "내 내용으로 다시 만들기",
  discard: "내 변경 버리고 목록으로",
  discarded: "삭제된 테스트의 편집을 닫았습니다.",
  overwriteTitle: "덮어쓰면 되돌아가는 변경",
  overwriteIntro: (/** @type {number} */ n) => `덮어쓰면 다른 편집자가 저장한 변경 ${num(n)}곳이 내 내용으로 바뀝니다. 아래 내용을 확인한 뒤 덮어쓸지 정해 주세요.`,
  overwriteDeleted: "다른 편집자가 이 테스트를 삭제했습니다. 덮어쓰면 내 내용으로 테스트를 다시 만들어 삭제가 취소됩니다.",
  theirValue: "상대가 저장한 내용",
  afterOverwrite: "덮어쓴 뒤",
  cancel: "취소",
  overwrite: "덮어쓰기",
};
