// torch.nn.utils.rnn: variable-length sequences for the recurrent layers. A PackedSequence stores
// the time steps of a batch of sequences sorted by decreasing length back to back (step t holds the
// batchSizes[t] sequences still running), so an RNN skips the padding. packPaddedSequence,
// padPackedSequence, padSequence, packSequence and unpadSequence follow torch/nn/utils/rnn.py of
// PyTorch 1.13; packing and unpacking are slices and concatenations, so gradients flow through.

import { Tensor } from "../tensor.js";
import { fmtShape } from "../shape.js";
import { arange, full, tensor } from "../ops/creation.js";
import { scatter } from "../ops/indexing.js";
import { sort } from "../ops/sort.js";
import { cat, stack } from "../ops/shape_ops.js";
import { narrow, transpose } from "../ops/views.js";

/**
 * A packed batch of variable-length sequences (`nn.utils.rnn.PackedSequence`): `data` (sum of
 * lengths, *), `batchSizes` (int64, one per step, on the CPU), and the permutation that sorted the
 * batch by length (`sortedIndices`) with its inverse (`unsortedIndices`), or null when the batch
 * came sorted. Build it with packPaddedSequence or packSequence.
 */
export class PackedSequence {
  readonly data: Tensor;
  readonly batchSizes: Tensor;
  readonly sortedIndices: Tensor | null;
  readonly unsortedIndices: Tensor | null;

  /** Wrap packed data; `unsortedIndices` defaults to the inverse of `sortedIndices`. */
  constructor(
    data: Tensor,
    batchSizes: Tensor,
    sortedIndices: Tensor | null = null,
    unsortedIndices: Tensor | null = null,
  ) {
    if (batchSizes.device !== "cpu")
      throw new Error(
        "PackedSequence: batch_sizes should always be on CPU. Instances of PackedSequence should never be created manually; use packPaddedSequence or packSequence.",
      );
    this.data = data;
    this.batchSizes = batchSizes;
    this.sortedIndices = sortedIndices;
    this.unsortedIndices = unsortedIndices ?? invertPermutation(sortedIndices);
  }

  /** The same packing with the data converted (dtype or device); indices follow the device. */
  to(target: Parameters<Tensor["to"]>[0]): PackedSequence {
    const data = this.data.to(target);
    if (data === this.data) return this;
    const dev = (t: Tensor | null) => (t ? t.to({ device: data.device }) : null);
    return new PackedSequence(data, this.batchSizes, dev(this.sortedIndices), dev(this.unsortedIndices));
  }

  /** [data, batchSizes, sortedIndices, unsortedIndices], like unpacking PyTorch's namedtuple. */
  *[Symbol.iterator](): Generator<Tensor | null> {
    yield this.data;
    yield this.batchSizes;
    yield this.sortedIndices;
    yield this.unsortedIndices;
  }

  toString(): string {
    return `PackedSequence(data=${this.data}, batch_sizes=${this.batchSizes}, sorted_indices=${this.sortedIndices ?? "None"}, unsorted_indices=${this.unsortedIndices ?? "None"})`;
  }
}

/** The inverse of a permutation (`invert_permutation`): out[perm[i]] = i; null stays null. */
export function invertPermutation(permutation: Tensor | null): Tensor | null {
  if (!permutation) return null;
  const ar = arange(permutation.numel(), { dtype: permutation.dtype, device: permutation.device });
  return scatter(ar, 0, permutation, ar);
}

/** Batch sizes per step as plain numbers. */
function batchSizeList(seq: PackedSequence): number[] {
  return Array.from(seq.batchSizes.dataSync(), Number);
}

/**
 * Pack a padded batch `input` (T, B, *) (or (B, T, *) with `batchFirst`) of sequences with the given
 * lengths (`pack_padded_sequence`). With `enforceSorted` (default) the lengths must be decreasing;
 * otherwise the batch is sorted by length here and the permutation kept in the result.
 */
export function packPaddedSequence(
  input: Tensor,
  lengths: Tensor | readonly number[],
  batchFirst = false,
  enforceSorted = true,
): PackedSequence {
  let lens =
    lengths instanceof Tensor
      ? lengths.to({ dtype: "int64", device: "cpu" })
      : tensor([...lengths], { dtype: "int64" });
  let sortedIndices: Tensor | null = null;
  let x = input;
  if (!enforceSorted) {
    const s = sort(lens, -1, true);
    lens = s.values;
    sortedIndices = s.indices.to({ device: input.device });
    x = x.indexSelect(batchFirst ? 0 : 1, sortedIndices);
  }
  if (batchFirst) x = transpose(x, 0, 1); // (T, B, *)
  const L = Array.from(lens.dataSync(), Number);
  const B = x.shape[1] ?? 0;
  if (lens.ndim !== 1 || L.length !== B)
    throw new RangeError(
      `packPaddedSequence(): Expected \`len(lengths)\` to be equal to batch_size, but got ${L.length} (batch_size=${B})`,
    );
  for (let i = 0; i < L.length; i++) {
    if (L[i]! <= 0)
      throw new RangeError(
        "packPaddedSequence(): Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0",
      );
    if (i > 0 && L[i]! > L[i - 1]!)
      throw new RangeError(
        "packPaddedSequence(): `lengths` array must be sorted in decreasing order when `enforceSorted` is true. You can pass `enforceSorted: false` to packPaddedSequence and/or packSequence to sidestep this requirement if you do not need ONNX exportability.",
      );
  }
  const T = L[0] ?? 0;
  if (T > x.shape[0]!)
    throw new RangeError(
      `packPaddedSequence(): the longest length ${T} exceeds the padded sequence length ${x.shape[0]} of input ${fmtShape(input.shape)}`,
    );
  const steps: Tensor[] = [];
  const sizes: number[] = [];
  for (let t = 0; t < T; t++) {
    const bs = L.filter((l) => l > t).length;
    sizes.push(bs);
    steps.push(narrow(x.select(0, t), 0, 0, bs)); // (bs, *)
  }
  return new PackedSequence(cat(steps, 0), tensor(sizes, { dtype: "int64" }), sortedIndices, null);
}

/**
 * Unpack into a padded batch (`pad_packed_sequence`): returns [padded (T, B, *) or (B, T, *), lengths
 * (int64)], in the batch's original order. `totalLength` pads to that many steps.
 */
export function padPackedSequence(
  sequence: PackedSequence,
  batchFirst = false,
  paddingValue = 0,
  totalLength: number | null = null,
): [Tensor, Tensor] {
  const sizes = batchSizeList(sequence);
  let maxLen = sizes.length;
  if (totalLength !== null) {
    if (totalLength < maxLen)
      throw new RangeError(
        `padPackedSequence(): Expected total_length to be at least the length of the longest sequence in input, but got total_length=${totalLength} and max sequence length being ${maxLen}`,
      );
    maxLen = totalLength;
  }
  const data = sequence.data;
  const B = sizes[0] ?? 0;
  const feat = data.shape.slice(1);
  const opts = { dtype: data.dtype, device: data.device };
  const steps: Tensor[] = [];
  let offset = 0;
  for (let t = 0; t < maxLen; t++) {
    const bs = sizes[t] ?? 0;
    const rows = narrow(data, 0, offset, bs); // (bs, *)
    offset += bs;
    steps.push(bs < B ? cat([rows, full([B - bs, ...feat], paddingValue, opts)], 0) : rows);
  }
  let padded = stack(steps, 0); // (T, B, *)
  const lengths = Array.from({ length: B }, (_, b) => sizes.filter((s) => s > b).length);
  let lens = tensor(lengths, { dtype: "int64" });
  if (batchFirst) padded = transpose(padded, 0, 1); // (B, T, *)
  const un = sequence.unsortedIndices;
  if (un) {
    padded = padded.indexSelect(batchFirst ? 0 : 1, un);
    lens = lens.indexSelect(0, un.to({ device: "cpu" }));
  }
  return [padded, lens];
}

/**
 * Stack sequences of shapes (L_i, *) into one (max L, B, *) tensor (or (B, max L, *) with
 * `batchFirst`), padding with `paddingValue` (`pad_sequence`).
 */
export function padSequence(sequences: Iterable<Tensor>, batchFirst = false, paddingValue = 0): Tensor {
  const seqs = [...sequences];
  if (seqs.length === 0) throw new RangeError("padSequence(): received an empty list of sequences");
  const maxLen = Math.max(...seqs.map((s) => s.shape[0] ?? 0));
  const feat = seqs[0]!.shape.slice(1);
  const padded = seqs.map((s) => {
    if (s.ndim === 0 || s.shape.slice(1).some((d, i) => d !== feat[i]) || s.ndim - 1 !== feat.length)
      throw new RangeError(
        `padSequence(): all sequences must have the same trailing dims, got ${fmtShape(seqs[0]!.shape)} and ${fmtShape(s.shape)}`,
      );
    const n = s.shape[0]!;
    return n < maxLen ? cat([s, full([maxLen - n, ...feat], paddingValue, { dtype: s.dtype, device: s.device })]) : s;
  });
  return stack(padded, batchFirst ? 0 : 1);
}

/** Pack a list of sequences (L_i, *) (`pack_sequence`). */
export function packSequence(sequences: readonly Tensor[], enforceSorted = true): PackedSequence {
  const lengths = sequences.map((s) => s.shape[0]!);
  return packPaddedSequence(padSequence(sequences), lengths, false, enforceSorted);
}

/** Split a padded batch back into its sequences of the given lengths (`unpad_sequence`). */
export function unpadSequence(
  paddedSequences: Tensor,
  lengths: Tensor | readonly number[],
  batchFirst = false,
): Tensor[] {
  const x = batchFirst ? paddedSequences : transpose(paddedSequences, 0, 1); // (B, T, *)
  const L = lengths instanceof Tensor ? Array.from(lengths.dataSync(), Number) : [...lengths];
  return L.map((l, b) => narrow(x.select(0, b), 0, 0, l));
}

/** Unpack into the list of its sequences in the original order (`unpack_sequence`). */
export function unpackSequence(packedSequences: PackedSequence): Tensor[] {
  const [padded, lengths] = padPackedSequence(packedSequences, true);
  return unpadSequence(padded, lengths, true);
}
