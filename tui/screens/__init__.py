"""The screens of the TUI: browse, project detail, audit, and the modal dialogs."""
