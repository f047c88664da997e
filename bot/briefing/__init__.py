"""Briefing: topics and situations -> Brief, Status and SearchResult models.

Uses the store, never telegram.
"""
