// Passkeys on the pages: the sign-in button, and adding one of one's own. The ceremonies
// are window.mlcPasskeys's (passkeys.js); the page's CSRF token goes in a header.
"use strict";
(function () {
  if (!window.mlcPasskeys || !window.mlcPasskeys.supported()) return;
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var headers = { "X-CSRF-Token": token };

  function failed(box, error) {
    var alert = box.querySelector("[role=alert]");
    alert.textContent = alert.dataset.failed + (error && error.code ? " (" + error.code + ")" : "");
    alert.hidden = false;
  }

  var signIn = document.getElementById("passkey-sign-in");
  if (signIn) {
    signIn.hidden = false;
    var button = signIn.querySelector("button");
    button.addEventListener("click", function () {
      button.disabled = true;
      window.mlcPasskeys.signIn("/connexion/cle/options", "/connexion/cle", headers)
        .then(function (answer) { window.location.assign(button.dataset.next || answer.next); })
        .catch(function (error) { button.disabled = false; failed(signIn, error); });
    });
  }

  var add = document.getElementById("add-passkey");
  if (add) {
    add.hidden = false;
    document.getElementById("passkeys-unsupported").hidden = true;
    add.addEventListener("submit", function (event) {
      event.preventDefault();
      var name = document.getElementById("passkey-name").value;
      window.mlcPasskeys.register("/cles/options", "/cles", name, headers)
        .then(function () { window.location.reload(); })
        .catch(function (error) { failed(add, error); });
    });
  }
})();
