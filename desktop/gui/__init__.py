"""Qt widgets, windows and item models; the only layer that may import QtWidgets."""
