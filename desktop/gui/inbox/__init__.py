"""The unified inbox: a lazily paged list over every profile's mail."""
