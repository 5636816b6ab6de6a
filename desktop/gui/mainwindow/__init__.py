"""The main window and the parts of its frame: sidebar, badge, status area, tray, settings."""
