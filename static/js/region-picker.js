// The address form's four region lists (provinsi, kota/kabupaten, kecamatan, kelurahan/desa)
// become ARIA 1.2 comboboxes: the shopper types the start of a name and picks from what
// /regions/search answers under the region chosen above (arrows move, Enter or a click picks,
// Escape closes). Each list stays in the form, hidden, and is what is submitted; picking a
// village fills its postcode. Without JavaScript the plain lists and their "Tampilkan pilihan
// wilayah" button do the same, one step at a time.
(function () {
  "use strict";
  var DELAY_MS = 120;
  var box = document.querySelector("fieldset[data-region-search]");
  if (!box || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var data = box.dataset;
  var selects = Array.prototype.slice.call(box.querySelectorAll("select"));
  var postcode = document.querySelector("input[name=postal_code]");
  var refresh = box.querySelector("[data-region-refresh]");
  if (refresh) {
    refresh.hidden = true;
  }
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("aria-live", "polite");
  box.appendChild(status);

  function chosenText(select) {
    var option = select.options[select.selectedIndex];
    return option && option.value ? option.text : "";
  }

  function setChoice(select, code, name) {
    select.innerHTML = "";
    var empty = new Option(data.regionEmpty, "");
    select.add(empty);
    if (code) {
      select.add(new Option(name, code, true, true));
    }
  }

  selects.forEach(function (select, level) {
    var input = document.createElement("input");
    input.type = "text";
    input.id = select.id + "-search";
    input.className = "region-picker__input";
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    var described = select.getAttribute("aria-describedby");
    if (described) {
      input.setAttribute("aria-describedby", described);
    }
    if (select.getAttribute("aria-invalid")) {
      input.setAttribute("aria-invalid", "true");
    }
    var list = document.createElement("ul");
    list.id = select.id + "-options";
    list.className = "search-suggestions region-picker__options";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    var label = box.querySelector("label[for='" + select.id + "']");
    if (label) {
      label.htmlFor = input.id;
      list.setAttribute("aria-label", label.textContent.trim());
    }
    var holder = select.parentNode;
    holder.classList.add("region-picker__field");
    select.hidden = true;
    select.tabIndex = -1;
    holder.insertBefore(input, select);
    holder.insertBefore(list, select);
    input.value = chosenText(select);
    var found = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function parentCode() {
      return level === 0 ? "" : selects[level - 1].value;
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function show() {
      list.innerHTML = "";
      found.forEach(function (region, index) {
        var item = document.createElement("li");
        item.id = list.id + "-" + index;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", index === active ? "true" : "false");
        item.textContent = region.name;
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();
          pick(region);
        });
        list.appendChild(item);
      });
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
      status.textContent = found.length
        ? data.regionCount.replace("{n}", String(found.length))
        : data.regionNone;
    }

    function ask() {
      if (level > 0 && !parentCode()) {
        return;
      }
      var query = new URLSearchParams({ q: input.value });
      if (parentCode()) {
        query.set("parent", parentCode());
      }
      var mine = ++asked;
      fetch(data.regionSearch + "?" + query.toString(), { headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { regions: [] };
        })
        .then(function (body) {
          if (mine === asked) {
            found = body.regions;
            active = -1;
            input.removeAttribute("aria-activedescendant");
            show();
          }
        })
        .catch(close);
    }

    function pick(region) {
      setChoice(select, region.code, region.name);
      input.value = region.name;
      close();
      selects.slice(level + 1).forEach(function (below) {
        setChoice(below, "", "");
        below.dispatchEvent(new Event("region-reset"));
      });
      if (region.postal_code && postcode) {
        postcode.value = region.postal_code;
      }
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    select.addEventListener("region-reset", function () {
      input.value = "";
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });
    input.addEventListener("focus", function () {
      if (!input.value) {
        ask();
      }
    });
    input.addEventListener("blur", function () {
      close();
      input.value = chosenText(select);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden) {
          ask();
          return;
        }
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        active = (active + step + found.length) % found.length;
        show();
        input.setAttribute("aria-activedescendant", list.id + "-" + active);
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();
        pick(found[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
  });
})();
