import os

import pytest
from django.db import connection


@pytest.mark.skipif("EXPECT_DB_VENDOR" not in os.environ, reason="only CI says which database it meant to use")
def test_suite_runs_on_the_database_ci_asked_for(db):
    assert connection.vendor == os.environ["EXPECT_DB_VENDOR"]
