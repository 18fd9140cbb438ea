// The online payment page asks every few seconds where its payment stands (a light GET that writes
// nothing) and reloads once it is no longer waiting, so the page shows the outcome. Without
// JavaScript the "Perbarui status" link does the same by hand.
(function () {
  "use strict";
  var INTERVAL_MS = 4000;
  var status = document.getElementById("payment-status");
  if (!status || !status.dataset.poll || !window.fetch) {
    return;
  }
  var url = status.dataset.poll;
  function check() {
    if (document.hidden) {
      window.setTimeout(check, INTERVAL_MS);
      return;
    }
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        if (answer && answer.state !== status.dataset.state) {
          status.textContent = answer.text;
          window.location.reload();
          return;
        }
        window.setTimeout(check, INTERVAL_MS);
      })
      .catch(function () {
        window.setTimeout(check, INTERVAL_MS * 2);
      });
  }
  window.setTimeout(check, INTERVAL_MS);
})();
