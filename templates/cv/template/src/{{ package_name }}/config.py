"""Configuration: one dataclass per section of `configs/config.yaml`.

Every setting has a default here, so a YAML file lists only what it changes. Unknown keys are an
error: a typo such as `learning_rat:` would otherwise train with the default and nobody would
notice. Relative paths resolve against the current working directory (the project root).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, get_args, get_type_hints

import yaml

DEFAULT_CONFIG_PATH = Path("configs/config.yaml")
MODEL_TYPES = ("cnn", "resnet18")
RESIZE_MODES = ("crop", "stretch")
DEVICES = ("auto", "cpu", "cuda", "mps")


@dataclass
class DataConfig:
    """Where the images are and how they are split (see data/README.md)."""

    # An .npz file (arrays `images` and `labels`), or a folder: <root>/<class>/<image> split
    # below, or <root>/{train,validation,test}/<class>/<image> already split.
    root: Path = Path("data/sample/digits.npz")
    validation: float = 0.15  # share of each class for validation, when root is not split
    test: float = 0.15  # share of each class for the test split, when root is not split
    split_seed: int = 42  # the split's own seed: another training seed keeps the same test set
    skip_unreadable: bool = False  # true: leave out unreadable images, with a warning

    def __post_init__(self) -> None:
        self.root = Path(self.root)
        if not (
            0 <= self.validation < 1 and 0 <= self.test < 1 and self.validation + self.test < 1
        ):
            raise ValueError("data.validation and data.test are fractions whose sum is below 1")


@dataclass
class ImageConfig:
    """How every image, in training and in serving alike, becomes the network's input."""

    size: int = 32  # side of the square image the network sees, in pixels
    resize: str = "crop"  # crop: keep the aspect ratio and cut the centre; stretch: squeeze

    def __post_init__(self) -> None:
        if self.size < 8:
            raise ValueError(f"image.size must be at least 8 pixels, not {self.size}")
        if self.resize not in RESIZE_MODES:
            raise ValueError(f"image.resize must be one of {', '.join(RESIZE_MODES)}")


@dataclass
class AugmentConfig:
    """Random changes to each training image, new every epoch (never to evaluation images)."""

    flip: bool = False  # mirror left-right half of the time (a mirrored digit is no digit)
    rotation: float = 10.0  # rotate by up to this many degrees either way
    translation: float = 0.1  # shift by up to this share of the side, in each direction
    scale: float = 0.1  # zoom in or out by up to this share
    brightness: float = 0.2  # change brightness by up to this share
    contrast: float = 0.2  # change contrast by up to this share


@dataclass
class TrainConfig:
    """The training loop: AdamW, cosine learning-rate decay, early stopping on validation."""

    epochs: int = 15  # at most; early stopping may end training sooner
    patience: int = 3  # stop after this many epochs without a lower validation loss
    batch_size: int = 64
    learning_rate: float = 3.0e-3
    weight_decay: float = 1.0e-4
    device: str = "auto"  # auto: CUDA if present, else Apple's MPS, else the CPU
    # CPU threads while training; 0: torch's default, one per core. A small network on small
    # images gains little from more, and loses a lot on a busy machine, where threads wait for
    # each other: on a busy 2-core machine one thread trained an epoch 3 to 7 times faster.
    threads: int = 1

    def __post_init__(self) -> None:
        if self.device not in DEVICES:
            raise ValueError(f"train.device must be one of {', '.join(DEVICES)}")
        if self.epochs < 1 or self.patience < 1 or self.batch_size < 2 or self.threads < 0:
            raise ValueError(
                "train.epochs and train.patience must be at least 1, batch_size 2, threads 0"
            )


@dataclass
class CNNConfig:
    """The small convolutional network trained from scratch (`model.SmallCNN`)."""

    width: int = 16  # channels of the first block; each of the next two doubles them
    dropout: float = 0.2  # before the classifier


@dataclass
class ResNetConfig:
    """ResNet-18 for transfer learning (`resnet.ResNet18`)."""

    # imagenet: torchvision's ImageNet weights, downloaded once and cached; a path: a local
    # .pth file of ResNet-18 weights in torchvision's format; null: random initialisation.
    weights: str | None = "imagenet"
    backbone_lr_scale: float = 0.1  # the pretrained layers learn this much slower than the head


@dataclass
class Config:
    """All settings of one run: `load_config` builds it from a YAML file."""

    model_type: str = "cnn"  # cnn | resnet18
    model_dir: Path = Path("models/cnn")
    reports_dir: Path = Path("reports")
    seed: int = 42
    data: DataConfig = field(default_factory=DataConfig)
    image: ImageConfig = field(default_factory=ImageConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    cnn: CNNConfig = field(default_factory=CNNConfig)
    resnet18: ResNetConfig = field(default_factory=ResNetConfig)

    def __post_init__(self) -> None:
        if self.model_type not in MODEL_TYPES:
            raise ValueError(
                f"model_type must be one of {', '.join(MODEL_TYPES)}, not {self.model_type!r}"
            )
        self.model_dir = Path(self.model_dir)
        self.reports_dir = Path(self.reports_dir)

    def params(self) -> dict[str, Any]:
        """Flat settings of this run (`train.epochs`, ...) for experiment tracking."""
        flat: dict[str, Any] = {}
        unused = set(MODEL_TYPES) - {self.model_type}  # the other model's settings played no part
        for key, value in asdict(self).items():
            if isinstance(value, dict):
                if key not in unused:
                    flat.update({f"{key}.{name}": _plain(v) for name, v in value.items()})
            else:
                flat[key] = _plain(value)
        return flat


SECTIONS = {
    "data": DataConfig,
    "image": ImageConfig,
    "augment": AugmentConfig,
    "train": TrainConfig,
    "cnn": CNNConfig,
    "resnet18": ResNetConfig,
}


def load_config(path: str | Path | None = None) -> Config:
    """Read a YAML config; without a path, `configs/config.yaml` if it exists, else the defaults."""
    if path is None:
        if not DEFAULT_CONFIG_PATH.is_file():
            return Config()
        path = DEFAULT_CONFIG_PATH
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Config file not found: {path}")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    top = _build(Config, raw, str(path), skip=SECTIONS)
    for name, section in SECTIONS.items():
        top[name] = section(**_build(section, raw.get(name) or {}, f"{path}: {name}"))
    return Config(**top)


def _build(cls: type, raw: Any, where: str, skip: dict[str, type] | None = None) -> dict[str, Any]:
    """Checks the keys of one YAML mapping against `cls` and converts the values to its types."""
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a mapping of settings, got {raw!r}")
    hints = get_type_hints(cls)
    known = [f.name for f in fields(cls)]
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ValueError(
            f"{where}: unknown key(s) {', '.join(map(str, unknown))}; "
            f"expected one of: {', '.join(known)}"
        )
    return {
        key: _convert(value, hints[key], f"{where}: {key}")
        for key, value in raw.items()
        if key not in (skip or {})
    }


def _convert(value: Any, hint: Any, where: str) -> Any:
    options = get_args(hint) or (hint,)
    kind = next(option for option in options if option is not type(None))
    if value is None:
        if type(None) in options:
            return None
        raise ValueError(f"{where}: a value is required")
    if kind is Path and isinstance(value, str):
        return Path(value)
    if kind is float and isinstance(value, int | float | str) and not isinstance(value, bool):
        try:
            return float(value)  # PyYAML reads `3e-3` (no decimal point) as a string
        except ValueError:
            pass
    elif isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    raise ValueError(f"{where}: expected {kind.__name__}, got {value!r}")


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Path) else value
