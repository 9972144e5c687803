"""The dashboard layout: the training run as panes redrawn in place, in the alternate screen.

Pure parts: a cell grid (`grid`), a renderer that writes only the cells that changed
(`render`), the pane layout for a terminal size (`layout`), and the panes themselves
(`title`, `chart`, `gpus`, `throughput`, `logtail`), drawn from one snapshot (`view`)
by `screen.draw`.
"""
