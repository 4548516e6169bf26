"""Revisions are monotonic and time-sortable; job ids authenticate themselves."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from quizhub.domain.jobs import make_job_id, rev_from_job_id
from quizhub.domain.revisions import RevGenerator, is_rev, rev_time_ms


@given(st.lists(st.integers(min_value=0, max_value=2**47), min_size=1, max_size=50))
def test_revs_strictly_increase_even_if_the_clock_steps_back(times: list[int]) -> None:
    """Whatever the clock does, each new rev sorts after the previous one."""
    gen = RevGenerator()
    revs = [gen.new(t) for t in times]
    assert revs == sorted(revs) and len(set(revs)) == len(revs)
    assert all(is_rev(r) for r in revs)


def test_rev_encodes_its_accept_time() -> None:
    """The first 48 bits are the accept time in milliseconds."""
    assert rev_time_ms(RevGenerator().new(1_795_000_123_456)) == 1_795_000_123_456


def test_revs_from_later_times_sort_later_across_generators() -> None:
    """Two isolates' revs order by time (ms resolution)."""
    assert RevGenerator().new(1000) < RevGenerator().new(1001)


def test_job_id_verifies_only_under_its_key() -> None:
    """A job id returns its rev under the right key and nothing when forged or mistyped."""
    rev = RevGenerator().new(1_795_000_000_000)
    job_id = make_job_id(rev, b"secret")
    assert rev_from_job_id(job_id, b"secret") == rev
    assert rev_from_job_id(job_id, b"other") is None
    assert rev_from_job_id(job_id[:-1] + ("0" if job_id[-1] != "0" else "1"), b"secret") is None
    assert rev_from_job_id("garbage", b"secret") is None
    assert len(job_id) <= 64


def test_wire_timestamps_read_back_to_the_same_millisecond() -> None:
    """``ms_of_iso`` inverts ``iso_ms`` (text sortable in SQL, milliseconds kept)."""
    from quizhub.domain.wire import iso_ms, ms_of_iso

    for ms in (0, 1_795_000_123_456, 1_795_000_123_999):
        assert ms_of_iso(iso_ms(ms)) == ms
    assert iso_ms(1_795_000_123_456) == "2026-11-18T11:08:43.456Z"
