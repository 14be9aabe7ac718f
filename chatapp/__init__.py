"""The chat app behind ui.py: rendering, labels, limits, style."""
