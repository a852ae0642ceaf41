// Draw every [data-chart] element from the specifications in #chart-data (ECharts, vendored).
// The numbers each chart shows are also in the table beside it.
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("chart-data");
  if (!source || !window.echarts) return;
  var specs = JSON.parse(source.textContent);
  specs.forEach(function (spec) {
    var el = document.querySelector('[data-chart="' + spec.id + '"]');
    if (!el) return;
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 32, containLabel: true },
      xAxis: { type: "category", data: spec.x },
      yAxis: { type: "value", min: spec.min },
      color: ["#b22222", "#e3a857", "#5b8def", "#4ac26b", "#8f6bd1", "#999999", "#3cb4b4", "#d46aa0", "#6b8e23"],
      series: spec.series.map(function (s) {
        var line = spec.type === "line" || s.line;  // a line: a series over time, or a threshold
        return { name: s.name, type: line ? "line" : "bar", stack: spec.type === "stack" ? "all" : undefined, data: s.data, symbol: "none" };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
});
