"""HTML report: self-contained, findings highlighted at their cells, all report text escaped —
and opened in a real browser (headless Chromium) to see the highlights in the page."""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest
from _reporting import checker, seeds

from gipcheck.report import get_reporter

HOSTILE = '<script>alert("年报")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory):
    from gipcheck.batch import run_batch
    from gipcheck.config import Settings

    d = tmp_path_factory.mktemp("html")
    src = seeds()[0].read_text(encoding="utf-8").split("\n")
    src[6] = src[6] + HOSTILE  # a narrative paragraph of section 1
    (d / "hostile.txt").write_text("\n".join(src), encoding="utf-8")
    bad = d / "<b>bad<i>.txt"
    bad.write_bytes(b"")
    inputs = [str(d / "hostile.txt"), *(str(p) for p in seeds()[1:]), str(bad)]
    return run_batch(inputs, jobs=1, checker=checker(), progress=None, settings=Settings(), full=False)


@pytest.fixture(scope="module")
def page(hostile_run) -> str:
    return get_reporter("html")(hostile_run, {"lang": "zh"})


def test_self_contained_and_escaped(page, hostile_run):
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert "<img" not in page.lower() and "<b>bad" not in page
    assert "&lt;script&gt;alert(&quot;年报&quot;)&lt;/script&gt;" in page
    assert "&lt;b&gt;bad&lt;i&gt;.txt" in page
    # Nothing is fetched from outside: no external URLs in src/href, and a CSP that forbids it.
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "default-src 'none'" in page


def test_summary_on_top_then_every_finding_marked_at_its_cells(page, hostile_run):
    head, _, body = page.partition("<main>")
    assert "年报" in head and all(f'href="#r{i}"' in head for i in range(len(hostile_run.reports)))
    marked = 0
    for i, rep in enumerate(hostile_run.reports):
        section = body.split(f'<section class="report" id="r{i}">', 1)[1].split("</section>", 1)[0]
        for f in rep.findings:
            assert f'data-rule="{f.rule}"' in section
            for loc in f.locations:
                if loc.get("line") is None or not loc.get("text"):
                    continue
                # The cell's own text sits inside a <mark> naming the rule, on its line's row.
                marks = re.findall(r'<mark class="hl sev-\w+[^"]*" data-rules="([^"]*)"[^>]*>(.*?)</mark>', section)
                pieces = "".join(unescape(t) for rules, t in marks if f.rule in rules.split())
                assert loc["text"].split("\n")[0] in pieces or pieces in loc["text"], (f.rule, loc)
                assert f'id="r{i}-L{loc["line"]}"' in section
                marked += 1
    assert marked >= 10


def test_table_rows_render_as_tables(page):
    assert '<table class="rt">' in page
    assert re.search(r"<tr id=\"r0-L\d+\"><td class=\"ln\">\d+</td><td>", page)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        p = shutil.which(name)
        if p:
            return p
    return None


def test_highlights_are_in_the_page_a_browser_builds(page, hostile_run, tmp_path):
    exe = _chromium()
    if exe is None:
        pytest.skip("Chromium not installed (Debian: apt-get install chromium; .ci/run installs it)")
    html = tmp_path / "report.html"
    html.write_text(page, encoding="utf-8")
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", Path(html).as_uri()]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.skip("Chromium did not finish within 120 s on this machine")
    dom = proc.stdout.decode("utf-8", "replace")
    assert proc.returncode == 0 and "</html>" in dom, proc.stderr[-2000:]
    # The browser parsed no script or image out of the report text.
    assert "<script" not in dom.lower() and "<img" not in dom.lower()
    assert 'alert("年报")' in unescape(dom)
    marks = re.findall(r'<mark class="hl sev-(\w+)[^"]*" data-rules="([^"]*)"', dom)
    seen = {r for _, rules in marks for r in rules.split()}
    expected = {f.rule for rep in hostile_run.reports for f in rep.findings
                if any(loc.get("line") is not None for loc in f.locations)}
    assert expected and expected <= seen
    assert {"error", "warning"} <= {s for s, _ in marks}
