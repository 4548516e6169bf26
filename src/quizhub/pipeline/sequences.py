"""Every job, written once: its steps, their names and their order. Queue, workflow and sync
mode all run these sequences (``quizhub.pipeline.orchestration`` says how a step runs).

- save / delete: begin → put_object (saves only) → commit → invalidate → index (a message to the
  index queue: ``quizhub.search.indexing``) → cards (saves only: ``quizhub.pipeline.cards``) →
  finish;
- process-image: begin → decode → one step per variant → record → purge → finish;
- reindex-search and reprocess-images (the consumer runs them in every mode): begin → the work
  → finish.

Step names are a live contract: a Workflow instance replays by name, so a name, once deployed,
keeps its meaning (add new names; never reuse one). A job already committed (a redelivery after
the commit) goes straight to what is left.
"""

from __future__ import annotations

from quizhub.bindings import Bindings
from quizhub.domain.images import VARIANT_WIDTHS, ImageFormat, Variant
from quizhub.domain.jobs import TERMINAL, JobError, JobStatus
from quizhub.errors import Code
from quizhub.pipeline import images, steps
from quizhub.pipeline.cards import cards_warning, render_cards
from quizhub.pipeline.messages import JobMessage
from quizhub.pipeline.orchestration import JobBook, Once, StepResult, Steps
from quizhub.push.notify import Notices
from quizhub.search.indexing import request_index
from quizhub.search.reindex import reindex_all
from quizhub.store.images import ImageFacts
from quizhub.store.purges import PurgeDebtRepo

__all__ = [
    "SAVE_STEPS",
    "IMAGE_STEPS",
    "MAX_IMAGE_STEPS",
    "BEGIN",
    "FINISH",
    "run_sequence",
    "variant_step_name",
]

SAVE_STEPS = ("begin", "put_object", "commit", "invalidate", "index", "cards", "finish")
BEGIN, PUT_OBJECT, COMMIT, INVALIDATE, INDEX, CARDS, FINISH = SAVE_STEPS
# The image job's fixed steps; one step per variant runs between decode and record.
IMAGE_STEPS = (BEGIN, "decode", "record", "purge", FINISH)
_DECODE, _RECORD, _PURGE = IMAGE_STEPS[1:4]
# The most steps an image job runs: WebP and the original's format at each width.
MAX_IMAGE_STEPS = len(IMAGE_STEPS) + 2 * len(VARIANT_WIDTHS)
_REINDEX, _REPROCESS = "reindex", "reprocess"
# Commit outcomes after which the save goes on to invalidate (else the job has ended).
_APPLIED = ("committed", "already-committed")


def variant_step_name(ext: str, width: int) -> str:
    """The step that makes one variant (an identifier, as Workflow step names are)."""
    return f"variant_{ext}_{width}"


async def run_sequence(run: Steps, b: Bindings, msg: JobMessage, notices: Notices) -> JobStatus:
    """Run ``msg``'s job through its sequence with ``run``; its status at the end."""
    book = JobBook(b, msg, notices)

    async def begin() -> StepResult:
        row = await book.begin()
        return {"status": row.status, "committed": row.committed}

    started = await run.do(BEGIN, begin)
    status: JobStatus = started["status"]
    if status in TERMINAL:
        return status  # a repeat delivery of a finished job changes nothing
    committed = bool(started.get("committed", False))  # absent in results of older versions
    kind = msg.job().kind
    if kind == "reindex":
        return await _reindex(run, book, b)
    if kind == "image" and msg.image_key is None:
        return await _reprocess(run, book, b, msg)
    if kind == "image":
        return await _image(run, book, b, msg, committed)
    return await _save(run, book, b, msg, committed)


async def _finish(run: Steps, book: JobBook, warning: JobError | None = None) -> JobStatus:
    async def finish() -> StepResult:
        await book.succeed(warning)
        await steps.release_claim_check(book.b.bucket, book.msg, "succeeded")
        return {"status": "succeeded"}

    return (await run.do(FINISH, finish))["status"]  # type: ignore[no-any-return]


async def _save(
    run: Steps, book: JobBook, b: Bindings, msg: JobMessage, committed: bool
) -> JobStatus:
    job = msg.job()
    if not committed:
        doc = Once(lambda: steps.load_document(b.bucket, b.settings.signing_key, msg))
        key: str | None = None
        if job.kind == "save":

            async def put_object() -> StepResult:
                content = await doc.get()
                await book.step("put-r2")
                return {"key": await steps.put_document(b.bucket, job, content)}

            key = (await run.do(PUT_OBJECT, put_object))["key"]

        async def commit() -> StepResult:
            content = await doc.get() if job.kind == "save" else None
            outcome = await steps.commit(b.db, b.bucket, job, content, key, book.now())
            book.committed(outcome)
            await steps.release_claim_check(b.bucket, msg, outcome.job.status)
            return {"outcome": outcome.status, "status": outcome.job.status}

        decided = await run.do(COMMIT, commit)
        if decided["outcome"] not in _APPLIED:
            return decided["status"]  # type: ignore[no-any-return]

    async def invalidate() -> StepResult:
        origin, debts = b.settings.public_origin, PurgeDebtRepo(b.db)
        await steps.invalidate(b.kv, b.purger, debts, origin, job, book.now())
        return {"liveAt": await book.live(INVALIDATE)}

    await run.do(INVALIDATE, invalidate)

    async def index() -> StepResult:
        await request_index(b, job.test_id)  # the index queue's consumer does the work
        return {"indexed": True}

    warning = None
    try:
        await run.do(INDEX, index)
    except Exception as exc:  # noqa: BLE001 - the save is live; the next save or a reindex repairs
        warning = steps.index_warning(exc)
    if job.kind == "save":

        async def cards() -> StepResult:
            return (await render_cards(b.db, b.bucket, b.cpu, job.test_id, job.rev)).to_json()

        try:
            await run.do(CARDS, cards)
        except Exception as exc:  # noqa: BLE001 - the save is live; pages fall back without cards
            warning = cards_warning(exc, also=warning)
    return await _finish(run, book, warning)


async def _image(
    run: Steps, book: JobBook, b: Bindings, msg: JobMessage, committed: bool
) -> JobStatus:
    """The original is looked up once per run (its ``R2Source``, body unread) and handed to the
    Images binding by the steps that need it, which reads it afresh per call: step results
    stay small (the variants' keys and sizes, never image bytes). Variant step names come from
    the decode result, so a replay names the same steps."""
    work = images.work_of(msg.job_id, msg.image_key, msg.source)

    def ports() -> images.ImagePorts:
        """Read inside the steps: where the Images binding is unbound, the step fails
        (Permanent) and so does the job, with that reason, in every mode."""
        return images.ImagePorts.of(b)

    original = Once(lambda: images.load_original(b.bucket, work))
    if not committed:

        async def decode() -> StepResult:
            await book.step(_DECODE)
            facts = await images.decode(ports().images, work, await original.get())
            await book.step("variants")
            return dict(facts.to_json())

        facts = ImageFacts.from_json(await run.do(_DECODE, decode))
        made: list[Variant] = []
        for fmt, width in images.variant_plan(facts):

            async def variant(fmt: ImageFormat = fmt, width: int = width) -> StepResult:
                source = await original.get()
                done = await images.make_variant(ports(), work, source, fmt, width, made)
                return {"variant": None if done is None else images.variant_to_step(done)}

            result = await run.do(variant_step_name(fmt.ext, width), variant)
            if result["variant"] is not None:
                made.append(images.variant_from_step(result["variant"]))

        async def record() -> StepResult:
            await images.record(b.db, work, facts, made, book.now())
            return {"recorded": len(made)}

        await run.do(_RECORD, record)

    async def purge() -> StepResult:
        await images.purge(b.purger, b.settings.public_origin, work)
        return {"liveAt": await book.live(_PURGE)}

    await run.do(_PURGE, purge)

    async def finish() -> StepResult:
        await images.release_original(b.bucket, work)
        await book.succeed()
        return {"status": "succeeded"}

    return (await run.do(FINISH, finish))["status"]  # type: ignore[no-any-return]


async def _reindex(run: Steps, book: JobBook, b: Bindings) -> JobStatus:
    async def reindex() -> StepResult:
        done = await reindex_all(b)  # idempotent: a repeat rebuilds the same indexes
        if done.keyword or done.removed:
            return {"warning": None}
        return {"warning": JobError(Code.NOTHING_TO_INDEX, "nothing to index").to_json()}

    warning = JobError.from_json((await run.do(_REINDEX, reindex))["warning"])
    return await _finish(run, book, warning)


async def _reprocess(run: Steps, book: JobBook, b: Bindings, msg: JobMessage) -> JobStatus:
    async def reprocess() -> StepResult:
        warning = await images.reprocess_stored(images.ImagePorts.of(b), msg.job_id)
        return {"warning": None if warning is None else warning.to_json()}

    warning = JobError.from_json((await run.do(_REPROCESS, reprocess))["warning"])
    return await _finish(run, book, warning)
