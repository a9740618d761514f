// A character-level language model: an LSTM learns to predict the next character of Shakespeare's
// sonnets (data/text/sonnets.txt, about 12 KB), then writes some of its own. Shows nn.Embedding ->
// nn.LSTM -> nn.Linear in a custom nn.Module, batches of random windows cut from one long tensor,
// cross-entropy over every position, AdamW with gradient clipping, perplexity on held-out text, and
// sampling with a temperature while carrying the LSTM's state from one character to the next.
//
//   npx tsx examples/char_lm.ts                          # 120 steps (about 30 s), then 300 sampled characters
//   npx tsx examples/char_lm.ts --steps 600 --temperature 0.6 --prompt "When I "
//
// Options: --text FILE, --steps N, --batch-size N, --seq-len N, --hidden N, --lr X, --seed N,
// --prompt S, --length N, --temperature X.
// Not here: a tokenizer beyond characters, truncated backpropagation across batches, dropout.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as torch from "../src/index.js";

const { nn, optim } = torch;
const F = nn.functional;
type Tensor = torch.Tensor;
type State = [Tensor, Tensor];

const SONNETS = fileURLToPath(new URL("../data/text/sonnets.txt", import.meta.url));

/** Settings of a run; every field has a default. */
export interface CharLmOptions {
  /** The training text (default: data/text/sonnets.txt); its last 10% is held out. */
  text?: string;
  steps?: number;
  batchSize?: number;
  /** Characters per training window. */
  seqLen?: number;
  hidden?: number;
  lr?: number;
  seed?: number;
  /** Evaluate on the held-out text every this many steps. */
  evalEvery?: number;
  /** The sample starts with this text (its characters must be in the vocabulary). */
  prompt?: string;
  /** Characters to sample after the prompt. */
  length?: number;
  /** Below 1 picks likely characters more often, above 1 less. */
  temperature?: number;
  log?: (line: string) => void;
  /** Show a progress bar on stderr (default true). */
  progress?: boolean;
}

/** Characters <-> indices. */
export class Vocab {
  readonly chars: string[];
  private readonly index: Map<string, number>;
  constructor(text: string) {
    this.chars = [...new Set(text)].sort();
    this.index = new Map(this.chars.map((c, i) => [c, i]));
  }
  get size(): number {
    return this.chars.length;
  }
  encode(s: string): Tensor {
    return torch.tensor(
      [...s].map((c) => {
        const i = this.index.get(c);
        if (i === undefined) throw new RangeError(`Vocab: ${JSON.stringify(c)} is not in the vocabulary`);
        return i;
      }),
      { dtype: torch.int64 },
    );
  }
  decode(ids: number[]): string {
    return ids.map((i) => this.chars[i]).join("");
  }
}

/** Embedding -> LSTM -> Linear: logits of the next character at every position. */
export class CharLSTM extends nn.Module {
  embed: torch.nn.Embedding;
  lstm: torch.nn.LSTM;
  head: torch.nn.Linear;
  constructor(vocabSize: number, hidden: number, embedDim = 32) {
    super();
    this.embed = new nn.Embedding(vocabSize, embedDim);
    this.lstm = new nn.LSTM(embedDim, hidden, { batchFirst: true });
    this.head = new nn.Linear(hidden, vocabSize);
  }
  /** x: (B, T) character indices -> [logits (B, T, V), the LSTM's state after the last step]. */
  override forward(x: Tensor, state: State | null = null): [Tensor, State] {
    const [out, next] = this.lstm.forward(this.embed.forward(x), state); // (B, T, H)
    return [this.head.forward(out), next];
  }
}

/** Mean cross-entropy (nats per character) of predicting y from x. */
function lossOf(model: CharLSTM, x: Tensor, y: Tensor): Tensor {
  const [logits] = model.forward(x);
  return F.crossEntropy(logits.flatten(0, 1), y.flatten()); // (B*T, V) vs (B*T)
}

/** Continue `prompt` by `length` characters, drawing each from softmax(logits / temperature). */
export function sample(
  model: CharLSTM,
  vocab: Vocab,
  prompt: string,
  length: number,
  temperature: number,
  generator?: torch.Generator,
): string {
  return torch.noGrad(() => {
    model.eval();
    const out: number[] = [];
    // run the whole prompt once, then feed one character at a time, carrying the state
    let [logits, state] = model.forward(vocab.encode(prompt).unsqueeze(0)); // (1, P, V)
    for (let i = 0; i < length; i++) {
      const last = logits.select(1, logits.shape[1]! - 1); // (1, V)
      const probs = F.softmax(last.div(temperature), -1);
      const next = torch.multinomial(probs, 1, false, { generator }); // (1, 1)
      out.push(next.item());
      [logits, state] = model.forward(next, state);
    }
    model.train();
    return prompt + vocab.decode(out);
  });
}

export async function main(opts: CharLmOptions = {}) {
  const steps = opts.steps ?? 120;
  const batchSize = opts.batchSize ?? 32;
  const seqLen = opts.seqLen ?? 32;
  const hidden = opts.hidden ?? 96;
  const lr = opts.lr ?? 0.015;
  const seed = opts.seed ?? 0;
  const evalEvery = opts.evalEvery ?? 25;
  const prompt = opts.prompt ?? "Shall I ";
  const length = opts.length ?? 300;
  const temperature = opts.temperature ?? 0.8;
  const log = opts.log ?? console.log;
  torch.manualSeed(seed);
  const gen = new torch.Generator().manualSeed(seed);

  const text = readFileSync(opts.text ?? SONNETS, "utf8");
  const vocab = new Vocab(text);
  const data = vocab.encode(text);
  const nTrain = Math.floor(0.9 * data.shape[0]!);
  const train = data.narrow(0, 0, nTrain);
  const held = data.narrow(0, nTrain, data.shape[0]! - nTrain);
  // the held-out text as consecutive windows: (W, T) inputs, targets shifted by one character
  const W = Math.floor((held.shape[0]! - 1) / seqLen);
  if (W < 1) throw new RangeError(`char_lm: the held-out text is shorter than one window of ${seqLen} characters`);
  const valX = held.narrow(0, 0, W * seqLen).view(W, seqLen);
  const valY = held.narrow(0, 1, W * seqLen).view(W, seqLen);
  // what a model that ignores context scores: the entropy of the training text's character frequencies
  const freq = torch.bincount(train, null, vocab.size).double().div(nTrain);
  const unigram = -freq.mul(freq.clamp(1e-12).log()).sum().item();
  log(
    `${text.length} characters, vocabulary of ${vocab.size}; ${nTrain} for training, ${held.shape[0]} held out. ` +
      `Context-free baselines: uniform ${Math.log(vocab.size).toFixed(3)} nats/char, character frequencies ${unigram.toFixed(3)}`,
  );

  const model = new CharLSTM(vocab.size, hidden);
  const opt = new optim.AdamW(model.parameters(), { lr });
  const sched = new optim.lrScheduler.CosineAnnealingLR(opt, steps, { etaMin: lr / 10 });
  const evaluate = () => torch.noGrad(() => lossOf(model, valX, valY).item());
  const offsets = torch.arange(seqLen + 1).unsqueeze(0); // (1, T+1)
  const valLosses = [evaluate()];
  const trainLosses: number[] = [];
  log(`step    0: held-out loss ${valLosses[0]!.toFixed(3)} (perplexity ${Math.exp(valLosses[0]!).toFixed(1)})`);
  const start = Date.now();
  for (let first = 1; first <= steps; first += evalEvery) {
    // one progress bar per round of evalEvery steps, then a line with the held-out loss
    const last = Math.min(first + evalEvery - 1, steps);
    const bar =
      opts.progress === false
        ? null
        : new torch.utils.ProgressBar({ total: last - first + 1, desc: `steps ${first}-${last}`, unit: "chars" });
    for (let step = first; step <= last; step++) {
      // a batch of random windows of T+1 characters: inputs are the first T, targets the last T
      const starts = torch.randint(0, nTrain - seqLen, [batchSize, 1], { generator: gen });
      const windows = torch.take(train, starts.add(offsets)); // (B, T+1)
      const loss = lossOf(model, windows.narrow(1, 0, seqLen), windows.narrow(1, 1, seqLen));
      opt.zeroGrad();
      loss.backward();
      nn.utils.clipGradNorm_(model.parameters(), 1.0);
      opt.step();
      sched.step();
      trainLosses.push(loss.item());
      bar?.setPostfix({ loss: trainLosses.at(-1)!, ppl: Math.exp(trainLosses.at(-1)!) });
      bar?.update(1, batchSize * seqLen);
    }
    bar?.close();
    valLosses.push(evaluate());
    const v = valLosses.at(-1)!;
    log(
      `step ${String(last).padStart(4)}: training loss ${trainLosses.at(-1)!.toFixed(3)}, held-out loss ${v.toFixed(3)} (perplexity ${Math.exp(v).toFixed(1)})`,
    );
  }
  const seconds = (Date.now() - start) / 1000;
  log(`trained ${steps} steps in ${seconds.toFixed(1)} s`);

  const generated = sample(model, vocab, prompt, length, temperature, gen);
  log(`--- sample (temperature ${temperature}) ---\n${generated}\n---`);
  return { vocab, unigram, trainLosses, valLosses, sample: generated, seconds };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: a } = parseArgs({
    options: {
      text: { type: "string" },
      steps: { type: "string" },
      "batch-size": { type: "string" },
      "seq-len": { type: "string" },
      hidden: { type: "string" },
      lr: { type: "string" },
      seed: { type: "string" },
      prompt: { type: "string" },
      length: { type: "string" },
      temperature: { type: "string" },
    },
  });
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  await main({
    text: a.text,
    steps: num(a.steps),
    batchSize: num(a["batch-size"]),
    seqLen: num(a["seq-len"]),
    hidden: num(a.hidden),
    lr: num(a.lr),
    seed: num(a.seed),
    prompt: a.prompt,
    length: num(a.length),
    temperature: num(a.temperature),
  });
}
