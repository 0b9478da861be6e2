// Batch page: "Select all eligible" ticks every invoice checkbox that is present (only eligible,
// not-yet-exported invoices have one). Works again after htmx swaps in new cells.
document.addEventListener("click", function (event) {
  var toggle = event.target.closest("[data-select-all]");
  if (!toggle) return;
  var boxes = document.querySelectorAll("#export-form input.export-pick");
  var tick = toggle.type === "checkbox" ? toggle.checked : true;
  boxes.forEach(function (box) { box.checked = tick; });
});
