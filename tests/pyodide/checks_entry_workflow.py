"""``entry.workflow``: ``SaveTestWorkflow.run`` (src/workflow.py) in Pyodide through the SDK's
real step wrapper (``_WorkflowStepWrapper`` and its ``workflows.js``), over a JS ``step`` shaped
like the runtime's: ``do(name, config?, callback)`` memoised by name, retried by the config,
never retried after an error named ``NonRetryableError``."""

from __future__ import annotations

from importlib.util import find_spec
from typing import Any

from tests.pyodide._entries import entry_env, flaky_env, js, js_json

_STEP = """(() => {
  const done = new Map();
  const attempts = {};
  const step = {
    async do(name, config, callback) {
      if (callback === undefined) { callback = config; config = {}; }
      if (done.has(name)) return done.get(name);
      const limit = config?.retries?.limit ?? 5;
      for (let attempt = 1; ; attempt += 1) {
        attempts[name] = attempt;
        try {
          const value = await callback({ attempt, step: { name, count: 1 }, config });
          done.set(name, value);
          return value;
        } catch (error) {
          if (error?.name === "NonRetryableError" || attempt > limit) throw error;
        }
      }
    },
    async sleep() {}, async sleepUntil() {},
  };
  return { step, attempts };
})()"""
_CTX = "({ waitUntil() {}, passThroughOnException() {} })"


def _payload(b: Any, test_id: str, title: str, key: bytes | None = None) -> Any:
    from quizhub.cloudflare._ffi import to_js
    from tests.pyodide.checks_entry_consumer import _message

    event = {"payload": _message(b, test_id, title, key=key), "instanceId": "x", "timestamp": 0}
    return to_js(event)


async def _run(h: Any, env: Any, test_id: str, title: str, key: bytes | None = None) -> Any:
    import workflow
    from quizhub.cloudflare.env import bindings_from_env

    b = bindings_from_env(entry_env(h.consumer_env))
    fixture = js(_STEP)
    event = _payload(b, test_id, title, key)
    result = await workflow.SaveTestWorkflow(js(_CTX), env).run(event, fixture.step)
    job_id = event.payload.jobId
    from quizhub.store.jobs import JobsRepo

    row = await JobsRepo(h.bindings.db).get(str(job_id))
    return result, js_json(fixture.attempts), row


async def check_a_save_runs_every_step_and_succeeds(h: Any) -> None:
    result, attempts, row = await _run(h, entry_env(h.consumer_env), "w-ok", "워크플로 저장")
    assert js_json(result) == {"status": "succeeded"}, js_json(result)
    steps = {"begin": 1, "put_object": 1, "commit": 1, "invalidate": 1, "index": 1, "cards": 1}
    assert attempts == {**steps, "finish": 1, "notify": 1}, attempts
    # The index step only asks the index queue (INDEX_QUEUE, bound by wrangler.consumer.toml)
    # for the test's vectors: indexing itself is the queue consumer's, off the save.
    assert row is not None and row.status == "succeeded", row
    # The cards step draws with Pyodide's Pillow where the runtime has it. The npm `pyodide`
    # package this harness loads ships no package wheels (loadPackage would fetch Pillow from
    # the CDN), so offline the step says so once (Permanent: not retried) and the save is
    # still live, with the cards' warning (docs/sharing.md#cpu-and-memory).
    if find_spec("PIL") is None:
        assert "Pillow is not importable" in (row.error or ""), row.error
    else:
        assert row.error is None, row.error


async def check_a_transient_step_failure_is_retried_by_the_engine(h: Any) -> None:
    env = entry_env(flaky_env(h.consumer_env, "BUCKET", "put", 2))
    result, attempts, row = await _run(h, env, "w-retry", "두 번 실패")
    assert js_json(result) == {"status": "succeeded"}
    assert attempts["put_object"] == 3 and attempts["commit"] == 1, attempts
    assert row is not None and row.status == "succeeded"


async def check_a_non_retryable_error_stops_at_once_and_fails_the_job(h: Any) -> None:
    result, attempts, row = await _run(
        h, entry_env(h.consumer_env), "w-poison", "서명 불일치", key=b"not the job secret"
    )
    assert attempts["put_object"] == 1 and "commit" not in attempts, attempts
    assert attempts["fail"] == 1 and attempts["notify"] == 1  # the failure is pushed too
    out = js_json(result)
    assert out["status"] == "failed" and "signature" in out["error"], out
    assert row is not None and row.status == "failed"
    assert "\n" not in (row.error or "") and "signature" in (row.error or "")


async def check_a_step_that_gives_up_leaves_one_readable_line(h: Any) -> None:
    # After its retries the engine rethrows the Python error as a JS error whose message is the
    # whole Pyodide traceback; the job keeps its last line.
    env = entry_env(flaky_env(h.consumer_env, "BUCKET", "put", 99))
    result, attempts, row = await _run(h, env, "w-gives-up", "계속 실패")
    assert attempts["put_object"] == 6 and attempts["fail"] == 1, attempts
    assert js_json(result)["status"] == "failed"
    assert row is not None and row.status == "failed"
    assert "\n" not in (row.error or "") and "injected BUCKET.put outage" in (row.error or "")
