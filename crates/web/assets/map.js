// The journey-map editor: every field with data-edit saves itself (one edit per request, in order, each
// against the version the page holds) when it is left, on Enter in a one-line field, or after a long pause in
// typing; the server joins further edits of the same cell in one sitting into one version. When an edit changes
// what the numbers count (a stage's rule), the data lanes are fetched again and the page says so. Stage and lane
// moves, adds and removals are plain forms and work without this script.
(function () {
  "use strict";
  var root = document.getElementById("map");
  if (!root) return;
  var id = root.dataset.id, project = root.dataset.project, csrf = root.dataset.csrf;
  var state = root.querySelector(".save-state");
  var queue = Promise.resolve();
  var timers = new WeakMap();

  function show(text, bad) {
    state.textContent = text;
    state.classList.toggle("err", !!bad);
  }

  function edit(el) {
    var e = JSON.parse(el.dataset.edit);
    var field = el.dataset.field, value = el.value;
    if (el.dataset.list) {
      e[field] = value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
    } else if (field === "score") {
      e[field] = value === "" ? null : parseInt(value, 10);
    } else {
      e[field] = value;
    }
    return e;
  }

  function send(el) {
    show(root.dataset.saving);
    return fetch("/maps/" + id + "/edit?project=" + encodeURIComponent(project), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ version: parseInt(root.dataset.version, 10), edit: edit(el) })
    }).then(function (r) {
      return r.json().then(function (b) { return [r.status, b]; });
    }).then(function (res) {
      var status = res[0], body = res[1];
      if (status === 200) {
        root.dataset.version = body.version;
        document.querySelectorAll("input[name=version]").forEach(function (i) { i.value = body.version; });
        el.removeAttribute("aria-invalid");
        show(root.dataset.saved + " " + body.version);
        if (el.dataset.field === "score") location.reload();
        else if (body.recomputed) return refresh();
      } else {
        el.setAttribute("aria-invalid", "true");
        var msg = (body.error && body.error.message) || String(status);
        show(status === 409 ? root.dataset.conflict + " (" + msg + ")" : msg, true);
      }
    }).catch(function () { show(root.dataset.offline, true); });
  }

  // the data lanes (and the warning about events the data never had) as the server counts them now
  function refresh() {
    return fetch(location.pathname + location.search, { credentials: "same-origin" }).then(function (r) {
      return r.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      document.querySelectorAll("table.cjm tr.lane.data").forEach(function (row) {
        var fresh = doc.querySelector('table.cjm tr.lane.data[data-lane="' + row.dataset.lane + '"]');
        if (!fresh) return;
        fresh = document.importNode(fresh, true);
        fresh.classList.add("fresh");
        row.replaceWith(fresh);
      });
      var now = document.querySelector(".missing-events"), next = doc.querySelector(".missing-events");
      if (now && next) now.replaceWith(document.importNode(next, true));
      else if (now) now.remove();
      else if (next) root.parentNode.insertBefore(document.importNode(next, true), root);
      show(root.dataset.recomputed);
    }).catch(function () { show(root.dataset.offline, true); });
  }

  function later(el, wait) {
    clearTimeout(timers.get(el));
    timers.set(el, setTimeout(function () { queue = queue.then(function () { return send(el); }); }, wait));
  }

  // text boxes of the grid grow with their text
  function fit(el) {
    el.style.height = "auto";
    el.style.height = el.scrollHeight + 2 + "px";
  }
  document.querySelectorAll("table.cjm textarea").forEach(fit);

  document.addEventListener("input", function (ev) {
    var el = ev.target;
    if (el.tagName === "TEXTAREA" && el.closest("table.cjm")) fit(el);
    // a long pause saves too; leaving the field or Enter saves at once
    if (el.dataset && el.dataset.edit && el.tagName !== "SELECT") later(el, 4000);
  });
  document.addEventListener("keydown", function (ev) {
    var el = ev.target;
    if (ev.key === "Enter" && el.tagName === "INPUT" && el.dataset && el.dataset.edit) {
      ev.preventDefault();
      later(el, 0);
    }
  });
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.dataset && el.dataset.edit) later(el, 0);
  });
})();
