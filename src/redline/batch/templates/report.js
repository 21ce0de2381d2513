(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("#rows tbody tr"));
  var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
  var box = document.getElementById("filter");
  var buttons = Array.prototype.slice.call(document.querySelectorAll("button[data-risk]"));
  var shown = document.getElementById("shown");
  var chip = document.getElementById("chart-filter");
  var chipText = document.getElementById("chart-filter-text");
  var risk = "all";
  var chart = null; // {key, value, label}

  function matchesChart(row) {
    if (!chart) { return true; }
    if (chart.key === "risk") { return row.getAttribute("data-risk") === chart.value; }
    if (chart.key === "dest") { return row.getAttribute("data-dest") === chart.value; }
    return (row.getAttribute("data-" + chart.key) || "").indexOf("|" + chart.value + "|") !== -1;
  }

  function apply() {
    var terms = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    var count = 0;
    rows.forEach(function (row, i) {
      var ok = (risk === "all" || row.getAttribute("data-risk") === risk) && matchesChart(row);
      for (var t = 0; ok && t < terms.length; t++) { ok = texts[i].indexOf(terms[t]) !== -1; }
      row.hidden = !ok;
      if (ok) { count++; }
    });
    shown.textContent = String(count);
    chip.hidden = !chart;
    chipText.textContent = chart ? chart.label : "";
  }

  function setRisk(value) {
    risk = value;
    buttons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.getAttribute("data-risk") === value)); });
  }

  box.addEventListener("input", apply);
  buttons.forEach(function (button) {
    button.addEventListener("click", function () { setRisk(button.getAttribute("data-risk")); apply(); });
  });
  document.getElementById("chart-filter-clear").addEventListener("click", function () { chart = null; apply(); });
  Array.prototype.forEach.call(document.querySelectorAll("svg g.bar"), function (bar) {
    bar.addEventListener("click", function () {
      var key = bar.getAttribute("data-key");
      var value = bar.getAttribute("data-value");
      if (!value) { return; }
      if (key === "risk") { chart = null; setRisk(value); }
      else { chart = { key: key, value: value, label: key + ": " + value }; }
      apply();
      document.getElementById("rows").scrollIntoView();
    });
  });
  apply();
})();
