import gc
import sys

from analysis.cli import main

code = main()
# Every output is written and closed by now. The interpreter's last garbage collection would walk every object
# of the modules loaded (polars, nbconvert, plotly: about a third of a second) only to free memory the process
# returns anyway; frozen objects are left out of it (gc.freeze, public standard library). atexit handlers,
# threads and stream flushing still run as usual.
gc.freeze()
sys.exit(code)
