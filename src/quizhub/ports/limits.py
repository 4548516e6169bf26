"""Cloudflare's limits per plan, written once: what one invocation of a Worker may do.

The numbers are Cloudflare's documented platform limits (Workers and Workflows, 2026). quizhub
needs the Paid plan (docs/deploy.md#which-plan): one consumer invocation runs a batch of jobs of
tens of binding calls each (every D1, R2, KV, Queues, Durable Object, Vectorize, Workers AI and
Images call and every fetch is a subrequest), far past Free's 50, and pydantic validation alone
takes more than Free's 10 ms of CPU. ``tests/pipeline/test_plan_limits.py`` derives the worst
case per invocation from the consumers' batch settings and the binding calls each message
makes on the local platform, and keeps it under ``PAID``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Plan", "FREE", "PAID", "REQUIRED_PLAN"]


@dataclass(frozen=True)
class Plan:
    """Per-invocation limits of a Workers plan."""

    name: str
    subrequests: int  # binding calls and fetches per invocation
    cpu_ms: int  # CPU time per invocation (Paid: the default; configurable up to 5 min)
    memory_mib: int  # per isolate
    worker_size_mib: int  # the uploaded bundle
    startup_ms: int  # the top-level import (the deploy snapshot runs it)


FREE = Plan("Free", subrequests=50, cpu_ms=10, memory_mib=128, worker_size_mib=64, startup_ms=1000)
PAID = Plan(
    "Paid", subrequests=10_000, cpu_ms=30_000, memory_mib=128, worker_size_mib=64, startup_ms=1000
)
REQUIRED_PLAN = PAID
