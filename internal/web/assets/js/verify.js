// Verifies log records in the browser, trusting nothing but the log's
// public key: the checkpoint's Ed25519 signature (C2SP signed note, as
// written by golang.org/x/mod/sumdb/note) with WebCrypto, and each record's
// RFC 6962 inclusion proof with SHA-256. When the agreement names
// witnesses, the checkpoint must also carry valid C2SP tlog-cosignatures
// from as many of them as its policy asks.

const enc = new TextEncoder();

function b64(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function concat(...parts) {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function equal(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

export const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

async function sha256(...parts) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', concat(...parts)));
}

export class VerifyError extends Error {}

// parseKey reads a verifier key "name+hash+base64(0x01 ‖ 32-byte key)" and
// checks that its hash is the first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ key).
export async function parseKey(text) {
  const t = text.trim();
  // The name has no '+'; the base64 key may.
  const i = t.indexOf('+');
  const j = t.indexOf('+', i + 1);
  if (i <= 0 || j < 0) throw new VerifyError('the log key is not of the form name+hash+key');
  const [name, hashHex, keyB64] = [t.slice(0, i), t.slice(i + 1, j), t.slice(j + 1)];
  if (!/^[0-9a-f]{8}$/.test(hashHex)) throw new VerifyError('the log key hash is not 8 hex digits');
  let raw;
  try {
    raw = b64(keyB64);
  } catch (_) {
    throw new VerifyError('the log key is not base64');
  }
  if (raw.length !== 33 || raw[0] !== 0x01) throw new VerifyError('the log key is not an Ed25519 key (algorithm 0x01, 32 bytes)');
  const h = await sha256(enc.encode(name + '\n'), raw);
  if (hex(h.slice(0, 4)) !== hashHex) throw new VerifyError('the log key hash does not match the key');
  return { name, keyHash: h.slice(0, 4), key: raw.slice(1), text: t };
}

// openCheckpoint checks the note's signature by key and parses the
// checkpoint body: origin, tree size, root hash.
export async function openCheckpoint(key, noteBytes) {
  const note = new TextDecoder('utf-8', { fatal: true }).decode(noteBytes);
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new VerifyError('the checkpoint is not a signed note');
  const text = note.slice(0, split + 1); // the signed message: the text up to and including its final newline
  const sigLines = note.slice(split + 2, -1).split('\n');
  let sig = null;
  for (const line of sigLines) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) throw new VerifyError('malformed signature line in the checkpoint');
    if (m[1] !== key.name) continue;
    let raw;
    try {
      raw = b64(m[2]);
    } catch (_) {
      continue;
    }
    if (raw.length === 68 && equal(raw.slice(0, 4), key.keyHash)) sig = raw.slice(4);
  }
  if (!sig) throw new VerifyError(`the checkpoint has no signature by ${key.name}+${hex(key.keyHash)}`);
  if (!crypto.subtle || !crypto.subtle.importKey) throw new VerifyError('this browser offers no WebCrypto here (it needs HTTPS or localhost)');
  let pub;
  try {
    pub = await crypto.subtle.importKey('raw', key.key, { name: 'Ed25519' }, false, ['verify']);
  } catch (e) {
    throw new VerifyError('this browser cannot verify Ed25519 signatures (' + e.message + ')');
  }
  const ok = await crypto.subtle.verify({ name: 'Ed25519' }, pub, sig, enc.encode(text));
  if (!ok) throw new VerifyError('the checkpoint signature is INVALID');
  const lines = text.split('\n');
  if (lines.length < 4 || lines[0] !== key.name) throw new VerifyError(`the checkpoint's origin is not ${key.name}`);
  if (!/^(0|[1-9][0-9]*)$/.test(lines[1])) throw new VerifyError('the checkpoint size is not a number');
  const size = Number(lines[1]);
  const root = b64(lines[2]);
  if (root.length !== 32) throw new VerifyError('the checkpoint root hash is not 32 bytes');
  return { origin: lines[0], size, root, rootB64: lines[2], text };
}

// parseWitnessKey parses a witness's C2SP tlog-cosignature/v1 verifier
// key, "<name>+<hash>+<base64 of 0x04 and the Ed25519 public key>".
export async function parseWitnessKey(text) {
  const t = text.trim();
  const i = t.indexOf('+');
  const j = t.indexOf('+', i + 1);
  if (i <= 0 || j < 0) throw new VerifyError(`witness key ${t} is not <name>+<hash>+<key>`);
  const name = t.slice(0, i);
  let raw;
  try {
    raw = b64(t.slice(j + 1));
  } catch (_) {
    throw new VerifyError(`the key of witness ${name} is not base64`);
  }
  if (raw.length !== 33 || raw[0] !== 0x04) throw new VerifyError(`the key of witness ${name} is not a cosignature/v1 (type 0x04) key`);
  const h = await sha256(enc.encode(name + '\n'), raw);
  if (hex(h.slice(0, 4)) !== t.slice(i + 1, j)) throw new VerifyError(`the key hash of witness ${name} does not match its key`);
  return { name, keyHash: h.slice(0, 4), key: raw.slice(1) };
}

// cosigners returns the names of the witnesses (keys from parseWitnessKey)
// whose cosignature on the signed checkpoint verifies: each signs
// "cosignature/v1\ntime <t>\n" and the checkpoint text, and its line holds
// the key hash, t (8 bytes, big-endian) and the Ed25519 signature.
export async function cosigners(noteBytes, keys) {
  const note = new TextDecoder('utf-8', { fatal: true }).decode(noteBytes);
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new VerifyError('the checkpoint is not a signed note');
  const text = note.slice(0, split + 1);
  const signed = new Set();
  for (const line of note.slice(split + 2, -1).split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    const k = m && keys.find((x) => x.name === m[1]);
    if (!k || signed.has(k.name)) continue;
    let raw;
    try {
      raw = b64(m[2]);
    } catch (_) {
      continue;
    }
    if (raw.length !== 76 || !equal(raw.slice(0, 4), k.keyHash)) continue;
    const t = new DataView(raw.buffer, raw.byteOffset + 4, 8).getBigUint64(0);
    const pub = await crypto.subtle.importKey('raw', k.key, { name: 'Ed25519' }, false, ['verify']);
    const msg = enc.encode(`cosignature/v1\ntime ${t}\n${text}`);
    if (await crypto.subtle.verify({ name: 'Ed25519' }, pub, raw.slice(12), msg)) signed.add(k.name);
  }
  return [...signed];
}

// witnessPolicy returns the current agreement's witness policy with parsed
// keys, or null when it names no witnesses (or there is no agreement).
async function witnessPolicy() {
  const r = await fetch('/api/v1/agreement', { credentials: 'same-origin', cache: 'no-store' });
  if (r.status === 404) return null;
  if (!r.ok) throw new VerifyError(`/api/v1/agreement: ${r.status} ${r.statusText}`);
  const w = (await r.json()).witnesses;
  if (!w) return null;
  return { threshold: w.threshold, keys: await Promise.all(w.list.map((x) => parseWitnessKey(x.key))) };
}

// openFinal fetches and opens the checkpoint the record is checked
// against: with a witness policy, the final one, which must carry enough
// valid cosignatures; without, the latest.
async function openFinal(key, policy) {
  if (!policy) return openCheckpoint(key, await fetchBytes('/api/v1/log/checkpoint'));
  const b = await fetchBytes('/api/v1/log/checkpoint/final');
  const cp = await openCheckpoint(key, b);
  cp.cosigners = await cosigners(b, policy.keys);
  if (cp.cosigners.length < policy.threshold) {
    throw new VerifyError(`the checkpoint is cosigned by ${cp.cosigners.length} of the ${policy.keys.length} witnesses (${cp.cosigners.join(', ') || 'none'}); the agreement's policy needs ${policy.threshold}`);
  }
  return cp;
}

export const leafHash = (record) => sha256(new Uint8Array([0]), record);
const nodeHash = (l, r) => sha256(new Uint8Array([1]), l, r);

// rootFromInclusionProof computes the root of a tree of size leaves from
// leaf number index's hash and its audit path (RFC 9162, 2.1.3.2).
export async function rootFromInclusionProof(index, size, leaf, proof) {
  if (!(index >= 0 && index < size)) throw new VerifyError(`record ${index} is not in a tree of ${size} records`);
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) throw new VerifyError('the inclusion proof is too long');
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new VerifyError('the inclusion proof is too short');
  return r;
}

// verifyInclusion checks that record (its bytes) is leaf index of the tree
// whose root the checkpoint signs.
export async function verifyInclusion(checkpoint, index, record, proofB64) {
  const root = await rootFromInclusionProof(index, checkpoint.size, await leafHash(record), proofB64.map(b64));
  if (!equal(root, checkpoint.root)) throw new VerifyError(`record ${index} is NOT included: the proof leads to another root`);
  return true;
}

async function fetchBytes(url) {
  const r = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
  if (!r.ok) {
    let detail = `${r.status} ${r.statusText}`;
    try {
      detail = (await r.json()).detail || detail;
    } catch (_) { /* not JSON */ }
    throw new VerifyError(`${url}: ${detail}`);
  }
  return new Uint8Array(await r.arrayBuffer());
}

// verifyRecords fetches the key and the latest checkpoint, checks the
// signature, then each record's inclusion; onRecord(index, ok, detail,
// recordBytes) is called per record, detail being the checkpoint's size when ok. It resolves to the checkpoint.
// A checkpoint covers the integrated records only, signed within tens of
// milliseconds of a write: if a record is beyond it, the checkpoint is
// fetched again, for up to 5 seconds, before that record is reported.
export async function verifyRecords(indexes, onRecord) {
  const key = await parseKey(new TextDecoder().decode(await fetchBytes('/api/v1/log/key')));
  const policy = await witnessPolicy();
  const last = Math.max(-1, ...indexes);
  let cp = await openFinal(key, policy);
  for (let waited = 0; cp.size <= last && waited < 5000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    cp = await openFinal(key, policy);
  }
  cp.policy = policy;
  let failed = 0;
  for (const i of indexes) {
    let rec = null;
    try {
      rec = await fetchBytes(`/api/v1/log/records/${i}`);
      const pr = JSON.parse(new TextDecoder().decode(await fetchBytes(`/api/v1/log/proofs/inclusion?index=${i}&size=${cp.size}`)));
      await verifyInclusion(cp, i, rec, pr.hashes);
      onRecord(i, true, cp.size, rec);
    } catch (e) {
      failed++;
      onRecord(i, false, e.message, rec);
    }
  }
  return { key, checkpoint: cp, failed };
}
