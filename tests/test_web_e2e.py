"""End to end in headless Debian Chromium (Playwright; never a downloaded browser): upload
a workbook with an error, see it located, fix the cell in the browser, clone a library scenario
and add a tariff in the form, run a study with the network design, see the map and the
charts (the design's flows before and after on the map), read one lane's
duty explanation, download the report. Every request
must go to the server itself (no internet), and a ``<script>`` site name stays text.

Screenshots go to ``$SHORING_TEST_OUTPUT/web-e2e`` (default ``test-output/web-e2e`` in
the project). Chromium comes from ``scripts/setup_browser.sh`` (``apt-get install
chromium``); without it the test skips, and fails under ``CI=true``.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from shoring.web import Settings, create_app
from web_helpers import SCRIPT_NAME, mini_workbook

CHROMIUM = "/usr/bin/chromium"
OUTPUT = Path(
    os.environ.get("SHORING_TEST_OUTPUT", Path(__file__).resolve().parents[1] / "test-output")
)


def _chromium() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is required under CI=true (scripts/setup_browser.sh)")
        pytest.skip(f"{CHROMIUM} not installed (scripts/setup_browser.sh)")
    pytest.importorskip("playwright")
    return CHROMIUM


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    import uvicorn

    data = tmp_path_factory.mktemp("e2e")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(Settings(data_dir=data, allowed_hosts=("127.0.0.1",)))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    end = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < end and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(30)
    app.app.state.workspace.close()


def test_browser_study(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    shots = OUTPUT / "web-e2e"
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    bad = mini_workbook(tmp_path, capacity=-5, name="network.xlsx", site_name=SCRIPT_NAME)
    outside: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=_chromium(), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)

        def only_local(route) -> None:
            if route.request.url.startswith(server):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", only_local)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(server + "/")

        # 1. a workbook with an error: the problem is shown by sheet, row and field
        page.set_input_files("#upload-file", str(bad))
        page.click("#upload-form button")
        problems = page.locator("#upload-problems")
        expect(problems).to_be_visible(timeout=30_000)
        row = problems.locator("tbody tr", has_text="capacity_units")
        expect(row).to_contain_text("sites")
        expect(row.locator("td").nth(2)).to_have_text("2")
        page.screenshot(path=shots / "01-upload-problem.png", full_page=True)

        # 2. fixed in the browser: the offending cell typed again, checked on the server
        cell = page.get_by_label("sites row 2 capacity_units")
        expect(cell).to_have_value("-5")
        cell.fill("0")  # still wrong: located again
        page.click("#draft-check")
        expect(problems.locator("tbody tr").first).to_contain_text("greater than 0.0, got '0'")
        page.get_by_label("sites row 2 capacity_units").fill("1000")
        page.screenshot(path=shots / "02-fix-in-browser.png", full_page=True)
        page.click("#draft-check")
        expect(page.locator("#upload-status")).to_contain_text("after your edits", timeout=30_000)
        expect(problems).to_be_hidden()

        # 3. clone a library scenario and add a tariff in the form
        page.goto(server + "/scenarios")
        card = page.locator("#scenario-tariffs-2025")
        card.locator("input.clone-name").fill("hs85-60")
        card.locator("button.clone").click()
        page.wait_for_url("**/scenarios/hs85-60")
        form = page.locator("#tariff-form")
        form.locator("input[name=id]").fill("us-chn-85")
        form.locator("input[name=start]").fill("2026-01-01")
        form.locator("button").click()
        expect(page.locator("#scenario-status")).to_have_text("saved and checked")
        expect(page.locator("#scenario-meta")).to_contain_text("custom")
        assert "us-chn-85" in page.locator("#scenario-yaml").input_value()
        page.screenshot(path=shots / "03-scenario-tariff-added.png", full_page=True)

        # 4. a study under current law and the new scenario
        page.goto(server + "/")
        page.check("#run-scenarios input[value='hs85-60']")
        page.check("#run-optimize")
        page.screenshot(path=shots / "04-new-study.png", full_page=True)
        page.click("#run-submit")
        page.wait_for_url("**/runs/*")
        expect(page.locator("body[data-ready='1']")).to_have_count(1, timeout=120_000)
        expect(page.locator("#run-state")).to_have_text("done")
        charts = (
            "#result-map",
            "#chart-waterfall",
            "#chart-stack",
            "#chart-deltas",
            "#chart-breakeven",
        )
        for chart in charts:
            expect(page.locator(f"{chart} .main-svg").first).to_be_visible()
        expect(page.locator("#cheapest tbody tr")).to_have_count(2)  # 2 scenarios, focus year
        # the lane shown first pays duty: China's, where the new 60% applies
        explain = page.locator("#explain")
        expect(explain).to_contain_text("CHN → USA")
        expect(explain).to_contain_text("hs85-60")
        expect(explain.locator("tr", has_text="us-chn-85").first).to_contain_text("60.00%")
        page.screenshot(path=shots / "05-results.png", full_page=True)
        explain.screenshot(path=shots / "06-lane-duty-explained.png")
        page.select_option(
            "#explain-lane",
            label=page.locator("#explain-lane option", has_text="plant-a").inner_text(),
        )
        expect(explain).to_contain_text("MEX → USA")

        # the network design: flows of today's sites and of the robust plan on the map
        design = page.locator("#design")
        expect(design.locator("#chart-flows .main-svg").first).to_be_visible()
        expect(design.locator("#chart-frontier .main-svg").first).to_be_visible()
        expect(design.locator("#chart-flows")).to_contain_text("today's sites")
        expect(design.locator("#chart-flows")).to_contain_text("optimized (robust plan)")
        design.screenshot(path=shots / "07-design-flows.png")

        # 5. the report downloads and is the study's
        with page.expect_download() as download:
            page.click("#dl-report")
        report = shots / "report.html"
        download.value.save_as(report)
        text = report.read_text(encoding="utf-8")
        assert "shoring study: mini" in text and "&lt;script&gt;alert" in text

        # 6. the network page: map and tables, the script name shown as text
        network_link = page.locator("header a.brand")
        network_link.click()
        page.locator("#networks a").first.click()
        expect(page.locator("#network-map .main-svg").first).to_be_visible(timeout=30_000)
        expect(page.locator("#network-tables")).to_contain_text(SCRIPT_NAME)
        expect(page.locator("#network-map")).to_contain_text("delivery lanes (2)")
        page.screenshot(path=shots / "08-network-lanes.png", full_page=True)
        browser.close()
    assert dialogs == []  # the <script> site name never ran
    assert outside == []  # nothing fetched from anywhere but the server
