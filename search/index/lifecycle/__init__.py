"""A generation's life on disk: build into a new directory, validate, switch the pointer, pin while served, clean up (decision record 0002)."""
