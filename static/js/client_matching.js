// Client Matching: "Use suggestion" puts a row's `review` proposal into its drop-down, so the
// person confirms it before Save (nothing is linked from a suggestion otherwise). Delegated, so
// rows swapped in by htmx work too.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".use-suggestion");
  if (!button) return;
  const select = document.getElementById(button.dataset.select);
  if (!select) return;
  select.value = button.dataset.value;
  select.dispatchEvent(new Event("change", { bubbles: true }));
  const row = button.closest("tr");
  if (row) row.classList.add("suggestion-used");
});

// "Add to QuickBooks" is offered only while a row has no customer chosen: a row cannot both
// link an existing customer and create a new one.
function syncAddToQuickBooks(row) {
  const select = row.querySelector("select[id^='sel-']");
  const label = row.querySelector(".add-to-qbo");
  if (!select || !label) return;
  const chosen = Boolean(select.value);
  label.hidden = chosen;
  if (chosen) label.querySelector("input").checked = false;
}

document.addEventListener("change", (event) => {
  if (!event.target.matches("select[id^='sel-']")) return;
  const row = event.target.closest("tr");
  if (row) syncAddToQuickBooks(row);
});

document.addEventListener("htmx:afterSettle", (event) => {
  const row = event.target.closest && event.target.closest("tr");
  if (row) syncAddToQuickBooks(row);
});
