"""Back office for stations: region staff manage their jurisdiction, keepers their stations.

Forms here hold no model fields of their own: every save goes through the services, and
``clean`` rehearses the same service calls inside a rolled-back savepoint, so the admin shows
exactly the errors the API would give, next to the form.
"""

from nuanxin.stations.admin import extras, stations  # noqa: F401  (registers the admins)
