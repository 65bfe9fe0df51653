// Draws the report's charts from the JSON the page embeds with json_script (no inline script: strict CSP).
// Without JavaScript the page still has every figure in its tables.
(function () {
  "use strict";

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chartData);
    if (!source || typeof Chart === "undefined") {
      return;
    }
    var chart = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: chart.type,
      data: { labels: chart.labels, datasets: chart.datasets },
      options: {
        aspectRatio: 2,
        spanGaps: false,
        scales: { y: { min: 0, max: 100, title: { display: true, text: "%" } } },
      },
    });
  }

  document.querySelectorAll("canvas[data-chart-data]").forEach(draw);
})();
