"""ResNet-18 (He et al., 2016) in plain PyTorch, for transfer learning on your own images.

The network is torchvision's `resnet18`, layer for layer and name for name, so torchvision's
ImageNet weights (or a timm `resnet18` checkpoint, which uses the same names) load into it. Why
not import torchvision or timm: timm depends on torchvision, and a torchvision wheel only works
beside the exact torch build it was made for, which a CPU-only torch from another index often is
not. The network below needs nothing but torch.

Weights are downloaded only when a config asks for them (`resnet18.weights: imagenet`), once,
into torch's cache (`~/.cache/torch/hub/checkpoints`, or `$TORCH_HOME`), with their checksum
verified. `weights: path/to/resnet18.pth` uses a local file; `weights: null` starts from random
weights, which works offline but learns like any network trained from scratch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import torch
from torch import nn

# load_pretrained returns the network it was given, typed as given (ResNet18, or a module that
# holds it under the same names).
Network = TypeVar("Network", bound=nn.Module)

# torchvision's ResNet18_Weights.IMAGENET1K_V1; the file name carries its SHA-256 prefix.
IMAGENET_WEIGHTS_URL = "https://download.pytorch.org/models/resnet18-f37072fd.pth"
# The images those weights were trained on were normalised with these channel statistics.
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


class BasicBlock(nn.Module):
    """Two 3x3 convolutions and a shortcut; the shortcut is a strided 1x1 convolution when the
    block halves the resolution or changes the number of channels."""

    def __init__(self, inputs: int, outputs: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, outputs, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(outputs)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(outputs, outputs, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(outputs)
        self.downsample = None
        if stride != 1 or inputs != outputs:
            self.downsample = nn.Sequential(
                nn.Conv2d(inputs, outputs, 1, stride=stride, bias=False), nn.BatchNorm2d(outputs)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        activated: torch.Tensor = self.relu(out + shortcut)
        return activated


class ResNet18(nn.Module):
    """A 7x7 stem, four stages of two BasicBlocks (64, 128, 256, 512 channels), average pooling
    and a linear classifier `fc`: 11.7 million weights with 1000 classes."""

    def __init__(self, num_classes: int = 1000) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = nn.Sequential(BasicBlock(64, 64), BasicBlock(64, 64))
        self.layer2 = nn.Sequential(BasicBlock(64, 128, stride=2), BasicBlock(128, 128))
        self.layer3 = nn.Sequential(BasicBlock(128, 256, stride=2), BasicBlock(256, 256))
        self.layer4 = nn.Sequential(BasicBlock(256, 512, stride=2), BasicBlock(512, 512))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512, num_classes)
        for module in self.modules():  # torchvision's initialisation
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        logits: torch.Tensor = self.fc(torch.flatten(self.avgpool(x), 1))
        return logits


def load_pretrained(network: Network, weights: str) -> Network:
    """Copy pretrained weights into every layer but the classifier `fc`, which keeps its fresh
    weights: its classes are yours, not ImageNet's.

    `weights` is "imagenet" (downloaded once) or the path of a torchvision-format .pth file;
    ValueError if that file does not exist or holds other weights.
    """
    checkpoint = _read_weights(weights)
    # Checkpoints that nest the weights under "state_dict" or "model" work too.
    state: dict[str, torch.Tensor] = checkpoint.get(
        "state_dict", checkpoint.get("model", checkpoint)
    )
    own = network.state_dict()
    backbone = {name: tensor for name, tensor in state.items() if not name.startswith("fc.")}
    missing = [name for name in own if not name.startswith("fc.") and name not in backbone]
    misshapen = [
        name for name, tensor in backbone.items() if name in own and own[name].shape != tensor.shape
    ]
    if missing or misshapen:
        problems = missing[:3] + misshapen[:3]
        raise ValueError(
            f"{weights} does not hold ResNet-18 weights in torchvision's format "
            f"(missing or mis-shaped: {', '.join(problems)})"
        )
    network.load_state_dict({**own, **{k: v for k, v in backbone.items() if k in own}})
    return network


def _read_weights(weights: str) -> dict[str, Any]:
    """The checkpoint's dictionary: weights by layer name, or those nested in it."""
    if weights == "imagenet":
        try:
            return torch.hub.load_state_dict_from_url(
                IMAGENET_WEIGHTS_URL, map_location="cpu", check_hash=True, weights_only=True
            )
        except OSError as exc:  # no network: URLError is an OSError
            raise OSError(
                f"Could not download the ImageNet weights of ResNet-18 ({exc}). Connect once "
                "(they are cached), or set resnet18.weights to a local .pth file, or to null "
                "to start from random weights"
            ) from exc
    path = Path(weights).expanduser()
    if not path.is_file():
        # A setting that names a missing file (a ValueError: the CLI shows the message as it is,
        # not as a missing data file), with the ways to get one.
        raise ValueError(
            f"ResNet-18 weights not found: {path} (resnet18.weights in the config). Download "
            f"torchvision's ImageNet weights to that path from {IMAGENET_WEIGHTS_URL} (45 MB), "
            "or set resnet18.weights to imagenet to download them once into torch's cache, or "
            "to null to start from random weights"
        )
    checkpoint: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=True)
    return checkpoint
