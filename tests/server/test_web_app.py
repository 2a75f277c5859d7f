"""The web app in headless Chromium, driven by Selenium through Debian's chromedriver: sign in (a wrong password
first), the overview's numbers and charts on demo data, the funnel builder (a mistake shown at its field, the
funnel saved and reopened, its chart downloaded as PNG and CSV), paths, the stage editor (a broken stage
shown at its field, the reset asked first), retention, customer search and a timeline, the switch to Russian, an analyst refused the admin
pages, an admin creating a key (shown once) and a user, sign out. Every page runs under the server's
Content-Security-Policy and the test fails on any content it refuses (read from Chromium's console). Screenshots
of each page go to $TROPA_SCREENSHOTS when it is set."""
import json
import os
import re

import pytest

from .live import tropa

CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
EMAIL, PASSWORD = "maria@shop.example", "correct horse battery"
ADMIN = "boss@shop.example"


@pytest.fixture
def browser():
    assert os.path.exists(CHROMEDRIVER), f"chromedriver is missing at {CHROMEDRIVER}: apt-get install chromium-driver"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    o = webdriver.ChromeOptions()
    for a in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--window-size=1280,1300", "--lang=en-US"]:
        o.add_argument(a)
    o.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the console, where CSP refusals are reported
    d = webdriver.Chrome(options=o, service=Service(CHROMEDRIVER))
    try:
        yield d
        assert_no_csp_violations(d, "the pages visited last")
    finally:
        d.quit()


def csp_violations(d):
    """What the pages' Content-Security-Policy refused since the last call: Chromium reports every refusal (an
    inline script or handler, a style attribute, a resource of another origin) on the console."""
    return [e["message"] for e in d.get_log("browser") if "Content Security Policy" in e["message"]]


def assert_no_csp_violations(d, where):
    refused = csp_violations(d)
    assert not refused, f"{where}: the Content-Security-Policy refused {refused}"


def shot(d, name):
    assert_no_csp_violations(d, name)
    out = os.environ.get("TROPA_SCREENSHOTS")
    if out:
        os.makedirs(out, exist_ok=True)
        d.save_screenshot(os.path.join(out, f"{name}.png"))


def test_sign_in_overview_russian_sign_out(tmp_path, start_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def wait(cond, what):
        WebDriverWait(browser, 15).until(lambda d: cond(d), message=what)

    data = tmp_path / "data"
    tropa(data, "demo", "generate", "--customers", "2000", "--seed", "5")
    tropa(data, "user", "create", "--email", EMAIL, "--role", "analyst", "--password-stdin", input=PASSWORD + "\n")
    tropa(data, "user", "create", "--email", ADMIN, "--role", "admin", "--password-stdin", input=PASSWORD + "\n")
    stats = tropa(data, "stats", "--format", "json", parse=True)
    tropa(data, "export", tmp_path / "events.ndjson", "--format", "ndjson")
    first = json.loads((tmp_path / "events.ndjson").read_text().splitlines()[0])
    someone = first.get("userId") or first["anonymousId"]
    server = start_server(data)
    d = browser
    d.get(server.url + "/")
    assert d.current_url.endswith("/login"), "signed out, the app sends to the sign-in page"
    # the console check sees a refusal: an image from another origin, added by hand
    d.execute_script("var i = document.createElement('img'); i.src = 'http://example.invalid/x.png'; document.body.appendChild(i)")
    WebDriverWait(d, 10).until(lambda d: any("example.invalid" in m for m in csp_violations(d)), message="the CSP refusal on the console")
    shot(d, "login_en")

    def sign_in(password, email=EMAIL):
        d.find_element(By.ID, "email").clear()
        d.find_element(By.ID, "email").send_keys(email)
        d.find_element(By.ID, "password").send_keys(password)
        d.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()

    sign_in("not my password")
    wait(lambda d: d.find_elements(By.CSS_SELECTOR, "[role=alert]"), "the sign-in error")
    assert "Wrong e-mail or password" in d.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert d.find_element(By.ID, "email").get_attribute("aria-invalid") == "true"
    sign_in(PASSWORD)
    wait(lambda d: d.title.startswith("Overview"), f"the overview after sign-in, not {d.title}")
    # the overview opens on the last 30 days of data; a period holding all of it shows the whole data's numbers
    assert d.find_element(By.ID, "range").get_attribute("value") == "30"
    d.get(server.url + "/?range=custom&since=2026-01-01&until=2026-12-31")
    cards = [c.text for c in d.find_elements(By.CSS_SELECTOR, ".card .n")]
    assert cards[0] == f"{stats['customers']:,}" and cards[1] == f"{stats['buyers']:,}", (cards, stats["customers"])
    assert re.fullmatch(r"\d+\.\d%", cards[2]), cards
    assert cards[3] == f"{round(stats['revenue']):,}", (cards, stats["revenue"])
    assert cards[4] == f"{stats['events']:,}", (cards, stats["events"])
    charts = d.find_elements(By.CSS_SELECTOR, ".chart svg")
    assert len(charts) == 4 and "Where customers are now" in d.page_source and "Revenue per day" in d.page_source
    shot(d, "overview_en")

    # the funnel builder: the default checkout funnel on demo data, then a mistake shown at its field
    d.find_element(By.LINK_TEXT, "Funnels").click()
    wait(lambda d: d.title.startswith("Funnels"), "the funnels page")
    rows = d.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert len(rows) >= 4 and "purchase" in d.page_source and d.find_elements(By.CSS_SELECTOR, ".chart svg")
    shot(d, "funnels_en")
    # the form asks for the window as a number and a unit; a duration written by hand in a link is checked too
    d.get(server.url + "/funnels?window=soon")
    wait(lambda d: d.find_elements(By.CSS_SELECTOR, "[role=alert]"), "the window error")
    assert d.find_element(By.ID, "window").get_attribute("aria-invalid") == "true"
    # the reason alone beside its field (no field path before it)
    assert d.find_element(By.CSS_SELECTOR, "[role=alert]").text.startswith("'soon': a number must come before")
    # fix it, save the funnel under a name, reopen it from the saved list
    d.find_element(By.ID, "window").clear()
    d.find_element(By.ID, "window").send_keys("3d")
    d.find_element(By.CSS_SELECTOR, "form.builder button[type=submit]").click()
    wait(lambda d: d.find_elements(By.ID, "save-name"), "the save form")
    d.find_element(By.ID, "save-name").send_keys("Checkout, 3 days")
    d.find_element(By.CSS_SELECTOR, "form.save button").click()
    wait(lambda d: "Saved: «Checkout, 3 days»" in d.page_source, "the saved funnel")
    d.get(server.url + "/funnels")
    window = lambda: (d.find_element(By.ID, "window").get_attribute("value"), d.find_element(By.NAME, "window_unit").get_attribute("value"))
    assert window() == ("7", "d"), "the window as a number and a unit"
    d.find_element(By.LINK_TEXT, "Checkout, 3 days").click()
    wait(lambda d: window() == ("3", "d"), "the saved funnel reopened")
    # the chart's downloads: PNG and CSV, fetched the way the links would be
    png = d.find_element(By.XPATH, "//figure[@id='chart-funnel']//a[text()='PNG']").get_attribute("href")
    got = d.execute_async_script(
        "const done = arguments[1]; fetch(arguments[0]).then(async r => done([r.status, r.headers.get('content-type'), "
        "Array.from(new Uint8Array(await r.arrayBuffer()).slice(1, 4))]))", png)
    assert got[0] == 200 and got[1] == "image/png" and bytes(got[2]) == b"PNG", got
    csv_url = d.find_element(By.XPATH, "//figure[@id='chart-funnel']//a[text()='CSV']").get_attribute("href")
    text = d.execute_async_script("const done = arguments[1]; fetch(arguments[0]).then(r => r.text()).then(done)", csv_url)
    assert text.lstrip("\ufeff").startswith("step,label,customers,of_first\r\n1,view_item,"), text[:80]
    # the paths page: the Sankey of the paths after the first view_item and the top paths
    d.find_element(By.LINK_TEXT, "Paths").click()
    wait(lambda d: d.title.startswith("Paths"), "the paths page")
    assert d.find_elements(By.CSS_SELECTOR, ".chart svg path") and "view_item →" in d.page_source
    shot(d, "paths_en")
    # retention: the curve and the cohort heatmap
    d.find_element(By.LINK_TEXT, "Retention").click()
    wait(lambda d: d.title.startswith("Retention"), "the retention page")
    assert len(d.find_elements(By.CSS_SELECTOR, ".chart svg")) == 2 and "100.0%" in d.page_source
    shot(d, "retention_en")
    # stages: the default definition's report; a broken definition is shown by line and gives no report
    d.find_element(By.LINK_TEXT, "Stages").click()
    wait(lambda d: d.title.startswith("Stages"), "the stages page")
    assert "Customers who reached each stage" in d.page_source and "Lifecycle transitions" in d.page_source
    assert len(d.find_elements(By.CSS_SELECTOR, ".chart svg")) == 6 and "met a problem there" in d.page_source
    shot(d, "stages_en")
    # the stage editor: the repeat purchase counted from the 0th time is refused at its field
    nth = d.find_element(By.NAME, "s4.nth")
    assert nth.get_attribute("value") == "2"
    nth.clear()
    nth.send_keys("0")
    d.find_element(By.CSS_SELECTOR, ".actions button[value='show']").click()
    wait(lambda d: d.find_elements(By.CSS_SELECTOR, "input[name='s4.nth'][aria-invalid='true']"), "the stage's problem")
    assert d.find_element(By.CSS_SELECTOR, ".stage-card[data-stage='4'] .err").text
    assert not d.find_elements(By.CSS_SELECTOR, ".chart svg")
    # going back to the default stages asks first (only that button: "show" does not); declined, nothing changes
    from selenium.webdriver.support import expected_conditions as EC
    d.find_element(By.XPATH, "//button[@value='reset']").click()
    WebDriverWait(d, 10).until(EC.alert_is_present(), message="the question before the reset")
    assert "default stages" in d.switch_to.alert.text
    d.switch_to.alert.dismiss()
    assert d.find_element(By.NAME, "s4.nth").get_attribute("value") == "0", "not reset when declined"
    # customers: search by an event, then a customer's timeline found by one of their ids
    d.find_element(By.LINK_TEXT, "Customers").click()
    wait(lambda d: d.title.startswith("Customers"), "the customers page")
    d.find_element(By.ID, "did").send_keys("purchase where revenue > 20000")
    d.find_element(By.XPATH, "//input[@id='did']/ancestor::form//button").click()
    wait(lambda d: "Customers found:" in d.page_source, "the search result")
    assert d.find_elements(By.CSS_SELECTOR, "table tbody tr a")
    d.find_element(By.ID, "id").send_keys(someone)
    d.find_element(By.XPATH, "//input[@id='id']/ancestor::form//button").click()
    wait(lambda d: "Timeline" in d.page_source, "the timeline")
    assert someone in d.page_source
    shot(d, "customer_en")
    d.find_element(By.LINK_TEXT, "Overview").click()
    wait(lambda d: d.title.startswith("Overview"), "back to the overview")

    d.find_element(By.XPATH, "//form[@action='/settings/lang']//button").click()
    wait(lambda d: d.title.startswith("Обзор"), "the overview in Russian")
    assert d.title.startswith("Обзор") and "Где клиенты сейчас" in d.page_source
    assert d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ru"
    shot(d, "overview_ru")
    # a tampered language switch (back = "/<tab>/other-host/", which Chromium would read as //other-host/) stays here
    d.get(server.url + "/funnels")
    d.execute_script(
        "const f = document.querySelector(\"form[action='/settings/lang']\"); f.querySelector('[name=lang]').value = 'ru';"
        "f.querySelector('[name=back]').value = '/\\t/example.invalid/'; f.submit()")
    wait(lambda d: d.current_url == server.url + "/" or "example.invalid" in d.current_url, "the redirect after the switch")
    assert d.current_url == server.url + "/" and d.title.startswith("Обзор"), d.current_url

    # an analyst does not reach the admin pages
    d.get(server.url + "/settings/keys")
    assert "403" in d.page_source and "администратор" in d.page_source
    d.find_element(By.XPATH, "//form[@action='/logout']//button").click()
    wait(lambda d: d.current_url.endswith("/login"), "the sign-in page after sign-out")
    d.get(server.url + "/")
    assert d.current_url.endswith("/login"), "after sign-out the session no longer opens pages"
    # an admin creates a write key (shown once, then only its first characters) and sends an event with it
    sign_in(PASSWORD, ADMIN)
    wait(lambda d: d.title.startswith("Overview"), "the admin's overview")
    d.find_element(By.LINK_TEXT, "Settings").click()
    d.find_element(By.LINK_TEXT, "API keys").click()
    wait(lambda d: d.title.startswith("Settings") and d.find_elements(By.ID, "label"), "the keys page")
    d.find_element(By.ID, "label").send_keys("landing page")
    d.find_element(By.XPATH, "//input[@id='label']/ancestor::form//button").click()
    wait(lambda d: d.find_elements(By.ID, "new-key"), "the new key")
    secret = d.find_element(By.ID, "new-key").text
    assert secret.startswith("tw_") and len(secret) == 35
    shot(d, "key_created_en")
    import requests
    r = requests.post(server.url + "/v1/track", auth=(secret, ""), json={"event": "landing_seen", "anonymousId": "a-x"})
    assert r.status_code == 200, r.text
    d.get(server.url + "/settings/keys")
    assert secret not in d.page_source and secret[:7] in d.page_source and "landing page" in d.page_source
    d.find_element(By.LINK_TEXT, "Users").click()
    d.find_element(By.ID, "email").send_keys("ivan@shop.example")
    d.find_element(By.XPATH, "//input[@id='email']/ancestor::form//button").click()
    wait(lambda d: d.find_elements(By.ID, "new-password"), "the new user's password")
    assert len(d.find_element(By.ID, "new-password").text) == 20 and "ivan@shop.example" in d.page_source
    d.find_element(By.XPATH, "//form[@action='/logout']//button").click()
    wait(lambda d: d.current_url.endswith("/login"), "signed out")
