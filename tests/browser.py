"""Headless Chromium for tests that render HTML: found on the PATH, or installed from Debian's archive.

`chromium_or_skip()` returns the browser's path. When it is missing and this
runs as root with apt-get, it installs Debian's `chromium` package (once per
test session); only where that is impossible is the test skipped, with the reason.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
APT = ["apt-get", "-y", "-q", "-o", "DPkg::Lock::Timeout=600", "--no-install-recommends"]


def _find() -> str | None:
    return next((found for name in NAMES if (found := shutil.which(name))), None)


def _apt(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run([*APT, *args], capture_output=True, text=True, env=env, timeout=1800, check=False)


@lru_cache(maxsize=1)
def _install() -> str:
    """Install Debian's chromium; '' when it worked, else why it did not."""
    if not shutil.which("apt-get"):
        return "there is no apt-get on this machine"
    if os.geteuid() != 0:
        return "installing it needs root (run: sudo apt-get install chromium)"
    done = _apt("install", "chromium")
    if done.returncode != 0:  # the package lists may be missing or stale
        _apt("update")
        done = _apt("install", "chromium")
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return f"apt-get install chromium failed: {lines[-1] if lines else done.returncode}"
    return ""


def chromium_or_skip() -> str:
    found = _find()
    if found:
        return found
    reason = _install()
    found = _find()
    if not found:
        pytest.skip(f"headless Chromium is not available: {reason or 'installed, but not on the PATH'}")
    return found


def run_chromium(browser: str, page: Path, *args: str) -> str:
    """Load ``page`` in headless Chromium with ``args`` (e.g. --dump-dom) and return what it printed."""
    home = page.parent / "chromium-profile"
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", f"--user-data-dir={home}", *args, page.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


# Added to a copy of the page (never to the report itself, whose policy forbids scripts):
# measures what the browser laid out, and writes it into the DOM for --dump-dom to print.
MEASURE = """
<script>
window.addEventListener('load', () => {
  const box = e => { const r = e.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; };
  const charts = [...document.querySelectorAll('svg.chart')].map(svg => ({
    title: svg.querySelector(':scope > title').textContent,
    size: box(svg),
    bars: [...svg.querySelectorAll('rect.bar')].map(r => ({tip: r.querySelector('title').textContent, size: box(r)})),
  }));
  const out = document.createElement('pre');
  out.id = 'measured';
  out.textContent = JSON.stringify(charts);
  document.body.appendChild(out);
});
</script>
"""


def measure_charts(browser: str, html: str, folder: Path) -> list[dict]:
    """Every `svg.chart` in ``html`` as the browser laid it out: title, size, and each bar's tip and size."""
    policy = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>')
    assert policy.search(html), "the report should forbid scripts and fetches"
    page = folder / "measure.html"
    page.write_text(policy.sub("", html).replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    dom = run_chromium(browser, page, "--dump-dom", "--virtual-time-budget=10000")
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    text = found.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return json.loads(text)
