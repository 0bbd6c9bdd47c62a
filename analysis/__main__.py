import os
import sys

from analysis.cli import main

code = main()
# The verb is done: every file it writes is complete (atomic renames, analysis.atomic), every kernel it started is
# killed (analysis.report). Tearing the interpreter down after that (the modules of nbconvert, papermill, polars,
# pyarrow) costs 0.3 to 0.6 s and does nothing for the user, so the process ends here once its output is out.
# An exception above still ends the ordinary way, with its traceback and the cleanup handlers.
sys.stdout.flush()
sys.stderr.flush()
os._exit(code if isinstance(code, int) else 1)
