"""The simulation: its composed config, the build → round loop → score pipeline, and the Python
API's ``simulate`` and ``Run``."""
