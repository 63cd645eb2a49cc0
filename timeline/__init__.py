"""Timelines: a record's notes, activities and deals, newest first.

It spans contacts, companies, deals, activities and notes, so it sits above every
app (nothing imports it but the URL configuration).
"""
