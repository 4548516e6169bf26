"""``adapter.vectorize``: ``VectorizeAdapter`` and ``WorkersAI`` over JS stand-ins shaped like
the runtime's bindings (Miniflare has neither: both are remote-only). They check that option
dicts cross as plain JS objects (not Maps), vectors as number arrays, and answers come back as
plain Python values."""

from __future__ import annotations

from typing import Any

from tests.pyodide._entries import js, js_json

_VECTORIZE = """(() => {
  const calls = [];
  const plain = (o) => o !== null && typeof o === "object" && !(o instanceof Map)
    && Object.getPrototypeOf(o) === Object.prototype;
  const stored = new Map();
  const score = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
  const answer = (vector, options) => {
    if (!plain(options)) throw new TypeError("options must be a plain object");
    const matches = [...stored.values()]
      .filter((v) => !options.filter || v.metadata.status === options.filter.status.$eq)
      .map((v) => ({ id: v.id, score: score(vector, v.values),
        ...(options.returnMetadata && options.returnMetadata !== "none"
          ? { metadata: v.metadata } : {}) }))
      .sort((a, b) => b.score - a.score).slice(0, options.topK);
    return { count: matches.length, matches };
  };
  return { calls, binding: {
    async upsert(vectors) {
      calls.push(["upsert", Array.isArray(vectors) && vectors.every(plain)]);
      for (const v of vectors) {
        stored.set(v.id, { id: v.id, values: Array.from(v.values), metadata: v.metadata });
      }
      return { mutationId: "m1" };
    },
    async query(vector, options) {
      calls.push(["query", Array.isArray(vector), options]);
      return answer(vector, options);
    },
    async queryById(id, options) {
      calls.push(["queryById", id, options]);
      return answer(stored.get(id).values, options);
    },
    async getByIds(ids) { return ids.filter((i) => stored.has(i)).map((i) => stored.get(i)); },
    async deleteByIds(ids) { ids.forEach((i) => stored.delete(i)); return { mutationId: "m2" }; },
  } };
})()"""

_AI = """(() => {
  const calls = [];
  return { calls, binding: { async run(model, inputs) {
    calls.push([model, inputs]);
    return { shape: [inputs.text.length, 3], data: inputs.text.map((t, i) => [i + 1, 0, 0.5]) };
  } } };
})()"""


async def check_vectorize_upsert_query_and_delete(h: Any) -> None:
    from quizhub.cloudflare.vectorize import VectorizeAdapter

    fixture = js(_VECTORIZE)
    index = VectorizeAdapter(fixture.binding)
    meta = {"status": "published", "title": "여행"}
    await index.upsert(
        [
            {"id": "a", "values": [1.0, 0.0], "metadata": meta},
            {"id": "b", "values": [0.6, 0.8], "metadata": {"status": "draft", "title": "초안"}},
        ]
    )
    found = await index.query([1.0, 0.0], top_k=5, filter={"status": {"$eq": "published"}})
    assert found == {"count": 1, "matches": [{"id": "a", "score": 1.0}]}, found
    with_meta = await index.query([0.6, 0.8], top_k=1, return_metadata="all")
    assert with_meta["matches"] == [
        {"id": "b", "score": 1.0, "metadata": {"status": "draft", "title": "초안"}}
    ]
    near = await index.query_by_id("a", top_k=2)
    assert [m["id"] for m in near["matches"]] == ["a", "b"]
    assert [v["id"] for v in await index.get_by_ids(["b", "zz"])] == ["b"]
    await index.delete_by_ids(["a"])
    assert await index.get_by_ids(["a"]) == []
    calls = js_json(fixture.calls)
    assert calls[0] == ["upsert", True]
    assert calls[1] == [
        "query",
        True,
        {"topK": 5, "returnMetadata": "none", "filter": {"status": {"$eq": "published"}}},
    ]


async def check_workers_ai_sends_text_only_and_returns_vectors(h: Any) -> None:
    from quizhub.cloudflare.vectorize import WorkersAI
    from quizhub.search.vectors import EMBEDDING_MODEL

    fixture = js(_AI)
    answer = await WorkersAI(fixture.binding).run(
        EMBEDDING_MODEL, {"text": ["카페인 중독", "여행"], "kind": "query"}
    )
    assert answer == {"shape": [2, 3], "data": [[1, 0, 0.5], [2, 0, 0.5]]}
    assert js_json(fixture.calls) == [[EMBEDDING_MODEL, {"text": ["카페인 중독", "여행"]}]]
