"""The `log` layout in genact's own dialect: the seed notes' phases, formats and colours."""
