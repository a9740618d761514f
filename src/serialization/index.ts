// Checkpoints: PyTorch's .pt format (torch.save / torch.load) and safetensors.

export { save, load, serialize, deserialize } from "./pt.js";
export * as safetensors from "./safetensors_api.js";
