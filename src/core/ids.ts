import { createCipheriv, createDecipheriv, hkdfSync, type Cipher, type Decipher } from 'node:crypto';
import { Field, ID, UseMiddleware, type MiddlewareFn } from 'type-graphql';

/**
 * What the API shows for a row is not its integer key, which would give away each table's
 * volume and order, but `<type>_<22 base62 characters>`: one AES-128 block holding the type
 * and the key, under a per-deployment secret (see id-secret.ts). AES is a keyed permutation,
 * so ids neither reveal nor follow the keys' order; the type inside the block makes an id of
 * one type, or a tampered one, decode to nothing (a forgery passes with odds of 2^-64).
 */
export type IdType = 'acc' | 'key' | 'grp' | 'snd' | 'ctc' | 'cmp' | 'cnv' | 'msg' | 'blk' | 'whk' | 'whd';

const BLOCK = 16;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ENCODED_LENGTH = 22; // 62^22 > 2^128
const OPAQUE = /^([a-z]{3})_([0-9A-Za-z]{22})$/;
const LEGACY = /^[1-9]\d{0,15}$/;
const WORD = 2 ** 32;

interface IdKey {
  secret: string;
  cipher: Cipher;
  decipher: Decipher;
  /** Running servers that use this key: another secret may not replace it under them. */
  holders: number;
}

let current: IdKey | null = null;

/**
 * Makes ids under this secret, until the returned release is called. One process serves one
 * deployment: a second server in it must share the secret, as every instance of a deployment
 * does, since ids made under one secret mean nothing under another.
 */
export function useIdSecret(secret: string): () => void {
  if (current && current.secret !== secret && current.holders > 0) {
    throw new Error('this process already serves ids under another secret: servers in one process must share their database');
  }
  if (!current || current.secret !== secret) {
    const key = Buffer.from(hkdfSync('sha256', secret, 'switchboard', 'opaque ids v1', BLOCK));
    // ECB over exactly one block, without padding: each update() is one independent AES call,
    // so one cipher and one decipher serve every id.
    const cipher = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
    const decipher = createDecipheriv('aes-128-ecb', key, null).setAutoPadding(false);
    current = { secret, cipher, decipher, holders: 0 };
  }
  const held = current;
  held.holders += 1;
  let released = false;
  return () => {
    if (!released) held.holders -= 1;
    released = true;
  };
}

function idKey(): IdKey {
  if (!current) throw new Error('an id was encoded or decoded before the id secret was loaded');
  return current;
}

const tags = new Map<IdType, Buffer>();

function tagOf(type: IdType): Buffer {
  let tag = tags.get(type);
  if (!tag) {
    tag = Buffer.alloc(8);
    tag.write(type, 'latin1');
    tags.set(type, tag);
  }
  return tag;
}

// Base62 of a 128-bit block as four 32-bit words, in plain number arithmetic: BigInt took
// ten times as long, and a page of messages shows a few thousand ids.
function toBase62(block: Buffer): string {
  const words = [0, 4, 8, 12].map((at) => block.readUInt32BE(at));
  let text = '';
  for (let i = 0; i < ENCODED_LENGTH; i++) {
    let rest = 0;
    for (let j = 0; j < 4; j++) {
      const value = rest * WORD + words[j];
      words[j] = Math.floor(value / 62);
      rest = value % 62;
    }
    text = BASE62[rest] + text;
  }
  return text;
}

/** The block, or null for text over 2^128 (so that each block has one spelling). */
function fromBase62(text: string): Buffer | null {
  const words = [0, 0, 0, 0];
  for (const char of text) {
    let carry = BASE62.indexOf(char);
    for (let j = 3; j >= 0; j--) {
      const value = words[j] * 62 + carry;
      words[j] = value % WORD;
      carry = Math.floor(value / WORD);
    }
    if (carry > 0) return null;
  }
  const block = Buffer.alloc(BLOCK);
  words.forEach((word, j) => block.writeUInt32BE(word, j * 4));
  return block;
}

/** The id the API shows for row `n` of a type. */
export function encode(type: IdType, n: number | string): string {
  const key = Number(n);
  if (!Number.isSafeInteger(key) || key < 1) throw new Error(`no ${type} id for key ${String(n)}`);
  const plain = Buffer.alloc(BLOCK);
  tagOf(type).copy(plain, 0);
  plain.writeBigUInt64BE(BigInt(key), 8);
  return `${type}_${toBase62(idKey().cipher.update(plain))}`;
}

/**
 * The key an id of this type names, or null when it names nothing: another type's id, a
 * tampered or made-up one. A bare integer ("42"), as the API showed ids before they were
 * opaque, is still read as the key itself, so that ids clients stored keep working.
 * Numbers are keys already (callers inside the server pass them).
 */
export function decode(type: IdType, raw: string | number): number | null {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw > 0 ? raw : null;
  if (LEGACY.test(raw)) {
    const legacy = Number(raw);
    return Number.isSafeInteger(legacy) ? legacy : null;
  }
  const match = OPAQUE.exec(raw);
  if (!match || match[1] !== type) return null;
  const block = fromBase62(match[2]);
  if (!block) return null;
  const plain = idKey().decipher.update(block);
  if (!plain.subarray(0, 8).equals(tagOf(type))) return null;
  const key = plain.readBigUInt64BE(8);
  return key >= 1n && key <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(key) : null;
}

const shownAs = (type: IdType): MiddlewareFn => async (_, next) => {
  const key: unknown = await next();
  return key === null || key === undefined ? key : encode(type, key as number);
};

/** An entity's `id` (or another field holding a key of this type), shown as its opaque id. */
export function IdField(type: IdType): PropertyDecorator {
  return (target, property) => {
    Field(() => ID)(target, property);
    UseMiddleware(shownAs(type))(target, property);
  };
}
