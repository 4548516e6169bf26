"""The admin's write use cases that are more than one accept: a save (its ``baseRev`` and
integrity checked), a delete of a test that exists, a restore (a save of an old version's
content), and the ticket that lets an editor follow a test's jobs live. Retries are in
``quizhub.pipeline.retry``; every job is accepted by ``quizhub.pipeline.accept``.
"""

from __future__ import annotations

from typing import Any

from quizhub.bindings import Bindings
from quizhub.domain.document import SaveRequest, check_integrity, parse_document
from quizhub.domain.preconditions import Precondition, save_precondition
from quizhub.errors import Code, NotFound
from quizhub.pipeline.accept import Accepted, accept_delete, accept_save
from quizhub.push.protocol import TICKET_TTL_SECONDS, live_path, make_ticket
from quizhub.store.tests import TestsRepo
from quizhub.store.versions import current_rev, load_version_content, saved_version

__all__ = ["save_test", "delete_test", "restore_version", "live_ticket"]


async def save_test(
    b: Bindings, test_id: str, request: SaveRequest, *, author: str | None = None
) -> Accepted:
    """Accept a save of ``request`` (validated by its model): its precondition from ``baseRev``
    or the echoed server fields, its content checked for integrity (422 naming the field)."""
    precondition = save_precondition(test_id, request.echoed())
    content = request.content()
    check_integrity(content)
    return await accept_save(b, test_id, content, precondition, author=author)


async def delete_test(
    b: Bindings, test_id: str, base_rev: str | None = None, *, author: str | None = None
) -> Accepted:
    """Accept an unpublish-and-delete of ``test_id``; NotFound when it does not exist. It is
    based on ``base_rev`` (the rev the editor saw; default the current one), so a save that
    commits before it makes the delete a conflict: a delete never silently removes a save it
    did not see (docs/merge.md#deletes)."""
    row = await TestsRepo(b.db).pointer(test_id)
    if row is None or row.deleted:
        message = f"test '{test_id}' does not exist"
        raise NotFound(message, code=Code.TEST_NOT_FOUND, params={"testId": test_id})
    precondition = Precondition(base_rev=base_rev or row.rev)
    return await accept_delete(b, test_id, precondition, author=author)


async def restore_version(
    b: Bindings, test_id: str, rev: str, base_rev: str | None = None, *, author: str | None = None
) -> Accepted:
    """Accept version ``rev``'s content as a new save. It is validated again as a save would be
    (rules may have tightened since it was saved). ``base_rev``: the rev the editor saw
    (default: the current one), so a restore never overwrites a save it did not see: a test
    that moved in between ends ``conflict``."""
    version = await saved_version(b.db, test_id, rev)
    expected = base_rev or await current_rev(b.db, test_id)
    content = parse_document(await load_version_content(b.bucket, version)).content()
    return await accept_save(b, test_id, content, Precondition(base_rev=expected), author=author)


def live_ticket(b: Bindings, test_id: str) -> dict[str, Any]:
    """``{ticket, url, expiresIn}``: a ticket for one live-status socket of ``test_id``, valid
    ``expiresIn`` seconds; the socket URL carries it instead of the admin token. NotFound where
    live status is not bound (the editor then polls)."""
    if b.live is None:
        message = "live status is not available here; poll the job instead"
        raise NotFound(message, code=Code.LIVE_STATUS_UNAVAILABLE)
    ticket = make_ticket(b.settings.signing_key, test_id, b.clock_ms())
    return {
        "ticket": ticket,
        "url": f"{live_path(test_id)}?ticket={ticket}",
        "expiresIn": TICKET_TTL_SECONDS,
    }
