"""The web snippet /t.js in a real headless Chromium: a landing page on another origin (so CORS is exercised) loads
the snippet with a write key; the automatic page view (with the UTM tags of the URL), a track call and an identify
call reach tropa and make one customer; with data-consent="required" nothing is sent and no cookie is set until
tropa.consent(true); an event queued when the page hides is sent by sendBeacon.

Needs Chromium: CHROMIUM (default /usr/bin/chromium; Debian/Ubuntu: apt-get install chromium). Without it these
tests fail, they do not skip."""
import html
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from .live import ids_count, wait_for

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
UTM = "utm_source=yandex&utm_medium=cpc&utm_campaign=winter_sale"


def chromium():
    path = CHROMIUM if os.path.isabs(CHROMIUM) else shutil.which(CHROMIUM)
    if not path or not os.access(path, os.X_OK):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the web snippet tests need a real browser. "
            "Install it (Debian/Ubuntu: apt-get install -y chromium) or point CHROMIUM at a chromium/chrome binary."
        )
    return path


class Pages:
    """Serves pages (path → HTML) from another origin than tropa's: another port of 127.0.0.1."""

    def __init__(self):
        self.pages = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = pages.get(self.path.split("?")[0])
                if body is None:
                    self.send_error(404)
                    return
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def pages():
    p = Pages()
    yield p
    p.close()


# Logs into <pre id="log"> (which --dump-dom prints): every fetch the page makes and how it ended (a CORS failure is
# a rejected fetch), then, once the snippet has loaded, what the page script did and document.cookie.
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Winter sale</title>
<script>
  function log(line) {{ var el = document.getElementById('log'); if (el) el.textContent += line + '\\n'; else (window.early = window.early || []).push(line); }}
  var realFetch = window.fetch;
  window.fetch = function (url, opts) {{
    var p = realFetch.apply(this, arguments);
    p.then(function (r) {{ log('fetch ' + url + ' -> ' + r.status); }}, function (e) {{ log('fetch ' + url + ' failed: ' + e); }});
    return p;
  }};
  var realBeacon = navigator.sendBeacon && navigator.sendBeacon.bind(navigator);
  if (realBeacon) navigator.sendBeacon = function (url, data) {{ var ok = realBeacon(url, data); log('beacon ' + url + ' -> ' + ok); return ok; }};
</script>
<script async src="{tropa}/t.js" data-key="{key}"{attrs}></script>
</head><body>
<h1>Winter sale</h1>
<pre id="log"></pre>
<script>
  (window.early || []).forEach(log);
  (function wait() {{
    if (!(window.tropa && window.tropa.v)) {{ setTimeout(wait, 10); return; }}
    log('tropa loaded');
    {script}
    log('cookie=' + document.cookie);
  }})();
</script>
</body></html>
"""


def page(server, key, script, attrs=""):
    return PAGE.format(tropa=server.url, key=html.escape(key), attrs=attrs, script=script)


def browse(tmp_path, url, budget_ms=5000):
    """Loads url in headless Chromium (fresh profile) and returns the log lines the page wrote into its DOM."""
    profile = tmp_path / f"profile-{uuid.uuid4().hex[:6]}"
    cmd = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-dev-shm-usage", "--no-first-run", f"--user-data-dir={profile}",
        f"--virtual-time-budget={budget_ms}", "--dump-dom", url,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # chromium and its helper processes
        stdout, stderr = proc.communicate()
        pytest.fail(f"chromium did not finish in 60 s: {stderr[-3000:]}")
    out = subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)
    assert out.returncode == 0, f"chromium exited with {out.returncode}: {out.stderr[-3000:]}"
    m = re.search(r'<pre id="log">(.*?)</pre>', out.stdout, re.S)
    assert m, f"the page's DOM was not dumped: {out.stdout[:2000]} {out.stderr[-2000:]}"
    return html.unescape(m.group(1)).splitlines(), out


def cookies(lines):
    line = next((l for l in lines if l.startswith("cookie=")), None)
    assert line is not None, f"the page script did not run to its end: {lines}"
    return dict(p.split("=", 1) for p in line[len("cookie="):].split("; ") if "=" in p)


def test_snippet_sends_page_view_track_identify(tmp_path, start_server, make_project, pages):
    data = tmp_path / "data"
    project = make_project(data, "web")
    server = start_server(data)
    pages.pages["/landing.html"] = page(server, project.write_key, "tropa.track('cta_click', {plan: 'pro'}); tropa.identify('user-42', {city: 'Kazan'});")

    lines, out = browse(tmp_path, pages.url(f"/landing.html?{UTM}"))
    assert "tropa loaded" in lines, f"the snippet did not load from {server.url}/t.js: {lines}\n{out.stderr[-2000:]}"
    failed = [l for l in lines if "failed" in l]
    assert not failed, f"the snippet's requests failed in the browser (CORS?): {failed}"
    # the 1 s timer flushed the queue, and the page could read the cross-origin answer (CORS allowed it)
    assert f"fetch {server.url}/v1/batch -> 200" in lines, f"no batch was sent by fetch, or it was refused: {lines}"
    jar = cookies(lines)
    aid = jar.get("tropa_aid")
    assert aid, f"no tropa_aid cookie: {jar}"
    assert jar.get("tropa_uid") == "user-42", jar

    def arrived():
        c = server.customer(project.read_key, "user-42")
        return c if c and {"page_view", "cta_click", "identify"} <= {e["name"] for e in c["events"]} else None

    c = wait_for(arrived, 20, f"page_view, cta_click and identify of user-42 (browser log: {lines})")
    assert set(c["actors"]) == {aid, "user-42"}, c["actors"]
    assert max(ids_count(c["events"]).values()) == 1, f"an event is stored twice: {[e['message_id'] for e in c['events']]}"
    assert sorted(e["name"] for e in c["events"]) == ["cta_click", "identify", "page_view"], [e["name"] for e in c["events"]]
    ev = {e["name"]: e for e in c["events"]}

    pv = ev["page_view"]
    assert pv["anonymous_id"] == aid and pv["touchpoint"] == "web", pv
    ch = pv["channel"]
    assert (ch["source"], ch["medium"], ch["campaign"], ch["group"]) == ("yandex", "cpc", "winter_sale", "paid_search"), ch
    assert pv["context"]["page_url"] == pages.url(f"/landing.html?{UTM}") and pv["context"]["page_title"] == "Winter sale", pv["context"]
    assert "Chrome" in pv["context"]["user_agent"], pv["context"]

    click = ev["cta_click"]
    assert click["kind"] == "track" and click["anonymous_id"] == aid
    assert click["properties"] == {"plan": "pro"}, click["properties"]
    ident = ev["identify"]
    assert (ident["anonymous_id"], ident["user_id"]) == (aid, "user-42")
    assert ident["traits"] == {"city": "Kazan"}, ident["traits"]
    # the same customer by the browser's anonymous id
    assert server.customer(project.read_key, aid)["customer"] == c["customer"]


def test_consent_required_sends_nothing_until_given(tmp_path, start_server, make_project, pages):
    data = tmp_path / "data"
    without, given = make_project(data, "noconsent"), make_project(data, "consent")
    server = start_server(data)
    script = "tropa.track('cta_click', {plan: 'pro'}); tropa.identify('user-7', {city: 'Kazan'});"
    pages.pages["/without.html"] = page(server, without.write_key, script, attrs=' data-consent="required"')
    pages.pages["/given.html"] = page(server, given.write_key, script + " tropa.consent(true);", attrs=' data-consent="required"')

    # no consent: the browser has run the page (and its 1 s flush timer) and exited, so nothing can arrive later
    lines, out = browse(tmp_path, pages.url(f"/without.html?{UTM}"))
    assert "tropa loaded" in lines, f"the snippet did not load: {lines}\n{out.stderr[-2000:]}"
    jar = cookies(lines)
    assert "tropa_aid" not in jar and "tropa_uid" not in jar, f"cookies set without consent: {jar}"
    assert not [l for l in lines if l.startswith(("fetch", "beacon"))], f"requests sent without consent: {lines}"
    stats = server.get("/api/v1/stats", without.read_key).json()
    assert stats["events"] == 0, f"events stored without consent: {stats}"
    assert server.customer(without.read_key, "user-7") is None

    # consent given after the calls: the held events are sent
    lines, out = browse(tmp_path, pages.url(f"/given.html?{UTM}"))
    jar = cookies(lines)
    assert jar.get("tropa_aid") and jar.get("tropa_uid") == "user-7", f"consent(true) set no cookies: {jar}"
    failed = [l for l in lines if "failed" in l]
    assert not failed, failed
    assert f"fetch {server.url}/v1/batch -> 200" in lines, f"consent(true) sent nothing: {lines}"

    def arrived():
        c = server.customer(given.read_key, "user-7")
        return c if c and {"page_view", "cta_click", "identify"} <= {e["name"] for e in c["events"]} else None

    c = wait_for(arrived, 20, f"the held events after consent(true) (browser log: {lines})")
    assert set(c["actors"]) == {jar["tropa_aid"], "user-7"}, c["actors"]
    assert len(c["events"]) == 3 and max(ids_count(c["events"]).values()) == 1, [e["name"] for e in c["events"]]
    pv = next(e for e in c["events"] if e["name"] == "page_view")
    assert pv["channel"]["group"] == "paid_search" and pv["channel"]["campaign"] == "winter_sale", pv["channel"]
    assert server.get("/api/v1/stats", without.read_key).json()["events"] == 0


def test_event_queued_before_the_page_hides_is_beaconed(tmp_path, start_server, make_project, pages):
    """The snippet's pagehide handler sends the queue with navigator.sendBeacon (a text/plain Blob, cross-origin)
    instead of waiting for its 1 s timer. The page fires pagehide itself: Chromium's --dump-dom does not survive a
    real navigation away from the page."""
    data = tmp_path / "data"
    project = make_project(data, "leave")
    server = start_server(data)
    script = "tropa.track('leave_click', {to: 'next'}); window.dispatchEvent(new PageTransitionEvent('pagehide', {persisted: false}));"
    pages.pages["/leave.html"] = page(server, project.write_key, script, attrs=' data-auto="false"')

    lines, out = browse(tmp_path, pages.url("/leave.html"))
    assert "tropa loaded" in lines, f"the snippet did not load: {lines}\n{out.stderr[-2000:]}"
    sent = [l for l in lines if l.startswith(("fetch", "beacon"))]
    assert sent == [f"beacon {server.url}/v1/batch -> true"], f"expected one sendBeacon to /v1/batch and no fetch: {lines}"

    def arrived():
        stats = server.get("/api/v1/stats", project.read_key).json()
        return stats if stats["events"] >= 1 else None

    stats = wait_for(arrived, 20, "the event sent by sendBeacon on pagehide")
    assert stats["events"] == 1 and [r["value"] for r in stats["events_by_name"]] == ["leave_click"], stats


def test_cors_preflight_and_headers(tmp_path, start_server, make_project):
    """What a browser checks before and after a cross-origin POST with a JSON Content-Type (not text/plain)."""
    data = tmp_path / "data"
    project = make_project(data, "cors")
    server = start_server(data)
    origin = "http://shop.example"
    pre = requests.options(
        server.url + "/v1/batch",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,authorization"},
        timeout=10,
    )
    assert pre.status_code in (200, 204), (pre.status_code, pre.text)
    allow_origin = pre.headers.get("Access-Control-Allow-Origin")
    assert allow_origin in ("*", origin), pre.headers
    assert "POST" in pre.headers.get("Access-Control-Allow-Methods", ""), pre.headers
    allowed = {h.strip().lower() for h in pre.headers.get("Access-Control-Allow-Headers", "").split(",")}
    assert {"content-type", "authorization"} <= allowed or "*" in allowed, pre.headers

    body = {"batch": [{"type": "track", "event": "x", "anonymousId": "cors-1", "messageId": "cors-1"}], "writeKey": project.write_key}
    r = requests.post(server.url + "/v1/batch", json=body, headers={"Origin": origin}, timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers.get("Access-Control-Allow-Origin") in ("*", origin), r.headers
    js = requests.get(server.url + "/t.js", headers={"Origin": origin}, timeout=10)
    assert js.status_code == 200 and js.headers["Content-Type"].startswith("application/javascript"), js.headers
    assert "tropa" in js.text and "/v1/batch" in js.text
    # an error answer must carry the CORS header too, or the browser hides it from the page's code
    bad = requests.post(server.url + "/v1/batch", data="{", headers={"Origin": origin, "Content-Type": "text/plain"}, timeout=10)
    assert bad.status_code == 400, bad.text
    assert bad.headers.get("Access-Control-Allow-Origin") in ("*", origin), bad.headers
