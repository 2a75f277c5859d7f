/* tropa survey widget, loaded by /t.js with data-surveys="true". It reads the project's active surveys, shows one
   when its targeting holds (after an event, on a URL pattern, a sticky share of visitors, at most once per N days,
   after consent), in a Shadow DOM styled by /v1/survey.css (no inline styles or scripts: works under a strict
   Content-Security-Policy), keyboard operable (arrows choose, Enter sends, Esc closes), labelled for screen
   readers, in Russian or English by the page's lang, and posts the answer to /v1/survey (a survey_response
   event); showing it sends a survey_shown event. */
(function (w, d) {
  var t = w.tropa;
  if (!t || !t.ids || t.surveysLoaded) return;
  t.surveysLoaded = true;
  var ids = t.ids(), api = ids.api, ru = /^ru/i.test(d.documentElement.lang || navigator.language || '');
  var WORDS = ru
    ? { send: 'Отправить', close: 'Закрыть', thanks: 'Спасибо за ответ!', low: 'Маловероятно', high: 'Очень вероятно', bad: 'Плохо', good: 'Отлично', hard: 'Сложно', easy: 'Легко', why: 'Почему?' }
    : { send: 'Send', close: 'Close', thanks: 'Thank you for your answer!', low: 'Not likely', high: 'Very likely', bad: 'Poor', good: 'Excellent', hard: 'Hard', easy: 'Easy', why: 'Why?' };
  var SCALES = { nps: [0, 10, 'low', 'high'], csat: [1, 5, 'bad', 'good'], ces: [1, 7, 'hard', 'easy'] };
  var surveys = [], open = false;

  function words(x) { return (ru ? x.ru : x.en) || x.en || x.ru || ''; }
  function hash(s) {
    var h = 2166136261;
    for (var i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619); }
    return (h >>> 0) % 100;
  }
  function glob(p, s) {
    return new RegExp('^' + p.split('*').map(function (x) { return x.replace(/[.+?^${}()|[\]\\]/g, '\\$&'); }).join('.*') + '$').test(s);
  }
  function store(k, v) { try { if (v === undefined) return w.localStorage.getItem(k); w.localStorage.setItem(k, v); } catch (e) { return null; } }
  function eligible(sv, event) {
    var g = sv.targeting || {}, now = t.ids();
    if (g.after_event ? g.after_event !== event : event) return false;
    if (g.url && !glob(g.url, location.pathname)) return false;
    if (g.needs_consent !== false && !now.c) return false;
    if (hash(now.a + ':' + sv.key) >= (g.percent === undefined ? 100 : g.percent)) return false;
    var last = +store('tropa_survey_' + sv.key) || 0, days = g.every_days || 0;
    if (last && (!days || Date.now() - last < days * 864e5)) return false;
    return true;
  }
  function el(tag, cls, text) {
    var e = d.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  function show(sv) {
    open = true;
    store('tropa_survey_' + sv.key, String(Date.now()));
    t.track('survey_shown', { survey: sv.key });
    var host = el('div');
    host.setAttribute('data-tropa-survey', sv.key);
    var root = host.attachShadow({ mode: 'open' });
    var css = el('link'); css.rel = 'stylesheet'; css.href = api + '/v1/survey.css';
    root.appendChild(css);
    var box = el('div', 'box'), qid = 'tropa-q-' + sv.key;
    box.setAttribute('role', 'dialog'); box.setAttribute('aria-labelledby', qid);
    var q = el('p', 'q', words(sv.question)); q.id = qid;
    var x = el('button', 'close', '×'); x.type = 'button'; x.setAttribute('aria-label', WORDS.close);
    box.appendChild(x); box.appendChild(q);
    var scale = SCALES[sv.kind], score = null, buttons = [], picked = [];
    if (scale) {
      var group = el('div', 'scale');
      group.setAttribute('role', 'radiogroup'); group.setAttribute('aria-labelledby', qid);
      for (var v = scale[0]; v <= scale[1]; v++) {
        var b = el('button', '', String(v));
        b.type = 'button'; b.setAttribute('role', 'radio'); b.setAttribute('aria-checked', 'false');
        b.tabIndex = v === scale[0] ? 0 : -1; b.value = String(v);
        group.appendChild(b); buttons.push(b);
      }
      var ends = el('div', 'ends');
      ends.appendChild(el('span', '', scale[0] + ' — ' + WORDS[scale[2]]));
      ends.appendChild(el('span', '', scale[1] + ' — ' + WORDS[scale[3]]));
      box.appendChild(group); box.appendChild(ends);
    } else if (sv.choices && sv.choices.length) {
      var list = el('div', 'scale');
      list.setAttribute('role', sv.kind === 'single' ? 'radiogroup' : 'group'); list.setAttribute('aria-labelledby', qid);
      sv.choices.forEach(function (c, i) {
        var b = el('button', '', words(c));
        b.type = 'button'; b.setAttribute('role', sv.kind === 'single' ? 'radio' : 'checkbox');
        b.setAttribute('aria-checked', 'false'); b.tabIndex = i ? -1 : 0; b.value = words(c);
        list.appendChild(b); buttons.push(b);
      });
      box.appendChild(list);
    }
    var follow = sv.kind === 'text' ? sv.question : sv.follow_up, area = null;
    if (follow && words(follow) || sv.kind === 'text') {
      var lid = 'tropa-why-' + sv.key;
      if (sv.kind !== 'text') { var lab = el('label', '', words(follow) || WORDS.why); lab.htmlFor = lid; box.appendChild(lab); }
      area = el('textarea'); area.id = lid; area.maxLength = 2000;
      if (sv.kind === 'text') area.setAttribute('aria-labelledby', qid);
      box.appendChild(area);
    }
    var send = el('button', 'send', WORDS.send); send.type = 'button'; send.disabled = !!buttons.length;
    box.appendChild(send);
    root.appendChild(box);
    d.body.appendChild(host);

    function select(i, toggle) {
      var multi = sv.kind === 'multiple';
      buttons.forEach(function (b, k) {
        if (multi) { if (k === i && toggle) b.setAttribute('aria-checked', b.getAttribute('aria-checked') === 'true' ? 'false' : 'true'); }
        else b.setAttribute('aria-checked', k === i ? 'true' : 'false');
        b.tabIndex = k === i ? 0 : -1;
      });
      buttons[i].focus();
      picked = buttons.filter(function (b) { return b.getAttribute('aria-checked') === 'true'; }).map(function (b) { return b.value; });
      score = scale && picked.length ? +picked[0] : null;
      send.disabled = !picked.length;
    }
    function close() { host.remove(); open = false; }
    function submit() {
      if (send.disabled) return;
      send.disabled = true;
      var now = t.ids();
      var body = { writeKey: now.key, survey: sv.key, anonymousId: now.a, userId: now.u, url: location.href,
        locale: navigator.language, text: area ? area.value : '' };
      if (scale) body.score = score; else if (buttons.length) body.choices = picked;
      fetch(api + '/v1/survey', { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'text/plain' } })
        .then(function (r) { if (!r.ok) throw 0; })
        .then(function () {
          while (box.childNodes.length) box.removeChild(box.firstChild);
          var th = el('p', 'thanks', WORDS.thanks); th.setAttribute('role', 'status'); box.appendChild(th);
          setTimeout(close, 2500);
        })
        .catch(function () { send.disabled = false; });
    }
    buttons.forEach(function (b, i) {
      b.addEventListener('click', function () { select(i, true); });
      b.addEventListener('keydown', function (e) {
        var n = buttons.length;
        if (e.key === 'ArrowRight' || e.key === 'ArrowDown') { e.preventDefault(); select((i + 1) % n, false); }
        else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') { e.preventDefault(); select((i + n - 1) % n, false); }
        else if (e.key === ' ') { e.preventDefault(); select(i, true); }
        else if (e.key === 'Enter') { e.preventDefault(); if (!picked.length) select(i, true); submit(); }
      });
    });
    box.addEventListener('keydown', function (e) { if (e.key === 'Escape') close(); });
    if (area) area.addEventListener('keydown', function (e) { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); submit(); } });
    x.addEventListener('click', close);
    send.addEventListener('click', submit);
    (buttons[0] || area || send).focus();
  }
  function consider(event) {
    if (open) return;
    for (var i = 0; i < surveys.length; i++) if (eligible(surveys[i], event)) { show(surveys[i]); return; }
  }
  var track = t.track;
  t.track = function (event) { track.apply(null, arguments); if (event !== 'survey_shown') consider(String(event)); };
  fetch(api + '/v1/surveys?writeKey=' + encodeURIComponent(ids.key))
    .then(function (r) { return r.json(); })
    .then(function (j) { surveys = j.surveys || []; t.surveysReady = true; consider(''); })
    .catch(function () {});
})(window, document);
