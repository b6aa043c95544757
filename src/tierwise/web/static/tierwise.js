// tierwise: the only script of the pages besides htmx (no inline script: the CSP forbids it).
// A refused change answers JSON {"detail": "..."}; show it next to the form that sent it.
document.addEventListener("htmx:responseError", function (event) {
  var form = event.detail.elt.closest("form") || event.detail.elt;
  var box = form.querySelector("[data-error]");
  var text = event.detail.xhr.statusText;
  try {
    text = JSON.parse(event.detail.xhr.responseText).detail || text;
  } catch (e) {
    /* not JSON: keep the status text */
  }
  if (box) {
    box.textContent = text;
    box.hidden = false;
  }
});
document.addEventListener("htmx:beforeRequest", function (event) {
  var form = event.detail.elt.closest("form");
  var box = form && form.querySelector("[data-error]");
  if (box) {
    box.hidden = true;
  }
});
// Charts: each <script type="application/json" data-chart="ID"> holds the ECharts option of the box #ID.
function tierwiseCharts(root) {
  if (!window.echarts) {
    return;
  }
  // no animation when the app is told so (tests, screenshots) or the user asks for reduced motion
  var still =
    document.body.getAttribute("data-animation") === "off" ||
    (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  root.querySelectorAll("script[type='application/json'][data-chart]").forEach(function (data) {
    var box = document.getElementById(data.getAttribute("data-chart"));
    if (!box || box.getAttribute("data-drawn")) {
      return;
    }
    var option = JSON.parse(data.textContent);
    if (still) {
      option.animation = false;
    }
    // Tooltips as rich text drawn on the chart's canvas, not as HTML: ECharts' HTML tooltips are
    // markup full of style="" attributes, which the Content-Security-Policy refuses (style-src
    // 'self', no 'unsafe-inline'); drawn on the canvas they need no inline style at all, so the
    // policy stays strict and the tooltips keep their colours, markers and layout.
    [].concat(option.tooltip || []).forEach(function (tooltip) {
      tooltip.renderMode = "richText";
    });
    var chart = window.echarts.init(box);
    chart.setOption(option);
    box.setAttribute("data-drawn", "true");
    window.addEventListener("resize", function () {
      chart.resize();
    });
  });
}
document.addEventListener("DOMContentLoaded", function () {
  tierwiseCharts(document);
});
document.addEventListener("htmx:afterSettle", function (event) {
  tierwiseCharts(event.detail.elt);
});
