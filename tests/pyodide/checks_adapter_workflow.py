"""``adapter.workflow``: ``WorkflowAdapter`` over a JS stand-in shaped like the runtime's
Workflow binding (Miniflare runs no Python Workflows): ids and params cross as JS objects, the
runtime's errors for taken and unknown ids become the port's typed errors."""

from __future__ import annotations

from typing import Any

from tests.pyodide._entries import js, js_json

_BINDING = """(() => {
  const instances = new Map();
  const calls = [];
  const instance = (id) => ({ id, async status() { return { status: "queued", output: null,
    error: null }; } });
  return { calls, binding: {
    async create(options) {
      calls.push(JSON.parse(JSON.stringify(options)));
      if (instances.has(options.id)) throw new Error("instance.already_exists");
      instances.set(options.id, options.params);
      return instance(options.id);
    },
    async get(id) {
      if (!instances.has(id)) throw new Error("instance.not_found");
      return instance(id);
    },
  } };
})()"""


async def check_create_get_status_and_typed_errors(h: Any) -> None:
    from quizhub.cloudflare.workflow import WorkflowAdapter
    from quizhub.errors import WorkflowAlreadyExists, WorkflowNotFound

    fixture = js(_BINDING)
    adapter = WorkflowAdapter(fixture.binding)
    params = {"jobId": "job-1", "body": {"title": "가", "tags": [], "thumbnail": None}}
    created = await adapter.create(id="job-1", params=params)
    assert created.id == "job-1"
    assert js_json(fixture.calls) == [{"id": "job-1", "params": params}]
    status = await (await adapter.get("job-1")).status()
    assert status == {"status": "queued", "output": None, "error": None}
    try:
        await adapter.create(id="job-1", params=params)
    except WorkflowAlreadyExists:
        pass
    else:
        raise AssertionError("a taken id must raise WorkflowAlreadyExists")
    try:
        await adapter.get("nope")
    except WorkflowNotFound:
        pass
    else:
        raise AssertionError("an unknown id must raise WorkflowNotFound")
