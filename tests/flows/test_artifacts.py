"""Each flow run publishes the Markdown digest and a run report as Prefect artifacts."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bench.story_eval import config_with_feeds, pack_feeds

ROOT = Path(__file__).resolve().parents[2]


def test_flow_run_publishes_digest_and_report_artifacts(tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.daily_digest import daily_digest

    config = config_with_feeds(ROOT / "config" / "syria-ceasefire.toml",
                               pack_feeds(ROOT / "seeds"), tmp_path / "story.toml")
    report = daily_digest(config=str(config), date="2016-09-18", out=str(tmp_path / "out"),
                          state=str(tmp_path / "state.sqlite"), send_email=False)
    assert report["articles"] >= 4

    async def latest(key: str):
        async with get_client() as client:
            found = await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
            return sorted(found, key=lambda a: a.created)[-1]

    digest = asyncio.run(latest("digest-syria-ceasefire"))
    assert digest.type == "markdown"
    assert "# Syria ceasefire" in digest.data and "Deir" in digest.data
    table = asyncio.run(latest("run-report-syria-ceasefire"))
    assert table.type == "table"
    assert "meridian-wire" in str(table.data)
