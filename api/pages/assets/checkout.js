// The till: sign in, issue a request for the amount typed, show its QR, and follow the
// shop's event stream; the request's own payment turns the page to "Payé" live, and once
// the code's life is over the page says it expired. Every payment and refund of the shop
// is listed as it arrives, those of the printed counter code included. Each event carries
// a receipt signed by the deployment, checked here against the published keys.
"use strict";

(() => {
  const T = ML.texts;
  const page = document.getElementById("page");
  const till = document.getElementById("till");
  const live = document.getElementById("live");
  const display = document.getElementById("display");
  const statusLine = document.getElementById("status");
  const receiptLine = document.getElementById("receipt");
  const sale = document.getElementById("sale");
  const received = document.getElementById("received");
  const paymentList = document.getElementById("payments");
  let account = null;
  let current = null;
  let expiry = null;
  let source = null;
  let lastId = null;
  let keys = null;

  async function start() {
    let me;
    try {
      me = await ML.api("GET", "/v1/me");
    } catch (error) {
      if (error.status !== 401) ML.say(error);
      ML.showLogin();
      return;
    }
    if (!["merchant_owner", "merchant_cashier"].includes(me.role) || me.accounts.length === 0) {
      ML.setToken(null);
      ML.sayText(T.not_a_till);
      ML.showLogin();
      return;
    }
    account = me.accounts[0];
    await showMerchant();
    ML.hideLogin();
    till.hidden = false;
    await openStream();
  }

  // The shop's name as the server's account table has it, as its payers will see it.
  async function showMerchant() {
    const shown = document.getElementById("account");
    shown.textContent = account;
    shown.dataset.code = account;
    try {
      const held = await ML.api("GET", "/v1/accounts/" + encodeURIComponent(account));
      if (held.display_name) shown.textContent = held.display_name;
    } catch (error) {
      // The code is shown instead: the till works without the name.
    }
  }

  async function openStream() {
    if (source) source.close();
    source = null;
    live.textContent = T.live_reconnecting;
    let ticket;
    try {
      ticket = await ML.api("POST", "/v1/checkout/events/tickets", { body: { account } });
    } catch (error) {
      if (error.status === 401) return signedOut();
      setTimeout(openStream, 3000);
      return;
    }
    // A fresh page starts from where the feed stands now; a reconnection from the last
    // event seen. Event ids are journal sequences: they only grow.
    if (lastId === null) lastId = ticket.last_event_id;
    const query = new URLSearchParams({ account, ticket: ticket.ticket, last_event_id: lastId });
    source = new EventSource("/v1/checkout/events?" + query);
    source.onopen = () => {
      live.textContent = T.live_connected;
    };
    source.addEventListener("payment", onPayment);
    source.addEventListener("refund", onRefund);
    source.onerror = () => {
      live.textContent = T.live_reconnecting;
      // The browser retries by itself; once it gives up (an expired ticket), open anew.
      if (source && source.readyState === EventSource.CLOSED) setTimeout(openStream, 2000);
    };
  }

  function remember(event) {
    const id = Number(event.lastEventId);
    if (Number.isSafeInteger(id) && id > lastId) lastId = id;
  }

  async function onPayment(event) {
    remember(event);
    const document_ = JSON.parse(event.data);
    const verifying = verify(document_);
    addLine(document_, ML.moneyOfCents(document_.receipt.amount_cents), verifying);
    if (!current || document_.receipt.request_id !== current.request_id) return;
    clearTimeout(expiry);
    display.classList.remove("is-expired");
    statusLine.textContent = T.paid;
    statusLine.className = "paid";
    const verified = await verifying;
    receiptLine.textContent =
      verified === null ? T.receipt_unverified : verified ? T.receipt_verified : T.receipt_invalid;
    receiptLine.dataset.verified = String(verified);
  }

  function onRefund(event) {
    remember(event);
    const document_ = JSON.parse(event.data);
    const amount = `${T.refund} ${ML.moneyOfCents(-document_.receipt.amount_cents)}`;
    addLine(document_, amount, verify(document_));
  }

  // One line per payment or refund of the shop, newest first: the time, the amount, and
  // once checked whether the deployment signed it.
  async function addLine(document_, amount, verifying) {
    const line = document.createElement("li");
    const time = document.createElement("span");
    const what = document.createElement("span");
    time.textContent = new Date(document_.receipt.timestamp * 1000).toLocaleTimeString(
      page.dataset.lang, { hour: "2-digit", minute: "2-digit" });
    what.textContent = amount;
    line.dataset.requestId = document_.receipt.request_id;
    line.append(time, what);
    paymentList.prepend(line);
    received.hidden = false;
    line.dataset.verified = String(await verifying);
  }

  // The code dies at its expires_at, by the server's clock. The page counts the code's
  // lifetime from when it asked for it, a second short, since the server counts whole
  // seconds: the page may say "expired" early by that second and the time the answer
  // took, never late. A payment that still comes in turns it to "Payé".
  function watchExpiry(issued, askedAt) {
    clearTimeout(expiry);
    display.classList.remove("is-expired");
    const lifetime = Date.parse(issued.expires_at) - Date.parse(issued.issued_at);
    const left = askedAt + lifetime - 1000 - Date.now();
    expiry = setTimeout(() => {
      if (current !== issued || statusLine.className === "paid") return;
      statusLine.textContent = T.expired;
      statusLine.className = "expired";
      display.classList.add("is-expired");
    }, Math.max(left, 0));
  }

  function canonicalJson(receipt) {
    const sorted = {};
    for (const name of Object.keys(receipt).sort()) sorted[name] = receipt[name];
    return JSON.stringify(sorted);
  }

  function base64url(text) {
    const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  // true, false, or null when this browser cannot check Ed25519 signatures.
  async function verify(document_) {
    if (!window.crypto || !crypto.subtle) return null;
    try {
      if (!keys) keys = (await ML.api("GET", "/v1/checkout/keys")).keys;
      const jwk = keys.find((k) => k.kid === document_.kid);
      if (!jwk) return false;
      const key = await crypto.subtle.importKey(
        "jwk", { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, { name: "Ed25519" }, false, ["verify"]);
      const message = new TextEncoder().encode(canonicalJson(document_.receipt));
      return await crypto.subtle.verify(
        { name: "Ed25519" }, key, base64url(document_.signature), message);
    } catch (error) {
      return null;
    }
  }

  async function newSale(event) {
    event.preventDefault();
    ML.clear();
    const body = {
      account,
      amount: document.getElementById("sale-amount").value.trim(),
      reference: document.getElementById("sale-reference").value.trim(),
    };
    try {
      const askedAt = Date.now();
      const issued = await ML.api("POST", "/v1/checkout/requests", { body, key: ML.newKey() });
      const svg = await ML.api("GET", `/v1/checkout/requests/${issued.request_id}/qr.svg`, { raw: true });
      current = issued;
      // The SVG is drawn by this server from the request it just signed.
      document.getElementById("qr").innerHTML = svg;
      const link = document.getElementById("qr-url");
      link.textContent = issued.url;
      link.href = issued.url;
      display.dataset.requestId = issued.request_id;
      document.getElementById("sale-total").textContent = ML.money(issued.amount);
      statusLine.textContent = T.waiting;
      statusLine.className = "waiting";
      receiptLine.textContent = "";
      delete receiptLine.dataset.verified;
      display.hidden = false;
      watchExpiry(issued, askedAt);
    } catch (error) {
      ML.say(error);
      if (error.status === 401) signedOut();
    }
  }

  function signedOut() {
    if (source) source.close();
    source = null;
    till.hidden = true;
    ML.showLogin();
  }

  ML.onLogin(start);
  sale.addEventListener("submit", newSale);
  document.getElementById("logout").addEventListener("click", async () => {
    await ML.logout();
    signedOut();
  });
  if (ML.token()) start();
  else ML.showLogin();
})();
