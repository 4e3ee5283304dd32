"""ritualbot's own rituals, one module each, registered under `ritualbot.rituals`."""
