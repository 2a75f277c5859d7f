"""One journey model in headless Chromium, with the mouse and the keyboard only and no syntax typed: define the
project's stages in the stage editor (add a stage, pick its event, build its condition from a field, an
operator and a value; a mistyped event is refused at its field with the name most likely meant), make a map
linked to those stages, create a persona and see it on the map, change a stage's rule on the map and watch the
numbers refresh without a reload, name a version, compare two versions in one grid with the changed cells
marked, and restore a version. Screenshots go to $TROPA_SCREENSHOTS when it is set."""
import re

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from .live import tropa
from .test_web_app import assert_no_csp_violations, browser, shot  # noqa: F401  (the fixture and helpers)

EMAIL, PASSWORD = "irina@shop.example", "correct horse battery"


def test_stages_persona_map_versions_with_mouse_and_keyboard(tmp_path, start_server, browser):  # noqa: F811
    def wait(cond, what, seconds=20):
        # a page that reloads meanwhile leaves stale elements behind: ask again
        WebDriverWait(browser, seconds, ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: cond(d), message=what)

    data = tmp_path / "data"
    tropa(data, "demo", "generate", "--customers", "1500", "--seed", "7")
    tropa(data, "user", "create", "--email", EMAIL, "--role", "analyst", "--password-stdin", input=PASSWORD + "\n")
    server = start_server(data)
    d = browser
    d.get(server.url + "/stages")
    d.find_element(By.ID, "email").send_keys(EMAIL)
    d.find_element(By.ID, "password").send_keys(PASSWORD + Keys.ENTER)
    wait(lambda d: d.current_url.endswith("/stages"), f"the stages page after sign-in, not {d.current_url}")

    # the project's stages as fields: no file to edit
    names = lambda: [e.get_attribute("value") for e in d.find_elements(By.CSS_SELECTOR, "input[name$='.name_en']")]
    assert names() == ["Awareness", "Interest", "Consideration", "Purchase", "Repeat purchase"]
    assert not d.find_elements(By.ID, "definition")
    shot(d, "stage_editor_en")

    # a new stage at the end, moved up above "Repeat purchase", entered by a purchase of more than 5,000
    d.find_element(By.CSS_SELECTOR, "button[name='op'][value='add']").click()
    wait(lambda d: len(names()) == 6, "the new stage")
    d.find_element(By.NAME, "s5.name_en").send_keys("Big purchase")
    d.find_element(By.NAME, "s5.name_ru").send_keys("Крупная покупка")
    event = d.find_element(By.NAME, "s5.e0.event")
    event.send_keys("purchas")  # a typo first: refused with the name it most likely meant
    d.find_element(By.CSS_SELECTOR, "button[name='action'][value='save']").click()
    wait(lambda d: d.find_elements(By.CSS_SELECTOR, "input[name='s5.e0.event'][aria-invalid='true']"), "the typo refused")
    assert "did you mean 'purchase'" in d.find_element(By.CSS_SELECTOR, ".stage-card[data-stage='5']").text
    shot(d, "stage_editor_typo_en")
    event = d.find_element(By.NAME, "s5.e0.event")
    event.send_keys("e")
    d.find_element(By.NAME, "s5.e0.field").send_keys("revenue")
    Select(d.find_element(By.NAME, "s5.e0.op")).select_by_value(">")
    d.find_element(By.NAME, "s5.e0.value").send_keys("5000")
    d.find_element(By.CSS_SELECTOR, "button[name='op'][value='up:5']").click()
    wait(lambda d: names()[4] == "Big purchase", f"moved up: {names()}")
    d.find_element(By.CSS_SELECTOR, "button[name='action'][value='save']").click()
    wait(lambda d: "done=saved" in d.current_url, "saved")
    assert names() == ["Awareness", "Interest", "Consideration", "Purchase", "Big purchase", "Repeat purchase"]
    assert d.find_element(By.NAME, "s4.e0.value").get_attribute("value") == "5000"
    assert d.find_elements(By.CSS_SELECTOR, "table tbody tr"), "the report of the saved stages"
    shot(d, "stage_editor_saved_en")

    # a persona, made with the form
    d.get(server.url + "/personas")
    d.find_element(By.ID, "p-key").send_keys("olga")
    d.find_element(By.ID, "p-name").send_keys("Olga")
    d.find_element(By.ID, "p-age").send_keys("41")
    d.find_element(By.ID, "p-did").send_keys("purchase")
    d.find_element(By.CSS_SELECTOR, "#persona-form button[type='submit']").click()
    wait(lambda d: "Olga" in d.page_source, "the persona saved")

    # a map linked to the project's stages (the form's first choice)
    d.get(server.url + "/maps")
    Select(d.find_element(By.ID, "template")).select_by_value("online_store")
    Select(d.find_element(By.ID, "map-lang")).select_by_value("en")
    assert d.find_element(By.CSS_SELECTOR, "input[name='stages'][value='linked']").is_selected()
    d.find_element(By.XPATH, "//select[@id='template']/ancestor::form//button").click()
    wait(lambda d: re.search(r"/maps/\d+", d.current_url) and d.find_elements(By.CSS_SELECTOR, "table.cjm"), "the map")
    map_url = d.current_url.split("&")[0]
    heads = lambda: [e.get_attribute("value") or e.text for e in d.find_elements(By.CSS_SELECTOR, "thead .stage-name")]
    assert heads()[4] == "Big purchase", heads()
    assert "the project's stages" in d.find_element(By.CSS_SELECTOR, ".stage-link").text
    lane = lambda key: [c.text for c in d.find_elements(By.CSS_SELECTOR, f"tr[data-lane='{key}'] td .value")]
    before = lane("reached")
    shot(d, "map_linked_en")

    # the persona on the map
    Select(d.find_element(By.ID, "persona")).select_by_value("olga")
    wait(lambda d: "persona=olga" in d.current_url, "the persona's map")
    assert "Olga" in d.find_element(By.ID, "persona-card").text
    shot(d, "map_persona_en")

    # a card typed, left with Tab, then typed on and left again: one version
    d.get(map_url)
    state = lambda: d.find_element(By.CSS_SELECTOR, ".save-state").text
    cell = d.find_element(By.CSS_SELECTOR, "tr[data-lane='pains'] td:nth-of-type(2) textarea")
    cell.send_keys(Keys.CONTROL, "a")
    cell.send_keys("Few reviews")
    cell.send_keys(Keys.TAB)
    wait(lambda d: re.search(r"version 2\b", state()), f"saved as version 2: {state()}")
    cell.send_keys(Keys.SHIFT, Keys.TAB)
    cell.send_keys(Keys.END, " of tents", Keys.TAB)

    # the stages of a linked map are the project's: shown, not edited here, until the map keeps its own
    assert not d.find_elements(By.CSS_SELECTOR, "thead details.rule textarea")
    d.find_element(By.CSS_SELECTOR, ".stage-link button").click()
    wait(lambda d: "done=detached" in d.current_url, "the map keeps its own stages")
    assert "this map's own" in d.find_element(By.CSS_SELECTOR, ".stage-link").text

    # a stage's rule changed on the map: the numbers are recomputed and shown without a reload
    d.execute_script("window.stillHere = true")
    d.find_element(By.CSS_SELECTOR, "thead th:nth-of-type(3) details.rule summary").click()
    rule = d.find_element(By.CSS_SELECTOR, "thead th:nth-of-type(3) details.rule textarea")
    rule.send_keys(Keys.CONTROL, "a")
    rule.send_keys("purchase")
    rule.send_keys(Keys.TAB)
    wait(lambda d: "recomputed" in state(), f"the page says the numbers were recomputed: {state()}")
    assert d.execute_script("return window.stillHere === true"), "no reload"
    after = lane("reached")
    assert after[2] != before[2] and int(after[2].replace(",", "")) < int(before[2].replace(",", "")), (before, after)
    shot(d, "map_recomputed_en")

    # the history: the two edits of the card are one version; name it, compare it with the latest in one
    # grid, restore it
    d.find_element(By.LINK_TEXT, "History").click()
    wait(lambda d: d.title.startswith("History"), "the history")
    rows = d.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert [r.get_attribute("data-version") for r in rows] == ["3", "2", "1"], [r.text for r in rows]
    assert "Few reviews of tents" in rows[1].text, rows[1].text
    name = d.find_element(By.CSS_SELECTOR, "tr[data-version='2'] form.version-name input[name='name']")
    name.send_keys("After the workshop" + Keys.ENTER)
    wait(lambda d: d.find_elements(By.CSS_SELECTOR, "tr.named[data-version='2']"), "the named version")
    shot(d, "map_history_named_en")
    base, query = map_url.split("?")
    d.get(f"{base}/compare?{query}&a=2&b=3")
    wait(lambda d: d.find_elements(By.CSS_SELECTOR, "td.changed"), "changed cells marked")
    assert len(d.find_elements(By.CSS_SELECTOR, "table.cjm")) == 1, "one grid"
    assert d.find_elements(By.CSS_SELECTOR, "tr[data-lane='reached'] td.changed .was")
    shot(d, "map_compare_one_grid_en")
    d.get(f"{base}/history?{query}")
    d.find_element(By.CSS_SELECTOR, "tr[data-version='2'] form[action$='/restore'] button").click()
    WebDriverWait(d, 10).until(EC.alert_is_present(), message="asked before restoring")
    d.switch_to.alert.accept()
    wait(lambda d: "done=restored" in d.current_url, "restored")
    assert lane("reached") == before, "version 2's rules, version 2's numbers"
    assert_no_csp_violations(d, "the map after restoring")

    # the same pages in Russian
    d.get(server.url + "/settings")
    Select(d.find_element(By.ID, "lang")).select_by_value("ru")
    d.find_element(By.XPATH, "//select[@id='lang']/ancestor::form//button").click()
    wait(lambda d: d.execute_script("return document.documentElement.lang") == "ru", "the settings in Russian")
    d.get(server.url + "/stages")
    wait(lambda d: "Путь ваших клиентов" in d.page_source, "the editor in Russian")
    shot(d, "stage_editor_ru")
    d.get(f"{base}/compare?{query}&a=2&b=3")
    shot(d, "map_compare_one_grid_ru")
    d.get(f"{base}/history?{query}")
    shot(d, "map_history_named_ru")
    d.get(map_url)
    shot(d, "map_linked_ru")
