// The evidence chart of a hot-spot alert: the matters of each day of the window, the alert's day in red, and the
// expected rate of the test (λ) as a line. Data from the page's json_script; words from its data-label-* attributes.
// Tooltips are drawn as rich text on the canvas: ECharts' HTML tooltips carry style attributes, which the
// Content-Security-Policy blocks (style-src 'self').
(function () {
  "use strict";
  const element = document.getElementById("rise-chart");
  const source = document.getElementById("rise-chart-data");
  if (!element || !source || typeof echarts === "undefined") { return; }
  const data = JSON.parse(source.textContent);
  const last = data.days.length - 1;
  const series = [{
    name: element.dataset.labelCount,
    type: "bar",
    data: data.counts.map(function (count, index) {
      return { value: count, itemStyle: { color: index === last ? "#b3141c" : "#8aa4c8" } };
    }),
  }];
  if (data.expected !== null) {
    series.push({
      name: element.dataset.labelExpected,
      type: "line",
      symbol: "none",
      lineStyle: { type: "dashed", color: "#555" },
      data: data.days.map(function () { return data.expected; }),
    });
  }
  const chart = echarts.init(element);
  chart.setOption({
    animation: false,
    grid: { left: 40, right: 16, top: 32, bottom: 48 },
    legend: { top: 0 },
    tooltip: { renderMode: "richText", trigger: "axis" },
    xAxis: { type: "category", data: data.days.map(function (day) { return day.slice(5); }) },
    yAxis: { type: "value", minInterval: 1 },
    series: series,
  });
  window.addEventListener("resize", function () { chart.resize(); });
  element.dataset.loaded = String(data.days.length);
})();
