"""Getting a person in: the first-run screen, the sign-in screen and the lock screen."""
