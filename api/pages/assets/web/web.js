// Small improvements of the web app's pages; every page works without this script.
"use strict";
(function () {
  // The installable app: the service worker keeps the last balance and history for
  // reading offline; it never keeps a payment to send later.
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
    document.querySelectorAll('form[action^="/deconnexion"]').forEach(function (form) {
      form.addEventListener("submit", function () {
        if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage("forget");
      });
    });
  }
  // Offline, a kept page is shown: say so, and that nothing can be sent from it.
  var offline = document.getElementById("offline");
  function showState() { if (offline) offline.hidden = navigator.onLine; }
  window.addEventListener("online", showState);
  window.addEventListener("offline", showState);
  showState();
})();
