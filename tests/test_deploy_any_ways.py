"""Adapt and export to a folder of new classes, any number of them for learners that build their classifier
from the support set; the ``torch.export`` program (``.pt2``) runs in a process without the studio."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from PIL import Image

from studio.cli import main
from studio.config import preset_from_dict, preset_to_dict
from studio.engine.tasks.glyphs import glyph_store
from studio.export.deploy import adapt_run, adapted_outputs
from tests.library_helpers import glyph_preset, make_run

NEW_CLASSES = 20
HELD_OUT = 3  # drawings per new class kept out of the folder, to classify
JITTER = 0.5  # glyphs drawn with less variation than the default, so that a dozen meta-iterations learn them


def small_glyph_run(path, algorithm: str, ways: int = 5, iterations: int = 12, batch_norm: str = "auto"):
    """A 5-way 1-shot 16x16 glyph run with an eight-filter Conv-4, a dozen meta-iterations."""
    data = preset_to_dict(glyph_preset(algorithm))
    data["task"].update(ways=ways, classes=60, drawings=6, queries=2, jitter=JITTER)
    data["evaluation"]["batch_norm"] = batch_norm
    data["model"]["filters"] = 8
    data["training"].update(iterations=iterations, eval_every=iterations, meta_batch_size=4)
    return make_run(path, preset_from_dict(data))


@pytest.fixture(scope="module")
def proto_run(tmp_path_factory):
    return small_glyph_run(tmp_path_factory.mktemp("proto") / "run", "protonet")


@pytest.fixture(scope="module")
def new_classes(tmp_path_factory):
    """20 glyphs of another alphabet, one drawing each in ``folder/glyph-K/0.png``; three more drawings of
    each as normalised held-out images with their labels."""
    store = glyph_store(NEW_CLASSES, 1 + HELD_OUT, 16, (2, 4), JITTER, 0.05, 123)
    folder = tmp_path_factory.mktemp("new") / "classes"
    images = store.pixels.view(NEW_CLASSES, 1 + HELD_OUT, 16, 16).numpy()
    for c in range(NEW_CLASSES):
        (folder / f"glyph-{c:02d}").mkdir(parents=True)
        Image.fromarray(images[c, 0]).save(folder / f"glyph-{c:02d}" / "0.png")
    return folder, torch.from_numpy(images[:, 1:].copy()), torch.arange(NEW_CLASSES).repeat_interleave(HELD_OUT)


def normalised(run, pixels: torch.Tensor) -> torch.Tensor:
    """Held-out drawings as the adapted model takes them: the run's training images' mean and std."""
    from studio.config import load_preset
    from studio.engine.tasks import build_family

    store = build_family(load_preset(run / "preset.toml").task, splits=()).store
    raw = pixels.reshape(-1, 1, 16, 16).float() / 255
    return (raw - store.mean.view(-1, 1, 1)) / store.std.view(-1, 1, 1)


def test_a_protonet_adapts_to_twenty_new_classes_and_both_files_classify_them(proto_run, new_classes, tmp_path):
    folder, pixels, labels = new_classes
    x = normalised(proto_run, pixels)
    adapted = adapt_run(proto_run, image_folder=folder)
    expected = adapted_outputs(adapted, x)
    assert expected.shape == (NEW_CLASSES * HELD_OUT, NEW_CLASSES)
    accuracy = float((expected.argmax(1) == labels).float().mean())
    assert accuracy > 4 / NEW_CLASSES, f"accuracy {accuracy:.2f} is not well above chance ({1 / NEW_CLASSES:.2f})"

    for fmt, name in (("export", "model.pt2"), ("onnx", "model.onnx")):
        args = ["export", str(proto_run), "--format", fmt, "--out", str(tmp_path / name), "--image-folder", str(folder)]
        assert main(args) == 0
    assert json.loads((tmp_path / "model.pt2.json").read_text())["class_names"][0] == "glyph-00"
    from_program = outputs_in_fresh_process(tmp_path / "model.pt2", x, tmp_path)
    torch.testing.assert_close(from_program, expected, rtol=1e-4, atol=1e-4)
    import onnxruntime

    session = onnxruntime.InferenceSession(str(tmp_path / "model.onnx"))
    from_onnx = torch.from_numpy(session.run(None, {"x": x.numpy()})[0])
    torch.testing.assert_close(from_onnx, expected, rtol=1e-4, atol=1e-4)
    assert float((from_onnx.argmax(1) == labels).float().mean()) == pytest.approx(accuracy, abs=0.02)


def outputs_in_fresh_process(program, x: torch.Tensor, folder) -> torch.Tensor:
    """The ``.pt2`` file's outputs for ``x``, computed by a new Python that loads only torch (checked)."""
    np.save(folder / "x.npy", x.numpy())
    script = textwrap.dedent(f"""
        import sys, numpy, torch
        module = torch.export.load({str(program)!r}).module()
        y = module(torch.from_numpy(numpy.load({str(folder / "x.npy")!r})))
        assert not any(name.split(".")[0] == "studio" for name in sys.modules), "the studio was imported"
        numpy.save({str(folder / "y.npy")!r}, y.detach().numpy())
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=folder, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return torch.from_numpy(np.load(folder / "y.npy"))


def test_the_program_keeps_the_batch_size_free(proto_run, new_classes, tmp_path):
    folder, pixels, _ = new_classes
    x = normalised(proto_run, pixels)[:1]
    assert (
        main(
            [
                "export",
                str(proto_run),
                "--format",
                "export",
                "--out",
                str(tmp_path / "m.pt2"),
                "--image-folder",
                str(folder),
            ]
        )
        == 0
    )
    module = torch.export.load(str(tmp_path / "m.pt2")).module()
    assert module(x).shape == (1, NEW_CLASSES) and module(torch.cat([x] * 7)).shape == (7, NEW_CLASSES)


def test_maml_refuses_a_folder_with_another_number_of_classes(tmp_path, new_classes, capsys):
    run = small_glyph_run(tmp_path / "maml", "maml", iterations=1)
    folder, _, _ = new_classes
    code = main(
        ["export", str(run), "--format", "export", "--out", str(tmp_path / "m.pt2"), "--image-folder", str(folder)]
    )
    err = capsys.readouterr().err
    assert code == 2 and "gives 20-way tasks" in err and "head, which has 5 outputs" in err
    assert not (tmp_path / "m.pt2").exists()


@pytest.mark.parametrize("batch_norm", ["support", "transductive"])
def test_an_adapted_maml_network_normalises_as_its_evaluation_did(tmp_path, batch_norm):
    run = small_glyph_run(tmp_path / "maml", "maml", iterations=1, batch_norm=batch_norm)
    adapted = adapt_run(run, task=0)
    x = adapted.support.query[0]
    together, alone = adapted_outputs(adapted, x)[:1], adapted_outputs(adapted, x[:1])
    assert torch.allclose(together, alone, atol=1e-5) == (batch_norm == "support")
    assert main(["export", str(run), "--format", "export", "--out", str(tmp_path / "m.pt2")]) == 0
    program = torch.export.load(str(tmp_path / "m.pt2")).module()
    torch.testing.assert_close(program(x), adapted_outputs(adapted, x), rtol=1e-4, atol=1e-4)
