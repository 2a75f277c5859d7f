"""The demo as a marketer meets it: traffic that holds up to the day it was made, the overview's period picker and
comparison, the customers' lists and a timeline in sessions (headless Chromium, under the pages' CSP), and the
language rule: the demo speaks the CLI's language, and a reader of the other language finds the store's map in
theirs (Russian stage names, suggestions and number formats)."""
import datetime
import os
import re
import subprocess

import pytest
import requests

from .live import TROPA, clean_env
from .test_web_app import assert_no_csp_violations, browser, shot  # noqa: F401 (the fixture)

EMAIL, PASSWORD = "demo@tropa.local", "tropa-demo-password"
READ_KEY = "tr_demo_read_key"


def make_demo(data, lang):
    env = {**clean_env(), "TROPA_LANG": lang}
    out = subprocess.run([TROPA, "--data", str(data), "demo", "--no-serve"], capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.fixture(scope="module")
def demo_en(tmp_path_factory):
    data = tmp_path_factory.mktemp("demo_en") / "data"
    make_demo(data, "en")
    return data


def signed_in(server):
    s = requests.Session()
    s.get(server.url + "/login", timeout=30)
    r = s.post(server.url + "/login", data={"csrf": s.cookies.get("tropa_csrf"), "email": EMAIL, "password": PASSWORD},
               allow_redirects=False, timeout=30)
    assert r.status_code == 303, r.text
    return s


def csrf(page):
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_demo_traffic_holds_up_to_the_day_it_was_made(demo_en, start_server):
    server = start_server(demo_en)
    stats = server.get("/api/v1/stats", READ_KEY).json()
    last = datetime.date.fromisoformat(stats["last_event"][:10])
    today = datetime.datetime.now(datetime.timezone.utc).date()
    assert 0 <= (today - last).days <= 2, stats["last_event"]
    days = stats["events_by_day"]
    weeks = [sum(d["events"] for d in days[i:i + 7]) for i in range(0, len(days) - 6, 7)]
    settled = weeks[4:]
    mean = sum(settled) / len(settled)
    assert all(0.75 < w / mean < 1.25 for w in settled), weeks
    # new customers keep coming: the last week has about as many customers new to the shop as any other
    def customers_until(until):
        r = requests.post(server.url + "/api/v1/stats", json={"filters": {"until": until}},
                          headers={"Authorization": f"Bearer {READ_KEY}"}, timeout=60)
        assert r.status_code == 200, r.text
        return r.json()["customers"]

    def new_customers(since, until):
        return customers_until(until) - customers_until(since)

    first = datetime.date.fromisoformat(stats["first_event"][:10])
    week = datetime.timedelta(days=7)
    counts = [new_customers(str(first + i * week), str(first + (i + 1) * week)) for i in range(0, (last - first).days // 7)]
    avg = sum(counts) / len(counts)
    assert all(0.75 < c / avg < 1.25 for c in counts), counts
    # the overview opens on the last 30 days, ending on the data's last day, with a comparison
    page = signed_in(server).get(server.url + "/", timeout=60).text
    assert f"— {last.isoformat()}" in page and "against the previous period" in page, page[:2000]
    assert "No events in this period" not in page
    # the query API gives the same numbers for the same period (the same report underneath)
    since, until = re.search(r"<strong>(\d{4}-\d{2}-\d{2}) — (\d{4}-\d{2}-\d{2})</strong>", page).groups()
    until = str(datetime.date.fromisoformat(until) + datetime.timedelta(days=1))
    r = requests.post(server.url + "/api/v1/stats", json={"filters": {"since": since, "until": until}},
                      headers={"Authorization": f"Bearer {READ_KEY}"}, timeout=60).json()
    first_card = re.search(r'<div class="card"><div class="n">([\d,]+)</div>', page).group(1)
    assert first_card == f"{r['customers']:,}", (first_card, r["customers"])
    direct = next(c for c in r["channels"] if c["value"] == "direct")
    assert f"<td>Direct</td><td class=\"num\">{direct['customers']:,}</td><td class=\"num\">{direct['buyers']:,}</td>" in page


def test_a_russian_reader_finds_the_demo_map_in_russian(demo_en, start_server):
    server = start_server(demo_en)
    s = signed_in(server)
    maps = s.get(server.url + "/maps", timeout=60).text
    assert "Outdoor gear online store" in maps, "the demo's own map, in the CLI's language"
    r = s.post(server.url + "/settings/lang", data={"csrf": csrf(maps), "lang": "ru"}, allow_redirects=False, timeout=30)
    assert r.status_code == 303
    maps = s.get(server.url + "/maps", timeout=60).text
    link = re.search(r'<a href="(/maps/\d+)[^"]*">Интернет-магазин товаров для активного отдыха</a>', maps)
    assert link, maps
    page = s.get(server.url + link.group(1), timeout=120).text
    for must in ["Первичный контакт", "Совершение покупки", "Подсказки из данных"]:
        assert must in page, must
    assert "First contact" not in page
    # the English map, read in Russian: its own texts as written, tropa's suggestions in the reader's language
    english = s.get(server.url + "/maps/1", timeout=120).text
    assert "First contact" in english and "Подсказки из данных" in english
    assert "Самый долгий этап" in english and "Slowest stage" not in english
    assert re.search(r"\d\u202f\d{3}", page), "Russian thousands separators"
    # back to English for the other tests of this demo folder
    r = s.post(server.url + "/settings/lang", data={"csrf": csrf(page), "lang": "en"}, allow_redirects=False, timeout=30)
    assert r.status_code == 303


def test_a_russian_demo_speaks_russian(tmp_path, start_server):
    data = tmp_path / "data"
    out = make_demo(data, "ru")
    assert "демо-данные" in out
    server = start_server(data)
    s = signed_in(server)
    page = s.get(server.url + "/", timeout=60).text
    assert "<title>Обзор" in page and "к предыдущему периоду" in page, "the demo admin's interface is Russian"
    first = s.get(server.url + "/maps/1", timeout=120).text
    assert "Первичный контакт" in first and "Подсказки из данных" in first


def test_overview_period_picker_and_customers_in_a_browser(demo_en, start_server, browser):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    server = start_server(demo_en)
    d = browser
    d.get(server.url + "/login")
    d.find_element(By.ID, "email").send_keys(EMAIL)
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
    WebDriverWait(d, 30).until(lambda d: d.title.startswith("Overview"), "the overview")
    assert len(d.find_elements(By.CSS_SELECTOR, ".card .delta")) == 5
    shot(d, "overview_30_en")
    # picking a preset submits the form (app.js), the period and its comparison follow
    Select(d.find_element(By.ID, "range")).select_by_value("7")
    WebDriverWait(d, 30).until(lambda d: "range=7" in d.current_url, "the 7-day period")
    period = d.find_element(By.CSS_SELECTOR, "p.period").text
    a, b = re.findall(r"\d{4}-\d{2}-\d{2}", period)[:2]
    assert (datetime.date.fromisoformat(b) - datetime.date.fromisoformat(a)).days == 6, period
    dates = [d.find_element(By.ID, f).get_attribute("value") for f in ("since", "until")]
    assert dates == [a, b], "the date fields show the period's own dates"
    rows = d.find_elements(By.CSS_SELECTOR, ".channel-table tbody tr")
    assert len(rows) >= 5
    shot(d, "overview_7_en")
    # the customers page: recent and most valuable; a valuable customer's timeline in sessions with stage badges
    d.get(server.url + "/customers")
    lists = d.find_elements(By.CSS_SELECTOR, ".top-list")
    assert len(lists) == 2 and len(lists[1].find_elements(By.CSS_SELECTOR, "tbody tr")) == 10
    lists[1].find_element(By.CSS_SELECTOR, "tbody tr a").click()
    WebDriverWait(d, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "tr.session-head"), "the timeline")
    badges = [b.text for b in d.find_elements(By.CSS_SELECTOR, ".badge.stage")]
    assert "Purchase" in badges, badges
    assert d.find_elements(By.CSS_SELECTOR, "aside.traits")
    shot(d, "customer_timeline_en")
    assert_no_csp_violations(d, "the overview and customers pages")
