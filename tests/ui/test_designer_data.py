"""The designer and the user's own data: files it cannot read are counted at the field, a CSV's columns
are offered by name."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from studio.config import load_preset
from studio.presets import bundled_presets
from tests.ui.conftest import SHORT, button, open_window, preset_with


def field_error(window, path: str) -> str:
    row = window.experiment.forms[path.partition(".")[0]].rows[path]
    return row.error.text() if row.error.isVisibleTo(window) else ""


def test_unreadable_images_are_counted_at_the_folder_field(qtbot, tmp_path):
    root = tmp_path / "images"
    for c in range(6):
        (root / f"class{c}").mkdir(parents=True)
        for i in range(4):
            (root / f"class{c}" / f"{i}.png").write_bytes(b"not a png")
    window = open_window(qtbot, tmp_path, preset_with(SHORT))
    window.experiment.choose("task.family", "image_folder")
    window.experiment.set_value("task.ways", 2)
    window.experiment.set_value("task.root", str(root))
    qtbot.waitUntil(lambda: "unreadable" in field_error(window, "task.root"), timeout=20_000)
    message = field_error(window, "task.root")
    assert "0 usable class(es)" in message and "24 unreadable or corrupt image(s) skipped" in message
    assert not button(window, "startButton").isEnabled()


def test_csv_columns_are_offered_from_the_file(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, load_preset(bundled_presets()["maml-tabular-stores"], SHORT))
    rows = window.experiment.forms["task"].rows
    group = rows["task.group_column"].editor
    assert isinstance(group, QComboBox)
    header = ["week", "store", "region", "price", "promotion", "temperature", "sales"]
    offered = [group.itemText(i) for i in range(group.count())]
    assert sorted(offered) == sorted(header) and group.currentText() == "store"
    features = rows["task.feature_columns"].editor
    assert sorted(features.boxes) == sorted(header)
    assert [c for c, box in features.boxes.items() if box.isChecked()] == [
        "region",
        "price",
        "promotion",
        "temperature",
    ]
    features.boxes["week"].setChecked(True)
    assert "week" in window.experiment.data["task"]["feature_columns"]
    target = rows["task.target_column"].editor
    target.setCurrentIndex(target.findText("price"))
    assert window.experiment.data["task"]["target_column"] == "price"
    other = tmp_path / "other.csv"
    other.write_text("user,x,y\na,1,2\n")
    window.experiment.set_value("task.path", str(other))
    group = window.experiment.forms["task"].rows["task.group_column"].editor
    assert [group.itemText(i) for i in range(group.count())] == ["user", "x", "y"]
