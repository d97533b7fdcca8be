"""The adapt-and-export dialog says how many class subfolders an image folder needs: any number for learners
that take any N (metric learners, the fine-tuning baselines), the trained N for those whose head fixes it."""

from __future__ import annotations

import pytest

from studio.ui.deploy_dialog import AdaptExportDialog
from tests.library_helpers import glyph_preset, make_run


@pytest.mark.parametrize(
    ("algorithm", "hint"),
    [
        ("protonet", "a folder with any number of class subfolders"),
        ("scratch", "a folder with any number of class subfolders"),
        ("maml", "a folder with 3 class subfolders"),
    ],
)
def test_the_image_folder_hint_names_the_classes_the_learner_takes(qtbot, tmp_path, algorithm, hint):
    run = make_run(tmp_path / algorithm, glyph_preset(algorithm))
    dialog = AdaptExportDialog(run)
    qtbot.addWidget(dialog)
    assert dialog.folder.placeholderText() == hint
