// Suggestions under the header's search field as the shopper types: products, categories and
// cooperatives from /search/suggestions. The field becomes an ARIA 1.2 combobox (arrows move
// through the list, Enter opens the chosen suggestion, Escape closes it); Enter without a
// chosen suggestion submits the search as before. Without JavaScript, or when a request fails,
// the plain search form is all there is.
(function () {
  "use strict";
  var DELAY_MS = 150;
  var form = document.querySelector("form[data-suggest-url]");
  var input = form && form.querySelector("input[name=q]");
  if (!input || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var data = form.dataset;
  var list = document.createElement("ul");
  list.id = "site-search-suggestions";
  list.className = "search-suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", data.suggestLabel);
  list.hidden = true;
  var status = document.createElement("p");
  status.className = "visually-hidden";
  // A live region, not role="status": a page's own status message stays the only one.
  status.setAttribute("aria-live", "polite");
  form.appendChild(list);
  form.appendChild(status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("autocomplete", "off");

  var timer = null;
  var asked = "";
  var active = -1;

  function options() {
    return list.querySelectorAll("[role=option]");
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function choose(index) {
    var all = options();
    if (!all.length) {
      return;
    }
    active = (index + all.length) % all.length;
    for (var i = 0; i < all.length; i++) {
      all[i].setAttribute("aria-selected", i === active ? "true" : "false");
    }
    input.setAttribute("aria-activedescendant", all[active].id);
  }

  function option(item, kind, index) {
    var li = document.createElement("li");
    li.id = "site-search-suggestion-" + index;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    li.dataset.url = item.url;
    var name = document.createElement("span");
    name.textContent = item.name;
    li.appendChild(name);
    if (kind) {
      var label = document.createElement("span");
      label.className = "search-suggestions__kind";
      label.textContent = kind;
      li.appendChild(label);
    }
    li.addEventListener("mousedown", function (event) {
      event.preventDefault(); // keep the focus in the field until the page changes
      window.location.assign(item.url);
    });
    return li;
  }

  function show(answer) {
    list.textContent = "";
    var index = 0;
    [
      [answer.products, ""],
      [answer.categories, data.suggestCategory],
      [answer.cooperatives, data.suggestCooperative],
    ].forEach(function (group) {
      (group[0] || []).forEach(function (item) {
        list.appendChild(option(item, group[1], index++));
      });
    });
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (!index) {
      close();
      status.textContent = "";
      return;
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    status.textContent = data.suggestCount.replace("{n}", String(index));
  }

  function ask() {
    var text = input.value.trim();
    if (text === asked) {
      return;
    }
    asked = text;
    if (text.length < 2) {
      close();
      return;
    }
    var url = data.suggestUrl + "?" + new URLSearchParams({ q: text }).toString();
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        if (answer && input.value.trim() === text) {
          show(answer);
        }
      })
      .catch(close);
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, DELAY_MS);
  });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) {
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      choose(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.assign(options()[active].dataset.url);
    } else if (event.key === "Escape") {
      event.preventDefault(); // the first Escape closes the list; only a second clears the field
      close();
    }
  });
  input.addEventListener("blur", close);
})();
