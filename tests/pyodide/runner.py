"""The Python half of the harness: runs inside Pyodide, started by harness.mjs.

Installs the downloaded wheels, stubs the two runtime-internal modules the ``workers`` SDK
imports (they exist only inside workerd), builds the ``quizhub.cloudflare`` adapters over the
Miniflare bindings handed over as the JS module ``_harness``, and runs every check listed in
catalog.py on fresh state: one ``PASS|FAIL <check id>`` line each. Returns (passed, failed).
"""

from __future__ import annotations

import asyncio
import importlib
import site
import sys
import time
import traceback
import types
import zipfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

WHEELS = Path("/quizhub/wheels")
CHECK_TIMEOUT_SECONDS = 30

# Groups run in these lanes concurrently (each lane in order): every call to a Miniflare
# binding is a round trip through getPlatformProxy, so lanes overlap the waiting. Lanes never
# share state: contract:d1 uses its own c_* tables, store the project tables, and the R2/KV
# groups (which empty the bucket/namespace before each check) share a lane with the
# cloudflare checks that also write there.
LANES = [
    ["contract:d1", "contract:queue_producer"],
    ["store", "store:jobs", "store:list", "store:purges"],
    ["contract:r2", "contract:kv", "cloudflare"],
]
# Then, one after the other: the Worker entries write the project tables, R2 and KV through the
# real pipeline, and the adapters of the bindings getPlatformProxy lacks (bridge.mjs).
AFTER_LANES = [
    "entry.guard",
    "entry.consumer",
    "entry.workflow",
    "entry.push",
    "adapter.cache",
    "adapter.workflow",
    "adapter.fetch",
    "adapter.vectorize",
    "adapter.ratelimit",
    "adapter.access",
    "adapter.hyperdrive",
    "adapter.images",
]

# Where Miniflare is looser than Cloudflare (and the local platform, which follows Cloudflare's
# documented limits, is right): reported as XFAIL with the reason; a pass here is a failure
# (XPASS), so the list cannot go stale.
KNOWN_MINIFLARE_GAPS = {
    "contract:queue_producer:check_send_refuses_a_message_over_128_kb": (
        "Miniflare (wrangler 4.164.0 getPlatformProxy) accepts queue messages over 128 KB; "
        "Cloudflare Queues refuses them"
    ),
    "contract:queue_producer:check_send_batch_refuses_more_than_100_messages": (
        "Miniflare (wrangler 4.164.0 getPlatformProxy) accepts sendBatch with more than 100 "
        "messages; Cloudflare Queues refuses them"
    ),
}


def install_wheels() -> list[str]:
    """Unpack every wheel in WHEELS into site-packages (pure-Python wheels: a wheel is a zip)."""
    target = site.getsitepackages()[0]
    names = []
    for wheel in sorted(WHEELS.glob("*.whl")):
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target)
        names.append(wheel.name)
    importlib.invalidate_caches()
    if not any(n.startswith("workers_runtime_sdk-") for n in names):
        raise RuntimeError(f"no workers_runtime_sdk wheel in {WHEELS}: run `make pyodide-wheels`")
    return names


async def _import_sdk_js(name: str) -> Any:
    """workerd imports the SDK's JS helpers (``python_modules/workers/*.js``) as ES modules; here
    the same file from the installed wheel is imported into Node as a data: URL."""
    import base64

    import workers
    from pyodide.code import run_js

    source = Path(workers.__file__).parent / Path(name).name
    encoded = base64.b64encode(source.read_bytes()).decode("ascii")
    return await run_js(f"import('data:text/javascript;base64,{encoded}')")


def stub_runtime_modules() -> None:
    """The SDK's two workerd-internal imports (workers/entrypoints.py, workers/utils.py)."""
    flags = types.ModuleType("_cloudflare_compat_flags")
    # Implied by compatibility_date 2026-09-08 (wrangler.toml); changes step.do's signature.
    flags.python_workflows_implicit_dependencies = True  # type: ignore[attr-defined]
    helper = types.ModuleType("_pyodide_entrypoint_helper")
    helper.patchWaitUntil = lambda ctx: None  # type: ignore[attr-defined]
    helper.doAnImport = _import_sdk_js  # type: ignore[attr-defined]
    sys.modules.setdefault("_cloudflare_compat_flags", flags)
    sys.modules.setdefault("_pyodide_entrypoint_helper", helper)


# ---------------------------------------------------------------- deliberate breakage
def _break_nulls() -> None:
    """Skip the None -> JS null conversion (None crosses as ``undefined``, tuples stay)."""
    from quizhub.cloudflare import _ffi

    _ffi._nulls = lambda value: value  # type: ignore[assignment]


def _break_dicts() -> None:
    """Convert dicts to JS ``Map`` instead of plain objects (bindings ignore Map options)."""
    import js
    import pyodide.ffi

    original = pyodide.ffi.to_js

    def to_js(value: Any, *args: Any, dict_converter: Any = None, **kwargs: Any) -> Any:
        return original(value, *args, dict_converter=js.Map.new, **kwargs)

    pyodide.ffi.to_js = to_js  # type: ignore[assignment]


BREAKS: dict[str, Callable[[], None]] = {"nulls": _break_nulls, "dicts": _break_dicts}


# ---------------------------------------------------------------- fresh state
async def _clear_bucket(raw_bucket: Any) -> None:
    from quizhub.cloudflare._ffi import to_js

    while True:
        listed = await raw_bucket.list(to_js({"limit": 1000}))
        keys = [str(o.key) for o in listed.objects]
        if keys:
            await raw_bucket.delete(to_js(keys))
        if not listed.truncated:
            return


async def _clear_kv(raw_kv: Any) -> None:
    while True:
        listed = await raw_kv.list()
        for key in listed.keys:
            await raw_kv.delete(key.name)
        if listed.list_complete:
            return


def _runners(h: Any) -> dict[str, Callable[[Any], Awaitable[None]]]:
    """group -> how one of its checks is called (and its state made fresh)."""

    async def r2(check: Any) -> None:
        await _clear_bucket(h.env.BUCKET)
        await check(h.bindings.bucket)

    async def kv(check: Any) -> None:
        await _clear_kv(h.env.KV)
        await check(h.bindings.kv)

    return {
        "contract:d1": lambda check: check(h.bindings.db),  # checks (re)create their tables
        "contract:r2": r2,
        "contract:kv": kv,
        "contract:queue_producer": lambda check: check(h.bindings.queue),
        "store": lambda check: check(h.bindings.db),  # checks empty the project tables
        "store:jobs": lambda check: check(h.bindings.db),
        "store:list": lambda check: check(h.bindings.db),
        "store:purges": lambda check: check(h.bindings.db),
        "cloudflare": lambda check: check(h),
        **{group: (lambda check: check(h)) for group in AFTER_LANES},
    }


def _report_failure(check_id: str, exc: BaseException) -> None:
    message = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    print(f"FAIL {check_id}: {type(exc).__name__}: {message}".rstrip(": "))
    lines = "".join(traceback.format_exception(exc)).rstrip().splitlines()
    for line in lines[-12:]:
        print(f"    | {line}")


async def _run_one(check_id: str, call: Callable[[], Awaitable[None]]) -> bool:
    """Run one check and print its line; True when it went as expected."""
    started = time.perf_counter()
    gap = KNOWN_MINIFLARE_GAPS.get(check_id)
    try:
        await asyncio.wait_for(call(), CHECK_TIMEOUT_SECONDS)
    except Exception as exc:
        if gap is None:
            _report_failure(check_id, exc)
            return False
        print(f"XFAIL {check_id}: {gap}")
        return True
    if gap is not None:
        print(f"FAIL {check_id}: XPASS: passes now, remove it from KNOWN_MINIFLARE_GAPS")
        return False
    print(f"PASS {check_id} ({(time.perf_counter() - started) * 1000:.0f} ms)")
    return True


async def main() -> list[int]:
    """Run the selected checks; returns [passed, failed]."""
    import _harness  # type: ignore[import-not-found]  # registered by harness.mjs

    from quizhub.cloudflare._ffi import is_null

    only = [p for p in str(_harness.only).split(",") if p]
    print(f"harness: installed {', '.join(install_wheels())}")
    stub_runtime_modules()

    from quizhub.cloudflare.env import bindings_from_env
    from tests.pyodide import catalog
    from tests.pyodide.checks_cloudflare import Harness, sdk_env

    consumer_env = None if is_null(_harness.consumer_env) else _harness.consumer_env
    bridge = None if is_null(_harness.bridge) else _harness.bridge
    h = Harness(env=_harness.env, consumer_env=consumer_env, bindings=None, bridge=bridge)
    # The production path: workerd hands the Worker an SDK-wrapped env.
    h.bindings = bindings_from_env(sdk_env(h.env))
    mode = str(_harness.break_mode)
    if mode:
        if mode not in BREAKS:
            raise RuntimeError(f"unknown --break {mode!r}; one of {sorted(BREAKS)}")
        BREAKS[mode]()
        print(f"harness: adapters deliberately broken: {mode} ({BREAKS[mode].__doc__})")

    planned = [g for lane in LANES for g in lane] + AFTER_LANES
    assert sorted(planned) == sorted(catalog.GROUPS), planned
    runners = _runners(h)
    counts = {"passed": 0, "failed": 0, "xfailed": 0}
    by_group: dict[str, list[int]] = {}

    async def lane(groups: list[str]) -> None:
        for group in groups:
            if only and not any(p.startswith(group) or group.startswith(p) for p in only):
                continue
            try:
                checks = catalog.checks_of(group)
            except Exception as exc:  # an unimportable check module fails loudly
                _report_failure(f"{group}:<import>", exc)
                counts["failed"] += 1
                continue
            for check_id, check in checks:
                if only and not any(check_id.startswith(p) for p in only):
                    continue
                ok = await _run_one(check_id, lambda c=check, g=group: runners[g](c))
                tally = by_group.setdefault(group, [0, 0])
                tally[0 if ok else 1] += 1
                if not ok:
                    counts["failed"] += 1
                elif check_id in KNOWN_MINIFLARE_GAPS:
                    counts["xfailed"] += 1
                else:
                    counts["passed"] += 1

    await asyncio.gather(*(lane(groups) for groups in LANES))
    await lane(AFTER_LANES)
    for group in planned:
        if group in by_group:
            passed, failed = by_group[group]
            print(f"group {group}: {passed} passed, {failed} failed")
    if counts["xfailed"]:
        print(f"harness: {counts['xfailed']} known Miniflare gap(s) reported as XFAIL")
    return [counts["passed"], counts["failed"]]
