"""The HTML digest in headless Chromium: nothing overflows at phone (375 px) and desktop (1280 px)
widths, every section shows, and dark mode stays readable. Screenshots go to the test's tmp_path."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from digest.output.render import render_html
from tests.support.digests import busy_digest

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

CHROMIUM = (shutil.which("chromium") or shutil.which("chromium-browser")
            or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None))
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                       "(apt-get install chromium; `make test` installs it)"),
]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SECTIONS = {"overview": "Overview", "new": "New since", "articles": "Articles",
            "quotes": "Key quotes", "figures": "Figures in dispute",
            "timeline": "The story so far", "failed": "Sources that failed", "skipped": "Left out"}

OVERFLOWING = """() => {
  const w = window.innerWidth, out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > w + 0.5 || r.left < -0.5)
      out.push(el.tagName + '.' + (el.className || '') + ' ' + Math.round(r.left) + '..' +
               Math.round(r.right) + ' ' + (el.textContent || '').slice(0, 40));
  }
  return out;
}"""
COLORS = """() => {
  const card = document.querySelector('table.card');
  const pick = (sel) => { const el = document.querySelector(sel); const s = getComputedStyle(el);
                          return [s.color, s.fontSize]; };
  return {bg: getComputedStyle(card).backgroundColor, text: getComputedStyle(card).color,
          h1: pick('h1')[0], summary: pick('#articles ~ div.art > div:nth-of-type(2)'),
          link: pick('a.lk')[0], meta: pick('#articles ~ div.art > div')[0],
          page: getComputedStyle(document.body).backgroundColor};
}"""


def rgb(css: str) -> tuple[float, float, float]:
    nums = [float(x) for x in re.findall(r"[\d.]+", css)[:3]]
    assert len(nums) == 3, css
    return nums[0], nums[1], nums[2]


def contrast(a: str, b: str) -> float:
    def lum(c: str) -> float:
        ch = [v / 255 for v in rgb(c)]
        ch = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=ARGS, headless=True,
            viewport={"width": 1280, "height": 900})
        yield ctx
        ctx.close()


@pytest.fixture(scope="module")
def digest_file(tmp_path_factory):
    html = render_html(busy_digest(hostile=True), "Europe/London")
    assert len(html.encode("utf-8")) < 100_000
    path = tmp_path_factory.mktemp("digest") / "2016-09-18.html"
    path.write_text(html, "utf-8")
    return path


@pytest.mark.parametrize("width", [375, 1280])
def test_nothing_overflows_and_every_section_shows(browser_context, digest_file, tmp_path, width):
    page = browser_context.new_page()
    try:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(digest_file.as_uri())
        sizes = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert sizes[0] <= sizes[1], sizes
        assert page.evaluate(OVERFLOWING) == []
        for sid, label in SECTIONS.items():
            heading = page.locator(f"h2#{sid}")
            assert heading.count() == 1, sid
            assert heading.is_visible(), sid
            assert heading.inner_text().strip().lower().startswith(label.lower()), sid
        assert page.locator("#articles ~ div.art h3").count() == 60
        assert page.locator("script").count() == 0 and page.locator("img").count() == 0
        summary_size = page.evaluate(COLORS)["summary"][1]
        assert float(summary_size.rstrip("px")) >= 14  # readable on a phone
        shot = tmp_path / f"digest-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
    finally:
        page.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_dark_mode_stays_readable(browser_context, digest_file, tmp_path, width):
    page = browser_context.new_page()
    try:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(digest_file.as_uri())
        light = page.evaluate(COLORS)
        page.emulate_media(color_scheme="dark")
        dark = page.evaluate(COLORS)
        page.screenshot(path=str(tmp_path / f"digest-{width}-dark.png"))
    finally:
        page.close()
    assert light["bg"] != dark["bg"] and light["text"] != dark["text"]
    assert sum(rgb(dark["bg"])) < sum(rgb(light["bg"]))  # the dark palette is in use
    for mode in (light, dark):
        assert mode["text"] != mode["bg"]
        assert contrast(mode["text"], mode["bg"]) >= 7, mode
        assert contrast(mode["h1"], mode["bg"]) >= 7, mode
        assert contrast(mode["summary"][0], mode["bg"]) >= 4.5, mode
        assert contrast(mode["link"], mode["bg"]) >= 4.5, mode
        assert contrast(mode["meta"], mode["bg"]) >= 4.5, mode
