// What both payment pages share: the session token, calls to the API, the sign-in form,
// refusal messages in the page's language (keyed by the API's error code), and amounts
// written as that language writes them.
"use strict";

const ML = (() => {
  const page = document.getElementById("page");
  const messages = JSON.parse(page.dataset.messages);
  const texts = JSON.parse(page.dataset.texts);
  const french = page.dataset.lang === "fr";
  const NBSP = "\u00a0";
  // sessionStorage: the token dies with the tab, and no other site can read it.
  const TOKEN = "mlc-token";
  const loginForm = document.getElementById("login");
  const messageBox = document.getElementById("message");

  class ApiError extends Error {
    constructor(code, status) {
      super(code);
      this.code = code;
      this.status = status;
    }
  }

  function token() {
    return sessionStorage.getItem(TOKEN);
  }

  function setToken(value) {
    if (value) sessionStorage.setItem(TOKEN, value);
    else sessionStorage.removeItem(TOKEN);
  }

  // An amount as the API writes it ("12.50"), as the page's language does: "12,50 EK" in
  // French, "12.50 EK" in English, the symbol held to the number (api/typography.py).
  function money(amount) {
    const text = String(amount);
    return (french ? text.replace(".", ",") : text) + NBSP + page.dataset.currency;
  }

  // Minor units (an integer, as receipts carry them) in the same form; no float on the way.
  function moneyOfCents(cents) {
    const sign = cents < 0 ? "-" : "";
    const units = Math.floor(Math.abs(cents) / 100);
    const rest = String(Math.abs(cents) % 100).padStart(2, "0");
    return money(`${sign}${units}.${rest}`);
  }

  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function api(method, path, options = {}) {
    const headers = {};
    if (token()) headers.Authorization = "Bearer " + token();
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    if (options.key) headers["Idempotency-Key"] = options.key;
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch (error) {
      throw new ApiError("network", 0);
    }
    if (!response.ok) {
      let problem = {};
      try {
        problem = await response.json();
      } catch (error) {
        problem = {};
      }
      if (response.status === 401 && path !== "/v1/auth/login") setToken(null);
      throw new ApiError(problem.code || "generic", response.status);
    }
    if (options.raw) return response.text();
    return response.status === 204 ? null : response.json();
  }

  function say(error) {
    sayText(messages[error.code] || messages.generic);
  }

  function sayText(text) {
    messageBox.textContent = text;
    messageBox.hidden = false;
  }

  function clear() {
    messageBox.hidden = true;
    messageBox.textContent = "";
  }

  function showLogin() {
    loginForm.hidden = false;
  }

  function hideLogin() {
    loginForm.hidden = true;
  }

  function onLogin(signedIn) {
    loginForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      clear();
      const data = new FormData(loginForm);
      try {
        const out = await api("POST", "/v1/auth/login", {
          body: { username: data.get("username"), password: data.get("password") },
        });
        setToken(out.token);
        loginForm.reset();
        hideLogin();
        signedIn();
      } catch (error) {
        say(error);
      }
    });
  }

  async function logout() {
    try {
      await api("POST", "/v1/auth/logout");
    } catch (error) {
      // Signed out locally whatever the server says: the token is dropped below.
    }
    setToken(null);
  }

  return {
    api, clear, hideLogin, logout, money, moneyOfCents, newKey, onLogin, say, sayText, setToken,
    showLogin, texts, token,
  };
})();
