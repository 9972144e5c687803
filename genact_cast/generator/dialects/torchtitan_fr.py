"""The flight recorder's dump on a watchdog timeout, as torchtitan v0.2.0 configures it and
torch 2.9 prints it.

The dump itself is torch's (torch_dump, which every dialect shares); torchtitan's
init_distributed sets TORCH_FR_BUFFER_SIZE (comm.trace_buf_size 20000,
config/job_config.py:767) and TORCH_NCCL_DUMP_ON_TIMEOUT=1 with a dump file
(distributed/utils.py:271-281). On a timeout, torch 2.9's watchdog then signals the dump
("First PG on this rank to signal dumping.", ProcessGroupNCCL.cpp:2573), the default group's
monitor thread takes it ("Received a dump signal ... from this local rank", :1858) and dumps
("ProcessGroupNCCL preparing to dump debug info. Include stack trace: 1", :1575) under the
default group's name (torchtitan_mesh: the timed-out group may be a mesh group), and the
watchdog waits a minute for the dump before it takes the process down (the inconsistency and
take-down lines and the exception a minute after the timeout). Those line numbers and the
minute are those of real torch 2.9 logs (tests/data/real_logs/torch29_fr_dump.txt,
index:68430319905), which have the recorder off. With it on, printTraceback prints the
recorded trace instead of the :730 "not found" line; no real 2.9 log pins that form's line,
so torchtitan leaves :730 out. Whether a written dump ends the minute early (the wait's
"slept for ..." is INFO, below c10's default level) or the wait runs out with its
"timed out after waiting for 60000ms flight recorder dumps to finish." warning is pinned by
no real 2.9 log with the recorder on (the one real log of that warning in the index is an
older release's, :2114), so the minute stays and that warning is left out.
"""

from __future__ import annotations

from genact_cast.generator.dialects.torch_dump import DUMP_WAIT_SECONDS as DUMP_WAIT_SECONDS
from genact_cast.generator.dialects.torch_dump import with_dump as with_dump
