// Recurrent layers: RNN (tanh or relu), LSTM (with optional projection) and GRU, multi-layer and
// bidirectional, over padded batches or PackedSequences, and the single-step cells RNNCell, LSTMCell
// and GRUCell. Parameter names, shapes, gate order (LSTM: i, f, g, o; GRU: r, z, n) and default init
// (every weight U(-1/sqrt(hidden), 1/sqrt(hidden))) are PyTorch's, so state dicts interoperate.
//
// The computation follows ATen's CPU implementation (aten/src/ATen/native/RNN.cpp) step for step:
// the input projection x W_ih^T + b_ih of a whole layer is computed once, each step adds
// h W_hh^T + b_hh, the reverse direction runs over the reversed steps, the directions' outputs are
// concatenated, and dropout (training only) follows every layer but the last. Everything is built
// from differentiable ops, so backpropagation through time comes from autograd.

import type { Tensor } from "../../tensor.js";
import { fmtShape } from "../../shape.js";
import { empty, zeros } from "../../ops/creation.js";
import { add, mul, relu, sigmoid, sub, tanh } from "../../ops/elementwise.js";
import { matmul } from "../../ops/linalg.js";
import { cat, chunk, stack, unbind } from "../../ops/shape_ops.js";
import { narrow, squeeze, t as transposed, transpose, unsqueeze } from "../../ops/views.js";
import { Module, Parameter } from "../module.js";
import { dropout as dropoutFn } from "../functional/dropout.js";
import { linear } from "../functional/linear.js";
import { uniform_ } from "../init.js";
import { PackedSequence } from "../rnn_utils.js";
import type { FactoryOptions } from "./linear.js";
import { pyBool, pyFloat } from "./pyrepr.js";

/** The recurrence of an RNNBase: RNN with tanh or relu, LSTM or GRU (PyTorch's mode names). */
export type RNNMode = "RNN_TANH" | "RNN_RELU" | "LSTM" | "GRU";

/** Options of the recurrent layers (PyTorch's keyword arguments in camelCase). */
export interface RNNOptions extends FactoryOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Use b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input and output are (batch, seq, feature) instead of (seq, batch, feature). */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of every layer but the last, while training (default 0). */
  dropout?: number;
  /** Run a second direction over the reversed sequence and concatenate (default false). */
  bidirectional?: boolean;
}

/** Options of nn.RNN: the recurrent options plus the nonlinearity. */
export interface RNNLayerOptions extends RNNOptions {
  /** "tanh" (default) or "relu". */
  nonlinearity?: "tanh" | "relu";
}

/** Options of nn.LSTM: the recurrent options plus an output projection. */
export interface LSTMOptions extends RNNOptions {
  /** Project h to this size with weight_hr (0, the default, disables it; must be < hiddenSize). */
  projSize?: number;
}

/** The parameters of one layer and direction. */
interface CellParams {
  wIh: Tensor;
  wHh: Tensor;
  bIh: Tensor | null;
  bHh: Tensor | null;
  wHr: Tensor | null;
}

/** A recurrent state: [h] for RNN/GRU, [h, c] for LSTM; rows are the batch. */
type Hidden = Tensor[];

/** One step: precomputed input gates (B, G) and the previous state -> the new state. */
type Cell = (xw: Tensor, hidden: Hidden, p: CellParams) => Hidden;

function simpleCell(act: (x: Tensor) => Tensor): Cell {
  return (xw, [h], p) => [act(add(linear(h!, p.wHh, p.bHh), xw))];
}

const lstmCell: Cell = (xw, [h, c], p) => {
  const gates = add(linear(h!, p.wHh, p.bHh), xw); // (B, 4H)
  const [i, f, g, o] = chunk(gates, 4, 1) as [Tensor, Tensor, Tensor, Tensor];
  const cy = add(mul(sigmoid(f), c!), mul(sigmoid(i), tanh(g)));
  let hy = mul(sigmoid(o), tanh(cy));
  if (p.wHr) hy = matmul(hy, transposed(p.wHr)); // (B, projSize)
  return [hy, cy];
};

const gruCell: Cell = (xw, [h], p) => {
  const [ir, iz, inn] = chunk(xw, 3, 1) as [Tensor, Tensor, Tensor];
  const [hr, hz, hn] = chunk(linear(h!, p.wHh, p.bHh), 3, 1) as [Tensor, Tensor, Tensor];
  const r = sigmoid(add(hr, ir));
  const z = sigmoid(add(hz, iz));
  const n = tanh(add(inn, mul(hn, r)));
  return [add(mul(sub(h!, n), z), n)]; // (1 - z) n + z h
};

const CELLS: Record<RNNMode, Cell> = {
  RNN_TANH: simpleCell(tanh),
  RNN_RELU: simpleCell(relu),
  LSTM: lstmCell,
  GRU: gruCell,
};
const GATES: Record<RNNMode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

/** One direction over a padded sequence (T, B, F): outputs (T, B, H) and the final state. */
function runFull(cell: Cell, x: Tensor, h0: Hidden, p: CellParams, reverse: boolean): [Tensor, Hidden] {
  const steps = unbind(linear(x, p.wIh, p.bIh), 0); // T x (B, G)
  if (reverse) steps.reverse();
  let hidden = h0;
  const outs: Tensor[] = [];
  for (const xw of steps) {
    hidden = cell(xw, hidden, p);
    outs.push(hidden[0]!);
  }
  if (reverse) outs.reverse();
  return [stack(outs, 0), hidden];
}

const sliceRows = (h: Hidden, start: number, end: number): Hidden => h.map((t) => narrow(t, 0, start, end - start));
const catRows = (hs: Hidden[]): Hidden =>
  hs[0]!.map((_, i) =>
    cat(
      hs.map((h) => h[i]!),
      0,
    ),
  );

/**
 * One direction over packed data (N, F) with decreasing batch sizes: rows of finished sequences
 * leave the state (and are kept as their final state); in reverse, rows join as their sequences
 * start. Returns the packed outputs (N, H) and the final state (B, H) in sorted order.
 */
function runPacked(
  cell: Cell,
  data: Tensor,
  sizes: number[],
  h0: Hidden,
  p: CellParams,
  reverse: boolean,
): [Tensor, Hidden] {
  const xw = linear(data, p.wIh, p.bIh); // (N, G)
  const outs: Tensor[] = [];
  if (!reverse) {
    const finished: Hidden[] = [];
    let hidden = h0;
    let offset = 0;
    let last = sizes[0]!;
    for (const bs of sizes) {
      const step = narrow(xw, 0, offset, bs);
      offset += bs;
      if (bs < last) {
        finished.push(sliceRows(hidden, bs, last));
        hidden = sliceRows(hidden, 0, bs);
      }
      last = bs;
      hidden = cell(step, hidden, p);
      outs.push(hidden[0]!);
    }
    finished.push(hidden);
    finished.reverse();
    return [cat(outs, 0), catRows(finished)];
  }
  let offset = data.shape[0]!;
  let last = sizes[sizes.length - 1]!;
  let hidden = sliceRows(h0, 0, last);
  for (let i = sizes.length - 1; i >= 0; i--) {
    const bs = sizes[i]!;
    if (bs > last) hidden = catRows([hidden, sliceRows(h0, last, bs)]);
    const step = narrow(xw, 0, offset - bs, bs);
    offset -= bs;
    last = bs;
    hidden = cell(step, hidden, p);
    outs.push(hidden[0]!);
  }
  outs.reverse();
  return [cat(outs, 0), hidden];
}

/**
 * Shared machinery of RNN, LSTM and GRU (`nn.RNNBase`): parameters `weight_ih_l{k}`,
 * `weight_hh_l{k}`, `bias_ih_l{k}`, `bias_hh_l{k}` (and `weight_hr_l{k}` with a projection), with a
 * `_reverse` suffix for the second direction.
 */
export abstract class RNNBase extends Module {
  readonly mode: RNNMode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;
  /** Parameter names per layer and direction, in PyTorch's order (`_all_weights`). */
  readonly allWeightNames: string[][];

  constructor(mode: RNNMode, inputSize: number, hiddenSize: number, opts: RNNOptions & { projSize?: number } = {}) {
    super();
    const name = new.target.name;
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = opts.numLayers ?? 1;
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = opts.dropout ?? 0;
    this.bidirectional = opts.bidirectional ?? false;
    this.projSize = opts.projSize ?? 0;
    if (!(typeof this.dropout === "number" && this.dropout >= 0 && this.dropout <= 1))
      throw new RangeError(
        `${name}: dropout should be a number in range [0, 1] representing the probability of an element being zeroed`,
      );
    if (this.dropout > 0 && this.numLayers === 1)
      console.warn(
        `${name}: dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects num_layers greater than 1, but got dropout=${this.dropout} and num_layers=${this.numLayers}`,
      );
    if (!Number.isInteger(this.numLayers) || this.numLayers < 1)
      throw new RangeError(`${name}: numLayers must be a positive integer, got ${this.numLayers}`);
    if (this.projSize < 0)
      throw new RangeError(`${name}: proj_size should be a positive integer or zero to disable projections`);
    if (this.projSize > 0 && this.projSize >= hiddenSize)
      throw new RangeError(`${name}: proj_size has to be smaller than hidden_size`);
    const gateSize = GATES[mode] * hiddenSize;
    const realHidden = this.projSize > 0 ? this.projSize : hiddenSize;
    const f = { dtype: opts.dtype, device: opts.device };
    this.allWeightNames = [];
    for (let layer = 0; layer < this.numLayers; layer++)
      for (let dir = 0; dir < this.numDirections; dir++) {
        const sfx = `_l${layer}${dir === 1 ? "_reverse" : ""}`;
        const layerIn = layer === 0 ? inputSize : realHidden * this.numDirections;
        const params: [string, number[]][] = [
          [`weight_ih${sfx}`, [gateSize, layerIn]],
          [`weight_hh${sfx}`, [gateSize, realHidden]],
        ];
        if (this.bias) params.push([`bias_ih${sfx}`, [gateSize]], [`bias_hh${sfx}`, [gateSize]]);
        if (this.projSize > 0) params.push([`weight_hr${sfx}`, [this.projSize, hiddenSize]]);
        for (const [n, shape] of params) this.registerParameter(n, new Parameter(empty(shape, f)));
        this.allWeightNames.push(params.map(([n]) => n));
      }
    this.resetParameters();
  }

  /** 2 when bidirectional, else 1. */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** The parameters per layer and direction (`all_weights`). */
  get allWeights(): Parameter[][] {
    return this.allWeightNames.map((names) => names.map((n) => this.param(n)!));
  }

  /** Every weight and bias U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)), in registration order. */
  resetParameters(): void {
    const stdv = this.hiddenSize > 0 ? 1 / Math.sqrt(this.hiddenSize) : 0;
    for (const w of this.parameters()) uniform_(w, -stdv, stdv);
  }

  private param(name: string): Parameter | null {
    const v = (this as unknown as Record<string, unknown>)[name];
    return v instanceof Parameter ? v : null;
  }

  private cellParams(layer: number, dir: number): CellParams {
    const sfx = `_l${layer}${dir === 1 ? "_reverse" : ""}`;
    return {
      wIh: this.param(`weight_ih${sfx}`)!,
      wHh: this.param(`weight_hh${sfx}`)!,
      bIh: this.param(`bias_ih${sfx}`),
      bHh: this.param(`bias_hh${sfx}`),
      wHr: this.param(`weight_hr${sfx}`),
    };
  }

  /** Sizes of the states: h is (L * D, B, projSize or hidden), c (LSTM) is (L * D, B, hidden). */
  protected stateSizes(): number[] {
    const h = this.projSize > 0 ? this.projSize : this.hiddenSize;
    return this.mode === "LSTM" ? [h, this.hiddenSize] : [h];
  }

  /**
   * Run the stack on `input` (T, B, F) or packed data, from states `hx` (each (L * D, B, *)) in
   * sorted order; returns the output and the final states.
   */
  protected runStack(input: Tensor, sizes: number[] | null, hx: Tensor[]): [Tensor, Tensor[]] {
    const cell = CELLS[this.mode];
    const D = this.numDirections;
    const layerStates = hx.map((h) => unbind(h, 0)); // per state kind: (L * D) x (B, *)
    const finals: Hidden[] = [];
    let x = input;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outs: Tensor[] = [];
      for (let dir = 0; dir < D; dir++) {
        const h0 = layerStates.map((s) => s[layer * D + dir]!);
        const p = this.cellParams(layer, dir);
        const [out, hN] = sizes ? runPacked(cell, x, sizes, h0, p, dir === 1) : runFull(cell, x, h0, p, dir === 1);
        outs.push(out);
        finals.push(hN);
      }
      x = D === 1 ? outs[0]! : cat(outs, -1); // (T, B, D * H) or (N, D * H)
      if (this.dropout !== 0 && this.training && layer < this.numLayers - 1) x = dropoutFn(x, this.dropout, true);
    }
    return [
      x,
      hx.map((_, i) =>
        stack(
          finals.map((h) => h[i]!),
          0,
        ),
      ),
    ];
  }

  /**
   * Shared forward: unbatched and batch-first handling, default zero states, checks, the packed
   * path with its batch permutation. `hx` holds the initial states ([h0] or [h0, c0]) or null.
   */
  protected forwardStates(input: Tensor | PackedSequence, hx: Tensor[] | null): [Tensor | PackedSequence, Tensor[]] {
    const name = this.constructor.name;
    const sizesOfStates = this.stateSizes();
    const D = this.numDirections;
    let x: Tensor;
    let sizes: number[] | null = null;
    let batch: number;
    let isBatched = true;
    let sorted: Tensor | null = null;
    let unsorted: Tensor | null = null;
    if (input instanceof PackedSequence) {
      x = input.data;
      sizes = Array.from(input.batchSizes.dataSync(), Number);
      batch = sizes[0] ?? 0;
      sorted = input.sortedIndices;
      unsorted = input.unsortedIndices;
      if (x.ndim !== 2) throw new RangeError(`${name}: input must have 2 dimensions, got ${x.ndim}`);
    } else {
      x = input;
      isBatched = x.ndim === 3;
      if (!isBatched && x.ndim !== 2)
        throw new RangeError(`${name}: input must have 3 dimensions (or 2 when unbatched), got ${x.ndim}`);
      const batchDim = this.batchFirst ? 0 : 1;
      if (!isBatched) x = unsqueeze(x, batchDim);
      const want = isBatched ? 3 : 2;
      if (hx?.some((h) => h.ndim !== want))
        throw new RangeError(
          isBatched
            ? `${name}: For batched 3-D input, hx should also be 3-D but got ${hx.map((h) => `${h.ndim}-D`).join(", ")} tensor`
            : `${name}: For unbatched 2-D input, hx should also be 2-D but got ${hx.map((h) => `${h.ndim}-D`).join(", ")} tensor`,
        );
      if (hx && !isBatched) hx = hx.map((h) => unsqueeze(h, 1));
      if (this.batchFirst) x = transpose(x, 0, 1); // (T, B, F)
      batch = x.shape[1]!;
    }
    if (x.shape[x.ndim - 1] !== this.inputSize)
      throw new RangeError(
        `${name}: input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${x.shape[x.ndim - 1]}`,
      );
    const states = hx
      ? hx.map((h) => (sorted ? h.indexSelect(1, sorted) : h))
      : sizesOfStates.map((s) => zeros([this.numLayers * D, batch, s], { dtype: x.dtype, device: x.device }));
    states.forEach((h, i) => {
      const want = [this.numLayers * D, batch, sizesOfStates[i]!];
      if (h.ndim !== 3 || h.shape.some((d, j) => d !== want[j])) {
        const what = states.length === 1 ? "hidden" : `hidden[${i}]`;
        throw new RangeError(`${name}: Expected ${what} size ${fmtShape(want)}, got ${fmtShape(h.shape)}`);
      }
    });
    let [out, finals] = this.runStack(x, sizes, states);
    if (unsorted) finals = finals.map((h) => h.indexSelect(1, unsorted));
    if (input instanceof PackedSequence) return [new PackedSequence(out, input.batchSizes, sorted, unsorted), finals];
    if (this.batchFirst) out = transpose(out, 0, 1); // (B, T, D * H)
    if (!isBatched) {
      out = squeeze(out, this.batchFirst ? 0 : 1);
      finals = finals.map((h) => squeeze(h, 1));
    }
    return [out, finals];
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += `, bias=${pyBool(this.bias)}`;
    if (this.batchFirst) s += `, batch_first=${pyBool(this.batchFirst)}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += `, bidirectional=${pyBool(this.bidirectional)}`;
    return s;
  }
}

/** `(inputSize, hiddenSize, numLayers?, opts?)` or `(inputSize, hiddenSize, opts?)`. */
function mergeOpts<O extends RNNOptions>(numLayersOrOpts: number | O | undefined, opts: O | undefined): O {
  if (typeof numLayersOrOpts === "number") return { ...(opts ?? ({} as O)), numLayers: numLayersOrOpts };
  return numLayersOrOpts ?? ({} as O);
}

/**
 * Elman RNN (`nn.RNN`): h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu).
 * `forward(input, h0?)` returns [output (T, B, D * H), h_n (L * D, B, H)]; input may be packed.
 */
export class RNN extends RNNBase {
  readonly nonlinearity: "tanh" | "relu";

  /** `new nn.RNN(10, 20, { numLayers: 2, nonlinearity: "relu" })` or `new nn.RNN(10, 20, 2)`. */
  constructor(
    inputSize: number,
    hiddenSize: number,
    numLayersOrOpts?: number | RNNLayerOptions,
    opts?: RNNLayerOptions,
  ) {
    const o = mergeOpts(numLayersOrOpts, opts);
    if ("projSize" in o) throw new RangeError("proj_size argument is only supported for LSTM, not RNN or GRU");
    const nl = o.nonlinearity ?? "tanh";
    if (nl !== "tanh" && nl !== "relu") throw new RangeError(`RNN: Unknown nonlinearity '${String(nl)}'`);
    super(nl === "tanh" ? "RNN_TANH" : "RNN_RELU", inputSize, hiddenSize, o);
    this.nonlinearity = nl;
  }

  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  override forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override forward(input: Tensor | PackedSequence, hx?: Tensor | null): [Tensor | PackedSequence, Tensor] {
    const [out, [h]] = this.forwardStates(input, hx ? [hx] : null);
    return [out, h!];
  }
}

/**
 * Long short-term memory (`nn.LSTM`), gates i, f, g, o: c_t = f c_{t-1} + i g, h_t = o tanh(c_t)
 * (times weight_hr^T with `projSize`). `forward(input, [h0, c0]?)` returns
 * [output, [h_n, c_n]]; input may be packed.
 */
export class LSTM extends RNNBase {
  /** `new nn.LSTM(10, 20, { numLayers: 2, bidirectional: true, batchFirst: true })` or `new nn.LSTM(10, 20, 2)`. */
  constructor(inputSize: number, hiddenSize: number, numLayersOrOpts?: number | LSTMOptions, opts?: LSTMOptions) {
    super("LSTM", inputSize, hiddenSize, mergeOpts(numLayersOrOpts, opts));
  }

  override forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
  override forward(input: PackedSequence, hx?: [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
  override forward(
    input: Tensor | PackedSequence,
    hx?: [Tensor, Tensor] | null,
  ): [Tensor | PackedSequence, [Tensor, Tensor]] {
    const [out, [h, c]] = this.forwardStates(input, hx ? [hx[0], hx[1]] : null);
    return [out, [h!, c!]];
  }
}

/**
 * Gated recurrent unit (`nn.GRU`), gates r, z, n: n = tanh(x W_in + b_in + r (h W_hn + b_hn)),
 * h_t = (1 - z) n + z h_{t-1}. `forward(input, h0?)` returns [output, h_n]; input may be packed.
 */
export class GRU extends RNNBase {
  /** `new nn.GRU(10, 20, { numLayers: 2 })` or `new nn.GRU(10, 20, 2)`. */
  constructor(inputSize: number, hiddenSize: number, numLayersOrOpts?: number | RNNOptions, opts?: RNNOptions) {
    const o = mergeOpts(numLayersOrOpts, opts);
    if ("projSize" in o) throw new RangeError("proj_size argument is only supported for LSTM, not RNN or GRU");
    super("GRU", inputSize, hiddenSize, o);
  }

  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  override forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override forward(input: Tensor | PackedSequence, hx?: Tensor | null): [Tensor | PackedSequence, Tensor] {
    const [out, [h]] = this.forwardStates(input, hx ? [hx] : null);
    return [out, h!];
  }
}

/** Shared parameters of the single-step cells (`nn.RNNCellBase`): weight_ih, weight_hh, bias_ih, bias_hh. */
export abstract class RNNCellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  /** (G * hidden, input). */
  weight_ih: Parameter;
  /** (G * hidden, hidden). */
  weight_hh: Parameter;
  /** (G * hidden), or null with `bias: false`. */
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;

  constructor(inputSize: number, hiddenSize: number, bias: boolean, numChunks: number, f: FactoryOptions) {
    super();
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.bias = bias;
    const opts = { dtype: f.dtype, device: f.device };
    this.weight_ih = new Parameter(empty([numChunks * hiddenSize, inputSize], opts));
    this.weight_hh = new Parameter(empty([numChunks * hiddenSize, hiddenSize], opts));
    this.bias_ih = bias ? new Parameter(empty([numChunks * hiddenSize], opts)) : null;
    this.bias_hh = bias ? new Parameter(empty([numChunks * hiddenSize], opts)) : null;
    this.resetParameters();
  }

  /** Every weight and bias U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)). */
  resetParameters(): void {
    const stdv = this.hiddenSize > 0 ? 1 / Math.sqrt(this.hiddenSize) : 0;
    for (const w of this.parameters()) uniform_(w, -stdv, stdv);
  }

  /** Checks, and the unbatched (1-D) input as a batch of one. */
  protected prepare(input: Tensor, hx: Tensor[] | null): { x: Tensor; hs: Tensor[]; batched: boolean } {
    const name = this.constructor.name;
    if (input.ndim !== 1 && input.ndim !== 2)
      throw new RangeError(`${name}: Expected input to be 1-D or 2-D but received ${input.ndim}-D tensor`);
    if (hx?.some((h) => h.ndim !== input.ndim))
      throw new RangeError(
        `${name}: Expected hidden to be ${input.ndim}-D for ${input.ndim}-D input but received ${hx.map((h) => `${h.ndim}-D`).join(", ")} tensor`,
      );
    const batched = input.ndim === 2;
    const x = batched ? input : unsqueeze(input, 0);
    if (x.shape[1] !== this.inputSize)
      throw new RangeError(`${name}: input has inconsistent input_size: got ${x.shape[1]} expected ${this.inputSize}`);
    const hs = hx
      ? hx.map((h) => (batched ? h : unsqueeze(h, 0)))
      : [zeros([x.shape[0]!, this.hiddenSize], { dtype: x.dtype, device: x.device })];
    for (const h of hs) {
      if (h.shape[0] !== x.shape[0])
        throw new RangeError(`${name}: Input batch size ${x.shape[0]} doesn't match hidden batch size ${h.shape[0]}`);
      if (h.shape[1] !== this.hiddenSize)
        throw new RangeError(
          `${name}: hidden has inconsistent hidden_size: got ${h.shape[1]}, expected ${this.hiddenSize}`,
        );
    }
    return { x, hs, batched };
  }

  /** One step of `cell` with this cell's parameters. */
  protected step(cell: Cell, x: Tensor, hs: Tensor[]): Tensor[] {
    const p = { wIh: this.weight_ih, wHh: this.weight_hh, bIh: this.bias_ih, bHh: this.bias_hh, wHr: null };
    return cell(linear(x, p.wIh, p.bIh), hs, p);
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (!this.bias) s += `, bias=${pyBool(this.bias)}`;
    return s;
  }
}

/** One step of an Elman RNN (`nn.RNNCell`): `forward(input (B, F), h?) -> h'`. */
export class RNNCell extends RNNCellBase {
  readonly nonlinearity: "tanh" | "relu";

  /** `new nn.RNNCell(10, 20, { bias, nonlinearity })`. */
  constructor(
    inputSize: number,
    hiddenSize: number,
    opts: FactoryOptions & { bias?: boolean; nonlinearity?: "tanh" | "relu" } = {},
  ) {
    super(inputSize, hiddenSize, opts.bias ?? true, 1, opts);
    const nl = opts.nonlinearity ?? "tanh";
    if (nl !== "tanh" && nl !== "relu") throw new RangeError(`RNNCell: Unknown nonlinearity: ${String(nl)}`);
    this.nonlinearity = nl;
  }

  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    const { x, hs, batched } = this.prepare(input, hx ? [hx] : null);
    const [h] = this.step(CELLS[this.nonlinearity === "tanh" ? "RNN_TANH" : "RNN_RELU"], x, hs);
    return batched ? h! : squeeze(h!, 0);
  }

  override extraRepr(): string {
    const s = super.extraRepr();
    return this.nonlinearity !== "tanh" ? `${s}, nonlinearity=${this.nonlinearity}` : s;
  }
}

/** One step of an LSTM (`nn.LSTMCell`): `forward(input (B, F), [h, c]?) -> [h', c']`. */
export class LSTMCell extends RNNCellBase {
  /** `new nn.LSTMCell(10, 20, { bias })`. */
  constructor(inputSize: number, hiddenSize: number, opts: FactoryOptions & { bias?: boolean } = {}) {
    super(inputSize, hiddenSize, opts.bias ?? true, 4, opts);
  }

  override forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, Tensor] {
    const { x, hs, batched } = this.prepare(input, hx ? [hx[0], hx[1]] : null);
    const [h, c] = this.step(lstmCell, x, hx ? hs : [hs[0]!, hs[0]!]);
    return batched ? [h!, c!] : [squeeze(h!, 0), squeeze(c!, 0)];
  }
}

/** One step of a GRU (`nn.GRUCell`): `forward(input (B, F), h?) -> h'`. */
export class GRUCell extends RNNCellBase {
  /** `new nn.GRUCell(10, 20, { bias })`. */
  constructor(inputSize: number, hiddenSize: number, opts: FactoryOptions & { bias?: boolean } = {}) {
    super(inputSize, hiddenSize, opts.bias ?? true, 3, opts);
  }

  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    const { x, hs, batched } = this.prepare(input, hx ? [hx] : null);
    const [h] = this.step(gruCell, x, hs);
    return batched ? h! : squeeze(h!, 0);
  }
}
