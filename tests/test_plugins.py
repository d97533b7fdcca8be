"""A task family from another package, found through the entry-point group."""

import sys
import textwrap

import torch

from studio.config import TASKS, preset_from_dict
from studio.config.registry import PLUGIN_GROUP, load_plugins
from studio.engine.registry import FAMILIES
from studio.engine.tasks import build_family

PLUGIN = """
from dataclasses import dataclass
import torch
from studio.config import TaskConfig, param
from studio.config.registry import TASKS
from studio.engine.registry import FAMILIES
from studio.engine.tasks.base import RegressionFamily, uniform

@TASKS.register("step_fn")
@dataclass(frozen=True)
class StepTask(TaskConfig):
    family: str = "step_fn"
    x_range: tuple[float, float] = param((-1.0, 1.0), "Input range", "Where x is drawn.", is_range=True)

@FAMILIES.register("step_fn")
class StepFamily(RegressionFamily):
    def sample_params(self, n, generator):
        return {"height": uniform(generator, (1.0, 2.0), n)}
    def target(self, params, x):
        return params["height"].view(-1, *[1] * (x.dim() - 1)) * (x > 0)
"""


def test_a_plugin_family_registers_through_its_entry_point(tmp_path, monkeypatch):
    (tmp_path / "studio_step_plugin.py").write_text(textwrap.dedent(PLUGIN))
    info = tmp_path / "studio_step_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: studio-step-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[{PLUGIN_GROUP}]\nstep = studio_step_plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    TASKS.names()  # the built-in families are loaded first, as in any process
    load_plugins()  # what a fresh process does on first use, with the plugin installed
    assert "step_fn" in TASKS.names() and "step_fn" in FAMILIES.names()
    family = build_family(preset_from_dict({"task": {"family": "step_fn", "shots": 4}}).task)
    batch = family.sample(3, torch.Generator().manual_seed(0))
    assert batch.x_support.shape == (3, 4, 1)
    assert torch.equal(batch.y_support, family.target(batch.params, batch.x_support))
    for registry in (TASKS, FAMILIES):
        registry._classes.pop("step_fn")
    sys.modules.pop("studio_step_plugin", None)
