"""Dashboards in headless Chromium (Selenium + Debian's chromedriver) on demo data, with the mouse and the keyboard
only — no report syntax typed: pin the funnel of the funnels page to a new dashboard (mouse), pin the paths
chart to the same dashboard (keyboard only: Tab to the control, Enter to open it, Enter to pin), see both charts
on the dashboard, move one, choose a period compared with the previous one, make a share link that expires in 7
days and copy it with its button, then open it signed out: the charts without navigation, report parameters or
technical rules. Every page runs under the server's Content-Security-Policy and the test fails on any content it
refuses. Screenshots go to $TROPA_SCREENSHOTS when it is set."""
import re

from .live import tropa
from .test_web_app import assert_no_csp_violations, browser, shot  # noqa: F401  (the fixture and helpers)

EMAIL, PASSWORD = "olga@shop.example", "correct horse battery"


def test_pin_two_charts_and_share_the_dashboard(tmp_path, start_server, browser):  # noqa: F811
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait

    def wait(cond, what, seconds=30):
        # a page that reloads meanwhile leaves stale elements behind: ask again
        WebDriverWait(browser, seconds, ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: cond(d), message=what)

    data = tmp_path / "data"
    tropa(data, "demo", "generate", "--customers", "2000", "--seed", "11")
    tropa(data, "user", "create", "--email", EMAIL, "--role", "analyst", "--password-stdin", input=PASSWORD + "\n")
    first, last = _data_range(tropa, data)
    server = start_server(data)
    d = browser
    d.get(server.url + "/login")
    d.find_element(By.ID, "email").send_keys(EMAIL)
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.CSS_SELECTOR, "form.login button").click()
    wait(lambda d: d.find_elements(By.LINK_TEXT, "Funnels"), "signed in")

    # 1. the funnel, pinned with the mouse to a new dashboard
    d.find_element(By.LINK_TEXT, "Funnels").click()
    wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#chart-funnel svg"), "the funnel")
    d.find_element(By.CSS_SELECTOR, "details.pin summary").click()
    assert Select(d.find_element(By.ID, "pin-dashboard")).first_selected_option.get_attribute("value") == "new"
    d.find_element(By.ID, "pin-new").send_keys("Weekly sales")
    shot(d, "dashboard_pin_en")
    d.find_element(By.CSS_SELECTOR, "details.pin button[type=submit]").click()
    wait(lambda d: re.search(r"/dashboards/\d+", d.current_url), "the new dashboard")
    assert d.find_element(By.TAG_NAME, "h1").text == "Weekly sales"
    assert "The chart is pinned." in d.page_source
    assert len(d.find_elements(By.CSS_SELECTOR, "article.tile svg")) == 1
    dashboard_url = d.current_url.split("&")[0]

    # 2. the paths chart, pinned with the keyboard only
    d.find_element(By.LINK_TEXT, "Paths").click()
    wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#chart-paths svg"), "the paths chart")
    body = d.find_element(By.TAG_NAME, "body")
    summary = d.find_element(By.CSS_SELECTOR, "details.pin summary")
    for _ in range(60):  # Tab through the page up to the control
        if d.switch_to.active_element == summary:
            break
        d.switch_to.active_element.send_keys(Keys.TAB) if d.switch_to.active_element != body else body.send_keys(Keys.TAB)
    assert d.switch_to.active_element == summary, "the control is reached with Tab"
    summary.send_keys(Keys.ENTER)
    wait(lambda d: d.find_element(By.ID, "pin-dashboard").is_displayed(), "the control opens with Enter")
    chosen = Select(d.find_element(By.ID, "pin-dashboard")).first_selected_option
    assert chosen.text == "Weekly sales", "the existing dashboard is the first choice"
    title = d.find_element(By.ID, "pin-title")
    assert title.get_attribute("value") == "Paths"
    d.find_element(By.ID, "pin-dashboard").send_keys(Keys.TAB)  # to the new name, left empty
    d.switch_to.active_element.send_keys(Keys.TAB)  # to the title
    d.switch_to.active_element.send_keys(Keys.ENTER)  # sends the form
    wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "article.tile")) == 2, "two charts on the dashboard")
    titles = lambda: [e.text for e in d.find_elements(By.CSS_SELECTOR, "article.tile h2")]
    assert titles() == ["Funnels", "Paths"]
    assert len(d.find_elements(By.CSS_SELECTOR, "article.tile figure svg")) == 2
    assert_no_csp_violations(d, "the dashboard")

    # 3. arrange: the paths first
    d.find_element(By.CSS_SELECTOR, "article.tile:nth-of-type(2) button[title='Move up']").click()
    wait(lambda d: titles() == ["Paths", "Funnels"], "the paths moved up")

    # 4. one period for the whole dashboard, compared with the previous one (the date fields and a list)
    since, until = d.find_element(By.ID, "since"), d.find_element(By.ID, "until")
    _type_date(since, _previous_month(last))  # the last whole month, and the one before it
    _type_date(until, last[:8] + "01")
    Select(d.find_element(By.ID, "compare")).select_by_value("previous")
    d.find_element(By.CSS_SELECTOR, "form.period button[type=submit]").click()
    wait(lambda d: d.find_elements(By.CSS_SELECTOR, "article.tile .compare"), "both periods side by side")
    assert len(d.find_elements(By.CSS_SELECTOR, "article.tile .compare figure svg")) >= 3
    assert "Previous period" in d.page_source
    d.find_element(By.XPATH, "//button[normalize-space()='Keep this period for the dashboard']").click()
    wait(lambda d: "The period is kept" in d.page_source, "the period kept")
    shot(d, "dashboard_en")

    # 5. a share link for 7 days, copied with its button
    Select(d.find_element(By.ID, "expires")).select_by_value("7d")
    d.find_element(By.XPATH, "//button[normalize-space()='Create a link']").click()
    wait(lambda d: d.find_elements(By.ID, "share-link"), "the new link")
    link = d.find_element(By.ID, "share-link").text.strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/share/d/sd_[0-9A-Za-z]+", link), link
    copy = d.find_element(By.CSS_SELECTOR, "button[data-copy='share-link']")
    copy.click()
    wait(lambda d: copy.text == "Copied", "the copy button says it copied")
    assert "until" in d.find_element(By.CSS_SELECTOR, ".share p.muted").text, "the live link shows its expiry"

    # 6. the link, signed out: read-only, no rules or parameters
    d.find_element(By.XPATH, "//button[normalize-space()='Sign out']").click()
    wait(lambda d: d.current_url.endswith("/login"), "signed out")
    d.get(link)
    wait(lambda d: d.find_elements(By.CSS_SELECTOR, "article.tile"), "the shared dashboard")
    assert d.find_element(By.TAG_NAME, "h1").text == "Weekly sales"
    assert [e.text for e in d.find_elements(By.CSS_SELECTOR, "article.tile h2")] == ["Paths", "Funnels"]
    assert not d.find_elements(By.TAG_NAME, "nav") and not d.find_elements(By.TAG_NAME, "form")
    source = d.page_source
    for technical in ["steps=", "view_item%0A", "/funnels?", "Open the report", "csrf", "Pin to dashboard"]:
        assert technical not in source, technical
    shot(d, "dashboard_shared_en")
    d.get(link.replace("sd_", "sd_x"))
    assert "404" in d.find_element(By.TAG_NAME, "h1").text


def _data_range(tropa, data):
    stats = tropa(data, "stats", "--format", "json", parse=True)
    return stats["first_event"][:10], stats["last_event"][:10]


def _previous_month(day):
    y, m = int(day[:4]), int(day[5:7])
    y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return f"{y:04d}-{m:02d}-01"


def _type_date(field, iso):
    """Keys into Chromium's date field, in its en-US order (month, day, year)."""
    from selenium.webdriver.common.keys import Keys

    y, m, dd = iso.split("-")
    field.click()
    field.send_keys(Keys.ARROW_LEFT * 3)
    field.send_keys(m + dd + y)
