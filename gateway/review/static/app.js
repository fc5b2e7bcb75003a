// Progressive enhancement only: every page works without this file.
"use strict";
document.addEventListener("submit", function (e) {
  var b = e.submitter || e.target.querySelector("[data-confirm]");
  if (b && b.dataset && b.dataset.confirm && !window.confirm(b.dataset.confirm)) {
    e.preventDefault();
  }
});
document.addEventListener("DOMContentLoaded", function () {
  var t = document.querySelector("[data-refresh]");
  if (t) {
    setTimeout(function () { window.location.reload(); }, 1000 * Number(t.dataset.refresh));
  }
  var st = document.getElementById("status-filter");
  if (st) {
    st.addEventListener("change", function () { st.form.requestSubmit(); });
  }
});
