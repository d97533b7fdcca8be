"""Training never imports torch._dynamo: the inner loops take gradients with plain autograd (issue #11, start-up).

``torch.func.grad`` imports all of ``torch._dynamo`` on its first call (about 2 s of CPU in every run's child
process), so the gradient learners compute each task's inner gradient with ``torch.autograd.grad`` outside ``vmap``
(``GradientLearner.support_gradients``).
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Trains each (preset, overrides) for one iteration, with its evaluations, in one fresh interpreter and reports,
# after each, whether torch._dynamo had been imported by then.
PROBE = """
import json, sys
from studio.config import load_preset
from studio.engine import run
from studio.presets import bundled_presets
report = []
for name, overrides in json.loads(sys.argv[1]):
    settings = ["training.iterations=1", "training.eval_tasks=2", 'training.device="cpu"', *overrides]
    events = list(run(load_preset(bundled_presets()[name], settings)))
    report.append([name, len(events) > 0, "torch._dynamo" in sys.modules])
print(json.dumps(report))
"""

RUNS = [
    ("maml-sine", []),
    ("metasgd-sine", []),
    ("anil-sine", []),
    ("reptile-sine", []),
    ("maml-blobs2d", ["algorithm.learn_inner_lr=true"]),
    ("maml-blobs2d", ['algorithm.name="pretrain"', 'algorithm.adapt_layers=["head"]']),
]


def test_training_gradient_learners_never_imports_torch_dynamo():
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "STUDIO_RUNS_DIR": str(ROOT / "no-such-runs")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(RUNS)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [trained for _, trained, _ in report] == [True] * len(RUNS)
    assert [name for name, _, dynamo in report if dynamo] == []
