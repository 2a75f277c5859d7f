"""Experiments in headless Chromium (Selenium + Debian's chromedriver) on demo data: sign in as an analyst, the
list with the sample-ratio warning on cart_page_v3 (its logger loses B exposures), checkout_v2's page with the
journey compared per variant (stages and the funnel, each difference with its interval), the form that creates an
experiment (a field error shown at its field first, then saved and opened), and the sample-size calculator's
answer in words — in English and in Russian. Every page runs under the server's Content-Security-Policy and the
test fails on any content it refuses. Screenshots go to $TROPA_SCREENSHOTS when it is set."""
import re

from .live import tropa
from .test_web_app import assert_no_csp_violations, browser, shot  # noqa: F401  (the fixture and helpers)

EMAIL, PASSWORD = "anna@shop.example", "correct horse battery"


def test_list_srm_journey_form_and_calculator(tmp_path, start_server, browser):  # noqa: F811
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def wait(cond, what, seconds=30):
        WebDriverWait(browser, seconds, ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: cond(d), message=what)

    data = tmp_path / "data"
    # enough customers for the planted sample-ratio mismatch to be flagged (p < 0.001)
    tropa(data, "demo", "generate", "--customers", "12000", "--seed", "5")
    # the two planted tests, defined as `tropa demo` defines them
    tropa(data, "experiment", "create", "checkout_v2", "--exposure", "begin_checkout", "--primary", "conversion:purchase:7d",
          "--guardrail", "revenue:30d", *[a for s in ("begin_checkout", "add_payment_info", "purchase") for a in ("--funnel-step", s)])
    tropa(data, "experiment", "create", "cart_page_v3", "--exposure", "page_view", "--primary", "conversion:purchase:7d")
    tropa(data, "user", "create", "--email", EMAIL, "--role", "analyst", "--password-stdin", input=PASSWORD + "\n")
    server = start_server(data)
    d = browser
    d.get(server.url + "/experiments")
    assert d.current_url.endswith("/login")
    d.find_element(By.ID, "email").send_keys(EMAIL)
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.CSS_SELECTOR, "form.login button").click()
    wait(lambda d: d.current_url.endswith("/experiments"), f"back on the list, not {d.current_url}")
    assert_no_csp_violations(d, "the experiment list")

    # the list: both planted tests, the SRM flagged on cart_page_v3 only
    rows = {r.find_element(By.CSS_SELECTOR, "td a").text: r for r in d.find_elements(By.CSS_SELECTOR, "table.data tbody tr")}
    assert set(rows) >= {"checkout_v2", "cart_page_v3"}, list(rows)
    assert rows["cart_page_v3"].find_elements(By.CSS_SELECTOR, "span.bad"), rows["cart_page_v3"].text
    assert not rows["checkout_v2"].find_elements(By.CSS_SELECTOR, "span.bad"), rows["checkout_v2"].text
    shot(d, "experiments_list")
    rows["cart_page_v3"].find_element(By.CSS_SELECTOR, "td a").click()
    wait(lambda d: d.find_elements(By.ID, "srm-warning"), "the blocking SRM warning")
    assert "χ²" in d.find_element(By.ID, "srm-warning").text

    # checkout_v2: the journey per variant
    d.get(server.url + "/experiments/checkout_v2")
    wait(lambda d: d.find_elements(By.ID, "journey"), "the journey section")
    assert d.find_elements(By.CSS_SELECTOR, "#chart-stages svg"), "the stages chart"
    stages = {r.get_attribute("data-stage") for r in d.find_elements(By.CSS_SELECTOR, "#journey-stages tbody tr")}
    assert {"awareness", "consideration", "purchase"} <= stages, stages
    purchase = d.find_element(By.CSS_SELECTOR, "#journey-stages tr[data-stage='purchase'][data-lane='reached']")
    assert re.search(r"[+-]\d+\.\d\s+pp", purchase.text) and "…" in purchase.text, purchase.text
    steps = [r.get_attribute("data-stage") for r in d.find_elements(By.CSS_SELECTOR, "#journey-funnel tbody tr[data-lane='reached']")]
    assert steps == ["begin_checkout", "add_payment_info", "purchase"], steps
    assert "Holm" in d.find_element(By.ID, "journey").text
    shot(d, "experiment_journey")

    # a new experiment through the form: a window of 0 days is refused at its field, then it is saved
    d.get(server.url + "/experiments")
    d.find_element(By.ID, "exp-new").click()
    wait(lambda d: d.find_elements(By.ID, "exp-form"), "the form")
    form = d.find_element(By.ID, "exp-form")
    form.find_element(By.NAME, "key").send_keys("hero_banner")
    form.find_element(By.NAME, "exposure").clear()
    form.find_element(By.NAME, "exposure").send_keys("page_view")
    primary = form.find_element(By.NAME, "primary")
    primary.clear()
    primary.send_keys("conversion:purchase:0d")
    form.find_element(By.NAME, "weights").clear()
    form.find_element(By.NAME, "weights").send_keys("1, 1")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(lambda d: d.find_elements(By.ID, "err-primary"), "the error at the primary metric")
    assert "longer than 0" in d.find_element(By.ID, "err-primary").text
    assert d.find_element(By.NAME, "key").get_attribute("value") == "hero_banner", "what was typed is kept"
    assert d.find_element(By.NAME, "primary").get_attribute("aria-invalid") == "true"
    shot(d, "experiment_form_error")
    primary = d.find_element(By.NAME, "primary")
    primary.clear()
    primary.send_keys("conversion:purchase:7d")
    d.find_element(By.CSS_SELECTOR, "#exp-form button[type=submit]").click()
    wait(lambda d: "/experiments/hero_banner" in d.current_url, f"the new experiment's page, not {d.current_url}")
    assert "hero_banner" in d.find_element(By.TAG_NAME, "h1").text
    listed = tropa(data, "experiment", "show", "hero_banner", parse=True)
    assert (listed["primary"], listed["exposure"]) == ("conversion:purchase:7d", "page_view"), listed

    # the calculator answers in words
    d.get(server.url + "/experiments")
    calc = d.find_element(By.CSS_SELECTOR, "form.exp-calc")
    calc.find_element(By.NAME, "baseline").clear()
    calc.find_element(By.NAME, "baseline").send_keys("10")
    calc.find_element(By.NAME, "effect").send_keys("1")
    calc.find_element(By.CSS_SELECTOR, "button").click()
    wait(lambda d: d.find_elements(By.ID, "calc-answer"), "the calculator's answer")
    words = d.find_element(By.ID, "calc-answer").text
    n = int(re.search(r"about (\d+) customers", words).group(1))
    assert 14_100 <= n <= 14_200, words  # statsmodels NormalIndPower: 14,128 per variant
    shot(d, "experiment_calculator")

    # in Russian
    d.find_element(By.XPATH, "//form[@action='/settings/lang']//button").click()
    wait(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ru", "the Russian pages")
    d.get(server.url + "/experiments/checkout_v2")
    wait(lambda d: d.find_elements(By.ID, "journey"), "the journey section in Russian")
    assert "Где на пути клиента" in d.find_element(By.ID, "journey").text
    shot(d, "experiment_journey_ru")
