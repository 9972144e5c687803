"""The run's noise streams: one per kind of number, so that adding one never moves another
(the run's steps in run.py, its timeline in run_timeline.py)."""

LOSS, GRAD, JITTER, EVAL, STARTUP, NOTICES, SAVES, SENSORS, REPLAY, COMMS = range(1, 11)
Z_LOSS = 11  # the z-loss's own noise stream (after COMMS; moe.ROUTER is 101)
THERMAL = 12  # each GPU's steady temperature and its slow drift
GRAD_REPLAY = 13  # a step trained again after a resume: its gradient norm's drift
