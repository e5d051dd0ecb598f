"""What the reports API's audiences share."""

# The longest page of a list the API answers.
MAX_PAGE = 100
