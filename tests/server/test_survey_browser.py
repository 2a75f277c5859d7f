"""The survey widget in headless Chromium (issue 14): a shop page on another origin, served with a strict
Content-Security-Policy (no inline scripts or styles; scripts, styles and requests only from itself and tropa),
loads the snippet with data-surveys="true"; after the page's `purchase` event the NPS widget appears in its Shadow
DOM, in Russian (the page's lang), styled by tropa's stylesheet; a keyboard-only answer (arrows, Tab, typing,
Enter) arrives as a survey_response event; the surveys page, the feedback page, the query API and a journey map's
feedback lane show it. The browser fixture fails the test on any content the policy refuses."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .live import tropa, wait_for
from .test_web_app import assert_no_csp_violations, browser  # noqa: F401  (the fixture)

EMAIL, PASSWORD = "cx@shop.example", "correct horse battery"
SURVEY = {
    "key": "post_purchase", "kind": "nps",
    "question": {"en": "How likely are you to recommend us?", "ru": "Насколько вероятно, что вы порекомендуете нас?"},
    "follow_up": {"en": "Why?", "ru": "Почему?"},
    "targeting": {"after_event": "purchase", "percent": 100, "every_days": 30, "needs_consent": True},
    "active": True,
}
PAGE = """<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>Заказ оформлен</title>
<script async src="{tropa}/t.js" data-key="{key}" data-surveys="true"></script>
<script src="/page.js"></script>
</head><body><h1>Спасибо за заказ</h1><button id="buy" type="button">buy</button></body></html>"""
# the page's own script (an external file: the policy allows no inline script): the purchase, and a record of any
# refusal of the policy
SCRIPT = """window.refused = [];
document.addEventListener('securitypolicyviolation', function (e) { window.refused.push(e.violatedDirective + ' ' + e.blockedURI); });
document.addEventListener('DOMContentLoaded', function () {
  document.getElementById('buy').addEventListener('click', function () { window.tropa.track('purchase', {order_id: 'o-1'}); });
});"""


class Shop:
    """The shop's pages on another origin, each answered with a strict Content-Security-Policy."""

    def __init__(self, tropa_url, key):
        files = {"/page.html": ("text/html", PAGE.format(tropa=tropa_url, key=key)), "/page.js": ("text/javascript", SCRIPT)}
        csp = f"default-src 'self' {tropa_url}; base-uri 'none'; object-src 'none'"

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                found = files.get(self.path.split("?")[0])
                if not found:
                    self.send_error(404)
                    return
                data = found[1].encode()
                self.send_response(200)
                self.send_header("Content-Type", f"{found[0]}; charset=utf-8")
                self.send_header("Content-Security-Policy", csp)
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_nps_widget_keyboard_answer_arrives_and_shows(tmp_path, make_project, start_server, browser):  # noqa: F811
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait

    def wait(cond, what, seconds=20):
        WebDriverWait(browser, seconds).until(lambda d: cond(d), message=what)

    data = tmp_path / "data"
    project = make_project(data, "default")
    survey = tmp_path / "survey.json"
    survey.write_text(json.dumps(SURVEY, ensure_ascii=False))
    tropa(data, "survey", "create", survey)
    tropa(data, "user", "create", "--email", EMAIL, "--role", "analyst", "--password-stdin", input=PASSWORD + "\n")
    server = start_server(data)
    shop = Shop(server.url, project.write_key)
    d = browser
    try:
        d.get(shop.url + "/page.html")
        wait(lambda d: d.execute_script("return !!(window.tropa && window.tropa.surveysReady)"), "the widget loaded the surveys")
        assert d.execute_script("return document.querySelector('[data-tropa-survey]')") is None, "no survey before the purchase"
        d.find_element(By.ID, "buy").click()
        wait(lambda d: d.execute_script("return document.querySelector('[data-tropa-survey]')"), "the NPS widget after the purchase")
        host = d.find_element(By.CSS_SELECTOR, "[data-tropa-survey]")
        root = host.shadow_root
        wait(lambda d: d.execute_script(
            "var b = arguments[0].shadowRoot.querySelector('.box'); return b && getComputedStyle(b).position === 'fixed'", host),
            "the widget styled by tropa's stylesheet inside its shadow root")
        box = root.find_element(By.CSS_SELECTOR, ".box")
        assert box.get_attribute("role") == "dialog"
        assert "порекомендуете" in root.find_element(By.CSS_SELECTOR, ".q").text
        radios = root.find_elements(By.CSS_SELECTOR, "[role='radio']")
        assert [r.text for r in radios] == [str(v) for v in range(11)]
        assert root.find_element(By.CSS_SELECTOR, "[role='radiogroup']").get_attribute("aria-labelledby")
        # keyboard only: the first choice has the focus; nine arrows right choose 9, Tab to the "why?", type, Enter
        keys = ActionChains(d)
        for _ in range(9):
            keys.send_keys(Keys.ARROW_RIGHT)
        keys.send_keys(Keys.TAB).send_keys("Быстрая доставка").send_keys(Keys.ENTER).perform()
        wait(lambda d: d.execute_script("var t = arguments[0].shadowRoot.querySelector('.thanks'); return t && t.textContent", host),
             "the thanks after sending")
        assert d.execute_script("return window.refused") == [], "the page's policy refused something"
        aid = d.get_cookie("tropa_aid")["value"]

        def arrived():
            c = server.customer(project.read_key, aid)
            names = [e["name"] for e in c["events"]] if c else []
            return c if "survey_response" in names and "survey_shown" in names else None

        c = wait_for(arrived, 20, "the answer as a survey_response event")
        answer = next(e for e in c["events"] if e["name"] == "survey_response")
        assert answer["properties"]["score"] == 9 and answer["properties"]["survey"] == "post_purchase", answer
        assert answer["properties"]["text"] == "Быстрая доставка" and answer["properties"]["kind"] == "nps", answer

        # the query API: one promoter (NPS 100), a small sample
        r = server.get("/api/v1/feedback", project.read_key).json()
        assert r["overall"]["nps"]["n"] == 1 and r["overall"]["nps"]["value"] == 100.0 and r["overall"]["nps"]["small_sample"], r["overall"]
        assert r["surveys"][0]["survey"] == "post_purchase" and r["surveys"][0]["shown"] == 1 and r["surveys"][0]["answered"] == 1

        # the web app: the surveys page's results, the feedback page's row, a map's feedback lane
        d.get(server.url + "/surveys")
        d.find_element(By.ID, "email").send_keys(EMAIL)
        d.find_element(By.ID, "password").send_keys(PASSWORD)
        d.find_element(By.CSS_SELECTOR, "form.login button").click()
        wait(lambda d: d.current_url.endswith("/surveys"), "the surveys page after sign-in")
        row = d.find_element(By.CSS_SELECTOR, "table.surveys tbody tr").text
        assert "post_purchase" in row and "100.0%" in row, row
        d.get(server.url + "/feedback")
        texts = d.find_element(By.CSS_SELECTOR, "table.fb-texts").text
        assert "Быстрая доставка" in texts and "NPS 9" in texts, texts
        d.get(server.url + "/maps")
        Select(d.find_element(By.ID, "template")).select_by_value("online_store")
        Select(d.find_element(By.ID, "map-lang")).select_by_value("en")
        d.find_element(By.XPATH, "//select[@id='template']/ancestor::form//button").click()
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, "tr[data-lane='feedback']"), "the new map with its feedback lane")
        lane = [c.text for c in d.find_elements(By.CSS_SELECTOR, "tr[data-lane='feedback'] td .value")]
        assert any("NPS +100 (n = 1, small sample)" in v for v in lane), lane
        # the emotion lane: beside the hand-set emotion, the one from the answer's score and from its words
        emotions = [e.text for e in d.find_elements(By.CSS_SELECTOR, "tr.emotions .data-emotion")]
        words = [e.text for e in d.find_elements(By.CSS_SELECTOR, "tr.emotions .text-emotion")]
        assert any("n = 1" in e for e in emotions) and any("n = 1" in e for e in words), (emotions, words)
        # the feedback page's charts download (the themes chart as CSV names the answer's theme)
        d.get(server.url + "/feedback")
        links = [a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "figure.chart figcaption a")]
        assert any("download=themes&format=csv" in h for h in links) and any("download=sentiment&format=png" in h for h in links), links
        assert_no_csp_violations(d, "the web app's pages")
    finally:
        shop.close()
