// The web app's small behaviours, kept out of the pages so that the Content-Security-Policy allows no inline
// code: a select with data-autosubmit sends its form when changed (the form has a <noscript> button for
// browsers without scripts); a form — or the button that sends it — with data-confirm asks that question before
// it is sent; a button with data-copy="ID" copies that element's text and says data-copied.
(function () {
  "use strict";
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.tagName === "SELECT" && el.hasAttribute("data-autosubmit") && el.form) {
      if (el.form.requestSubmit) el.form.requestSubmit(); else el.form.submit();
    }
  });
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var button = ev.submitter;
    var question = (button && button.getAttribute("data-confirm")) || (form.getAttribute && form.getAttribute("data-confirm"));
    if (question && !window.confirm(question)) ev.preventDefault();
  });
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest && ev.target.closest("button[data-copy]");
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      button.textContent = button.getAttribute("data-copied") || button.textContent;
    });
  });
})();

// Pickers over the project's dictionary (crates/web/src/ui/picker.rs): a combobox — an input with role=combobox
// whose list is drawn from a hidden source list (data-picker: the id of a <ul> of <li data-value>, or "values":
// the suggested values of the property picked in the same row) — with arrow keys, Enter to pick, Escape to
// close; step and condition rows that write the text syntax into the text box they name (data-steps-builder,
// data-cond-builder) unless that text was edited by hand (then the rows step aside: data-detached).
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var seq = 0;

  function sourceItems(picker) {
    var src = picker.getAttribute("data-picker");
    if (src === "values") {
      var row = picker.closest(".cond-row");
      var prop = row && row.querySelector("[data-role=prop] input");
      var list = document.getElementById("dict-properties");
      if (!prop || !list) return [];
      var li = null;
      Array.prototype.forEach.call(list.children, function (c) { if (c.getAttribute("data-value") === prop.value.trim()) li = c; });
      var values = [];
      try { values = JSON.parse((li && li.getAttribute("data-values")) || "[]"); } catch (e) { values = []; }
      return values.map(function (v) { return { value: v, label: v, verified: false }; });
    }
    var ul = document.getElementById(src);
    if (!ul) return [];
    return Array.prototype.map.call(ul.children, function (li) {
      return { value: li.getAttribute("data-value"), label: li.textContent, verified: li.hasAttribute("data-verified") };
    });
  }

  function listOf(input) { return document.getElementById(input.getAttribute("aria-controls")); }

  function close(input) {
    var list = listOf(input);
    if (list) { list.hidden = true; list.innerHTML = ""; }
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function open(input, all) {
    var picker = input.closest(".picker");
    var list = listOf(input);
    if (!picker || !list) return;
    var q = all ? "" : input.value.trim().toLowerCase();
    var items = sourceItems(picker).filter(function (it) {
      return !q || it.value.toLowerCase().indexOf(q) >= 0 || it.label.toLowerCase().indexOf(q) >= 0;
    }).slice(0, 60);
    list.innerHTML = "";
    items.forEach(function (it, i) {
      var li = document.createElement("li");
      li.id = list.id + "-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("data-value", it.value);
      if (it.verified) li.className = "verified";
      li.appendChild(document.createTextNode(it.label));
      if (it.label !== it.value) {
        var raw = document.createElement("small");
        raw.textContent = it.value;
        li.appendChild(raw);
      }
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
  }

  function move(input, by) {
    var list = listOf(input);
    if (!list || list.hidden) { open(input, true); list = listOf(input); }
    if (!list) return;
    var opts = list.querySelectorAll("[role=option]");
    if (!opts.length) return;
    var cur = -1;
    opts.forEach(function (o, i) { if (o.classList.contains("active")) cur = i; });
    var next = Math.max(0, Math.min(opts.length - 1, cur + by));
    opts.forEach(function (o) { o.classList.remove("active"); o.setAttribute("aria-selected", "false"); });
    opts[next].classList.add("active");
    opts[next].setAttribute("aria-selected", "true");
    opts[next].scrollIntoView({ block: "nearest" });
    input.setAttribute("aria-activedescendant", opts[next].id);
  }

  function pick(input, li) {
    input.value = li.getAttribute("data-value");
    close(input);
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function setUp(root) {
    root.querySelectorAll(".picker input[role=combobox]").forEach(function (input) {
      if (input.getAttribute("aria-controls")) return;
      var id = input.id || "picker-" + (++seq);
      input.id = id;
      var list = input.parentNode.querySelector(".picker-list");
      list.id = id + "-list";
      input.setAttribute("aria-controls", list.id);
    });
  }

  document.addEventListener("input", function (ev) {
    var t = ev.target;
    if (t.getAttribute && t.getAttribute("role") === "combobox") open(t, false);
  });
  document.addEventListener("focusin", function (ev) {
    var t = ev.target;
    if (t.getAttribute && t.getAttribute("role") === "combobox") open(t, true);
  });
  document.addEventListener("focusout", function (ev) {
    var t = ev.target;
    if (t.getAttribute && t.getAttribute("role") === "combobox") setTimeout(function () { if (document.activeElement !== t) close(t); }, 150);
  });
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (!(t.getAttribute && t.getAttribute("role") === "combobox")) return;
    var list = listOf(t);
    if (ev.key === "ArrowDown") { ev.preventDefault(); move(t, 1); }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); move(t, -1); }
    else if (ev.key === "Escape") { close(t); }
    else if (ev.key === "Enter" && list && !list.hidden) {
      var active = list.querySelector(".active");
      if (active) { ev.preventDefault(); pick(t, active); }
    }
  });
  document.addEventListener("mousedown", function (ev) {
    var li = ev.target.closest && ev.target.closest(".picker-list [role=option]");
    if (!li) return;
    ev.preventDefault();
    var input = li.closest(".picker").querySelector("input[role=combobox]");
    pick(input, li);
  });

  // the text the rows stand for: the parser's syntax, written here and read only by the server
  function quote(v) {
    if (/^[^\s(),=!<>~'"]+$/.test(v)) return v;
    return v.indexOf("'") < 0 ? "'" + v + "'" : '"' + v + '"';
  }
  function conds(box) {
    var out = [];
    box.querySelectorAll(":scope > .cond-rows > .cond-row, :scope > .cond-row").forEach(function (row) {
      var f = row.querySelector("[data-role=prop] input").value.trim();
      var op = row.querySelector("select[data-role=op]").value;
      var v = row.querySelector("[data-role=value] input").value.trim();
      if (f && v) out.push(f + " " + op + " " + quote(v));
    });
    return out;
  }
  function writeSteps(b) {
    var target = document.getElementById(b.getAttribute("data-steps-builder"));
    if (!target || b.hasAttribute("data-detached")) return;
    var lines = [];
    b.querySelectorAll(".step-rows > .step-row").forEach(function (row) {
      var ev = row.querySelector("[data-role=event] input").value.trim();
      if (!ev) return;
      var c = conds(row);
      var opt = row.querySelector("input[data-role=optional]").checked ? "?" : "";
      lines.push(opt + ev + (c.length ? " where " + c.join(" and ") : ""));
    });
    target.value = lines.join("\n");
  }
  function writeConds(b) {
    var target = document.getElementById(b.getAttribute("data-cond-builder"));
    if (!target || b.hasAttribute("data-detached")) return;
    target.value = conds(b).join(" and ");
  }
  function write(el) {
    var s = el.closest && el.closest("[data-steps-builder]");
    if (s) { writeSteps(s); return; }
    var c = el.closest && el.closest("[data-cond-builder]");
    if (c) writeConds(c);
  }
  function detachFor(target) {
    document.querySelectorAll("[data-steps-builder='" + target.id + "'],[data-cond-builder='" + target.id + "']").forEach(function (b) {
      b.setAttribute("data-detached", "1");
    });
  }
  function cloneTemplate(b, which) {
    var tpl = b.querySelector("template[" + which + "]");
    var node = tpl.content.firstElementChild.cloneNode(true);
    return node;
  }

  document.addEventListener("input", function (ev) {
    var t = ev.target;
    if (t.tagName === "TEXTAREA" || t.tagName === "INPUT") {
      if (document.querySelector("[data-steps-builder='" + t.id + "'],[data-cond-builder='" + t.id + "']")) { detachFor(t); return; }
    }
    write(t);
  });
  document.addEventListener("change", function (ev) { write(ev.target); });
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("button[data-add-step],button[data-remove-step],button[data-add-cond],button[data-remove-cond]");
    if (!btn) return;
    ev.preventDefault();
    var b = btn.closest("[data-steps-builder],[data-cond-builder]");
    if (btn.hasAttribute("data-add-step")) {
      var row = cloneTemplate(b, "data-step-template");
      b.querySelector(".step-rows").appendChild(row);
      setUp(row);
      row.querySelector("input[role=combobox]").focus();
    } else if (btn.hasAttribute("data-remove-step")) {
      var step = btn.closest(".step-row");
      var prev = step.previousElementSibling || step.nextElementSibling;
      step.remove();
      (prev ? prev.querySelector("input[role=combobox]") : b.querySelector("button[data-add-step]")).focus();
    } else if (btn.hasAttribute("data-add-cond")) {
      var holder = btn.closest(".step-row") || b;
      var cond = cloneTemplate(b, "data-cond-template");
      holder.querySelector(".cond-rows").appendChild(cond);
      setUp(cond);
      cond.querySelector("input[role=combobox]").focus();
    } else {
      var c = btn.closest(".cond-row");
      var host = c.closest(".step-row") || b;
      c.remove();
      host.querySelector("button[data-add-cond]").focus();
    }
    write(b);
  });

  function init() {
    setUp(document);
    document.querySelectorAll("[data-steps-builder],[data-cond-builder]").forEach(function (b) {
      if (b.hasAttribute("data-detached")) return;
      var adv = document.querySelector("details[data-advanced]");
      if (adv && !adv.querySelector(".err")) adv.removeAttribute("open");
      if (b.hasAttribute("data-steps-builder") && !b.querySelector(".step-row")) {
        b.querySelector(".step-rows").appendChild(cloneTemplate(b, "data-step-template"));
        setUp(b);
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();

// the survey form's live preview: the question, the scale and the follow-up follow what is typed
(function () {
  var form = document.querySelector('[data-survey-form]');
  var box = document.querySelector('.sv-preview');
  if (!form || !box) return;
  var ru = box.getAttribute('data-lang') === 'ru';
  var ranges = { nps: [0, 10], csat: [1, 5], ces: [1, 7] };
  function val(n) { var e = form.querySelector('[data-preview="' + n + '"]'); return e ? e.value : ''; }
  function draw() {
    box.querySelector('[data-preview-out="question"]').textContent = val(ru ? 'question_ru' : 'question_en');
    box.querySelector('[data-preview-out="follow"]').textContent = val(ru ? 'follow_ru' : 'follow_en');
    var scale = box.querySelector('[data-preview-out="scale"]');
    while (scale.firstChild) scale.removeChild(scale.firstChild);
    var r = ranges[val('kind')];
    if (r) for (var v = r[0]; v <= r[1]; v++) { var b = document.createElement('span'); b.className = 'sv-b'; b.textContent = v; scale.appendChild(b); }
  }
  form.addEventListener('input', draw);
  form.addEventListener('change', draw);
})();
