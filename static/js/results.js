// The Results chart: daily revenue and ad spend (uPlot, vendored), with the period's approved
// deliverables and completed milestones drawn as marks. CSP-clean: data comes from the
// element's data attribute, no inline code; uPlot's stylesheet is added once, on this tab only.
(function () {
  "use strict";

  // uPlot's stylesheet sits beside its script (whatever URL the static files are served at)
  function cssUrl() {
    var script = document.querySelector('script[src*="uPlot.iife.min.js"]');
    return script ? script.src.replace("uPlot.iife.min.js", "uPlot.min.css").split("?")[0] : "/static/vendor/uplot/uPlot.min.css";
  }
  var COLORS = { revenue: "#4f46e5", ad_spend: "#f79009" };
  var MARKS = { deliverable: "#7c3aed", milestone: "#0e9384" };

  function ensureCss(done) {
    var found = document.querySelector('link[data-uplot-css]');
    if (found) { if (found.sheet) done(); else found.addEventListener("load", done); return; }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = cssUrl();
    link.setAttribute("data-uplot-css", "");
    link.addEventListener("load", done);
    document.head.appendChild(link);
  }

  function money(currency) {
    var fmt = new Intl.NumberFormat(undefined, { style: "currency", currency: currency || "USD", maximumFractionDigits: 0 });
    return function (v) { return v == null ? "—" : fmt.format(v); };
  }

  function annotationsPlugin(notes) {
    return {
      hooks: {
        draw: function (u) {
          var ctx = u.ctx;
          var top = u.bbox.top, height = u.bbox.height;
          ctx.save();
          notes.forEach(function (n) {
            var x = Math.round(u.valToPos(n.x, "x", true));
            ctx.strokeStyle = MARKS[n.kind] || "#667085";
            ctx.lineWidth = 2 * (window.devicePixelRatio || 1);
            ctx.setLineDash([4, 4]);
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + height);
            ctx.stroke();
          });
          ctx.restore();
        },
      },
    };
  }

  function build(el) {
    if (el._plot) { el._plot.destroy(); el._plot = null; }
    var data;
    try { data = JSON.parse(el.getAttribute("data-results-chart")); } catch (e) { return; }
    if (!data || !data.x || !window.uPlot) return;
    var fmt = money(data.currency);
    var width = Math.max(280, el.clientWidth);
    var opts = {
      width: width,
      height: width < 500 ? 220 : 300,
      scales: { x: { time: true } },
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      series: [{}].concat(data.series.map(function (s) {
        return { label: s.label, stroke: COLORS[s.key] || "#475467", width: 2, spanGaps: true, value: function (u, v) { return fmt(v); } };
      })),
      axes: [
        { stroke: "#5b6475", grid: { stroke: "#eef0f5" } },
        { stroke: "#5b6475", grid: { stroke: "#eef0f5" }, size: 70, values: function (u, vals) { return vals.map(fmt); } },
      ],
      plugins: [annotationsPlugin(data.annotations || [])],
    };
    var rows = [data.x].concat(data.series.map(function (s) { return s.values; }));
    el._plot = new window.uPlot(opts, rows, el);
  }

  function init(root) {
    var charts = (root || document).querySelectorAll("[data-results-chart]");
    if (!charts.length) return;
    ensureCss(function () { charts.forEach(build); });
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { document.querySelectorAll("[data-results-chart]").forEach(build); }, 150);
  });
  document.addEventListener("htmx:afterSettle", function (evt) { init(evt.detail.target); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(document); });
  else init(document);
})();
