"""What the window shows, without Qt: run data, series, exports, previews and labels.

The window (`studio.ui`) draws these; they hold no widget and import no Qt, so they are
tested headless and could back another front end.
"""
