"""The provider portal: providers sign in, see the returns due, upload one and see every problem at
once; the commissioner's staff see every contract, chase, comment and manage their providers.

A Django application kept in this one folder. It imports only the library code of the warehouse
(the return rules, the template writer, the period grammar, the read-only connection), never
Dagster: an accepted upload is a file in raw/returns/<period>/ and a line in the submission log,
which the refresh and the sensor pick up as they pick up any other return.
"""
