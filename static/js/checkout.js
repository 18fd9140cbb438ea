// Checkout lists each cooperative's courier services for the address chosen. When the shopper
// picks another address (or a new address's village), the form is sent with its "update"
// button, which lists the services for that address and places nothing. Without JavaScript the
// shopper presses the button.
(function () {
  "use strict";
  var form = document.querySelector("form[data-checkout]");
  var update = form && form.querySelector("button[name=refresh][data-delivery-refresh]");
  if (!update) {
    return;
  }
  form.addEventListener("change", function (event) {
    var name = event.target.name;
    if (name === "address_choice" || name === "village_code") {
      update.click();
    }
  });
})();
