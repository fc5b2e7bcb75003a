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

// "New since you loaded": ask the server how many messages match the same
// filter after the newest one shown, every 15 seconds and whenever the tab
// comes back into view.
document.addEventListener("DOMContentLoaded", function () {
  var nw = document.getElementById("newer");
  if (!nw || !nw.dataset.newer) {
    return;
  }
  var check = function () {
    fetch(nw.dataset.newer, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) {
        if (j && j.newer > 0) {
          var n = j.newer >= 1000 ? "1000 or more" : String(j.newer);
          nw.querySelector("span").textContent = n + " new message" + (j.newer === 1 ? "" : "s") +
            " since you loaded this page.";
          nw.hidden = false;
        }
      })
      .catch(function () {});
  };
  setInterval(check, 15000);
  window.addEventListener("focus", check);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { check(); } });
});

// After a reprocess or a resend, follow the message until the work is done
// and say how it ended, instead of leaving "queued" on the screen.
document.addEventListener("DOMContentLoaded", function () {
  var notice = new URLSearchParams(window.location.search).get("notice");
  var st = document.getElementById("status");
  var out = document.getElementById("outcome");
  var m = window.location.pathname.match(/^\/messages\/(\d+)$/);
  if (!st || !out || !m || (notice !== "reprocess" && notice !== "resend")) {
    return;
  }
  var busy = ["received", "processing", "queued", "sending"];
  var good = { processed: 1, delivered: 1, awaiting_pickup: 1, picked_up: 1, resolved: 1 };
  var what = notice === "reprocess" ? "The reprocess" : "The resend";
  out.hidden = false;
  out.textContent = what + " is under way; this line will say how it ends.";
  var tries = 0;
  var poll = function () {
    tries++;
    fetch("/api/messages/" + m[1], { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) {
        if (!j) { return; }
        var s = j.message.status;
        st.textContent = s.replace(/_/g, " ");
        st.className = "badge st-" + s;
        if (busy.indexOf(s) >= 0) {
          if (tries < 120) { setTimeout(poll, 1000); } else {
            out.textContent = what + " is still waiting (" + s.replace(/_/g, " ") + "); reload later to see how it ended.";
          }
          return;
        }
        out.dataset.final = s;
        if (good[s]) {
          out.className = "outcome good";
          out.textContent = what + " worked: the message is now " + s.replace(/_/g, " ") + ".";
        } else {
          out.className = "outcome bad";
          out.textContent = what + " failed again: the message is now " + s.replace(/_/g, " ") +
            ". See what happened below, and the review item for the error.";
        }
      })
      .catch(function () { if (tries < 120) { setTimeout(poll, 2000); } });
  };
  poll();
});
