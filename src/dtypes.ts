// The dtype constants, spelled as in PyTorch: `torch.float32`, `torch.long`, ...

import type { DType } from "./dtype.js";

export const float32: DType = "float32";
export const float: DType = "float32";
export const float64: DType = "float64";
export const double: DType = "float64";
export const float16: DType = "float16";
export const half: DType = "float16";
export const bfloat16: DType = "bfloat16";
export const int8: DType = "int8";
export const uint8: DType = "uint8";
export const int16: DType = "int16";
export const short: DType = "int16";
export const int32: DType = "int32";
export const int: DType = "int32";
export const int64: DType = "int64";
export const long: DType = "int64";
export const bool: DType = "bool";
