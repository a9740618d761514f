// torch.utils: data loading and progress bars.

export * as data from "./data/index.js";
export { ProgressBar, tqdm, formatTime, type ProgressOptions } from "./progress.js";
