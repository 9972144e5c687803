"""One function per phase of the run, each reading the plan and writing to the console."""
