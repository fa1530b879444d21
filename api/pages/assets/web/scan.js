// Scan to pay: where the browser reads QR codes (BarcodeDetector), the wallet's "Scan"
// button opens the camera and goes to the pay page a till's code names. Only a code of
// this site whose path starts with /R/ or /r/ is followed; anything else is said and
// ignored. Without BarcodeDetector the button stays hidden: the phone's camera app
// opens the code as well, and the page says so.
"use strict";
(function () {
  var button = document.getElementById("scan");
  var box = document.getElementById("scanner");
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  var stop = document.getElementById("scan-stop");
  if (!button || !box || !video || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  var texts = {
    aim: status.textContent,
    foreign: button.dataset.foreign || "",
    noCamera: button.dataset.noCamera || "",
  };
  var stream = null;
  var running = false;
  button.hidden = false;

  // The path to open for a scanned text, or null when it is no payment of this site.
  // A till's code is written HTTPS://HOST/R/...: the host decides, and the path is opened
  // on this very origin, so a code can never send the phone elsewhere.
  function payPath(text) {
    var url;
    try { url = new URL(text); } catch (e) { return null; }
    if (url.protocol !== "https:" && url.protocol !== "http:") return null;
    if (url.host !== window.location.host) return null;
    if (!/^\/[Rr]\/[^/]+$/.test(url.pathname)) return null;
    return url.pathname + url.search;
  }

  function close() {
    running = false;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.srcObject = null;
    box.hidden = true;
    button.hidden = false;
    button.focus();
  }

  function look(detector) {
    if (!running) return;
    detector.detect(video).then(function (codes) {
      for (var i = 0; i < codes.length; i++) {
        var path = payPath(codes[i].rawValue);
        if (path) { close(); window.location.assign(path); return; }
        status.textContent = texts.foreign;
      }
      window.setTimeout(function () { look(detector); }, 250);
    }).catch(function () { window.setTimeout(function () { look(detector); }, 500); });
  }

  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    status.textContent = texts.aim;
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (camera) {
        stream = camera;
        video.srcObject = camera;
        box.hidden = false;
        button.hidden = true;
        running = true;
        return video.play().then(function () { look(detector); });
      })
      .catch(function () { close(); status.textContent = texts.noCamera; box.hidden = false; });
  });
  stop.addEventListener("click", close);
})();
