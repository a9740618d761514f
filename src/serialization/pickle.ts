// A restricted pickle reader and a protocol-2 writer, enough for PyTorch checkpoints.
// Loading never runs code: GLOBAL/REDUCE only resolve names in an explicit allow-list given by the
// caller, anything else is refused with a clear error.

/** A Python global referenced by a pickle (`module.name`). */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** How the reader turns globals and persistent ids into values. */
export interface UnpickleHooks {
  /** Called for REDUCE/NEWOBJ of an allowed global with its arguments. */
  call(fn: PyGlobal, args: unknown[]): unknown;
  /** Whether a global may be referenced at all. */
  allowed(g: PyGlobal): boolean;
  /** Resolve a BINPERSID id. */
  persistentLoad(pid: unknown): unknown;
}

const MARK = Symbol("mark");

/** Read a pickle (protocols 2-4 opcodes used by torch.save) into JS values: dict -> Map, tuple/list -> Array. */
export function unpickle(data: Uint8Array, hooks: UnpickleHooks, what = "pickle"): unknown {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const dec = new TextDecoder();
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let p = 0;
  const need = (n: number) => {
    if (p + n > data.length) throw new Error(`${what}: truncated data`);
  };
  const u8 = () => (need(1), data[p++]!);
  const u16 = () => (need(2), (p += 2), dv.getUint16(p - 2, true));
  const u32 = () => (need(4), (p += 4), dv.getUint32(p - 4, true));
  const i32 = () => (need(4), (p += 4), dv.getInt32(p - 4, true));
  const bytes = (n: number) => (need(n), (p += n), data.subarray(p - n, p));
  const line = () => {
    const end = data.indexOf(10, p);
    if (end < 0) throw new Error(`${what}: truncated data`);
    const s = dec.decode(data.subarray(p, end));
    p = end + 1;
    return s;
  };
  const popMark = (): unknown[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw new Error(`${what}: corrupt pickle (no MARK)`);
    const items = stack.splice(i);
    items.shift();
    return items;
  };
  const pop = () => {
    if (!stack.length) throw new Error(`${what}: corrupt pickle (stack underflow)`);
    return stack.pop();
  };
  const top = () => stack[stack.length - 1];
  const setItems = (d: unknown, items: unknown[]) => {
    if (!(d instanceof Map)) throw new Error(`${what}: SETITEM on a non-dict`);
    for (let i = 0; i + 1 < items.length; i += 2) d.set(items[i], items[i + 1]);
  };
  const readLong = (b: Uint8Array): number => {
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (b.length && b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER))
      throw new Error(`${what}: integer ${v} does not fit a JS number exactly`);
    return Number(v);
  };
  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME
        bytes(8);
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(readLong(bytes(u8())));
        break;
      case 0x8b: // LONG4
        stack.push(readLong(bytes(u32())));
        break;
      case 0x47: // BINFLOAT
        need(8);
        stack.push(dv.getFloat64(p, false));
        p += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(dec.decode(bytes(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(dec.decode(bytes(u8())));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(bytes(u8()).slice());
        break;
      case 0x42: // BINBYTES
        stack.push(bytes(u32()).slice());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x74: // TUPLE
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x64: {
        // DICT
        const d = new Map();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        (top() as unknown[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        (top() as unknown[]).push(...items);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const k = op === 0x68 ? u8() : u32();
        if (!memo.has(k)) throw new Error(`${what}: corrupt pickle (memo ${k} missing)`);
        stack.push(memo.get(k));
        break;
      }
      case 0x63: {
        // GLOBAL
        const g = new PyGlobal(line(), line());
        if (!hooks.allowed(g))
          throw new Error(
            `${what}: unsupported global '${g.qualified}': torchts loads only tensors, storages and plain containers and never runs code from a checkpoint`,
          );
        stack.push(g);
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop() as string;
        const g = new PyGlobal(pop() as string, name);
        if (!hooks.allowed(g))
          throw new Error(
            `${what}: unsupported global '${g.qualified}': torchts loads only tensors, storages and plain containers and never runs code from a checkpoint`,
          );
        stack.push(g);
        break;
      }
      case 0x52: // REDUCE
      case 0x81: {
        // NEWOBJ
        const args = pop() as unknown[];
        const fn = pop();
        if (!(fn instanceof PyGlobal)) throw new Error(`${what}: corrupt pickle (REDUCE on a non-global)`);
        stack.push(hooks.call(fn, args));
        break;
      }
      case 0x62: {
        // BUILD: object state (e.g. an OrderedDict's _metadata) carries no tensors we need
        pop();
        break;
      }
      case 0x51: // BINPERSID
        stack.push(hooks.persistentLoad(pop()));
        break;
      default:
        throw new Error(`${what}: unsupported pickle opcode 0x${op.toString(16)} at byte ${p - 1}`);
    }
  }
}

/** Pickle writer (protocol 2) for plain values; `extension` handles other objects (tensors). */
export class Pickler {
  private out: number[] = [];
  private readonly enc = new TextEncoder();
  constructor(private readonly extension: (p: Pickler, v: unknown) => boolean) {
    this.out.push(0x80, 2);
  }
  /** The finished pickle. */
  finish(): Uint8Array {
    this.out.push(0x2e);
    return Uint8Array.from(this.out);
  }
  raw(...b: number[]): void {
    for (const x of b) this.out.push(x);
  }
  global(module: string, name: string): void {
    this.raw(0x63, ...this.enc.encode(`${module}\n${name}\n`));
  }
  int(n: number): void {
    if (n >= 0 && n < 256) this.raw(0x4b, n);
    else if (n >= 0 && n < 65536) this.raw(0x4d, n & 0xff, n >> 8);
    else if (n >= -(2 ** 31) && n < 2 ** 31) {
      const b = new DataView(new ArrayBuffer(4));
      b.setInt32(0, n, true);
      this.raw(0x4a, ...new Uint8Array(b.buffer));
    } else {
      let v = BigInt(n);
      const bytes: number[] = [];
      while (v !== 0n && v !== -1n) {
        bytes.push(Number(v & 0xffn));
        v >>= 8n;
      }
      if (n >= 0 && (bytes.length === 0 || bytes[bytes.length - 1]! & 0x80)) bytes.push(0);
      if (n < 0 && (bytes.length === 0 || !(bytes[bytes.length - 1]! & 0x80))) bytes.push(0xff);
      this.raw(0x8a, bytes.length, ...bytes);
    }
  }
  float(x: number): void {
    const b = new DataView(new ArrayBuffer(8));
    b.setFloat64(0, x, false);
    this.raw(0x47, ...new Uint8Array(b.buffer));
  }
  str(s: string): void {
    const b = this.enc.encode(s);
    const len = new DataView(new ArrayBuffer(4));
    len.setUint32(0, b.length, true);
    this.raw(0x58, ...new Uint8Array(len.buffer), ...b);
  }
  /** A tuple of already-dumpable values. */
  tuple(items: unknown[]): void {
    this.raw(0x28);
    for (const v of items) this.dump(v);
    this.raw(0x74);
  }
  dump(v: unknown): void {
    if (this.extension(this, v)) return;
    if (v === null || v === undefined) this.raw(0x4e);
    else if (v === true) this.raw(0x88);
    else if (v === false) this.raw(0x89);
    else if (typeof v === "number") {
      if (Number.isInteger(v) && !Object.is(v, -0)) this.int(v);
      else this.float(v);
    } else if (typeof v === "string") this.str(v);
    else if (Array.isArray(v)) {
      this.raw(0x5d, 0x28);
      for (const x of v) this.dump(x);
      this.raw(0x65);
    } else if (v instanceof Map) {
      this.global("collections", "OrderedDict");
      this.raw(0x29, 0x52, 0x28);
      for (const [k, x] of v) {
        this.dump(k);
        this.dump(x);
      }
      this.raw(0x75);
    } else if (typeof v === "object") {
      this.raw(0x7d, 0x28);
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        this.dump(k);
        this.dump(x);
      }
      this.raw(0x75);
    } else throw new TypeError(`save(): cannot serialize a value of type ${typeof v}`);
  }
}
