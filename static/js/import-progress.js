// Import progress: polls the job's progress while it runs, then reloads to show the result.
(function () {
  "use strict";
  var box = document.querySelector("[data-import-progress]");
  if (!box) { return; }
  var url = box.getAttribute("data-import-progress");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  var template = text ? text.textContent : "";
  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { window.setTimeout(poll, 3000); return; }
        if (!data.running) { window.location.reload(); return; }
        if (bar) { bar.value = data.percent; bar.textContent = data.percent + "%"; }
        if (text) {
          // The sentence is rendered by the server in the user's language; swap in the numbers.
          var numbers = template.match(/\d+/g);
          if (numbers && numbers.length >= 2) {
            text.textContent = template
              .replace(numbers[0], String(data.processed))
              .replace(new RegExp("\\b" + numbers[1] + "\\b"), String(data.total));
          }
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
