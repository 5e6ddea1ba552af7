"""Per resource family: read the event, complete it with Describe*, and hand it to its planner."""
