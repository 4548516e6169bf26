// A thin, transparent layer between Pyodide and Miniflare's binding proxies: speed only.
//
// getPlatformProxy hands out proxy stubs (D1 statements, R2 objects…) on which every unknown
// property read is a SYNCHRONOUS round trip to workerd. Pyodide probes ~11 properties of every
// JS object that crosses into Python (then, next, get, set, has, includes, size, length, name,
// message, stack) to pick its Python type, so each `prepare()`/`bind()`/R2 object cost a dozen
// round trips that workerd itself never pays. The membrane answers those probes for names that
// no D1/R2/KV/Queue API object has ("absent"), and forwards everything else — every property
// read, call, argument and result — to the stub unchanged (results are wrapped the same way).
import { types } from "node:util";

// Probed by Pyodide, and not a member of any D1/R2/KV/Queue binding object we touch.
const ABSENT = new Set(["next", "set", "has", "includes", "length", "name", "message", "stack"]);
// Own-property probes (Object.hasOwn) Pyodide makes; answered "not own" (R2Object#size stays
// readable through get).
const NOT_OWN = new Set(["length", "size", "name", "message", "stack"]);

const stubOf = new WeakMap(); // membrane -> stub

function isPlain(value) {
  if (value === null || typeof value !== "object" || types.isProxy(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return Array.isArray(value) || proto === Object.prototype || proto === null;
}

/** Wrap Miniflare stubs in ``value`` (and inside plain objects/arrays) in membranes. */
export function wrap(value, depth = 0) {
  if (types.isProxy(value) && !stubOf.has(value)) return membrane(value);
  if (depth < 3 && isPlain(value)) {
    for (const key of Object.keys(value)) {
      // Accessors (the Images binding's `hosted` getter) are left as they are.
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor && descriptor.writable) value[key] = wrap(value[key], depth + 1);
    }
  }
  return value;
}

function unwrap(value) {
  if (stubOf.has(value)) return stubOf.get(value);
  if (Array.isArray(value) && value.some((v) => stubOf.has(v))) return value.map(unwrap);
  return value;
}

function wrapResult(result) {
  return result instanceof Promise ? result.then((v) => wrap(v)) : wrap(result);
}

function callThrough(fn, thisArg, args) {
  return wrapResult(Reflect.apply(fn, thisArg, args.map(unwrap)));
}

function membrane(stub) {
  const methods = new Map();
  // A local target: the proxy invariants are then checked against it, not against the stub
  // (which would cost a round trip per check).
  const target = typeof stub === "function" ? () => {} : {};
  const proxy = new Proxy(target, {
    get(_t, key) {
      if (typeof key === "symbol") return Reflect.get(stub, key);
      if (ABSENT.has(key)) return undefined;
      if (methods.has(key)) return methods.get(key);
      const value = Reflect.get(stub, key);
      if (typeof value === "function" && !types.isProxy(value)) {
        const method = (...args) => callThrough(value, stub, args);
        methods.set(key, method);
        return method;
      }
      return wrap(value);
    },
    has(_t, key) {
      if (typeof key !== "symbol" && ABSENT.has(key)) return false;
      return Reflect.has(stub, key);
    },
    getOwnPropertyDescriptor(_t, key) {
      if (typeof key !== "symbol" && NOT_OWN.has(key)) return undefined;
      const descriptor = Reflect.getOwnPropertyDescriptor(stub, key);
      return descriptor && { ...descriptor, configurable: true };
    },
    ownKeys() {
      return Reflect.ownKeys(stub);
    },
    getPrototypeOf() {
      return null;
    },
    apply(_t, thisArg, args) {
      return callThrough(stub, thisArg, args);
    },
  });
  stubOf.set(proxy, stub);
  return proxy;
}

/** A plain env object: vars copied, every binding stub wrapped. */
export function wrapEnv(env) {
  const out = {};
  for (const key of Object.keys(env)) out[key] = wrap(env[key]);
  return out;
}
