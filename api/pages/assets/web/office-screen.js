// The exchange office's screen: the live total of a count of notes, and the receipt's
// print button. Every page works without this script (the receipt shows the total).
"use strict";
(function () {
  var form = document.getElementById("notes-form");
  var total = document.getElementById("notes-total");
  if (form && total) {
    var symbol = form.getAttribute("data-symbol") || "";
    var separator = document.documentElement.lang === "fr" ? "," : ".";
    var sum = function () {
      // Whole minor units, as the books count them; written as the server writes amounts.
      var cents = 0;
      var valid = true;
      form.querySelectorAll("input[data-face]").forEach(function (input) {
        var text = input.value.trim();
        if (!text) return;
        if (!/^[0-9]{1,6}$/.test(text)) { valid = false; return; }
        cents += parseInt(text, 10) * parseInt(input.getAttribute("data-face"), 10);
      });
      var rest = String(cents % 100);
      total.textContent = valid
        ? Math.floor(cents / 100) + separator + (rest.length < 2 ? "0" + rest : rest) + "\u00a0" + symbol
        : "\u2014";
    };
    form.addEventListener("input", sum);
    sum();
  }
  var print = document.getElementById("print");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
})();
