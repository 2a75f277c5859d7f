"""The living journey map in headless Chromium (Selenium + Debian's chromedriver) on demo data: sign in (the map
list asked for first is opened after sign-in), create a map from the online-store template, edit a card (saved
as you type), move a stage, see the new versions in the history, compare two versions (changed cells marked),
switch the persona and watch the data lanes change, accept a suggestion from the data, export the PDF and turn
it into an image with pdftoppm, delete the map (asked first). Every page runs under the server's
Content-Security-Policy and the test fails on any content it refuses. Screenshots go to $TROPA_SCREENSHOTS when it
is set."""
import os
import re
import shutil
import subprocess

import pytest

from .live import tropa
from .test_web_app import assert_no_csp_violations, browser, shot  # noqa: F401  (the fixture and helpers)

EMAIL, PASSWORD = "olga@shop.example", "correct horse battery"


def test_create_edit_version_compare_persona_export(tmp_path, start_server, browser):  # noqa: F811
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    def wait(cond, what, seconds=20):
        # a page that reloads meanwhile leaves stale elements behind: ask again
        WebDriverWait(browser, seconds, ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: cond(d), message=what)

    data = tmp_path / "data"
    tropa(data, "demo", "generate", "--customers", "2000", "--seed", "11")
    tropa(data, "user", "create", "--email", EMAIL, "--role", "analyst", "--password-stdin", input=PASSWORD + "\n")
    server = start_server(data)
    d = browser
    d.get(server.url + "/maps")
    assert d.current_url.endswith("/login")
    d.find_element(By.ID, "email").send_keys(EMAIL)
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.CSS_SELECTOR, "form.login button").click()
    wait(lambda d: d.current_url.endswith("/maps"), f"back on the page asked for, not {d.current_url}")
    assert_no_csp_violations(d, "the map list")

    # a map from the template, in English
    Select(d.find_element(By.ID, "template")).select_by_value("online_store")
    Select(d.find_element(By.ID, "map-lang")).select_by_value("en")
    # the template's own stages (a new map offers the project's first)
    d.find_element(By.CSS_SELECTOR, "input[name='stages'][value='detached']").click()
    d.find_element(By.XPATH, "//select[@id='template']/ancestor::form//button").click()
    wait(lambda d: re.search(r"/maps/\d+", d.current_url) and d.find_elements(By.CSS_SELECTOR, "table.cjm"), "the new map")
    map_url = d.current_url
    stages = lambda: [e.get_attribute("value") for e in d.find_elements(By.CSS_SELECTOR, "thead .stage-name")]
    assert stages() == ["First contact", "Research", "Decision", "Purchase", "After-sale service"]

    def lane_values(lane):
        return [c.text for c in d.find_elements(By.CSS_SELECTOR, f"tr[data-lane='{lane}'] td .value")]

    everyone = lane_values("reached")
    assert everyone[0] == "2,000", everyone
    drop = lane_values("dropoff")[2]
    assert 60 <= float(drop.split("%")[0]) <= 80, f"about 70 % leave at the cart: {drop}"
    shot(d, "map_en")

    # edit a card: saved as you type, a new version
    cell = d.find_element(By.CSS_SELECTOR, "tr[data-lane='pains'] td:nth-of-type(2) textarea")
    cell.clear()
    cell.send_keys("No size chart for boots")
    saved = lambda: re.search(r"version (\d+)", d.find_element(By.CSS_SELECTOR, ".save-state").text)
    wait(lambda d: saved() and int(saved().group(1)) >= 2, "the autosave")
    # move the second stage to the left (a plain form)
    d.find_element(By.CSS_SELECTOR, "thead th:nth-of-type(3) button[title='Move left']").click()
    wait(lambda d: stages()[:2] == ["Research", "First contact"], f"the stage moved: {d.page_source[-400:]}")
    d.get(map_url)
    assert d.find_element(By.CSS_SELECTOR, "tr[data-lane='pains'] td:nth-of-type(1) textarea").get_attribute("value") == "No size chart for boots"

    # history: the versions; compare the first and the last
    d.find_element(By.LINK_TEXT, "History").click()
    wait(lambda d: d.title.startswith("History"), "the history")
    rows = d.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert len(rows) >= 3 and "Order of stages: research → first_contact" in rows[0].text, [r.text for r in rows]
    last = rows[0].text.split()[0]
    shot(d, "map_history_en")
    d.get(map_url.split("?")[0] + f"/compare?a=1&b={last}")
    wait(lambda d: d.find_elements(By.CSS_SELECTOR, "td.changed"), "changed cells marked")
    assert "No size chart for boots" in d.find_element(By.CSS_SELECTOR, "ul.changes").text
    shot(d, "map_compare_en")

    # the persona switch: Maria's customers only
    d.get(map_url)
    Select(d.find_element(By.ID, "persona")).select_by_value("maria")
    wait(lambda d: "persona=maria" in d.current_url, "the persona's map")
    hers = lane_values("reached")
    assert int(hers[1].replace(",", "")) < int(everyone[0].replace(",", "")), (hers, everyone)
    assert "Persona: Maria, 35" in d.page_source
    shot(d, "map_persona_en")

    # a suggestion from the data goes onto the map
    d.get(map_url)
    accept = d.find_elements(By.XPATH, "//ul[@class='suggestions']//button")
    assert accept, "the data suggests pain points"
    accept[0].click()
    wait(lambda d: d.find_elements(By.CSS_SELECTOR, "ul.suggestions .muted"), "the suggestion on the map")
    assert_no_csp_violations(d, "the map after its edits")

    # the PDF, fetched the way its link would be, then drawn as an image
    link = d.find_element(By.LINK_TEXT, "PDF").get_attribute("href")
    got = d.execute_async_script(
        "const done = arguments[1]; fetch(arguments[0]).then(async r => done([r.status, r.headers.get('content-type'), "
        "Array.from(new Uint8Array(await r.arrayBuffer()))]))", link)
    assert got[0] == 200 and got[1] == "application/pdf"
    pdf = tmp_path / "map.pdf"
    pdf.write_bytes(bytes(got[2]))
    assert pdf.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: apt-get install poppler-utils")
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(tmp_path / "map")], check=True)
    image = tmp_path / "map.png"
    assert image.stat().st_size > 20_000, "the PDF has drawn content"
    out = os.environ.get("TROPA_SCREENSHOTS")
    if out:
        shutil.copy(image, os.path.join(out, "map_pdf_page.png"))

    # deleting the map asks first (the app's script, no inline handler): no, then yes
    from selenium.webdriver.support import expected_conditions as EC
    d.get(map_url)
    delete = lambda: d.find_element(By.XPATH, "//form[contains(@action, '/delete')]//button[@class='danger']")
    delete().click()
    WebDriverWait(d, 10).until(EC.alert_is_present(), message="the question before deleting")
    assert "Delete the map" in d.switch_to.alert.text
    d.switch_to.alert.dismiss()
    assert d.current_url == map_url and d.find_elements(By.CSS_SELECTOR, "table.cjm"), "not deleted when declined"
    delete().click()
    WebDriverWait(d, 10).until(EC.alert_is_present(), message="the question before deleting")
    d.switch_to.alert.accept()
    wait(lambda d: re.search(r"/maps(\?|$)", d.current_url), f"the map list after deleting, not {d.current_url}")
    number = re.search(r"/maps/(\d+)", map_url).group(1)
    assert f'href="/maps/{number}?' not in d.page_source, "the map is gone from the list"
    assert_no_csp_violations(d, "the map list after deleting")
