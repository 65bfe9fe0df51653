// Draws the pain-over-time chart from the JSON embedded with json_script (no inline script: strict CSP).
// Without JavaScript the table under the chart has every score.
(function () {
  "use strict";
  var canvas = document.getElementById("pain-chart");
  var source = canvas && document.getElementById(canvas.dataset.chartData);
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "line",
    data: { labels: data.labels, datasets: [{ label: data.label, data: data.scores }] },
    options: { aspectRatio: 2, scales: { y: { min: 0, max: 10, ticks: { stepSize: 1 } } } },
  });
})();
