// The régie's counter: while a sale waits, ask its state every two seconds; once the
// member's wallet has paid, say "Payé" and reload the sale's page, which then shows
// the quittance. And the quittance's print button. Every page works without this script
// (the "Check the payment" link, the browser's print menu).
"use strict";
(function () {
  var sale = document.getElementById("sale");
  var status = document.getElementById("status");
  if (sale && status) {
    var ask = function () {
      fetch(sale.getAttribute("data-state"), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      })
        .then(function (answer) { return answer.ok ? answer.json() : { paid: false }; })
        .catch(function () { return { paid: false }; })
        .then(function (state) {
          if (state.paid) {
            status.textContent = sale.getAttribute("data-paid");
            status.className = "success paid";
            window.location.reload();
          } else if (state.status && state.status !== "open") {
            window.location.reload(); // expired or cancelled: the page says so
          } else {
            setTimeout(ask, 2000);
          }
        });
    };
    setTimeout(ask, 2000);
  }
  var print = document.getElementById("print");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
})();
