"""Starting from weights made elsewhere: a PyTorch state dict read safely, mismatches named."""

import pytest
import torch
from safetensors.torch import save_file

from studio.config import ConfigError
from studio.engine import Training
from tests.engine.helpers import tiny_preset


def preset_with(path) -> object:
    return tiny_preset(training={"init_weights": str(path)})


def test_a_pt_state_dict_initialises_the_network(tmp_path):
    donor = Training(tiny_preset().replace(seed=7))
    torch.save(donor.model.state_dict(), tmp_path / "w.pt")
    training = Training(preset_with(tmp_path / "w.pt"))
    for name, value in donor.model.state_dict().items():
        assert torch.equal(training.params[name].detach(), value)


def test_a_safetensors_file_works_too(tmp_path):
    donor = Training(tiny_preset().replace(seed=7))
    save_file(donor.model_state(), tmp_path / "w.safetensors")
    assert torch.equal(
        Training(preset_with(tmp_path / "w.safetensors")).params["0.weight"].detach(), donor.model_state()["0.weight"]
    )


def test_mismatched_keys_and_shapes_are_listed(tmp_path):
    state = Training(tiny_preset()).model.state_dict()
    state["0.weight"] = torch.zeros(3, 1)
    state["extra.bias"] = state.pop("4.bias")
    torch.save(state, tmp_path / "w.pt")
    with pytest.raises(ConfigError) as caught:
        Training(preset_with(tmp_path / "w.pt"))
    text = str(caught.value)
    assert text.startswith("training.init_weights")
    assert "missing ['4.bias']" in text and "unexpected ['extra.bias']" in text
    assert "0.weight has shape (3, 1), expected (16, 1)" in text


def test_a_pickle_with_code_is_refused(tmp_path):
    class Payload:
        def __reduce__(self):
            return (print, ("this must not run",))

    torch.save({"w": Payload()}, tmp_path / "evil.pt")
    with pytest.raises(ConfigError, match="not a readable weights file"):
        Training(preset_with(tmp_path / "evil.pt"))
