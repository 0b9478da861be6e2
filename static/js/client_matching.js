// Client Matching. Every choice a person makes (a drop-down, an "Add to QuickBooks" tick) is kept
// in `pending` until Save or Discard, across pages, filters and searches: htmx swaps the section,
// and the choices are put back into the rows that come back. Choices whose row is not on screen
// travel with Save as hidden inputs (#pending-elsewhere). A changed row is marked and shows the
// Score and Why of the customer now chosen (asked from the server: the engine's words for that
// pair). Leaving the page with unsaved choices asks first. Delegated, so swapped rows work too.
(() => {
  const pending = new Map();   // row key ("client_5", "pair_5_2") -> {kind, sid, value, label, create, score, why}
  const initial = new Map();   // row key -> the drop-down's value as saved (server-rendered)

  const rowKey = (row) => row && row.dataset.key;
  const splitKey = (key) => {
    const at = key.indexOf("_");
    return { kind: key.slice(0, at), sid: key.slice(at + 1) };
  };
  const selectOf = (row) => row.querySelector("select[id^='sel-']");
  const addBox = (row) => row.querySelector(".add-to-qbo input");

  function plural(n, word) {
    return `${n} ${word}${n === 1 ? "" : "s"}`;
  }

  function refreshSummary() {
    const summary = document.getElementById("pending-summary");
    if (summary) summary.textContent = pending.size ? `${plural(pending.size, "change")} not saved` : "No unsaved changes";
    const discard = document.getElementById("discard-changes");
    if (discard) discard.hidden = !pending.size;
    const elsewhere = document.getElementById("pending-elsewhere");
    if (!elsewhere) return;
    elsewhere.replaceChildren();
    for (const [key, entry] of pending) {
      if (document.querySelector(`tr[data-key="${key}"]`)) continue;   // its own inputs are on screen
      const add = (name, value) => {
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = value;
        elsewhere.append(input);
      };
      add(`row_${entry.kind}`, entry.sid);
      add(`customer_${entry.kind}_${entry.sid}`, entry.value);
      if (entry.create) add(`create_${entry.kind}_${entry.sid}`, "on");
    }
  }

  function showAnswer(row, entry) {
    const score = row.querySelector("td.score");
    const why = row.querySelector("td.why");
    if (score) {
      score.textContent = entry.score == null ? "" : String(entry.score);
      score.dataset.for = entry.value;
    }
    if (why && entry.why != null) {
      why.textContent = entry.why;
      why.dataset.for = entry.value;
    }
  }

  function markRow(row, changed) {
    row.dataset.changed = changed ? "true" : "false";
    row.classList.toggle("row-changed", changed);
    const badge = row.querySelector(".changed-badge");
    if (badge) badge.hidden = !changed;
  }

  // "Add to QuickBooks" is offered only while a row has no customer chosen.
  function syncAddToQuickBooks(row, byPerson) {
    const select = selectOf(row);
    const label = row.querySelector(".add-to-qbo");
    if (!select || !label) return;
    const chosen = Boolean(select.value);
    if (chosen) {
      label.hidden = true;
      label.querySelector("input").checked = false;
    } else if (byPerson) {
      label.hidden = false;   // the person set "— choose —": now they may create the customer
    }
  }

  function explain(row, entry) {
    const select = selectOf(row);
    if (!select || !select.dataset.whyUrl) return;
    const url = `${select.dataset.whyUrl}?customer=${encodeURIComponent(entry.value)}`;
    const why = row.querySelector("td.why");
    if (why) why.setAttribute("aria-busy", "true");
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((answer) => {
        const current = pending.get(rowKey(row));
        if (!current || current.value !== answer.customer) return;   // chosen again meanwhile
        current.score = answer.score;
        current.why = answer.why;
        const live = document.querySelector(`tr[data-key="${rowKey(row)}"]`);
        if (live) showAnswer(live, current);
      })
      .catch(() => {
        if (why) why.textContent = "Could not explain this choice; it is kept and saved with Save.";
      })
      .finally(() => why && why.removeAttribute("aria-busy"));
  }

  function noteChoice(row, fromSelect) {
    const key = rowKey(row);
    const select = selectOf(row);
    if (!key || !select) return;
    const box = addBox(row);
    const value = select.value;
    const create = Boolean(box && box.checked);
    if (value === (initial.get(key) ?? "") && !create) {
      const had = pending.get(key);
      pending.delete(key);
      markRow(row, false);
      if (had && fromSelect) explainSaved(row);
    } else {
      const { kind, sid } = splitKey(key);
      const option = select.selectedOptions[0];
      const previous = pending.get(key);
      const entry = { kind, sid, value, create, label: option ? option.text : "",
                      score: null, why: null };
      if (previous && previous.value === value) {
        entry.score = previous.score;
        entry.why = previous.why;
      }
      pending.set(key, entry);
      markRow(row, true);
      if (fromSelect) explain(row, entry);
    }
    refreshSummary();
  }

  // Back to the saved choice: the row shows the saved Score and Why again.
  function explainSaved(row) {
    const score = row.querySelector("td.score");
    const why = row.querySelector("td.why");
    if (score && score.dataset.saved !== undefined) { score.textContent = score.dataset.saved; delete score.dataset.for; }
    if (why && why.dataset.saved !== undefined) { why.innerHTML = why.dataset.saved; delete why.dataset.for; }
  }

  // A section came back from the server (page, filter, search, Save): remember what is saved,
  // drop what a Save stored, and put the person's other choices back into their rows.
  function restore(section) {
    if (section.dataset.restored) return;
    section.dataset.restored = "1";
    if (section.dataset.saved) {
      const kept = new Set(JSON.parse(section.dataset.kept || "[]"));
      for (const key of [...pending.keys()]) if (!kept.has(key)) pending.delete(key);
    }
    for (const row of section.querySelectorAll("tr[data-key]")) {
      const key = rowKey(row);
      const select = selectOf(row);
      if (!select) continue;
      initial.set(key, select.dataset.initial || "");
      const score = row.querySelector("td.score");
      const why = row.querySelector("td.why");
      if (score) score.dataset.saved = score.textContent;
      if (why) why.dataset.saved = why.innerHTML;
      const entry = pending.get(key);
      if (!entry) continue;
      if (![...select.options].some((o) => o.value === entry.value)) {
        select.add(new Option(entry.label, entry.value), 1);
      }
      select.value = entry.value;
      syncAddToQuickBooks(row, entry.value === "");
      const box = addBox(row);
      if (box) box.checked = entry.create;
      markRow(row, true);
      if (entry.why != null) showAnswer(row, entry);
      else explain(row, entry);
    }
    refreshSummary();
  }

  document.addEventListener("change", (event) => {
    const target = event.target;
    const row = target.closest && target.closest("tr[data-key]");
    if (!row) return;
    if (target.matches("select[id^='sel-']")) {
      syncAddToQuickBooks(row, true);
      noteChoice(row, true);
    } else if (target.matches(".add-to-qbo input")) {
      noteChoice(row, false);
    }
  });

  // "Use suggestion" puts a row's `review` proposal into its drop-down: the person confirms it.
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

  document.addEventListener("click", (event) => {
    if (event.target.id !== "discard-changes") return;
    pending.clear();
    window.location.reload();
  });

  // Links that leave the page (the nav, the tabs) ask first; htmx links stay on it.
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[href]");
    if (!link || !pending.size || link.hasAttribute("hx-get") || link.target === "_blank") return;
    const leave = window.confirm(`You have ${plural(pending.size, "unsaved change")} on Client Matching. ` +
                                 "Leave without saving them?");
    if (leave) pending.clear();
    else event.preventDefault();
  }, true);

  window.addEventListener("beforeunload", (event) => {
    if (!pending.size) return;
    event.preventDefault();
    event.returnValue = "";
  });

  document.addEventListener("htmx:afterSettle", (event) => {
    const target = event.detail && event.detail.elt;
    const section = document.getElementById("matching-section");
    if (!section) return;
    if (target && target.id && target.id.startsWith("sel-")) {
      const row = target.closest("tr[data-key]");   // a search swapped one drop-down
      if (row) syncAddToQuickBooks(row, false);
      return;
    }
    if (section.isConnected) restore(section);
  });

  const section = document.getElementById("matching-section");
  if (section) restore(section);
})();
