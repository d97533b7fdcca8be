"""The Optuna study behind a sweep: its storage, sampler and pruner, and what a joining worker needs.

The base preset and the sweep are stored in the study's user attributes, so a
worker on another machine needs only the study's name and storage URL.  The
default storage is Optuna's journal file in the sweep's folder: nothing needs
a server, and ``optuna.load_study`` reads it outside the studio.
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna

from studio.config import ConfigError
from studio.config.sweep import Dimension, SweepConfig, grid_values

JOURNAL_FILE = "study.journal"
PRESET_ATTR = "studio_preset"
SWEEP_ATTR = "studio_sweep"

# The studio prints its own line per trial (a failed one with its reason); Optuna's log would add tracebacks.
optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


@dataclass
class SweepStudy:
    """A study, the sweep it runs and the preset data (as read from TOML) its trials start from."""

    study: optuna.Study
    sweep: SweepConfig
    base: dict[str, Any]
    storage_text: str

    @property
    def name(self) -> str:
        return self.study.study_name


def open_storage(text: str) -> optuna.storages.BaseStorage | str:
    """An RDB URL (``sqlite:///x.db``, ``postgresql://...``) as it is; a file path as a journal file."""
    if "://" in text:
        return text
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    return JournalStorage(JournalFileBackend(str(Path(text))))


def create_sweep(name: str, sweep: SweepConfig, base: dict[str, Any], storage: str, seed: int) -> SweepStudy:
    """A new study named ``name``; refuses to reuse a name that the storage already holds."""
    try:
        study = optuna.create_study(
            storage=open_storage(storage),
            study_name=name,
            direction="maximize" if sweep.maximize else "minimize",
            sampler=make_sampler(sweep, seed),
            pruner=make_pruner(sweep),
        )
    except optuna.exceptions.DuplicatedStudyError:
        raise ConfigError(f"{storage}: already holds a sweep named {name!r}; choose another --out or --name") from None
    study.set_user_attr(PRESET_ATTR, json.dumps(base))
    study.set_user_attr(SWEEP_ATTR, json.dumps(sweep_to_dict(sweep)))
    return SweepStudy(study, sweep, base, storage)


def join_sweep(name: str, storage: str, seed: int | None = None) -> SweepStudy:
    """A running sweep, as another worker (another process or machine) sees it."""
    try:
        stored = optuna.load_study(study_name=name, storage=open_storage(storage))
    except KeyError:
        raise ConfigError(f"{storage}: holds no sweep named {name!r}") from None
    attrs = stored.user_attrs
    if PRESET_ATTR not in attrs or SWEEP_ATTR not in attrs:
        raise ConfigError(f"{storage}: the study {name!r} was not made by 'studio sweep'")
    sweep = sweep_from_stored(json.loads(attrs[SWEEP_ATTR]))
    study = optuna.load_study(
        study_name=name, storage=open_storage(storage), sampler=make_sampler(sweep, seed), pruner=make_pruner(sweep)
    )
    return SweepStudy(study, sweep, json.loads(attrs[PRESET_ATTR]), storage)


def make_sampler(sweep: SweepConfig, seed: int | None) -> optuna.samplers.BaseSampler:
    if sweep.sampler == "grid":
        space = {d.key: list(grid_values(d, sweep.grid_points)) for d in sweep.vary}
        return optuna.samplers.GridSampler(space, seed=seed)
    if sweep.sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    # constant_liar keeps parallel workers from all trying the same promising point
    return optuna.samplers.TPESampler(seed=seed, constant_liar=sweep.parallel > 1)


def make_pruner(sweep: SweepConfig) -> optuna.pruners.BasePruner:
    if sweep.pruner == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=4, n_warmup_steps=0)
    if sweep.pruner == "halving":
        return optuna.pruners.SuccessiveHalvingPruner()
    return optuna.pruners.NopPruner()


def sweep_to_dict(sweep: SweepConfig) -> dict[str, Any]:
    data = dataclasses.asdict(sweep)
    data["vary"] = [dataclasses.asdict(d) for d in sweep.vary]
    return data


def sweep_from_stored(data: dict[str, Any]) -> SweepConfig:
    vary = tuple(Dimension(**{**d, "choices": tuple(d["choices"])}) for d in data.pop("vary"))
    return SweepConfig(vary=vary, **data)
