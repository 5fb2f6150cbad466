"""The bundled `daishou-gui` program: the window, on the data folder given or the default one."""

import sys

from app.cli import main

sys.exit(main(["gui", *sys.argv[1:]]))
