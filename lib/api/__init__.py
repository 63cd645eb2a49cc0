"""The API's generic parts: parsing, pagination, errors, schema and filters."""
