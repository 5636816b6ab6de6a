"""Support IDs on screen: reading one out, converting any, and (admins) looking one up."""
