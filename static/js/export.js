// Batch page. "Select all eligible (N)" ticks every invoice checkbox on this page and, through its
// own field (all_eligible), asks for every eligible invoice of the batch, on every page; unticking
// one invoice unticks it (the choice is then exactly the ticked boxes). Works after htmx swaps.
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches("[data-select-all]")) {
    document.querySelectorAll("#export-form input.export-pick").forEach(function (box) {
      box.checked = target.checked;
    });
  } else if (target.matches("#export-form input.export-pick") && !target.checked) {
    var all = document.getElementById("select-all-eligible");
    if (all) all.checked = false;
  }
});

// The progress poll and the export/retry posts say when the shown states were read (`since`), which
// rows this page shows (`shown`) and its status filter (`show`): the answer carries only what changed.
document.addEventListener("htmx:configRequest", function (event) {
  var box = document.getElementById("export-progress");
  var elt = event.detail.elt;
  if (!box || !(elt === box || elt.closest("#export-form"))) return;
  var ids = [];
  document.querySelectorAll("#invoices-table tr[data-invoice]").forEach(function (row) {
    ids.push(row.getAttribute("data-invoice"));
  });
  var groups = document.getElementById("batch-groups");
  event.detail.parameters["since"] = box.getAttribute("data-since") || "";
  event.detail.parameters["shown"] = ids.join(",");
  event.detail.parameters["show"] = groups ? groups.getAttribute("data-group") : "";
});
