"""Screenshots of every page of the web app in English and Russian, for looking at the UI.

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8080 /tmp/shots [email] [password]

Signs in (default: the demo admin of `tropa demo`), switches the language through the account settings and
saves one full-height PNG per page and language into the folder."""
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

PAGES = [
    ("overview", "/"),
    ("funnels", "/funnels?steps=view_item%0Aadd_to_cart%0Abegin_checkout%0Apurchase&breakdown=first_channel&trend=week"),
    ("paths", "/paths?from=view_item&depth=4"),
    ("stages", "/stages"),
    ("retention", "/retention?start=purchase&return=purchase&period=week&periods=8&breakdown=first_channel"),
    ("customers_search", "/customers?did=purchase+where+revenue+%3E+20000"),
    ("settings_account", "/settings"),
    ("settings_projects", "/settings/projects"),
    ("settings_keys", "/settings/keys"),
    ("settings_users", "/settings/users"),
    ("settings_project", "/settings/project"),
    ("settings_members", "/settings/members"),
    ("settings_audit", "/settings/audit"),
    ("maps", "/maps"),
    ("map", "/maps/1"),
    ("map_history", "/maps/1/history"),
    ("personas", "/personas"),
    ("persona_edit", "/personas?edit=maria#persona-form"),
    ("funnels_typo", "/funnels?steps=view_itme%0Apurchase"),
    ("not_found", "/dashboards"),
    ("dictionary", "/dictionary"),
    ("funnels_builder", "/funnels?steps=view_item+where+category+%3D+tents%0Apurchase&window=3d&breakdown=channel"),
    ("funnels_property_typo", "/funnels?steps=view_item+where+categroy+%3D+tents%0Apurchase"),
    ("not_found", "/no-such-page"),
    ("dashboards", "/dashboards"),
    ("dashboard", "/dashboards/1"),
    ("feedback", "/feedback"),
    ("surveys", "/surveys?new=1"),
    ("feedback-themes", "/feedback/themes?new=1"),
    ("feedback-persona", "/feedback?did=purchase"),
    ("experiments", "/experiments"),
    ("experiment", "/experiments/checkout_v2"),
    ("experiment_srm", "/experiments/cart_page_v3"),
    ("experiment_new", "/experiments?new=1"),
    ("experiment_calc", "/experiments?calc=1&baseline=10&effect=1&power=80"),
    ("dashboard_compare", "/dashboards/1?since=2026-08-01&until=2026-09-01&compare=previous"),
    ("overview_last_month", "/?range=last_month"),
    ("overview_bad_dates", "/?range=custom&since=2026-13-01&until=2026-01-01"),
    ("customers_lists", "/customers"),
    # one journey model: a map's versions compared in one grid, a persona beside all customers
    ("map_compare", "/maps/1/compare?a=1"),
    ("map_persona", "/maps/1?persona=maria"),
    ("attribution", "/attribution"),
    ("attribution_campaign", "/attribution?conversion=purchase&by=campaign&lookback=14d&ignore_direct=on"),
    ("attribution_periods", "/attribution?conversion=purchase&by=channel&lookback=30d&order=1&period=month&pmodel=markov"),
]


def main():
    base, out = sys.argv[1].rstrip("/"), sys.argv[2]
    email = sys.argv[3] if len(sys.argv) > 3 else "demo@tropa.local"
    password = sys.argv[4] if len(sys.argv) > 4 else "tropa-demo-password"
    os.makedirs(out, exist_ok=True)
    o = webdriver.ChromeOptions()
    for a in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--window-size=1280,900"]:
        o.add_argument(a)
    o.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    d = webdriver.Chrome(options=o, service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")))
    try:
        d.get(base + "/login")
        d.save_screenshot(os.path.join(out, "login.png"))
        d.find_element(By.ID, "email").send_keys(email)
        d.find_element(By.ID, "password").send_keys(password)
        d.find_element(By.CSS_SELECTOR, "form.login button").click()
        someone = None
        for lang in ["en", "ru"]:
            d.get(base + "/settings")
            d.find_element(By.CSS_SELECTOR, f"#lang option[value='{lang}']").click()
            d.find_element(By.XPATH, "//select[@id='lang']/ancestor::form//button").click()
            pages = list(PAGES)
            if someone:
                pages.append(("customer", f"/customers?id={someone}"))
            for name, path in pages:
                d.get(base + path)
                if name == "customers_search" and someone is None:
                    links = d.find_elements(By.CSS_SELECTOR, "table tbody tr a")
                    someone = links[0].text if links else None
                height = d.execute_script("return document.documentElement.scrollHeight")
                d.set_window_size(1280, max(600, min(height, 6000)))
                d.save_screenshot(os.path.join(out, f"{name}_{lang}.png"))
                d.set_window_size(1280, 900)
                print(f"{name}_{lang}.png", flush=True)
            if someone and lang == "en":
                d.get(base + f"/customers?id={someone}")
                d.save_screenshot(os.path.join(out, "customer_en.png"))
    finally:
        d.quit()


if __name__ == "__main__":
    main()
