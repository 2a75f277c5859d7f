"""The web app in headless Chromium, driven by Selenium through Debian's chromedriver: sign in (a wrong password
first), the overview's numbers and charts on demo data, the funnel builder (and a mistake shown at its field),
the switch to Russian, sign out. Screenshots of each page
go to $TROPA_SCREENSHOTS when it is set."""
import json
import os
import re

import pytest

from .live import tropa

CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
EMAIL, PASSWORD = "maria@shop.example", "correct horse battery"


@pytest.fixture
def browser():
    assert os.path.exists(CHROMEDRIVER), f"chromedriver is missing at {CHROMEDRIVER}: apt-get install chromium-driver"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    o = webdriver.ChromeOptions()
    for a in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--window-size=1280,1300", "--lang=en-US"]:
        o.add_argument(a)
    o.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    d = webdriver.Chrome(options=o, service=Service(CHROMEDRIVER))
    yield d
    d.quit()


def shot(d, name):
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
    stats = tropa(data, "stats", "--format", "json", parse=True)
    tropa(data, "export", tmp_path / "events.ndjson", "--format", "ndjson")
    first = json.loads((tmp_path / "events.ndjson").read_text().splitlines()[0])
    someone = first.get("userId") or first["anonymousId"]
    server = start_server(data)
    d = browser
    d.get(server.url + "/")
    assert d.current_url.endswith("/login"), "signed out, the app sends to the sign-in page"
    shot(d, "login_en")

    def sign_in(password):
        d.find_element(By.ID, "email").clear()
        d.find_element(By.ID, "email").send_keys(EMAIL)
        d.find_element(By.ID, "password").send_keys(password)
        d.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()

    sign_in("not my password")
    wait(lambda d: d.find_elements(By.CSS_SELECTOR, "[role=alert]"), "the sign-in error")
    assert "Wrong e-mail or password" in d.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert d.find_element(By.ID, "email").get_attribute("aria-invalid") == "true"
    sign_in(PASSWORD)
    wait(lambda d: d.title.startswith("Overview"), f"the overview after sign-in, not {d.title}")
    cards = [c.text for c in d.find_elements(By.CSS_SELECTOR, ".card .n")]
    assert cards[0] == f"{stats['customers']:,}" and cards[1] == f"{stats['events']:,}", (cards, stats["customers"])
    assert re.fullmatch(r"\d+\.\d%", cards[2]), cards
    charts = d.find_elements(By.CSS_SELECTOR, ".chart svg")
    assert len(charts) == 3 and "Where customers are now" in d.page_source
    shot(d, "overview_en")

    # the funnel builder: the default checkout funnel on demo data, then a mistake shown at its field
    d.find_element(By.LINK_TEXT, "Funnels").click()
    wait(lambda d: d.title.startswith("Funnels"), "the funnels page")
    rows = d.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert len(rows) >= 4 and "purchase" in d.page_source and d.find_elements(By.CSS_SELECTOR, ".chart svg")
    shot(d, "funnels_en")
    d.find_element(By.ID, "window").clear()
    d.find_element(By.ID, "window").send_keys("soon")
    d.find_element(By.CSS_SELECTOR, "form.builder button[type=submit]").click()
    wait(lambda d: d.find_elements(By.CSS_SELECTOR, "[role=alert]"), "the window error")
    assert d.find_element(By.ID, "window").get_attribute("aria-invalid") == "true"
    assert "window: 'soon'" in d.find_element(By.CSS_SELECTOR, "[role=alert]").text
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
    # a customer's timeline, found by one of their ids
    d.find_element(By.LINK_TEXT, "Customers").click()
    wait(lambda d: d.title.startswith("Customers"), "the customers page")
    d.find_element(By.ID, "id").send_keys(someone)
    d.find_element(By.CSS_SELECTOR, "form.search button").click()
    wait(lambda d: d.find_elements(By.CSS_SELECTOR, "table tbody tr"), "the timeline")
    assert someone in d.page_source
    shot(d, "customer_en")
    d.find_element(By.LINK_TEXT, "Overview").click()
    wait(lambda d: d.title.startswith("Overview"), "back to the overview")

    d.find_element(By.XPATH, "//form[@action='/settings/lang']//button").click()
    wait(lambda d: d.title.startswith("Обзор"), "the overview in Russian")
    assert d.title.startswith("Обзор") and "Где клиенты сейчас" in d.page_source
    assert d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ru"
    shot(d, "overview_ru")

    d.find_element(By.XPATH, "//form[@action='/logout']//button").click()
    wait(lambda d: d.current_url.endswith("/login"), "the sign-in page after sign-out")
    d.get(server.url + "/")
    assert d.current_url.endswith("/login"), "after sign-out the session no longer opens pages"
