"""Selected runs overlaid on the loss and adaptation panels, one colour per run, beside the live run.

The run on screen keeps its own curves (the panels draw it as it trains).
With smoothing, the live run's smoothed curve is drawn here over the panel's
own (then the faint raw one); against wall time the panel's own loss curves
step aside and the live run is drawn here whole, from its buffers.
Clicking a legend entry hides or shows that run (and tells the runs list).
Only runs whose loss is the axis's quantity are drawn (MSE beside MSE, cross-entropy
beside cross-entropy); the others are named in :attr:`RunOverlay.problems`.  The axis
is the run on screen's, else the first selected run's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from studio.config import ConfigError
from studio.export.figure_style import colour_for
from studio.export.library import RunRecord, group_by_seed
from studio.export.run_metrics import RunMetrics, read_metrics
from studio.ui.panels.adaptation import AdaptationPanel
from studio.ui.panels.base import BLUE, EMPTY
from studio.ui.panels.loss import LossPanel
from studio.ui.run_curves import GroupCurves, RunCurves, View
from studio.views.run_data import RunData
from studio.views.run_series import LIVE_NAME, live_metrics, loss_unit

LIVE_MS = 250  # the live run's transformed curves are redrawn at most this often


def run_key(path: str | Path) -> str:
    return str(Path(path).resolve())


class RunOverlay(QObject):
    """``show(records)`` draws them; ``visibilityToggled(key, visible)`` reports legend clicks."""

    visibilityToggled = Signal(str, bool)
    drawn = Signal()

    def __init__(
        self,
        loss: LossPanel,
        adapt: AdaptationPanel,
        live: Callable[[], RunData],
        on_screen: Callable[[], bool] = lambda: False,
    ):
        """``on_screen`` says whether a run is on screen (its loss then decides the axis's quantity)."""
        super().__init__()
        self.loss, self.adapt, self.live_data, self.on_screen = loss, adapt, live, on_screen
        self.view = View(log_y=loss.plot.getAxis("left").logMode)
        self.group_seeds = False
        self.records: list[RunRecord] = []
        self.metrics: dict[str, RunMetrics] = {}
        self.curves: dict[str, RunCurves | GroupCurves] = {}
        self.members: dict[str, list[str]] = {}  # curve key -> run keys it draws
        self.hidden: set[str] = set()
        self.colours: dict[str, str] = {}
        self.problems: list[str] = []
        self._read_problems: list[str] = []
        self.live: RunCurves | None = None
        self._live_seen = -1
        self._cache: dict[str, tuple[tuple[float, int], RunMetrics]] = {}
        for panel in (loss, adapt):
            panel.legend.sigSampleClicked.connect(self._legend_clicked)
        self.timer = QTimer(self)
        self.timer.setInterval(LIVE_MS)
        self.timer.timeout.connect(self._draw_live)
        loss.unitChanged.connect(self._unit_changed)

    # ---- what to show -------------------------------------------------------------

    def show(self, records: Sequence[RunRecord], hidden: set[str] | None = None) -> None:
        """Overlay ``records`` (the run on screen among them is skipped: it is drawn live)."""
        self.records = list(records)
        if hidden is not None:
            self.hidden = set(hidden)
        self._load()
        self._rebuild()

    def set_hidden(self, key: str, hidden: bool) -> None:
        self.hidden = self.hidden | {key} if hidden else self.hidden - {key}
        for curve_key, members in self.members.items():
            if key in members:
                self.curves[curve_key].set_visible(not all(m in self.hidden for m in members))

    def set_view(self, **changes: object) -> None:
        """Change smoothing, x axis, log y or band and redraw every curve."""
        for name, value in changes.items():
            setattr(self.view, name, value)
        self._draw_all()

    def set_group_seeds(self, on: bool, band: str) -> None:
        """Draw seed groups as their mean with a ``band`` (``std`` or ``ci95``), or each run on its own."""
        self.view.band = band
        if on == self.group_seeds:
            self._draw_all()
            return
        self.group_seeds = on
        self._rebuild()

    def curve_of(self, path: str | Path) -> RunCurves | GroupCurves | None:
        """The items drawing the run at ``path`` (its group's, when seeds are grouped)."""
        key = run_key(path)
        return next((self.curves[k] for k, members in self.members.items() if key in members), None)

    # ---- loading and building -----------------------------------------------------------

    def _load(self) -> None:
        self.metrics, self._read_problems = {}, []
        for record in self.records:
            try:
                self.metrics[run_key(record.path)] = self._read(record)
            except ConfigError as error:
                self._read_problems.append(f"{record.name}: {error}")

    def _read(self, record: RunRecord) -> RunMetrics:
        """``metrics.csv`` again only when it changed (a run another process is training grows)."""
        key, path = run_key(record.path), Path(record.path) / "metrics.csv"
        try:
            stamp = (path.stat().st_mtime, path.stat().st_size)
        except OSError:
            stamp = (0.0, -1)
        cached = self._cache.get(key)
        if cached is None or cached[0] != stamp or cached[1].run != record.name:
            self._cache[key] = (stamp, read_metrics(record.path, record.name))
        return self._cache[key][1]

    def _rebuild(self) -> None:
        for curves in self.curves.values():
            curves.remove()
        self.curves, self.members = {}, {}
        self._assign_colours()
        unit = self._axis_unit()
        for group in self._groups(unit):
            keys = [run_key(r.path) for r in group]
            colour = self.colours[keys[0]]
            if len(group) > 1:
                label = group[0].preset_name or group[0].name
                self.curves[keys[0]] = GroupCurves(self.loss, self.adapt, label, colour)
            else:
                self.curves[keys[0]] = RunCurves(self.loss, self.adapt, group[0].name, colour)
            self.members[keys[0]] = keys
        self._draw_all()
        for key in list(self.hidden):
            self.set_hidden(key, True)

    def _axis_unit(self) -> str:
        """The run on screen's loss, else the first selected run's (and the axes are labelled with it)."""
        if self.on_screen():
            return self.loss.unit
        loaded = [self.metrics[k] for k in map(run_key, (r.path for r in self.records)) if k in self.metrics]
        unit = loss_unit(loaded[0]) if loaded else self.loss.unit
        self.adapt.set_unit(unit)
        self.loss.set_unit(unit)
        return unit

    def _unit_changed(self) -> None:
        if self.on_screen() and self.records:  # a run of another kind is on screen now
            self._rebuild()

    def _groups(self, unit: str) -> list[list[RunRecord]]:
        loaded = [r for r in self.records if run_key(r.path) in self.metrics]
        shown = [r for r in loaded if loss_unit(self.metrics[run_key(r.path)]) == unit]
        other = [f"{r.name} ({loss_unit(self.metrics[run_key(r.path)])})" for r in loaded if r not in shown]
        self.problems = [
            *self._read_problems,
            *([f"not drawn on the {unit} axis: {', '.join(other)}"] if other else []),
        ]
        if not self.group_seeds:
            return [[r] for r in shown]
        return group_by_seed(shown)

    def _assign_colours(self) -> None:
        """Keep each run's colour while it stays selected; new ones take the first free colour (not the
        live run's blue)."""
        keys = [run_key(r.path) for r in self.records]
        self.colours = {k: c for k, c in self.colours.items() if k in keys}
        for key in keys:
            if key not in self.colours:
                used = set(self.colours.values())
                free = (colour_for(i) for i in range(1, 100) if colour_for(i) not in used)
                self.colours[key] = next(free, colour_for(len(self.colours) + 1))  # past the palette: repeat

    # ---- drawing --------------------------------------------------------------------------

    def _draw_all(self) -> None:
        for key, curves in self.curves.items():
            runs = [self.metrics[m] for m in self.members[key]]
            curves.draw(runs if isinstance(curves, GroupCurves) else runs[0], self.view)
        self.loss.cover_x(self._last_iteration() if self.view.x == "iteration" else 0.0)
        self._follow_live()
        self.drawn.emit()

    def _last_iteration(self) -> float:
        """Where the longest drawn run ends, so following the run on screen does not cut it off."""
        drawn = [self.metrics[m] for members in self.members.values() for m in members]
        return max((float(run.columns["iteration"][-1]) for run in drawn if len(run)), default=0.0)

    @property
    def transformed(self) -> bool:
        """Whether the live run needs curves of its own here (smoothing, wall time)."""
        return self.view.smoothing > 0 or self.view.x != "iteration"

    def _follow_live(self) -> None:
        for item in (self.loss.meta, self.loss.before, self.loss.after):
            item.setVisible(self.view.x == "iteration")
        if self.live is not None:
            self.live.remove()
            self.live = None
        self.timer.stop()
        if self.transformed:
            self.timer.start()
        self._live_seen = -1
        self._draw_live()

    def _draw_live(self) -> None:
        data = self.live_data()
        if not self.transformed or data.step_version == self._live_seen:
            return
        if self.live is None and data.step_version:  # a legend entry only once there is a run to draw
            label = f"{LIVE_NAME}, smoothed" if self.view.smoothing > 0 else LIVE_NAME
            self.live = RunCurves(self.loss, None, label, BLUE)
        self._live_seen = data.step_version
        if self.live is None:
            return
        self.live.draw(live_metrics(data), self.view)
        if self.view.x == "iteration":  # the panel's own curves show the raw loss and the evaluations
            self.live.raw.setData(EMPTY, EMPTY)
            self.live.evals.setData(EMPTY, EMPTY)

    def _legend_clicked(self, item) -> None:
        """pyqtgraph has already toggled the clicked curve: make the run's other items follow."""
        for key, curves in {**self.curves, "": self.live}.items():
            if curves is not None and item in curves.legend_items:
                visible = item.isVisible()
                curves.set_visible(visible)
                for member in self.members.get(key, []):
                    self.hidden = self.hidden - {member} if visible else self.hidden | {member}
                    self.visibilityToggled.emit(member, visible)
