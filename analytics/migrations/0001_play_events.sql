-- Play analytics (quizhub.analytics): raw events, idempotent by the client's event id, and a
-- daily rollup per test that the admin stats read. Days are Korean days (KST, UTC+9) of the
-- time the API received the event (quizhub.analytics.events.day_of); the client's own clock
-- is kept as at_ms but never trusted for counting.
-- Stored: the event's ids (event, per-tab session, test, question, option, result) and times.
-- Never stored: IP addresses, user agents, cookies or anything else about a person.

CREATE TABLE play_events (
  id          text PRIMARY KEY,
  test_id     text NOT NULL,
  type        text NOT NULL CHECK (type IN ('view', 'start', 'answer', 'complete', 'share')),
  session     text NOT NULL,
  question_id text,
  option_id   text,
  result_id   text,
  at_ms       bigint NOT NULL,
  received_ms bigint NOT NULL,
  day         date NOT NULL
);
CREATE INDEX play_events_test_day ON play_events (test_id, day);

-- One row per test and day; the columns count events of each type.
CREATE TABLE test_daily (
  test_id     text NOT NULL,
  day         date NOT NULL,
  views       bigint NOT NULL DEFAULT 0,
  starts      bigint NOT NULL DEFAULT 0,
  answers     bigint NOT NULL DEFAULT 0,
  completions bigint NOT NULL DEFAULT 0,
  shares      bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (test_id, day)
);
CREATE INDEX test_daily_day ON test_daily (day, test_id);

-- Completions per result (the result distribution).
CREATE TABLE test_daily_results (
  test_id     text NOT NULL,
  day         date NOT NULL,
  result_id   text NOT NULL,
  completions bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (test_id, day, result_id)
);

-- Answers per question (how far players get: the per-question drop-off).
CREATE TABLE test_daily_questions (
  test_id     text NOT NULL,
  day         date NOT NULL,
  question_id text NOT NULL,
  answers     bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (test_id, day, question_id)
);
