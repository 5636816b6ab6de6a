"""Importing mail files and Maildir folders into a profile the user chooses."""
