"""Writing mail: the compose window, its address fields and attachments, and what opens it."""
