// torch.nn: modules, layers, losses, init and functional.

export { Module, Parameter, type ForwardHook, type ForwardPreHook, type IncompatibleKeys } from "./module.js";
export { Sequential, ModuleList, ModuleDict, ParameterList } from "./containers.js";
