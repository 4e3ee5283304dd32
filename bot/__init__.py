"""ritualbot: team rituals for psychological safety in Slack and Mattermost."""

__version__ = "0.1.0"
