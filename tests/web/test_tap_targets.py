"""Every control on the main worker pages is at least 44 x 44 CSS px on a phone (390 x 844), in
Chinese and in English, measured in Chromium as the demo rider sees the pages."""

import pytest

from tests.web.worker_pages import log_in, worker_paths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIN_PX = 44

# Every link, button, field and label of a field that is shown. A check box or radio button is
# tapped through the label around it, so that label is measured in its place.
SMALL_TARGETS = """(min) => {
  const seen = [];
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary,'
    + ' label[for]';
  for (const el of document.querySelectorAll(selector)) {
    let target = el;
    if (el.matches('input[type=checkbox], input[type=radio]') && el.closest('label')) {
      target = el.closest('label');
    }
    const style = getComputedStyle(target);
    const box = target.getBoundingClientRect();
    if (style.visibility === 'hidden' || (box.width === 0 && box.height === 0)) continue;
    if (box.width < min || box.height < min) {
      const text = (target.innerText || target.value || target.getAttribute('aria-label') || '')
        .trim().replace(/\\s+/g, ' ').slice(0, 30);
      seen.push(`${target.tagName.toLowerCase()}${target.className ? '.' + target.className : ''}`
        + ` "${text}" ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return seen;
}"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_tap_target_on_the_worker_pages_is_at_least_44_px(
    demo_city, live_server, page, language, screenshot_dir
):
    log_in(page, live_server, language=language)
    small = {}
    for path in worker_paths():
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        # Maps and lists drawn by scripts (station chips, map controls) are in by now.
        page.wait_for_timeout(300)
        found = page.evaluate(SMALL_TARGETS, MIN_PX)
        if found:
            small[path] = found
    page.goto(f"{live_server.url}/store/")
    page.screenshot(path=str(screenshot_dir / f"tap-targets-store-{language}.png"))
    assert not small, "tap targets under 44 px:\n" + "\n".join(
        f"{path}: {line}" for path, lines in small.items() for line in lines
    )


def test_the_measure_finds_a_small_target(demo_city, live_server, page):
    """The check above can fail: a link made small on purpose is listed."""
    log_in(page, live_server)
    page.goto(f"{live_server.url}/")
    page.evaluate(
        "() => { const a = document.createElement('a'); a.href = '/'; a.textContent = 'x';"
        " a.style.cssText = 'display:inline-block;min-height:0;min-width:0;height:20px;width:20px';"
        " document.querySelector('main').append(a); }"
    )
    assert any('"x" 20x20' in line for line in page.evaluate(SMALL_TARGETS, MIN_PX))
