// torchts.vision: datasets and transforms in the spirit of torchvision.

export * as datasets from "./datasets.js";
export * as transforms from "./transforms.js";
