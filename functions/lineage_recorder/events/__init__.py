"""Parsing of SageMaker EventBridge events: tolerant of what real events carry, strict on what we need."""
