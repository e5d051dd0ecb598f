"""Pages: the worker's list, project, claims, scan page; the staff's management pages."""
