// The payer's page: sign in if needed, then confirm; the server has already checked the
// request and shown whom it pays. One idempotency key per attempt is kept in the tab, so a
// double tap or a retry after a lost answer pays once.
"use strict";

(() => {
  const page = document.getElementById("page");
  const requestToken = page.dataset.token;
  const confirmBox = document.getElementById("confirm-box");
  const button = document.getElementById("confirm");
  const amountInput = document.getElementById("amount-input");
  const done = document.getElementById("done");
  const keyName = "mlc-pay-key:" + requestToken;

  function ready() {
    if (ML.token()) {
      ML.hideLogin();
      confirmBox.hidden = false;
    } else {
      confirmBox.hidden = true;
      ML.showLogin();
    }
  }

  async function confirmPayment() {
    ML.clear();
    const body = { request: requestToken };
    if (amountInput && amountInput.value.trim()) body.amount = amountInput.value.trim();
    let key = sessionStorage.getItem(keyName);
    if (!key) {
      key = ML.newKey();
      sessionStorage.setItem(keyName, key);
    }
    button.disabled = true;
    button.textContent = ML.texts.paying;
    try {
      const payment = await ML.api("POST", "/v1/checkout/pay", { body, key });
      sessionStorage.removeItem(keyName);
      confirmBox.hidden = true;
      if (amountInput) amountInput.disabled = true;
      done.textContent = `${ML.texts.payment_done}${ML.texts.colon} ${ML.money(payment.amount)}`;
      done.hidden = false;
    } catch (error) {
      // Refused payments leave nothing behind, so the next attempt may reuse the key;
      // a new amount on a counter code needs a new one.
      if (error.code === "idempotency_conflict") sessionStorage.removeItem(keyName);
      ML.say(error);
      if (error.status === 401) ready();
    } finally {
      button.disabled = false;
      button.textContent = ML.texts.confirm;
    }
  }

  ML.onLogin(ready);
  button.addEventListener("click", confirmPayment);
  document.getElementById("logout").addEventListener("click", async () => {
    await ML.logout();
    ready();
  });
  ready();
})();
