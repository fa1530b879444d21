// Passkeys in the browser: asks the service for WebAuthn options, has the browser's
// authenticator answer them, and posts the answer back. The API writes every binary value
// in base64url; navigator.credentials wants ArrayBuffers: this file converts both ways.
//
//   window.mlcPasskeys.register(optionsUrl, finishUrl, name, extraHeaders)
//   window.mlcPasskeys.signIn(optionsUrl, finishUrl, extraHeaders, username)
//
// Each resolves with the service's JSON answer (the passkey kept; the sign-in token, as
// POST /v1/auth/login gives it) and rejects with a PasskeyError: its `code` is the API's
// error code ("invalid_credentials"...), or the browser's own error's name when the
// person cancelled or no authenticator answered ("NotAllowedError"...). `extraHeaders`
// carries what the page needs sent (`Authorization`, a form token); `username` is
// optional: without it the authenticator offers the passkeys it holds for this site.
// Plain JavaScript, no build step, nothing from elsewhere.
"use strict";

(() => {
  class PasskeyError extends Error {
    constructor(code, status, detail) {
      super(detail || code);
      this.name = "PasskeyError";
      this.code = code;
      this.status = status;
    }
  }

  function toBytes(text) {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    const binary = atob(padded);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toText(buffer) {
    const bytes = new Uint8Array(buffer);
    let binary = "";
    for (let i = 0; i < bytes.length; i += 1) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  async function post(url, body, extraHeaders) {
    const headers = { Accept: "application/json", ...(extraHeaders || {}) };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(url, {
      method: "POST",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    let answer = null;
    try {
      answer = await response.json();
    } catch (_) {
      answer = null; // no JSON body: the status says what happened
    }
    if (!response.ok) {
      const code = (answer && answer.code) || `http_${response.status}`;
      throw new PasskeyError(code, response.status, answer && answer.detail);
    }
    return answer;
  }

  function descriptors(list) {
    return (list || []).map((item) => ({ ...item, id: toBytes(item.id) }));
  }

  function creationOptions(options) {
    return {
      ...options,
      challenge: toBytes(options.challenge),
      user: { ...options.user, id: toBytes(options.user.id) },
      excludeCredentials: descriptors(options.excludeCredentials),
    };
  }

  function requestOptions(options) {
    return {
      ...options,
      challenge: toBytes(options.challenge),
      allowCredentials: descriptors(options.allowCredentials),
    };
  }

  function common(credential) {
    return {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults
        ? credential.getClientExtensionResults()
        : {},
    };
  }

  function registrationAnswer(credential) {
    const response = credential.response;
    return {
      ...common(credential),
      response: {
        clientDataJSON: toText(response.clientDataJSON),
        attestationObject: toText(response.attestationObject),
        transports: response.getTransports ? response.getTransports() : [],
      },
    };
  }

  function signInAnswer(credential) {
    const response = credential.response;
    const answer = {
      clientDataJSON: toText(response.clientDataJSON),
      authenticatorData: toText(response.authenticatorData),
      signature: toText(response.signature),
    };
    if (response.userHandle && response.userHandle.byteLength) {
      answer.userHandle = toText(response.userHandle);
    }
    return { ...common(credential), response: answer };
  }

  // The browser's refusal (cancelled, timed out, no authenticator) as a PasskeyError.
  async function ask(call) {
    if (!window.PublicKeyCredential || !navigator.credentials) {
      throw new PasskeyError("passkeys_unsupported", 0, "this browser has no passkeys");
    }
    try {
      const credential = await call();
      if (!credential) throw new PasskeyError("NotAllowedError", 0, "no passkey was given");
      return credential;
    } catch (error) {
      if (error instanceof PasskeyError) throw error;
      throw new PasskeyError(error.name || "NotAllowedError", 0, error.message);
    }
  }

  async function register(optionsUrl, finishUrl, name, extraHeaders) {
    const options = await post(optionsUrl, undefined, extraHeaders);
    const credential = await ask(() =>
      navigator.credentials.create({ publicKey: creationOptions(options) }),
    );
    return post(finishUrl, { name, credential: registrationAnswer(credential) }, extraHeaders);
  }

  async function signIn(optionsUrl, finishUrl, extraHeaders, username) {
    const options = await post(optionsUrl, username ? { username } : {}, extraHeaders);
    const credential = await ask(() =>
      navigator.credentials.get({ publicKey: requestOptions(options) }),
    );
    return post(finishUrl, { credential: signInAnswer(credential) }, extraHeaders);
  }

  window.mlcPasskeys = Object.freeze({
    register,
    signIn,
    supported: () => Boolean(window.PublicKeyCredential),
    PasskeyError,
  });
})();
