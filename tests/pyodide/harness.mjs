// The Pyodide/Miniflare harness: quizhub's Cloudflare adapters, run for real, offline.
//
//   scripts/node.sh node tests/pyodide/harness.mjs [--only PREFIX[,PREFIX…]] [--break MODE]
//                                                  [--raw-proxies] [--keep]
//
// 1. applies migrations/ to a fresh local D1 with `wrangler d1 migrations apply --local`,
// 2. gets Miniflare's real D1/R2/KV/Queue bindings from getPlatformProxy (wrangler.toml, and
//    wrangler.consumer.toml over the same storage),
// 3. loads Pyodide 314 (npm `pyodide`, the runtime's Python 3.14), installs the wheels from
//    tests/pyodide/.wheels (`make pyodide-wheels`), mounts src/ and tests/,
// 4. runs tests/pyodide/runner.py: the port contract checks (tests/contract/checks_*.py) and the
//    Cloudflare-only checks against the `quizhub.cloudflare` adapters over those bindings.
// Prints `PASS|FAIL <check>` lines and, last, `N passed, N failed`; exits 1 if any check failed,
// 2 if the harness itself could not run. --break MODE deliberately breaks the adapters' JS
// conversion (see runner.py BREAKS) to prove the harness can fail. The bindings reach Python
// through membrane.mjs (a transparent speed-up); --raw-proxies hands over Miniflare's stubs as is.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { startBridge } from "./bridge.mjs";
import { wrapEnv } from "./membrane.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const MODULES = path.join(ROOT, "node_modules");

function fail(message) {
  console.error(`harness: ${message}`);
  process.exit(2);
}

const { values: opts } = parseArgs({
  options: {
    only: { type: "string", default: "" },
    break: { type: "string", default: process.env.QUIZHUB_HARNESS_BREAK ?? "" },
    wheels: { type: "string", default: path.join(ROOT, "tests/pyodide/.wheels") },
    keep: { type: "boolean", default: false },
    "raw-proxies": { type: "boolean", default: false },
  },
});
const only = opts.only.split(",").filter(Boolean);
const selected = (prefix) => only.length === 0 || only.some((p) => p.startsWith(prefix) || prefix.startsWith(p));
// The store checks need the migrated schema; the cloudflare group also the consumer config.
const wantsEntries = ["entry.", "adapter."].some(selected);
const wantsSchema = selected("store") || selected("cloudflare") || wantsEntries;
const wantsConsumer = selected("cloudflare") || wantsEntries;

if (!existsSync(path.join(MODULES, "pyodide")) || !existsSync(path.join(MODULES, "wrangler"))) {
  fail("node_modules is missing pyodide or wrangler: run `npm ci`");
}
if (!existsSync(opts.wheels) || !readdirSync(opts.wheels).some((f) => f.endsWith(".whl"))) {
  fail(`no wheels in ${opts.wheels}: run \`make pyodide-wheels\``);
}

// `wrangler d1 migrations apply` through the project's Node 22 wrapper; `--persist-to DIR` keeps
// its state in DIR/v3, which is where getPlatformProxy's `persist.path` must point.
function applyMigrations(persistTo) {
  const args = ["npx", "wrangler", "d1", "migrations", "apply", "DB", "--local",
    "-c", "wrangler.toml", "--persist-to", persistTo];
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, "scripts/node.sh"), args, {
      cwd: ROOT,
      env: { ...process.env, CI: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`wrangler d1 migrations apply exited ${code}:\n${out}`)));
  });
}

// Miniflare's getPlatformProxy (wrangler 4.164, offline) hands back an EMPTY env when the config
// has a [[hyperdrive]] binding (measured: not one binding left). So the proxies are built from a
// copy without it (its relative paths made absolute), and the harness binds HYPERDRIVE itself:
// a plain JS object shaped like the production binding (host, port, user, password, database,
// connectionString), read from the config's localConnectionString, i.e. what `wrangler dev`
// would connect to. The adapter.hyperdrive checks read it through quizhub.cloudflare.
const HYPERDRIVE_BLOCK = /\[\[hyperdrive\]\][^[]*/g;

function withoutHyperdrive(config, dir) {
  const text = readFileSync(path.join(ROOT, config), "utf8");
  const local = /localConnectionString\s*=\s*"([^"]+)"/.exec(text);
  const absolute = text
    .replace(HYPERDRIVE_BLOCK, "")
    .replace(/^(main|migrations_dir|directory)\s*=\s*"(?:\.\/)?([^"]+)"/gm,
      (_, key, rel) => `${key} = ${JSON.stringify(path.join(ROOT, rel))}`);
  const copy = path.join(dir, config);
  writeFileSync(copy, absolute);
  let binding = null;
  if (local) {
    const url = new URL(local[1]);
    binding = {
      host: url.hostname, port: Number(url.port || 5432), user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password), database: url.pathname.slice(1),
      connectionString: local[1],
    };
  }
  return { copy, binding };
}

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const tmp = mkdtempSync(path.join(tmpdir(), "quizhub-pyodide-"));
const proxies = [];
let bridge = null;
let summary = null;
try {
  // Wrangler (a child process) and Pyodide (this process) load in parallel.
  const migrations = wantsSchema ? applyMigrations(tmp) : Promise.resolve("");
  const { loadPyodide } = await import(path.join(MODULES, "pyodide/pyodide.mjs"));
  const py = await loadPyodide({ indexURL: path.join(MODULES, "pyodide") + "/" });
  console.log(`harness: pyodide ${py.version} loaded (${elapsed()})`);
  await migrations;
  if (wantsSchema) console.log(`harness: migrations applied (${elapsed()})`);

  const { getPlatformProxy } = await import(path.join(MODULES, "wrangler/wrangler-dist/cli.js"));
  const hyperdrive = {};
  const platform = (config) => {
    const { copy, binding } = withoutHyperdrive(config, tmp);
    hyperdrive[config] = binding;
    return getPlatformProxy({
      configPath: copy,
      persist: { path: path.join(tmp, "v3") },
      remoteBindings: false,
      // Not the developer's .dev.vars: the harness checks the committed config (a missing
      // env file makes wrangler load no secrets at all).
      envFiles: [path.join(tmp, "no-secrets.env")],
    }).then((proxy) => (proxies.push(proxy), proxy));
  };
  const api = await platform("wrangler.toml");
  const consumer = wantsConsumer ? await platform("wrangler.consumer.toml") : null;
  bridge = wantsEntries ? await startBridge(MODULES) : null;
  console.log(`harness: miniflare bindings ready (${elapsed()})`);

  py.mountNodeFS("/quizhub/src", path.join(ROOT, "src"));
  py.mountNodeFS("/quizhub/tests", path.join(ROOT, "tests"));
  py.mountNodeFS("/quizhub/wheels", opts.wheels);
  // Miniflare cannot run the Python LiveStatus Durable Object ("no such actor class"): its
  // binding is hidden, as if unbound; the entry.push checks bind a stand-in shaped like it.
  const withoutLiveStatus = (env, hd) =>
    new Proxy(env, {
      get: (t, p) => (p === "LIVE_STATUS" ? undefined : p === "HYPERDRIVE" ? hd ?? undefined : t[p]),
    });
  const expose = (env, config) =>
    withoutLiveStatus(opts["raw-proxies"] ? env : wrapEnv(env), hyperdrive[config]);
  py.registerJsModule("_harness", {
    env: expose(api.env, "wrangler.toml"),
    consumer_env: consumer ? expose(consumer.env, "wrangler.consumer.toml") : null,
    only: only.join(","),
    break_mode: opts.break,
    bridge: bridge ? bridge.api : null,
    // Where node_modules is (the adapter.images checks make photos with Miniflare's sharp).
    root: ROOT,
  });
  const sys = py.pyimport("sys");
  sys.path.insert(0, "/quizhub");
  sys.path.insert(0, "/quizhub/src");
  sys.dont_write_bytecode = true;
  sys.destroy();
  const result = await py.runPythonAsync(
    "from tests.pyodide import runner\nawait runner.main()");
  summary = result.toJs();
  result.destroy();
} catch (error) {
  console.error(`harness: ${error?.stack ?? error}`);
  process.exitCode = 2;
} finally {
  if (bridge) await bridge.dispose().catch(() => {});
  for (const proxy of proxies.reverse()) await proxy.dispose().catch(() => {});
  if (opts.keep) console.log(`harness: state kept in ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
if (summary) {
  const [passed, failed] = summary;
  console.log(`harness: done in ${elapsed()}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
}
// Miniflare/undici may keep handles open for a while after dispose(): do not wait for them.
process.exit(process.exitCode ?? 0);
