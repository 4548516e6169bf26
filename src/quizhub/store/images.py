"""The images and image_variants tables: what the public image URL serves, written once per
processed image in one D1 batch with its job's commit. Every statement is a repeat-safe upsert:
a second delivery (or a second upload of the same bytes) records the same rows again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from quizhub.domain.images import Variant
from quizhub.domain.jobs import JobRow
from quizhub.ports import D1Database
from quizhub.store.jobs import WORKABLE, JobsRepo

__all__ = ["ImageFacts", "ImagesRepo"]


@dataclass(frozen=True)
class ImageFacts:
    """The original as the job found it (upright size, format, bytes)."""

    ext: str
    width: int
    height: int
    size: int

    def to_json(self) -> dict[str, Any]:
        return {"ext": self.ext, "width": self.width, "height": self.height, "size": self.size}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ImageFacts:
        return cls(str(raw["ext"]), int(raw["width"]), int(raw["height"]), int(raw["size"]))


class ImagesRepo:
    def __init__(self, db: D1Database) -> None:
        self.db = db

    async def record(
        self,
        job_id: str,
        image_key: str,
        facts: ImageFacts,
        variants: Sequence[Variant],
        now: str,
        *,
        commit: bool = True,
    ) -> None:
        """The image, its variants and (``commit``) the job's commit (``committedAt``), in one
        batch."""
        statements = [
            self.db.prepare(
                """INSERT INTO images (image_key, job_id, format, width, height, size, created_at,
                  updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (image_key) DO UPDATE SET job_id = excluded.job_id,
                  updated_at = excluded.updated_at"""
            ).bind(image_key, job_id, facts.ext, facts.width, facts.height, facts.size, now, now)
        ]
        statements += [
            self.db.prepare(
                """INSERT INTO image_variants (image_key, width, format, height, object_key, size)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"""
            ).bind(image_key, v.width, v.ext, v.height, v.object_key, v.size)
            for v in variants
        ]
        if commit:
            statements.append(
                self.db.prepare(
                    f"""UPDATE jobs SET committed = 1, committed_at = COALESCE(committed_at, ?),
                  step = 'record', updated_at = ? WHERE job_id = ? AND status IN {WORKABLE}"""
                ).bind(now, now, job_id)
            )
        await self.db.batch(statements)

    async def variants(self, image_key: str) -> list[Variant]:
        """The stored variants of ``image_key`` (empty until its job recorded them)."""
        rows = (
            await self.db.prepare(
                """SELECT width, height, format, object_key, size FROM image_variants
                WHERE image_key = ? ORDER BY format, width"""
            )
            .bind(image_key)
            .all()
        )
        return [
            Variant(int(r["width"]), int(r["height"]), str(r["format"]), r["object_key"], r["size"])
            for r in rows["results"]
        ]

    async def get(self, image_key: str) -> ImageFacts | None:
        """The recorded original's facts, or None when the image has no variants yet."""
        row = (
            await self.db.prepare(
                "SELECT format, width, height, size FROM images WHERE image_key = ?"
            )
            .bind(image_key)
            .first()
        )
        if row is None:
            return None
        return ImageFacts(str(row["format"]), int(row["width"]), int(row["height"]), row["size"])

    async def latest_job(self, image_key: str) -> JobRow | None:
        """The newest job that processed (or is processing) ``image_key``."""
        row = (
            await self.db.prepare("SELECT job_id FROM jobs WHERE image_key = ? ORDER BY rev DESC")
            .bind(image_key)
            .first()
        )
        return None if row is None else await JobsRepo(self.db).get(str(row["job_id"]))
