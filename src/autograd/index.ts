// torch.autograd: grad, backward, Function, gradcheck.

export {
  grad,
  backward,
  Function,
  FunctionCtx,
  registerHook,
  retainGrad,
  type GradOptions,
  type RemovableHandle,
} from "./api.js";
export { gradcheck, gradgradcheck, type GradcheckOptions } from "./gradcheck.js";
export type { BackwardOptions } from "./engine.js";
export { Node } from "./node.js";
