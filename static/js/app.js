// Progressive enhancement only: every page works without JavaScript.
(function () {
  "use strict";
  document.documentElement.classList.remove("js-off");
  document.documentElement.classList.add("js");
  var toggle = document.querySelector(".nav-toggle");
  var nav = document.getElementById("main-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("is-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // Workspace menus: on a phone the CSS folds the list behind its "Menu" button.
  document.querySelectorAll("[data-menu-toggle]").forEach(function (button) {
    var list = document.getElementById(button.getAttribute("aria-controls"));
    if (!list) { return; }
    button.addEventListener("click", function () {
      var open = list.classList.toggle("is-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });
  // Buttons that destroy something ask first.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });
  // Sorting applies as soon as a choice is made.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // Picking a variant shows its price and availability.
  document.querySelectorAll("[data-variant-picker]").forEach(function (box) {
    var price = box.querySelector("[data-price]");
    var availability = box.querySelector("[data-availability]");
    box.addEventListener("change", function (event) {
      var input = event.target;
      if (!input.matches || !input.matches("input[name='variant_id']")) { return; }
      if (price) { price.textContent = input.dataset.priceText; }
      if (availability) { availability.textContent = input.dataset.availabilityText; }
    });
  });
  // "Print" buttons (the receipt): shown only when JavaScript runs.
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target && target.closest && target.closest("[data-print]")) {
      window.print();
    }
  });
  // "Copy" buttons (the account number, amount and reference of a transfer): shown only where
  // the Clipboard API is available (it needs HTTPS); the status next to each says it worked.
  if (navigator.clipboard && window.isSecureContext) {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var label = button.innerHTML;
      var status = button.nextElementSibling;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(button.dataset.copy).then(function () {
          button.textContent = button.dataset.copied;
          if (status && status.hasAttribute("data-copy-status")) {
            status.textContent = button.dataset.copied + ": " + button.dataset.copy;
          }
          window.setTimeout(function () {
            button.innerHTML = label;
            if (status) { status.textContent = ""; }
          }, 2000);
        });
      });
    });
  }
  // After a failed submit, move focus to the error summary so screen readers announce it.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  // The service worker shows an offline page when a page cannot load for want of a connection
  // (marketplace/site/pwa.py). Registered after the page has loaded, so it never competes with
  // the page itself on a slow connection.
  var script = document.currentScript;
  var worker = script && script.dataset.serviceWorker;
  if (worker && "serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(worker).catch(function () {
        // Without it the site works as before; the browser shows its own page when offline.
      });
    });
  }
})();
