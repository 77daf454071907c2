"""Drive Debian's headless Chromium for the web page tests, and keep a screenshot of every failure.

Chromium starts with an empty profile and with its background services off
(sync, component updates, safe-browsing fetches), because those open
connections of their own, and on a machine without outside network they
are refused and slow the browser down. Selenium talks to
``/usr/bin/chromedriver`` directly, so Selenium Manager never tries to
download a driver.

``pytest_runtest_makereport`` is a pytest hook: tests/service/conftest.py
imports it so that pytest registers it, and it stores each phase's report
on the test item. ``save_failure_artifacts`` reads that report after the test.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "test-artifacts"
WINDOW_SIZE = (1400, 1000)

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

PHASE_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Store the setup, call and teardown reports on the item, for fixtures that act on failures."""
    report = yield
    item.stash.setdefault(PHASE_REPORTS, {})[report.when] = report
    return report


def start_chromium() -> tuple[WebDriver, Path]:
    """Start headless Chromium under ChromeDriver; return the driver and its profile folder.

    Fails the test, naming ``make browser``, when Chromium or ChromeDriver is not installed.
    """
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    if missing:
        pytest.fail(f"The web page tests need Debian's chromium and chromium-driver, but "
                    f"{', '.join(missing)} is missing. Install them with: make browser", pytrace=False)

    profile_dir = Path(tempfile.mkdtemp(prefix="kgqa-chromium-"))
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    options.add_argument(f"--window-size={WINDOW_SIZE[0]},{WINDOW_SIZE[1]}")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    return driver, profile_dir


def stop_chromium(driver: WebDriver, profile_dir: Path) -> None:
    driver.quit()
    shutil.rmtree(profile_dir, ignore_errors=True)


def save_failure_artifacts(item: pytest.Item, driver: WebDriver) -> Path | None:
    """Save a screenshot and the page source when ``item`` failed; return the screenshot path."""
    reports = item.stash.get(PHASE_REPORTS, {})
    if not any(report.failed for report in reports.values()):
        return None

    ARTIFACTS_DIR.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid.split("::", 1)[-1])
    screenshot = ARTIFACTS_DIR / f"{stem}.png"
    driver.save_screenshot(str(screenshot))
    (ARTIFACTS_DIR / f"{stem}.html").write_text(driver.page_source, encoding="utf-8")
    return screenshot
