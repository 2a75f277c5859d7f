/* tropa web snippet: page views (SPA too), UTM and referrer, first-party anonymous id, track/identify,
   batching, sendBeacon on page hide, consent. <script async src="https://HOST/t.js" data-key="tw_…"></script>
   Options (attributes): data-key (write key), data-api (default: the script's origin), data-consent="required"
   (no cookie and nothing sent until tropa.consent(true)), data-auto="false" (no automatic page views),
   data-surveys="true" (load the survey widget /v1/survey.js). */
(function (w, d) {
  var s = d.currentScript;
  if (!s || (w.tropa && w.tropa.v)) return;
  var key = s.getAttribute('data-key') || '';
  var api = (s.getAttribute('data-api') || new URL(s.src, location.href).origin).replace(/\/$/, '');
  var AID = 'tropa_aid', UID = 'tropa_uid', YEAR = 31536000;
  var queue = [], held = [], timer = 0, tries = 0, lastUrl = d.referrer;
  var pre = Array.isArray(w.tropa) ? w.tropa : [];

  function cookie(n) {
    var m = d.cookie.match(new RegExp('(?:^|; )' + n + '=([^;]*)'));
    return m ? decodeURIComponent(m[1]) : null;
  }
  function setCookie(n, v, age) {
    d.cookie = n + '=' + encodeURIComponent(v) + '; max-age=' + age + '; path=/; SameSite=Lax' +
      (location.protocol === 'https:' ? '; Secure' : '');
  }
  function uuid() {
    if (w.crypto && crypto.randomUUID) return crypto.randomUUID();
    return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, function (c) {
      var r = Math.random() * 16 | 0;
      return (c === 'x' ? r : (r & 3 | 8)).toString(16);
    });
  }
  var consent = s.getAttribute('data-consent') !== 'required' || cookie(AID) !== null;
  var aid = cookie(AID) || uuid(), uid = cookie(UID) || '';
  if (consent) setCookie(AID, aid, YEAR);

  function message(type, fields) {
    var m = {
      type: type, anonymousId: aid, messageId: uuid(), originalTimestamp: new Date().toISOString(),
      context: {
        page: { url: location.href, path: location.pathname, title: d.title, referrer: lastUrl || '' },
        userAgent: navigator.userAgent, locale: navigator.language,
        library: { name: 'tropa.js', version: '1' }
      }
    };
    if (uid) m.userId = uid;
    for (var k in fields) m[k] = fields[k];
    return m;
  }
  function body(batch) {
    return JSON.stringify({ batch: batch, sentAt: new Date().toISOString(), writeKey: key });
  }
  function enqueue(m) {
    if (!consent) { held.push(m); return; }
    queue.push(m);
    if (queue.length >= 20) flush(); else if (!timer) timer = setTimeout(flush, 1000);
  }
  function flush() {
    clearTimeout(timer); timer = 0;
    if (!queue.length) return;
    var batch = queue.splice(0, 100);
    fetch(api + '/v1/batch', {
      method: 'POST', body: body(batch), keepalive: true, headers: { 'Content-Type': 'text/plain' }
    }).then(function (r) {
      if (r.status >= 500 || r.status === 429) throw 0;
      tries = 0;
      if (queue.length) flush();
    }).catch(function () {
      // the network or the server failed: keep the events and try again later (a few times)
      if (++tries <= 5) { queue = batch.concat(queue); timer = setTimeout(flush, 1000 * tries * tries); }
    });
  }
  function beacon() {
    if (!queue.length || !navigator.sendBeacon) return flush();
    clearTimeout(timer); timer = 0;
    var batch = queue.splice(0, 100);
    if (!navigator.sendBeacon(api + '/v1/batch', new Blob([body(batch)], { type: 'text/plain' }))) {
      queue = batch.concat(queue);
    }
  }
  function page(name, props) {
    var f = { properties: props || {} };
    if (name) f.name = name;
    enqueue(message('page', f));
    lastUrl = location.href;
  }

  var tropa = {
    v: 1,
    page: page,
    track: function (event, props) { enqueue(message('track', { event: String(event), properties: props || {} })); },
    identify: function (id, traits) {
      if (id) { uid = String(id); if (consent) setCookie(UID, uid, YEAR); }
      enqueue(message('identify', { traits: traits || {} }));
    },
    consent: function (yes) {
      consent = !!yes;
      if (consent) {
        setCookie(AID, aid, YEAR);
        if (uid) setCookie(UID, uid, YEAR);
        held.forEach(function (m) { m.userId = uid || m.userId; enqueue(m); });
      } else {
        setCookie(AID, '', 0); setCookie(UID, '', 0); queue = [];
      }
      held = [];
    },
    push: function (c) { if (tropa[c[0]]) tropa[c[0]].apply(null, c.slice(1)); },
    reset: function () { uid = ''; aid = uuid(); setCookie(UID, '', 0); if (consent) setCookie(AID, aid, YEAR); },
    flush: flush,
    // what the survey widget reads: ids, consent, where to send
    ids: function () { return { a: aid, u: uid, c: consent, api: api, key: key }; }
  };
  w.tropa = tropa;

  ['pushState', 'replaceState'].forEach(function (fn) {
    var orig = history[fn];
    history[fn] = function () {
      var before = location.href, r = orig.apply(this, arguments);
      if (location.href !== before) page();
      return r;
    };
  });
  w.addEventListener('popstate', function () { page(); });
  w.addEventListener('pagehide', beacon);
  d.addEventListener('visibilitychange', function () { if (d.visibilityState === 'hidden') beacon(); });

  if (s.getAttribute('data-auto') !== 'false') page();
  pre.forEach(tropa.push);
  if (s.getAttribute('data-surveys') === 'true') {
    var sv = d.createElement('script');
    sv.async = true; sv.src = api + '/v1/survey.js'; d.head.appendChild(sv);
  }
})(window, document);
