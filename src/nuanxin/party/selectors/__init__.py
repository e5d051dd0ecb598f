"""Reads of the party app. Staff reads take the caller and answer only inside their reach."""
