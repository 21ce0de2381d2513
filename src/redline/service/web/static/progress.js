// Polls a batch's progress while it runs, then reloads the page to show its outputs.
// Reads its URL from a data- attribute; writes only text content (never HTML).
(function () {
  "use strict";
  var card = document.getElementById("progress-card");
  if (!card) { return; }
  var url = card.getAttribute("data-progress-url");
  var active = function (status) { return status === "queued" || status === "running"; };
  if (!active(card.getAttribute("data-status"))) { return; }
  var tick = function () {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        document.getElementById("batch-status").textContent = state.status;
        document.getElementById("batch-rows").textContent = state.rows_done + " / " + state.rows_total;
        document.getElementById("batch-alerts").textContent = String(state.alerts);
        var bar = document.getElementById("batch-progress");
        bar.value = state.percent;
        bar.textContent = state.percent + "%";
        if (active(state.status)) { window.setTimeout(tick, 700); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(tick, 2000); });
  };
  window.setTimeout(tick, 300);
})();
