// The analysis dashboard's charts (ECharts), drawn from the payload the page embeds (#analytics-data), which is
// the same as /staff/analytics/data.json. The chart builders are shared with the big screen (analytics_screen.js)
// as window.GridworkCharts. Every word shown comes from the payload's labels: the page is translated, not this file.
// Tooltips are drawn as rich text on the canvas: ECharts' HTML tooltips carry style attributes, which the
// Content-Security-Policy blocks (style-src 'self').
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }

  const PALETTE = ["#b3141c", "#1f6feb", "#e3a008", "#2da44e", "#8250df", "#0a7ea4", "#d1242f", "#6e7781"];
  const RATE_KEYS = ["response_rate", "resolution_rate", "satisfaction_rate"];

  function percent(value) { return typeof value === "number" ? value.toFixed(1) + "%" : "—"; }

  function noData(data) {
    return {
      text: data.labels.no_data,
      left: "center",
      top: "middle",
      textStyle: { fontSize: 13, fontWeight: "normal", color: "#888" },
    };
  }

  function pie(data, rows) {
    if (!rows.length) { return { title: noData(data), series: [] }; }
    return {
      color: PALETTE,
      tooltip: { renderMode: "richText", trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { type: "scroll", bottom: 0, left: "center" },
      series: [{
        type: "pie",
        radius: ["38%", "68%"],
        center: ["50%", "44%"],
        label: { show: false },
        data: rows.map(function (row) { return { name: row.label, value: row.value }; }),
      }],
    };
  }

  function zoomFor(count) {
    return count > 16 ? [{ type: "slider", height: 14, bottom: 4, startValue: 0, endValue: 15 }] : [];
  }

  const BUILDERS = {
    volume: function (data) {
      return {
        color: PALETTE,
        tooltip: { renderMode: "richText", trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0, type: "scroll" },
        grid: { left: 40, right: 12, top: 36, bottom: data.buckets.length > 16 ? 48 : 28 },
        xAxis: { type: "category", data: data.buckets },
        yAxis: { type: "value", minInterval: 1 },
        dataZoom: zoomFor(data.buckets.length),
        series: data.channels.map(function (channel) {
          return { type: "bar", name: channel.label, stack: "received", data: channel.values, barMaxWidth: 28 };
        }),
      };
    },
    categories: function (data) { return pie(data, data.categories); },
    kinds: function (data) { return pie(data, data.kinds); },
    children: function (data) {
      if (!data.children.length) { return { title: noData(data), series: [] }; }
      return {
        color: [PALETTE[1], PALETTE[0], PALETTE[3]],
        tooltip: { renderMode: "richText", trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: percent },
        legend: { top: 0 },
        grid: { left: 44, right: 12, top: 36, bottom: data.children.length > 16 ? 72 : 52 },
        xAxis: {
          type: "category",
          data: data.children.map(function (child) { return child.name; }),
          triggerEvent: true,
          axisLabel: { interval: 0, rotate: data.children.length > 6 ? 30 : 0 },
        },
        yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        dataZoom: zoomFor(data.children.length),
        series: RATE_KEYS.map(function (key) {
          return {
            type: "bar",
            name: data.labels[key],
            barMaxWidth: 22,
            cursor: "pointer",
            data: data.children.map(function (child) { return child[key]; }),
          };
        }),
      };
    },
    overdue: function (data) {
      return {
        color: [PALETTE[6]],
        tooltip: { renderMode: "richText", trigger: "axis" },
        grid: { left: 40, right: 12, top: 16, bottom: data.buckets.length > 16 ? 48 : 28 },
        xAxis: { type: "category", data: data.buckets },
        yAxis: { type: "value", minInterval: 1 },
        dataZoom: zoomFor(data.buckets.length),
        series: [{ type: "bar", name: data.labels.overdue, data: data.trend.overdue, barMaxWidth: 24 }],
      };
    },
    satisfaction: function (data) {
      return {
        color: [PALETTE[3]],
        tooltip: { renderMode: "richText", trigger: "axis", valueFormatter: percent },
        grid: { left: 44, right: 12, top: 16, bottom: data.buckets.length > 16 ? 48 : 28 },
        xAxis: { type: "category", data: data.buckets },
        yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        dataZoom: zoomFor(data.buckets.length),
        series: [{
          type: "line",
          name: data.labels.satisfaction_rate,
          data: data.trend.satisfaction_rate,
          connectNulls: false,
          symbolSize: 6,
        }],
      };
    },
  };

  // Draw every [data-chart] element under ``root``; returns an object whose update(data) redraws them all.
  function render(root, data, options) {
    const settings = options || {};
    let current = data;
    const charts = [];
    root.querySelectorAll("[data-chart]").forEach(function (element) {
      const build = BUILDERS[element.dataset.chart];
      if (!build) { return; }
      const chart = echarts.init(element, settings.theme || null, { renderer: "canvas" });
      // "finished": drawn and done moving, which is what a screenshot or a reader waits for.
      chart.on("finished", function () { element.dataset.rendered = "true"; });
      charts.push({ element: element, chart: chart, build: build });
      if (settings.drillDown && element.dataset.chart === "children") {
        chart.on("click", function (params) {
          let index = params.dataIndex;
          if (params.componentType === "xAxis") {
            index = current.children.findIndex(function (child) { return child.name === params.value; });
          }
          const child = current.children[index];
          if (child) { window.location.assign(child.url); }
        });
      }
    });

    function draw(next) {
      current = next;
      charts.forEach(function (item) {
        const option = item.build(next);
        if (settings.theme) { option.backgroundColor = "transparent"; }
        if (settings.animation === false) { option.animation = false; }
        item.element.dataset.rendered = "false";
        item.chart.setOption(option, true);
      });
    }

    draw(data);
    window.addEventListener("resize", function () { charts.forEach(function (item) { item.chart.resize(); }); });
    return { update: draw, charts: charts };
  }

  window.GridworkCharts = { render: render, builders: BUILDERS };

  const source = document.getElementById("analytics-data");
  if (!source) { return; }
  const data = JSON.parse(source.textContent);
  render(document, data, { drillDown: true });
  if (window.bootstrap && window.bootstrap.Tooltip) {
    document.querySelectorAll('[data-bs-toggle="tooltip"]').forEach(function (element) {
      new window.bootstrap.Tooltip(element);
    });
  }
})();
