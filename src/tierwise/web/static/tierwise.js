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
