// The web app's small behaviours, kept out of the pages so that the Content-Security-Policy allows no inline
// code: a select with data-autosubmit sends its form when changed (the form has a <noscript> button for
// browsers without scripts), and a form with data-confirm asks that question before it is sent.
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
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) ev.preventDefault();
  });
})();
