// The till: sign in, issue a request for the amount typed, show its QR, and follow the
// shop's event stream; the request's own payment turns the page to "Payé" live. Each event
// carries a receipt signed by the deployment, checked here against the published keys.
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
  let account = null;
  let current = null;
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
    source.addEventListener("refund", (event) => remember(event));
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
    if (!current || document_.receipt.request_id !== current.request_id) return;
    statusLine.textContent = T.paid;
    statusLine.className = "paid";
    const verified = await verify(document_);
    receiptLine.textContent =
      verified === null ? T.receipt_unverified : verified ? T.receipt_verified : T.receipt_invalid;
    receiptLine.dataset.verified = String(verified);
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
      const issued = await ML.api("POST", "/v1/checkout/requests", { body, key: ML.newKey() });
      const svg = await ML.api("GET", `/v1/checkout/requests/${issued.request_id}/qr.svg`, { raw: true });
      current = issued;
      // The SVG is drawn by this server from the request it just signed.
      document.getElementById("qr").innerHTML = svg;
      const link = document.getElementById("qr-url");
      link.textContent = issued.url;
      link.href = issued.url;
      display.dataset.requestId = issued.request_id;
      document.getElementById("sale-total").textContent = `${issued.amount} ${page.dataset.currency}`;
      statusLine.textContent = T.waiting;
      statusLine.className = "waiting";
      receiptLine.textContent = "";
      display.hidden = false;
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
