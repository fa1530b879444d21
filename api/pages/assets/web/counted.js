// "Is my balance counted?": the holder's proof of liabilities, checked by this browser.
//
// The signed checkpoint and the proof are fetched from this site; everything else is
// computed here with WebCrypto, by the rules of monnaie_locale/verify/sumtree.py:
//   commitment = SHA-256("mlc-liability/1" || salt || account code)
//   leaf       = SHA-256(0x00 || u64(amount) || commitment)
//   node       = SHA-256(0x01 || left hash || u64(left sum) || right hash || u64(right sum))
// Each leaf's path is folded up to the root by RFC 9162's inclusion algorithm, and the
// root and its sum must be the checkpoint's "liabilities" line, whose sum must be its
// "circulation digital". Then the checkpoint's Ed25519 signature is checked against the
// key the page names, where the browser offers Ed25519; where it does not, the page says
// so and the files are there to download for the offline verifier.
"use strict";
(function () {
  var box = document.getElementById("counted");
  var checking = document.getElementById("counted-checking");
  if (!box || !checking) return;
  var DOMAIN = "mlc-liability/1";
  var LIMIT = BigInt(2) ** BigInt(63);
  var encoder = new TextEncoder();

  function show(id) { document.getElementById(id).hidden = false; }

  function concat(parts) {
    var length = parts.reduce(function (n, part) { return n + part.length; }, 0);
    var out = new Uint8Array(length), at = 0;
    parts.forEach(function (part) { out.set(part, at); at += part.length; });
    return out;
  }

  function u64(value) {
    if (value < 0n || value >= LIMIT) throw new Error("malformed");
    var out = new Uint8Array(8);
    for (var i = 7; i >= 0; i--) { out[i] = Number(value & 255n); value >>= 8n; }
    return out;
  }

  function fromBase64(text) {
    var raw = atob(text), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function fromHex(text) {
    if (!/^([0-9a-f]{2})*$/.test(text)) throw new Error("malformed");
    var out = new Uint8Array(text.length / 2);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
    return out;
  }

  function same(a, b) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }

  async function leaf(amount, salt, account) {
    var committed = await sha256(concat([encoder.encode(DOMAIN), salt, encoder.encode(account)]));
    return { hash: await sha256(concat([Uint8Array.of(0), u64(amount), committed])), sum: amount };
  }

  async function parent(left, right) {
    var sum = left.sum + right.sum;
    u64(sum);
    var data = concat([Uint8Array.of(1), left.hash, u64(left.sum), right.hash, u64(right.sum)]);
    return { hash: await sha256(data), sum: sum };
  }

  // RFC 9162, 2.1.3.2, with sums: the root the path leads leaf `index` of `size` to.
  async function rootFromPath(index, size, node, path) {
    if (!(index >= 0 && index < size)) return null;
    var fn = BigInt(index), sn = BigInt(size - 1), current = node;
    for (var i = 0; i < path.length; i++) {
      if (sn === 0n) return null;
      if ((fn & 1n) === 1n || fn === sn) {
        current = await parent(path[i], current);
        while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      } else {
        current = await parent(current, path[i]);
      }
      fn >>= 1n; sn >>= 1n;
    }
    return sn === 0n ? current : null;
  }

  // The note's text (up to its last blank line), its signature lines and the lines read.
  function readNote(note) {
    var cut = note.lastIndexOf("\n\n");
    if (cut < 0) throw new Error("malformed");
    var text = note.slice(0, cut + 1);
    var found = { text: text, signatures: note.slice(cut + 2).split("\n").filter(Boolean) };
    text.split("\n").forEach(function (line) {
      var words = line.split(" ");
      if (words[0] === "liabilities" && words.length === 3) {
        found.root = fromBase64(words[1]);
        found.total = BigInt(words[2]);
      } else if (words[0] === "circulation" && words[1] === "digital" && words.length === 3) {
        found.digital = BigInt(words[2]);
      }
    });
    return found;
  }

  function whole(value) {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      throw new Error("malformed");
    }
    return BigInt(value);
  }

  // What is wrong with the proof against the checkpoint: [] when every leaf is counted.
  async function check(checkpoint, proof, account) {
    if (checkpoint.root === undefined) return ["no_tree"];
    var reasons = [];
    if (checkpoint.total !== checkpoint.digital) reasons.push("sum");
    if (proof.account !== account) reasons.push("account");
    var size = Number(whole(proof.leaf_count));
    if (!Array.isArray(proof.leaves) || proof.leaves.length === 0) return reasons.concat("malformed");
    for (var i = 0; i < proof.leaves.length; i++) {
      var one = proof.leaves[i];
      var path = one.path.map(function (step) {
        return { hash: fromBase64(step.hash), sum: whole(step.sum) };
      });
      var start = await leaf(whole(one.amount), fromHex(one.salt), account);
      var root = await rootFromPath(Number(whole(one.position)), size, start, path);
      if (root === null || !same(root.hash, checkpoint.root)) reasons.push("not_counted");
      else if (root.sum !== checkpoint.total) reasons.push("sum");
    }
    return reasons;
  }

  // "yes", "no", "unavailable" (no Ed25519 here) or "no_key" (the page names none).
  async function signature(checkpoint, vkey) {
    var first = vkey.indexOf("+"), second = vkey.indexOf("+", first + 1);
    if (first < 1 || second < 0) return "no_key";
    var name = vkey.slice(0, first), id = fromHex(vkey.slice(first + 1, second));
    var raw = fromBase64(vkey.slice(second + 1));
    if (raw.length !== 33 || raw[0] !== 1) return "no";
    var material = concat([encoder.encode(name + "\n"), raw]);
    if (!same((await sha256(material)).slice(0, 4), id)) return "no";
    var line = checkpoint.signatures.find(function (text) {
      if (text.indexOf("\u2014 " + name + " ") !== 0) return false;
      return same(fromBase64(text.split(" ")[2]).slice(0, 4), id);
    });
    if (!line) return "no";
    var key;
    try {
      key = await crypto.subtle.importKey("raw", raw.slice(1), { name: "Ed25519" }, false, ["verify"]);
    } catch (e) {
      return "unavailable";
    }
    var signed = fromBase64(line.split(" ")[2]).slice(4);
    var good = await crypto.subtle.verify({ name: "Ed25519" }, key, signed, encoder.encode(checkpoint.text));
    return good ? "yes" : "no";
  }

  function money(minor) {
    var sign = minor < 0n ? "-" : "", value = minor < 0n ? -minor : minor;
    var cents = String(value % 100n).padStart(2, "0");
    return sign + String(value / 100n) + box.dataset.separator + cents + "\u00a0" + box.dataset.symbol;
  }

  function counted(proof, checkpoint) {
    var balance = proof.leaves.reduce(function (n, one) { return n + BigInt(one.amount); }, 0n);
    document.getElementById("counted-yes-detail").textContent = box.dataset.detail
      .replace("{parts}", String(proof.leaves.length))
      .replace("{balance}", money(balance))
      .replace("{total}", money(checkpoint.total));
    show("counted-yes");
  }

  function notCounted(reasons) {
    reasons.forEach(function (reason) {
      var item = box.querySelector('[data-reason="' + reason + '"]');
      if (item) item.hidden = false;
    });
    show("counted-no");
  }

  async function fetched(url, read) {
    var answer = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    if (!answer.ok) throw new Error("fetch");
    return read(answer);
  }

  async function run() {
    var checkpoint, proof;
    try {
      checkpoint = readNote(await fetched(box.dataset.note, function (a) { return a.text(); }));
      proof = await fetched(box.dataset.proof, function (a) { return a.json(); });
    } catch (e) {
      checking.hidden = true;
      notCounted([e.message === "fetch" ? "fetch" : "malformed"]);
      return;
    }
    var reasons;
    try {
      reasons = await check(checkpoint, proof, box.dataset.account);
    } catch (e) {
      reasons = ["malformed"];
    }
    checking.hidden = true;
    if (reasons.length === 0) counted(proof, checkpoint);
    else notCounted(reasons);
    var said;
    try {
      said = box.dataset.vkey ? await signature(checkpoint, box.dataset.vkey) : "no_key";
    } catch (e) {
      said = "no";
    }
    show({ yes: "signature-yes", no: "signature-no", unavailable: "signature-unavailable",
      no_key: "signature-no-key" }[said]);
    box.dataset.done = reasons.length === 0 ? "counted" : "not-counted";
  }

  if (!window.crypto || !crypto.subtle || typeof BigInt !== "function") {
    checking.hidden = true;
    show("signature-unavailable");
    return;
  }
  run();
})();
