// The parts of Cloudflare that getPlatformProxy does not run, built from real Miniflare offline:
//
// - real queues (`quizhub-save`, and `quizhub-images` with one message per batch, as
//   wrangler.consumer.toml has them) whose consumer is a small JS Worker: each batch goes to
//   Node through a service binding, Node hands it to the Python consumer entry running in
//   Pyodide as a runtime-shaped batch, and the JS Worker applies the ack/retry decisions Python
//   made, so delivery, attempts and retry delays are Miniflare's own;
// - the Cache API (`caches.default`) of a Miniflare Worker;
// - a local HTTP echo server for the fetch client (the zone purge's transport).
import { createServer } from "node:http";
import path from "node:path";

const CONSUMER_SCRIPT = `
export default {
  async queue(batch, env) {
    const messages = batch.messages.map((m) => ({
      id: m.id, body: m.body, attempts: m.attempts, timestamp: m.timestamp.getTime() }));
    const res = await env.NODE.fetch("http://node/batch", {
      method: "POST", body: JSON.stringify({ queue: batch.queue, messages }) });
    const decisions = await res.json();
    for (const m of batch.messages) {
      const d = decisions[m.id];
      if (d.op === "retry") m.retry(d.delaySeconds ? { delaySeconds: d.delaySeconds } : undefined);
      else m.ack();
    }
  },
};`;

/** A batch shaped like the runtime's MessageBatch; records the first ack/retry per message. */
function runtimeBatch(queue, messages) {
  const own = new Map();
  let all = null;
  const first = (map, key, value) => { if (!map.has(key)) map.set(key, value); };
  const batch = {
    queue,
    messages: messages.map((m) => ({
      id: m.id, body: m.body, attempts: m.attempts, timestamp: new Date(m.timestamp),
      ack() { first(own, m.id, { op: "ack" }); },
      retry(o) { first(own, m.id, { op: "retry", delaySeconds: o?.delaySeconds ?? null }); },
    })),
    ackAll() { all ??= { op: "ack" }; },
    retryAll(o) { all ??= { op: "retry", delaySeconds: o?.delaySeconds ?? null }; },
  };
  // Cloudflare's rules: an explicit call on a message wins, then the batch-level one; a handler
  // that returns acks the rest, one that throws retries them.
  const decide = (threw) => Object.fromEntries(messages.map((m) => [m.id,
    own.get(m.id) ?? all ?? (threw ? { op: "retry", delaySeconds: null } : { op: "ack" })]));
  return { batch, decide };
}

export async function startBridge(modules) {
  const { Miniflare, convertV4MiniflareOptions } = await import(
    path.join(modules, "miniflare/dist/src/index.js"));
  let handler = null;
  const deliveries = [];
  const waiters = [];
  const settle = () => {
    for (const w of waiters.splice(0)) {
      if (deliveries.length >= w.n) w.resolve(deliveries.length); else waiters.push(w);
    }
  };
  const onBatch = async (request) => {
    const { queue, messages } = await request.json();
    const { batch, decide } = runtimeBatch(queue, messages);
    let threw = false;
    try {
      if (!handler) throw new Error("no Python queue handler registered");
      await handler(batch);
    } catch (error) {
      threw = true;
      console.log(`bridge: the queue handler threw: ${error?.message ?? error}`);
    }
    const decisions = decide(threw);
    for (const m of messages) {
      deliveries.push({ id: m.id, queue, batch: messages.length, attempts: m.attempts,
                        ...decisions[m.id] });
    }
    settle();
    return new Response(JSON.stringify(decisions));
  };
  const mf = new Miniflare(convertV4MiniflareOptions({
    workers: [{
      name: "consumer", modules: true, script: CONSUMER_SCRIPT, compatibilityDate: "2026-09-08",
      queueProducers: { SAVE_QUEUE: "quizhub-save", IMAGE_QUEUE: "quizhub-images" },
      queueConsumers: {
        "quizhub-save": { maxBatchSize: 10, maxBatchTimeout: 0, maxRetries: 3 },
        "quizhub-images": { maxBatchSize: 1, maxBatchTimeout: 0, maxRetries: 3 },
      },
      serviceBindings: { NODE: onBatch },
    }],
  }));
  await mf.ready;
  const producer = await mf.getQueueProducer("SAVE_QUEUE", "consumer");
  const imageProducer = await mf.getQueueProducer("IMAGE_QUEUE", "consumer");
  const caches = await mf.getCaches();
  const echo = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      res.writeHead(Number(req.headers["x-answer-status"] ?? 200), { "content-type": "application/json" });
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
    });
  });
  await new Promise((resolve) => echo.listen(0, "127.0.0.1", resolve));
  return {
    api: {
      queue_producer: producer,
      image_queue_producer: imageProducer,
      caches_default: caches.default,
      echo_url: `http://127.0.0.1:${echo.address().port}`,
      set_queue_handler: (fn) => { handler = fn; },
      // Resolves with the number of deliveries once at least n happened (or after ms).
      wait_deliveries: (n, ms) => new Promise((resolve) => {
        waiters.push({ n, resolve });
        settle();
        setTimeout(() => resolve(deliveries.length), ms);
      }),
      deliveries_json: () => JSON.stringify(deliveries),
    },
    async dispose() {
      echo.close();
      await mf.dispose();
    },
  };
}
