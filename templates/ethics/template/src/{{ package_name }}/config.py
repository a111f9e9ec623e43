"""Configuration: one dataclass per section of `configs/config.yaml`.

Every setting has a default here, so a YAML file lists only what it changes. Unknown keys are an
error: a slip such as `constraints:` for `constraint:` would otherwise train with the default
and nobody would notice. Relative paths resolve against the current working directory (the project root).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

DEFAULT_CONFIG_PATH = Path("configs/config.yaml")
METHODS = ("threshold_optimizer", "exponentiated_gradient", "none")
CONSTRAINTS = ("demographic_parity", "equalized_odds")


@dataclass
class DataConfig:
    """The table (CSV or Parquet), its columns, and how it is split."""

    path: Path = Path("data/german_credit.csv")
    target: str = "risk"
    positive_label: str = "1"  # the favourable outcome (a value of the target, or its name)
    # Names for a target's values in predictions and reports, under the target's column name:
    # a target not listed keeps the values its file has (a copied config never names another
    # table's outcomes). A flat mapping, {1: good, 0: bad}, names the values of `target`.
    label_names: dict[str, Any] = field(default_factory=lambda: {"risk": {"1": "good", "0": "bad"}})
    # The model's inputs (sex is audited, never an input); null: every column but the target
    # and the sensitive ones.
    features: list[str] | None = field(
        default_factory=lambda: [
            "age",
            "job",
            "housing",
            "saving_accounts",
            "checking_account",
            "credit_amount",
            "duration",
            "purpose",
        ]
    )
    validation_fraction: float = 0.15
    test_fraction: float = 0.3

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        self.positive_label = value_text(self.positive_label)
        self.label_names = _label_names(self.label_names, self.target)
        if self.features is not None and not self.features:
            raise ValueError("data: features is empty; list the input columns, or null for all")
        if not (0 < self.validation_fraction < 1 and 0 < self.test_fraction < 1) or (
            self.validation_fraction + self.test_fraction >= 1
        ):
            raise ValueError("data: validation_fraction and test_fraction are fractions below 1")

    def names(self) -> dict[str, str]:
        """The names given to the target's values (text of a value -> name); {} for none."""
        names: dict[str, str] = self.label_names.get(self.target, {})
        return names


def value_text(value: Any) -> str:
    """A value of a table as text: 1, 1.0 and "1" alike (pandas reads a column of whole
    numbers with a gap as floats)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _label_names(raw: Any, target: str) -> dict[str, dict[str, str]]:
    """`label_names` as {column: {value: name}}; a flat {value: name} names `target`'s."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError(f"data: label_names maps values to names, e.g. {{{target}: {{1: yes}}}}")
    nested = [isinstance(value, dict) for value in raw.values()]
    if any(nested) and not all(nested):
        raise ValueError(
            "data: label_names is either {value: name} for the target or "
            "{column: {value: name}}, not both"
        )
    if not all(nested):
        raw = {target: raw}
    return {
        str(column): {value_text(value): str(name) for value, name in names.items()}
        for column, names in raw.items()
    }


@dataclass
class ModelConfig:
    """The baseline: one-hot categories and scaled numbers into a logistic regression."""

    C: float = 1.0  # inverse regularization strength
    class_weight: str | None = None  # "balanced" when the outcomes are skewed


@dataclass
class FairnessConfig:
    """Who the audit compares, and how the gap is reduced."""

    # Each sensitive column: null to compare its values as they are, or the edges of its bins
    # (age: [25] makes under 25 and 25 and over; [25, 35, 50] four groups).
    sensitive: dict[str, list[float] | None] = field(
        default_factory=lambda: {"sex": None, "age": [25.0]}
    )
    attribute: str = "age"  # the sensitive column the mitigation acts on
    method: str = "exponentiated_gradient"  # exponentiated_gradient | threshold_optimizer | none
    constraint: str = "demographic_parity"  # demographic_parity | equalized_odds
    # A group with fewer people in the test split is named in a warning: its rates are noisy.
    min_group_size: int = 30
    # A sensitive column with more distinct values is refused unless binned (its edges given).
    max_groups: int = 10

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"fairness: method must be one of {', '.join(METHODS)}")
        if self.constraint not in CONSTRAINTS:
            raise ValueError(f"fairness: constraint must be one of {', '.join(CONSTRAINTS)}")
        if self.min_group_size < 1 or self.max_groups < 2:
            raise ValueError("fairness: min_group_size is at least 1 and max_groups at least 2")
        if self.attribute not in self.sensitive:
            raise ValueError(
                f"fairness: attribute {self.attribute!r} is not one of the sensitive columns "
                f"({', '.join(self.sensitive)})"
            )
        for name, edges in self.sensitive.items():
            if edges is not None and sorted(edges) != list(edges):
                raise ValueError(f"fairness: the bin edges of {name} must be increasing")


@dataclass
class ExplainConfig:
    """SHAP explanations."""

    background_size: int = 100  # training rows SHAP compares a prediction against


@dataclass
class Config:
    """All settings of one run: `load_config` builds it from a YAML file."""

    model_dir: Path = Path("models/fair")
    reports_dir: Path = Path("reports")
    seed: int = 42
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    fairness: FairnessConfig = field(default_factory=FairnessConfig)
    explain: ExplainConfig = field(default_factory=ExplainConfig)

    def __post_init__(self) -> None:
        self.model_dir = Path(self.model_dir)
        self.reports_dir = Path(self.reports_dir)

    def params(self) -> dict[str, Any]:
        """Flat settings of this run (`fairness.method`, ...) for experiment tracking."""
        flat: dict[str, Any] = {}
        for key, value in asdict(self).items():
            if isinstance(value, dict):
                flat.update({f"{key}.{name}": _plain(item) for name, item in value.items()})
            else:
                flat[key] = _plain(value)
        return flat


SECTIONS: dict[str, type] = {
    "data": DataConfig,
    "model": ModelConfig,
    "fairness": FairnessConfig,
    "explain": ExplainConfig,
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
    top = _check_keys(Config, raw, str(path))
    for name, section in SECTIONS.items():
        top[name] = section(**_check_keys(section, top.get(name) or {}, f"{path}: {name}"))
    try:
        return Config(**top)
    except TypeError as error:  # a value of the wrong kind, e.g. a list where a number goes
        raise ValueError(f"{path}: {error}") from error


def _check_keys(cls: type, raw: Any, where: str) -> dict[str, Any]:
    """The mapping `raw`, after checking that every key is a setting of `cls`."""
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a mapping of settings, got {raw!r}")
    known = [f.name for f in fields(cls)]
    unknown = sorted(set(map(str, raw)) - set(known))
    if unknown:
        raise ValueError(
            f"{where}: unknown key(s) {', '.join(unknown)}; expected one of: {', '.join(known)}"
        )
    return _normalize(cls, dict(raw), where)


def _normalize(cls: type, raw: dict[str, Any], where: str) -> dict[str, Any]:
    """YAML's values in the types the dataclass declares: numbers for floats, text for labels."""
    defaults = {f.name: f for f in fields(cls)}
    for key, value in raw.items():
        default = defaults[key].default
        if isinstance(default, float) and not isinstance(value, bool):
            try:
                raw[key] = float(value)  # PyYAML reads `1e-3` (no decimal point) as a string
            except (TypeError, ValueError):
                raise ValueError(f"{where}: {key} must be a number, not {value!r}") from None
        elif (isinstance(default, int) and not isinstance(default, bool)) and (
            not isinstance(value, int) or isinstance(value, bool)
        ):
            raise ValueError(f"{where}: {key} must be a whole number, not {value!r}")
    if cls is DataConfig and "positive_label" in raw:
        raw["positive_label"] = value_text(raw["positive_label"])
    if cls is FairnessConfig and "sensitive" in raw:
        sensitive = raw["sensitive"]
        if not isinstance(sensitive, dict) or not sensitive:
            raise ValueError(f"{where}: sensitive maps each sensitive column to null or bin edges")
        raw["sensitive"] = {
            str(name): None if edges is None else [float(edge) for edge in edges]
            for name, edges in sensitive.items()
        }
    return raw


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict | list):
        return yaml.safe_dump(value, default_flow_style=True).strip()
    return value
