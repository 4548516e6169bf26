-- Plausible plays (quizhub.analytics.plausible, quizhub.analytics.store): events carry the
-- revision being played, and only plausible ones are counted. An event the intake refuses is
-- still stored (so a replay of it counts once) with the reason, and counted per reason.
-- Rows counted before this migration keep the rules they were counted under.

ALTER TABLE play_events ADD COLUMN rev text;
-- Why the intake refused the event (NULL: it passed the per-event checks).
ALTER TABLE play_events ADD COLUMN rejected text;

-- How many events of each type each play (a test and a session) sent, answers per question:
-- the per-session caps (quizhub.analytics.events.SESSION_CAPS) are counted here.
CREATE TABLE play_session_counts (
  test_id     text NOT NULL,
  session     text NOT NULL,
  type        text NOT NULL,
  question_id text NOT NULL DEFAULT '',
  events      integer NOT NULL,
  PRIMARY KEY (test_id, session, type, question_id)
);

-- One row per play with a counted event: its completion counts (on the day it was received,
-- for its result) once it has both a start and a completion, in whichever order they arrived.
CREATE TABLE plays (
  test_id     text NOT NULL,
  session     text NOT NULL,
  started     boolean NOT NULL DEFAULT false,
  complete_id text,
  result_id   text,
  day         date,
  PRIMARY KEY (test_id, session)
);
-- Completions still waiting for their start (the admin's `no_start`).
CREATE INDEX plays_waiting ON plays (day, test_id) WHERE complete_id IS NOT NULL AND NOT started;

-- Refused events per test, day and reason.
CREATE TABLE test_daily_rejected (
  test_id text NOT NULL,
  day     date NOT NULL,
  reason  text NOT NULL,
  events  bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (test_id, day, reason)
);
CREATE INDEX test_daily_rejected_day ON test_daily_rejected (day, test_id);
