"""The attribution page in headless Chromium on demo data with imported ad spend: every model side by side (a
table and a bar chart per model), the touches the lookback cut, the spend columns, a campaign breakdown, a
mistyped lookback refused at its field, the page in Russian — all under the server's Content-Security-Policy.
The cost file goes through the query API (write key) and a bad one is refused with its lines."""
import json

import requests

from .live import tropa
from .test_web_app import assert_no_csp_violations, browser, shot  # noqa: F401  (the fixture and helpers)

EMAIL, PASSWORD = "olga@shop.example", "correct horse battery"
COSTS = "date,source,medium,campaign,cost,currency\n2026-03-02,google,cpc,tents_promo,15000,RUB\n2026-03-03,vk,cpc,spring_sale,8000,RUB\n"
BAD = "date,source,medium,campaign,cost,currency\n2026-02-30,google,cpc,a,1,RUB\n2026-03-03,vk,cpc,b,-8,RUB\n"


def test_models_side_by_side_with_spend_in_both_languages(tmp_path, start_server, browser):  # noqa: F811
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    data = tmp_path / "data"
    tropa(data, "demo", "generate", "--customers", "2000", "--seed", "11")
    tropa(data, "user", "create", "--email", EMAIL, "--role", "analyst", "--password-stdin", input=PASSWORD + "\n")
    write = json.loads(tropa(data, "key", "create", "--kind", "write", "--format", "json"))["secret"]
    server = start_server(data)

    bad = requests.post(server.url + "/api/v1/costs", data=BAD.encode(), auth=(write, ""))
    assert bad.status_code == 400, bad.text
    assert [(r["index"], r["field"]) for r in bad.json()["rejected"]] == [(2, "date"), (3, "cost")]
    ok = requests.post(server.url + "/api/v1/costs", data=COSTS.encode(), auth=(write, ""))
    assert ok.status_code == 200, ok.text
    assert ok.json()["rows"] == 2

    d = browser
    d.get(server.url + "/login")
    d.find_element(By.ID, "email").send_keys(EMAIL)
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.CSS_SELECTOR, "form.login button").click()
    WebDriverWait(d, 20).until(lambda d: not d.current_url.endswith("/login"))

    d.get(server.url + "/attribution?conversion=purchase&by=channel&lookback=7d")
    assert_no_csp_violations(d, "the attribution page")
    heads = [th.text for th in d.find_elements(By.CSS_SELECTOR, "table.attr-models")[0].find_elements(By.CSS_SELECTOR, "thead th")]
    for model in ["First touch", "Last touch", "Linear", "Markov chain", "Shapley value"]:
        assert any(model in h.replace("\n", " ") for h in heads), (model, heads)
    assert len(d.find_elements(By.CSS_SELECTOR, ".attr-charts figure")) == 8
    cut = d.find_element(By.CSS_SELECTOR, ".attr-cut").text
    assert "lookback" in cut and int("".join(ch for ch in cut.split(":")[-1] if ch.isdigit())) > 0, cut
    costs = d.find_element(By.CSS_SELECTOR, "table.attr-costs").text
    assert "Paid search" in costs and "15,000" in costs, costs
    shot(d, "attribution_channels")

    d.get(server.url + "/attribution?conversion=purchase&by=campaign&lookback=")
    alerts = [e.text for e in d.find_elements(By.CSS_SELECTOR, "p.err[role=alert]")]
    assert any("empty" in a for a in alerts), alerts

    d.get(server.url + "/attribution?conversion=purchase&by=campaign&lookback=30d")
    assert "tents_promo" in d.find_element(By.CSS_SELECTOR, "table.attr-models").text

    # the period controls: per week, read by the last-touch model, chosen in the form and submitted
    from selenium.webdriver.support.ui import Select

    d.get(server.url + "/attribution?conversion=purchase&by=channel&lookback=30d")
    Select(d.find_element(By.ID, "period")).select_by_value("week")
    Select(d.find_element(By.ID, "pmodel")).select_by_value("last_touch")
    d.find_element(By.CSS_SELECTOR, "form.builder button[type=submit]").click()
    WebDriverWait(d, 20).until(lambda d: "period=week" in d.current_url and d.find_elements(By.CSS_SELECTOR, "table.attr-periods"))
    assert "pmodel=last_touch" in d.current_url, d.current_url
    assert_no_csp_violations(d, "the attribution page per week")
    assert "Last touch" in d.find_element(By.XPATH, "//h2[contains(., 'By period')]").text
    weeks = d.find_element(By.CSS_SELECTOR, "table.attr-periods").text
    # the week of 2 March carries both days of spend: 15,000 on paid search, 8,000 on VK
    assert "15,000" in weeks and "8,000" in weeks, weeks
    assert d.find_elements(By.CSS_SELECTOR, "figure.chart svg"), "the period chart"
    shot(d, "attribution_periods")

    d.get(server.url + "/settings")
    d.find_element(By.CSS_SELECTOR, "#lang option[value='ru']").click()
    d.find_element(By.XPATH, "//select[@id='lang']/ancestor::form//button").click()
    # the settings are saved when the page after the form says so in Russian; only then open the report
    WebDriverWait(d, 20, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ru"
    )
    d.get(server.url + "/attribution")
    WebDriverWait(d, 20, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda d: "Цепи Маркова" in d.page_source
    )
    assert "Цепи Маркова" in d.page_source and "Атрибуция" in d.page_source
    assert_no_csp_violations(d, "the attribution page in Russian")
    shot(d, "attribution_ru")
