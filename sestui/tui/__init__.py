"""The Textual TUI: renders what the checks compute; holds no logic of its own."""
