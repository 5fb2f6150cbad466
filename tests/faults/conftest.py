"""The command-line fixture of tests/core, shared with the fault suite."""

from tests.core.test_cli import cli  # noqa: F401 - a fixture
