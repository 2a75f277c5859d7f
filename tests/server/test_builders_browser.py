"""The point-and-click builders in headless Chromium on demo data: a funnel with a condition and a breakdown built
with the mouse and the keyboard only — steps picked from the dictionary's autocomplete (arrow keys and Enter, or a
click), a condition's property, operator and suggested value, the window as a number and a unit, the breakdown
from a list — and its numbers are exactly those of the same funnel written in the text syntax. Then the dictionary
page: an analyst names an event in Russian and the funnel shows that name. Every page runs under the server's
Content-Security-Policy. Screenshots go to $TROPA_SCREENSHOTS when it is set."""
import re
from urllib.parse import quote

from .live import tropa
from .test_web_app import assert_no_csp_violations, browser, shot  # noqa: F401  (the fixture and helpers)

EMAIL, PASSWORD = "ira@shop.example", "correct horse battery"


def test_a_funnel_with_a_breakdown_built_without_typing_syntax(tmp_path, start_server, browser):  # noqa: F811
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait

    def wait(cond, what, seconds=20):
        # a page that reloads meanwhile leaves stale elements behind: ask again
        WebDriverWait(browser, seconds, ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: cond(d), message=what)

    data = tmp_path / "data"
    tropa(data, "demo", "generate", "--customers", "1500", "--seed", "5")
    tropa(data, "user", "create", "--email", EMAIL, "--role", "analyst", "--password-stdin", input=PASSWORD + "\n")
    server = start_server(data)
    d = browser
    d.get(server.url + "/funnels")
    d.find_element(By.ID, "email").send_keys(EMAIL)
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.CSS_SELECTOR, "form.login button").click()
    wait(lambda d: d.title.startswith("Funnels"), "the funnels page")
    assert_no_csp_violations(d, "the funnels page")

    # the rows stand in for the text, which is folded away ("Steps as text")
    assert d.find_element(By.CSS_SELECTOR, ".steps-builder").is_displayed()
    assert not d.find_element(By.ID, "steps").is_displayed()
    rows = lambda: d.find_elements(By.CSS_SELECTOR, ".step-rows > .step-row")
    assert len(rows()) == 4, "the default funnel as rows"
    # start from nothing: remove every step with the mouse
    while rows():
        rows()[0].find_element(By.CSS_SELECTOR, "button[data-remove-step]").click()
    assert d.find_element(By.ID, "steps").get_attribute("value") == ""

    def options(inp):
        lid = inp.get_attribute("aria-controls")
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, f"#{lid} [role=option]"), f"the list of {lid}")
        return d.find_elements(By.CSS_SELECTOR, f"#{lid} [role=option]")

    def pick_by_keys(inp, value):
        """Arrow down through the list until `value` is the active option, then Enter."""
        opts = options(inp)
        values = [o.get_attribute("data-value") for o in opts]
        assert value in values, (value, values)
        for _ in range(values.index(value) + 1):
            inp.send_keys(Keys.ARROW_DOWN)
        active = d.find_element(By.ID, inp.get_attribute("aria-activedescendant"))
        assert active.get_attribute("data-value") == value
        inp.send_keys(Keys.ENTER)
        assert inp.get_attribute("value") == value

    # step 1: "Add a step" with the mouse, the event with the arrow keys and Enter
    d.find_element(By.CSS_SELECTOR, "button[data-add-step]").click()
    first = rows()[0].find_element(By.CSS_SELECTOR, "[data-role=event] input")
    assert d.switch_to.active_element == first, "the new step's event has the focus"
    pick_by_keys(first, "view_item")
    # its condition: the property by keys, the operator by keys, a suggested value by a click
    rows()[0].find_element(By.CSS_SELECTOR, "button[data-add-cond]").click()
    prop = rows()[0].find_element(By.CSS_SELECTOR, "[data-role=prop] input")
    pick_by_keys(prop, "category")
    op = rows()[0].find_element(By.CSS_SELECTOR, "select[data-role=op]")
    op.send_keys(Keys.ARROW_DOWN)  # "is" → "is not"
    op.send_keys(Keys.ARROW_UP)  # back to "is"
    assert Select(op).first_selected_option.get_attribute("value") == "="
    value = rows()[0].find_element(By.CSS_SELECTOR, "[data-role=value] input")
    value.click()
    suggested = options(value)
    category = suggested[0].get_attribute("data-value")
    suggested[0].click()
    assert value.get_attribute("value") == category
    # step 2: by the mouse only
    d.find_element(By.CSS_SELECTOR, "button[data-add-step]").click()
    second = rows()[1].find_element(By.CSS_SELECTOR, "[data-role=event] input")
    [o for o in options(second) if o.get_attribute("data-value") == "purchase"][0].click()
    # the window as a number and a unit, the breakdown from the list
    window = d.find_element(By.ID, "window")
    window.send_keys(Keys.CONTROL, "a")
    window.send_keys("3")
    Select(d.find_element(By.NAME, "window_unit")).select_by_value("d")
    Select(d.find_element(By.ID, "breakdown")).select_by_value("channel")
    # the rows wrote the text the parser reads
    want = f"view_item where category = {category}\npurchase"
    assert d.find_element(By.ID, "steps").get_attribute("value") == want
    shot(d, "funnel_builder_en")
    d.find_element(By.CSS_SELECTOR, "form.builder button[type=submit]").click()
    wait(lambda d: "window_n=3" in d.current_url and d.find_elements(By.CSS_SELECTOR, ".chart svg"), "the report")
    assert_no_csp_violations(d, "the report")

    def numbers():
        tables = d.find_elements(By.CSS_SELECTOR, "main table")
        return [[c.text for c in r.find_elements(By.CSS_SELECTOR, "td")] for t in tables for r in t.find_elements(By.CSS_SELECTOR, "tbody tr")]

    built = numbers()
    assert len(built) >= 3 and built[0][2] != "0", built  # two steps and at least one channel
    # the rows came back from the text of the URL
    assert [e.get_attribute("value") for e in d.find_elements(By.CSS_SELECTOR, ".step-rows [data-role=event] input")] == ["view_item", "purchase"]
    shot(d, "funnel_built_en")

    # the same funnel written in the text syntax gives the same numbers
    d.get(server.url + "/funnels?steps=" + quote(want) + "&window=3d&breakdown=channel")
    wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".chart svg"), "the text funnel")
    assert numbers() == built

    # the dictionary: name the purchase in Russian, see it in the funnel
    d.get(server.url + "/dictionary")
    wait(lambda d: d.title.startswith("Dictionary"), "the dictionary")
    row = d.find_element(By.CSS_SELECTOR, "tr[data-name='purchase']")
    assert re.search(r"\d", row.find_element(By.CSS_SELECTOR, "td.num").text)
    shot(d, "dictionary_en")
    editor = d.find_element(By.XPATH, "//tr[@data-name='purchase']/following-sibling::tr[1]//details")
    editor.find_element(By.TAG_NAME, "summary").click()
    editor.find_element(By.NAME, "name_ru").send_keys("Покупка")
    editor.find_element(By.NAME, "name_en").send_keys("Order placed")
    editor.find_element(By.NAME, "verified").click()
    editor.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(lambda d: "done=saved" in d.current_url, "saved")
    assert "Order placed" in d.find_element(By.CSS_SELECTOR, "tr[data-name='purchase']").text
    d.get(server.url + "/funnels?steps=" + quote(want) + "&window=3d&breakdown=channel")
    wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".chart svg"), "the funnel again")
    assert "Order placed" in d.find_element(By.CSS_SELECTOR, "main table").text
    # the verified event comes first in the pickers
    first = d.find_element(By.CSS_SELECTOR, ".step-rows [data-role=event] input")
    first.click()
    assert options(first)[0].get_attribute("data-value") == "purchase"
    first.send_keys(Keys.ESCAPE)
    # in Russian
    d.find_element(By.CSS_SELECTOR, "header form button.link").click()
    wait(lambda d: d.title.startswith("Воронки"), "the page in Russian")
    assert "Покупка" in d.find_element(By.CSS_SELECTOR, "main table").text
    shot(d, "funnel_builder_ru")
    d.get(server.url + "/dictionary")
    wait(lambda d: d.title.startswith("Словарь"), "the dictionary in Russian")
    shot(d, "dictionary_ru")
