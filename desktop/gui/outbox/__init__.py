"""The outbox on screen: the sidebar's button and the dialog of what has not left yet."""
