"""The run log's one-line stage accounts: counts, time, skip reasons, in the digest's words."""

from __future__ import annotations

from dataclasses import replace

from digest import runlog
from digest.email import DeliveryResult
from digest.models import FeedResult, FeedSource, Skipped
from digest.output.serialize import report_rows
from tests.support.digests import make_digest


def feed(name: str, status: str, entries: int = 0, error: str | None = None) -> FeedResult:
    # only the number of entries matters to the log line
    return FeedResult(source=FeedSource(name, f"https://{name}.example/rss"), status=status,
                      entries=("entry",) * entries, error=error)  # type: ignore[arg-type]


def test_feeds_line_counts_feeds_by_how_they_answered_and_names_failures():
    feeds = [feed("a", "ok", 3), feed("b", "not_modified"), feed("c", "error", error="HTTP 503")]
    line = runlog.feeds_line(feeds, 1.25)
    assert line.startswith("3 feeds read in 1.2 s: 1 changed, 1 not modified since the last "
                           "read, 1 failed")
    assert "3 items" in line and "c: HTTP 503" in line
    assert "\n" not in line


def test_pages_line_groups_skip_reasons_by_kind_commonest_first():
    skipped = [Skipped(f"https://x.example/{i}", f"not about the story (score 0.{i}: few terms)")
               for i in range(3)]
    skipped.append(Skipped("https://x.example/404", "fetch failed: HTTP 404 Not Found"))
    line = runlog.pages_line(6, 4, 2, skipped, 0.5)
    assert line == ("6 articles of the window in 0.5 s: 4 pages fetched, 2 reused from state, "
                    "4 skipped (not about the story: 3; fetch failed: 1)")


def test_reason_kinds_drop_urls_and_particulars():
    assert runlog.reason_kind("same article as https://a.example/x (folded into b)") == \
        "same article as"
    assert runlog.reason_kind("already in an earlier digest (https://a.example/x)") == \
        "already in an earlier digest"
    assert runlog.reason_kind("over the digest's max_articles limit") == \
        "over the digest's max_articles limit"


def test_pages_line_caps_the_reasons_it_lists():
    skipped = [Skipped(f"https://x.example/{i}", f"reason {i}") for i in range(7)]
    line = runlog.pages_line(0, 7, 0, skipped, 0.0)
    assert "4 other reasons" in line and line.count("reason ") == 3


def test_summary_line_says_what_the_digest_holds():
    d = make_digest(4)
    line = runlog.summary_line(d, 2.0)
    assert line.startswith(f"4 articles from {len(d.outlets)} outlet")
    assert f"overview of {len(d.overview)} sentence" in line
    assert f"{len(d.quotes)} quote" in line


def test_delivery_line_for_each_outcome():
    assert "off" in runlog.delivery_line(None, 0.0)
    sent = DeliveryResult(status="sent", attempts=1, recipients=("a@example.org",))
    assert runlog.delivery_line(sent, 0.3) == "email sent to 1 recipient in 0.3 s (1 attempts)"
    again = replace(sent, status="skipped")
    assert "already sent" in runlog.delivery_line(again, 0.0)
    failed = DeliveryResult(status="failed", error="127.0.0.1:2525 connection refused")
    assert runlog.delivery_line(failed, 4.0).endswith("127.0.0.1:2525 connection refused")


def test_replay_line_says_why_no_summarise_or_publish_ran():
    d = make_digest(5)
    line = runlog.replay_line(d)
    assert line.startswith("replayed: inputs unchanged") and "5 articles" in line
    assert str(d.date) in line


def test_run_report_speaks_the_digests_words():
    d = make_digest(9)
    rows = report_rows(d)
    statuses = {r["status"] for r in rows if r["section"] == "source"}
    assert statuses <= {"with news", "with nothing new", "failed"}
    assert not statuses & {"ok", "not_modified", "error"}
    names = {r["name"] for r in rows if r["section"] == "count"}
    assert {"sources with news", "sources with nothing new", "sources failed"} <= names
    assert not {"sources ok", "sources unchanged"} & names
