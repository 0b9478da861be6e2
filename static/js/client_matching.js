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
