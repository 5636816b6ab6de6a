"""Mail in: parsing, import, IMAP sync, background jobs and the unified inbox over one store."""
