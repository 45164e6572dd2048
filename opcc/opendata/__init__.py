"""Grants and contracts published as open data: 360Giving, and the registers the Specified Information Order asks for."""
