// The `torch.safetensors` namespace (the safetensors package's API, camelCased).

export {
  saveFile,
  loadFile,
  SafeOpen,
  serializeSafetensors as save,
  deserializeSafetensors as load,
} from "./safetensors.js";
