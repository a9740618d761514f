// torch.optim: optimizers (each following PyTorch 1.13's single-tensor implementation) and
// `optim.lrScheduler`.

export {
  Optimizer,
  type ParamGroup,
  type ParamGroupSpec,
  type Params,
  type ParamState,
  type OptimizerStateDict,
  type OptimizerStateDictInput,
  type Closure,
} from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, AdamW, type AdamOptions } from "./adam.js";
export { RMSprop, type RMSpropOptions } from "./rmsprop.js";
export { Adagrad, type AdagradOptions } from "./adagrad.js";
export { Adadelta, type AdadeltaOptions } from "./adadelta.js";
export { Adamax, type AdamaxOptions } from "./adamax.js";
export { NAdam, type NAdamOptions } from "./nadam.js";
export { RAdam, type RAdamOptions } from "./radam.js";
export { LBFGS, type LBFGSOptions } from "./lbfgs.js";
export * as lrScheduler from "./lr_scheduler.js";
