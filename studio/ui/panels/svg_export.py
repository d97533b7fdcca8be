"""SVG export through Qt's own SVG generator.

pyqtgraph 0.14's SVGExporter rewrites the SVG that Qt writes and cannot parse
the closed paths ("... Z") that Qt 6.10+ emits (pyqtgraph issue #3495), so
every SVG export, the right-click one included, would fail.  This exporter
renders the plot straight into a QSvgGenerator and takes that one's place in
pyqtgraph's export dialog.
"""

from __future__ import annotations

from pyqtgraph.exporters import Exporter, SVGExporter
from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QGuiApplication, QPainter
from PySide6.QtSvg import QSvgGenerator


class QtSvgExporter(Exporter):
    Name = "Scalable Vector Graphics (SVG)"
    allowCopy = False

    def parameters(self) -> None:
        return None

    def export(self, fileName: str | None = None, toBytes: bool = False, copy: bool = False) -> None:  # noqa: N803
        if fileName is None:  # asked from the right-click dialog
            self.fileSaveDialog(filter="Scalable Vector Graphics (*.svg)")
            return
        source = self.getSourceRect()
        generator = QSvgGenerator()
        generator.setFileName(str(fileName))
        generator.setSize(QSize(int(source.width()), int(source.height())))
        generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
        generator.setTitle("Meta-Learning Studio plot")
        # axes are QPictures recorded at the screen's DPI; replayed at the generator's default 72 DPI they shrink
        generator.setResolution(round(QGuiApplication.primaryScreen().logicalDotsPerInch()))
        painter = QPainter(generator)
        try:
            self.setExportMode(True, {"antialias": True, "background": None, "painter": painter})
            self.getScene().render(painter, QRectF(0, 0, source.width(), source.height()), source)
        finally:
            self.setExportMode(False)
            painter.end()


def install() -> None:
    """Put :class:`QtSvgExporter` in pyqtgraph's export list instead of the SVG exporter that fails."""
    exporters = Exporter.Exporters
    if QtSvgExporter not in exporters:
        position = exporters.index(SVGExporter) if SVGExporter in exporters else len(exporters)
        exporters[position : position + (SVGExporter in exporters)] = [QtSvgExporter]
