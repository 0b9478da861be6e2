// Batch page: "Preview ticked" opens the preview of the ticked invoices (or of every eligible one
// when "Select all eligible" is ticked; with nothing ticked, of the whole batch). A preview sends
// nothing, so it is a plain GET.
document.addEventListener("click", function (event) {
  var button = event.target.closest("#preview-button");
  if (!button) return;
  var params = new URLSearchParams();
  var all = document.getElementById("select-all-eligible");
  if (all && all.checked) params.append("all_eligible", "1");
  document.querySelectorAll("#export-form input.export-pick:checked").forEach(function (box) {
    params.append("invoice", box.value);
  });
  // Nothing ticked: the whole batch (what "Preview the whole batch" shows).
  window.location.assign(button.getAttribute("data-preview-url") + "?" + params.toString());
});
