// QuickBooks connect flow, two halves in one file:
// - on the integration pages: the Connect button opens Intuit's sign-in in a pop-up and waits
//   (a same-origin postMessage from the pop-up, or polling the status endpoint as a fallback);
//   when the pop-up is blocked the form simply goes to Intuit in this window.
// - in the pop-up's last page: tell the opener, then close.
(function () {
  "use strict";
  var POPUP_NAME = "careledger_qbo_connect";

  // --- the pop-up's last page --------------------------------------------------------------
  var resultData = document.getElementById("qbo-result-data");
  if (resultData) {
    var result = JSON.parse(resultData.textContent);
    var opener = null;
    try { opener = window.opener && !window.opener.closed ? window.opener : null; } catch (e) { opener = null; }
    if (opener) {
      // Only our own origin may receive it; the opener checks the origin as well.
      opener.postMessage(result, window.location.origin);
      var closeButton = document.getElementById("qbo-result-close");
      if (closeButton) {
        closeButton.hidden = false;
        closeButton.addEventListener("click", function () { window.close(); });
      }
      if (result.outcome === "connected") {
        setTimeout(function () { window.close(); }, 1500);
      }
    } else if (result.outcome === "connected") {
      // Opened as a normal page (e.g. pop-up blocked): go on to Sync Settings.
      setTimeout(function () { window.location.replace(result.next); }, 1500);
    }
    return;
  }

  // --- the opening window --------------------------------------------------------------------
  var waiting = null;

  function note(form, text) {
    var box = document.querySelector(".qbo-connect-note");
    if (!box) return;
    box.textContent = text;
    box.hidden = !text;
  }

  // The pop-up has closed (or is closing): the page this window moves on to says "Connected to
  // …" in its toast region (static/js/app.js reads it). Not a server flash: the pop-up and this
  // window's status polls share one session cookie, and a poll's answer could overwrite it.
  function finish(url, message) {
    if (waiting) { clearInterval(waiting.timer); waiting = null; }
    try {
      sessionStorage.setItem("careledger.toast", JSON.stringify({ level: "success", text: message }));
    } catch (e) { /* storage unavailable: the Installation tab still shows the company */ }
    window.location.assign(url);
  }

  function poll(form) {
    fetch(form.dataset.statusUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (status) {
        if (!waiting || !status) return;
        if (status.connected && status.generation !== form.dataset.generation) {
          finish(form.dataset.nextUrl, "Connected to " + (status.company_name || "QuickBooks") + ".");
        } else if (waiting.popup.closed) {
          waiting.closedPolls += 1;
          if (waiting.closedPolls > 2) {  // closed without connecting
            clearInterval(waiting.timer);
            waiting = null;
            note(form, "The QuickBooks window was closed before the connection finished.");
          }
        }
      })
      .catch(function () { /* keep trying; the server may be restarting */ });
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== window.location.origin) return;        // same-origin check
    var data = event.data || {};
    if (data.source !== "careledger-qbo" || !waiting) return;
    if (data.outcome === "connected") {
      finish(waiting.form.dataset.nextUrl, data.message || "Connected to QuickBooks.");
    } else {
      var form = waiting.form;
      clearInterval(waiting.timer);
      waiting = null;
      note(form, data.message || "QuickBooks did not connect.");
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("form[data-qbo-connect]");
    if (!form) return;
    var width = 520, height = 700;
    var left = Math.max(0, window.screenX + (window.outerWidth - width) / 2);
    var top = Math.max(0, window.screenY + (window.outerHeight - height) / 2);
    var popup = window.open("", POPUP_NAME,
      "popup=yes,width=" + width + ",height=" + height + ",left=" + left + ",top=" + top);
    var mode = form.querySelector("input[name=mode]");
    if (!popup || popup.closed) {
      // Blocked: let the form carry this window to QuickBooks instead.
      mode.value = "page";
      form.removeAttribute("target");
      note(form, "Your browser blocked the pop-up, so QuickBooks opens in this window.");
      return;
    }
    mode.value = "popup";
    form.target = POPUP_NAME;
    note(form, "Finish signing in to QuickBooks in the pop-up window. This page moves on by itself.");
    if (waiting) clearInterval(waiting.timer);
    waiting = { form: form, popup: popup, closedPolls: 0, timer: null };
    waiting.timer = setInterval(function () { poll(form); }, 2000);
    try { popup.focus(); } catch (e) { /* ignore */ }
  });
})();
