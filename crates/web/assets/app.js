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
