"""The settings tools read (tools/settings.py) are settings the agent has."""

import inspect

from agent.settings import Settings
from tools.settings import ToolSettings


def test_every_setting_the_tools_read_is_a_setting_of_the_agent(tmp_path):
    named = [name for name, member in inspect.getmembers(ToolSettings) if isinstance(member, property)]
    settings = Settings.load(tmp_path)
    assert len(named) > 40
    assert [name for name in named if name not in Settings.model_fields] == []
    assert all(hasattr(settings, name) for name in named)
